//! Snapshots of the generated types: their JSON Schemas, and every example in the spec after a
//! round trip through them. A spec change shows up here as a reviewable diff
//! (`cargo insta review`).

use crate::common;

use std::collections::BTreeMap;

use serde_json::Value;

/// Every generated type that has a schema in `components.schemas`. The `registry_is_complete`
/// test fails when the spec gains a schema that is not listed here.
macro_rules! registry {
    ($($name:ident),* $(,)?) => {
        const NAMES: &[&str] = &[$(stringify!($name)),*];

        fn json_schema(name: &str) -> schemars::schema::RootSchema {
            match name {
                $(stringify!($name) => schemars::schema_for!(enkash::types::$name),)*
                other => panic!("no generated type is registered for schema {other}"),
            }
        }

        /// Deserializes `value` into the generated type and serializes it back.
        pub(crate) fn round_trip(name: &str, value: &Value) -> Result<Value, serde_json::Error> {
            match name {
                $(stringify!($name) => serde_json::to_value(
                    serde_json::from_value::<enkash::types::$name>(value.clone())?,
                ),)*
                other => panic!("no generated type is registered for schema {other}"),
            }
        }
    };
}

registry!(
    Address,
    Amount,
    CreateOrderRequest,
    Currency,
    CustomerDetail,
    CustomerInfo,
    CustomerInfoAddress,
    EditSplitTransactionRequest,
    FlatSplitShare,
    Envelope,
    ErrorBody,
    Order,
    OrderPaymentDetail,
    OrderPaymentDetailRequest,
    OrderResponse,
    OrderStatus,
    OrderTransaction,
    PercentageSplitShare,
    PaymentDetail,
    PaymentLinkEventType,
    PaymentLinkPaymentStatus,
    PaymentLinkWebhook,
    PaymentMode,
    PaymentNotification,
    PaymentStatus,
    PayoutStatus,
    QrCodeCancel,
    QrCodeEnvelope,
    QrCodeResponse,
    QrCodeSearch,
    QrCodeSearchEnvelope,
    QrCodeStatus,
    Refund,
    RefundRequest,
    RefundResponse,
    RefundStatus,
    RestrictedPaymentOptions,
    SettlementCycle,
    SettlementPayout,
    SettlementPayoutResponse,
    SettlementPayoutSearch,
    SettlementPayoutSearchResponse,
    SortDirection,
    SplitAccountResponse,
    SplitAccountUpdate,
    SplitSettlement,
    SplitTransactionResponse,
    SubmitPaymentRequest,
    TokenRequest,
    TokenResponse,
    TransactionResponse,
    Customer,
    CustomerCreate,
    CustomerEnvelope,
    DynamicUpiQr,
    DynamicUpiQrEnvelope,
    OtpEnvelope,
    OtpResponse,
    QrCodeCreate,
    SplitAccountCreate,
    UpiIntentLinks,
    UpiIntentLinksEnvelope,
    UpiStatus,
    UpiStatusEnvelope,
    UpiStatusResponse,
    ValidateOtpRequest,
    VerifyVpaEnvelope,
    VerifyVpaRequest,
    VpaHolder,
    CreateUpiMandateRequest,
    UpdateUpiMandateRequest,
    MandateValidityEnd,
    RevokeUpiMandateRequest,
    MandatePreDebitRequest,
    MandatePreDebitNotice,
    MandatePreDebitEnvelope,
    ExecuteMandateDebitRequest,
    UpiMandate,
    UpiMandateEnvelope,
    MandateStatus,
    MandateAmountRule,
    MandateRecurrencePeriod,
    MandateRecurrenceRule,
    MandateRecurrence,
    MandateRecurrenceRequest,
    MandateValidityRequest,
    MandateValidity,
    MandatePausePeriod,
    MandatePayee,
    MandatePayer,
    MandatePayerRequest,
);

#[test]
fn registry_is_complete() {
    let mut listed: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        listed,
        common::component_schema_names(&common::spec()),
        "register every schema of the spec in the registry! macro of this file"
    );
}

#[test]
fn json_schema_of_every_generated_type() {
    for name in NAMES {
        insta::assert_json_snapshot!(format!("schema_{name}"), json_schema(name));
    }
}

/// Every example in the spec that belongs to a named schema, keyed by where it stands.
fn examples_by_schema(spec: &Value) -> BTreeMap<String, (String, Value)> {
    let mut found = BTreeMap::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            found.insert(
                format!("components/schemas/{name}"),
                (name.clone(), example.clone()),
            );
        }
    }
    collect_media_examples(spec, String::new(), &mut found);
    found
}

/// Media types and parameters whose schema is a `$ref` to a named schema.
fn collect_media_examples(
    node: &Value,
    path: String,
    found: &mut BTreeMap<String, (String, Value)>,
) {
    let Some(object) = node.as_object() else {
        return;
    };
    let referenced = object
        .get("schema")
        .and_then(|s| s.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"));
    if let Some(name) = referenced {
        if let Some(example) = object.get("example") {
            found.insert(path.clone(), (name.to_string(), example.clone()));
        }
        for (key, example) in object
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            found.insert(
                format!("{path}/examples/{key}"),
                (name.to_string(), example["value"].clone()),
            );
        }
    }
    for (key, child) in object {
        collect_media_examples(child, format!("{path}/{key}"), found);
    }
}

/// JSON numbers compared by value: `1000` in the spec and `1000.0` from an `f64` are the same.
fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, |f| serde_json::json!(f)),
        Value::Array(items) => items.iter().map(numbers_as_f64).collect(),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), numbers_as_f64(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn every_example_survives_a_round_trip_through_the_generated_types() {
    let spec = common::spec();
    let examples = examples_by_schema(&spec);
    assert!(
        examples.len() >= 7,
        "examples were not found: {examples:#?}"
    );

    let mut wire = BTreeMap::new();
    for (location, (schema, example)) in &examples {
        let after = round_trip(schema, example)
            .unwrap_or_else(|e| panic!("example at {location} does not parse as {schema}: {e}"));
        assert_eq!(
            numbers_as_f64(&after),
            numbers_as_f64(example),
            "example at {location} changed in a round trip through {schema}"
        );
        wire.insert(location.clone(), after);
    }
    insta::assert_json_snapshot!("examples_round_trip", wire);
}

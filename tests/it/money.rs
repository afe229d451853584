//! `Rupees` is exact: text and JSON round trips are identities, JSON numbers with at most two
//! decimals parse to the right paise, sub-paise digits are refused, sums of paise are exact.

use enkash::{ParseRupeesReason, Rupees};
use proptest::prelude::*;

/// Every amount JSON carries.
fn json_range() -> impl Strategy<Value = i64> {
    -Rupees::MAX_JSON.paise()..=Rupees::MAX_JSON.paise()
}

/// `paise` written the ways a JSON producer might: `12.3`, `12.30`, `1230e-2`, `0.123E2`.
fn json_spellings(paise: i64) -> Vec<String> {
    let sign = if paise < 0 { "-" } else { "" };
    let (whole, cents) = (paise.unsigned_abs() / 100, paise.unsigned_abs() % 100);
    let digits = paise.unsigned_abs().to_string();
    let mut spellings = vec![
        format!("{sign}{whole}.{cents:02}"),
        format!("{sign}{}e-2", paise.unsigned_abs()),
        format!("{sign}0.{digits}E{}", digits.len() as i64 - 2),
    ];
    let trimmed = format!("{sign}{whole}.{cents:02}");
    let trimmed = trimmed.trim_end_matches('0').trim_end_matches('.');
    spellings.push(trimmed.to_string());
    spellings
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn display_then_parse_is_the_identity_over_all_of_i64(paise in any::<i64>()) {
        let amount = Rupees::from_paise(paise);
        let text = amount.to_string();
        prop_assert_eq!(text.parse::<Rupees>().unwrap(), amount);
        // Always exactly two decimals.
        prop_assert_eq!(text.split_once('.').map(|(_, cents)| cents.len()), Some(2));
    }

    #[test]
    fn json_round_trip_is_the_identity_over_the_json_range(paise in json_range()) {
        let amount = Rupees::from_paise(paise);
        let json = serde_json::to_string(&amount).unwrap();
        prop_assert_eq!(serde_json::from_str::<Rupees>(&json).unwrap(), amount);
        // A number, never a string, with at most two decimals.
        prop_assert!(!json.contains('"'));
        prop_assert!(json.split_once('.').is_none_or(|(_, decimals)| decimals.len() <= 2), "{}", json);
    }

    #[test]
    fn amounts_beyond_the_json_range_fail_to_serialize(paise in any::<i64>()) {
        let amount = Rupees::from_paise(paise);
        prop_assert_eq!(serde_json::to_string(&amount).is_ok(), amount.fits_json());
    }

    #[test]
    fn any_json_number_with_at_most_two_decimals_parses_to_its_paise(paise in json_range()) {
        for spelling in json_spellings(paise) {
            let parsed: Rupees = serde_json::from_str(&spelling)
                .unwrap_or_else(|e| panic!("{spelling}: {e}"));
            prop_assert_eq!(parsed.paise(), paise, "{}", spelling);
        }
    }

    #[test]
    fn a_third_decimal_is_refused_not_rounded(paise in json_range(), digit in 1..=9u8) {
        let text = format!("{}{digit}", Rupees::from_paise(paise));
        let error = serde_json::from_str::<Rupees>(&text).unwrap_err().to_string();
        prop_assert!(error.contains("more than two decimals"), "{}: {}", text, error);
        prop_assert_eq!(text.parse::<Rupees>().unwrap_err().reason(), ParseRupeesReason::SubPaise);
    }

    #[test]
    fn n_times_one_paisa_sums_exactly(n in 0..20_000usize) {
        let paisa: Rupees = serde_json::from_str("0.01").unwrap();
        let total = Rupees::checked_sum(std::iter::repeat_n(paisa, n)).unwrap();
        prop_assert_eq!(total.paise(), n as i64);
        let text = serde_json::to_string(&total).unwrap();
        prop_assert_eq!(serde_json::from_str::<Rupees>(&text).unwrap(), total);
    }
}

#[test]
fn the_float_classics_are_exact() {
    let r = |text: &str| text.parse::<Rupees>().unwrap();
    assert_eq!(r("0.1").checked_add(r("0.2")), Some(r("0.3")));
    let ten_dimes: Option<Rupees> = std::iter::repeat_n(r("0.10"), 10).sum();
    assert_eq!(ten_dimes, Some(r("1")));
    assert_eq!(r("19.99").checked_mul(3), Some(r("59.97")));
}

#[test]
fn generated_money_fields_refuse_sub_paise_and_name_the_field() {
    let body = r#"{"amount": 10.005, "requestId": "R1"}"#;
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let error =
        serde_path_to_error::deserialize::<_, enkash::types::RefundRequest>(&mut deserializer)
            .unwrap_err();
    assert_eq!(error.path().to_string(), "amount");
    assert!(
        error.inner().to_string().contains("more than two decimals"),
        "{error}"
    );

    let order = r#"{"orderId": "INV1", "amount": {"value": 1e13, "currency": "INR"}}"#;
    let mut deserializer = serde_json::Deserializer::from_str(order);
    let error =
        serde_path_to_error::deserialize::<_, enkash::types::CreateOrderRequest>(&mut deserializer)
            .unwrap_err();
    assert_eq!(error.path().to_string(), "amount.value");
    assert!(
        error.inner().to_string().contains("out of range"),
        "{error}"
    );
}

// Examples at the edges, beside the properties above.
fn rupees(text: &str) -> Rupees {
    text.parse().unwrap()
}

#[test]
fn parses_the_documented_forms() {
    assert_eq!(rupees("1499.5").paise(), 149_950);
    assert_eq!(rupees("1499.50").paise(), 149_950);
    assert_eq!(rupees("0.01").paise(), 1);
    assert_eq!(rupees("1000").paise(), 100_000);
    assert_eq!(rupees("-0.05").paise(), -5);
    assert_eq!(rupees("-0").paise(), 0);
    assert_eq!(rupees("007.10").paise(), 710);
}

#[test]
fn refuses_what_it_cannot_hold_exactly_and_says_why() {
    use ParseRupeesReason::*;
    for (text, reason) in [
        ("", Empty),
        ("abc", NotDecimal),
        ("NaN", NotDecimal),
        ("inf", NotDecimal),
        ("-inf", NotDecimal),
        ("1e3", NotDecimal),
        ("1.5E2", NotDecimal),
        (" 1", NotDecimal),
        ("1 ", NotDecimal),
        ("+1", NotDecimal),
        ("--1", NotDecimal),
        ("-", NotDecimal),
        (".5", NotDecimal),
        ("1.", NotDecimal),
        ("1.2.3", NotDecimal),
        ("1,000", NotDecimal),
        ("١٢", NotDecimal),
        ("1.005", SubPaise),
        ("0.001", SubPaise),
        ("92233720368547758.08", OutOfRange),
        ("-92233720368547758.09", OutOfRange),
        ("1000000000000000000000000000000000000000", OutOfRange),
    ] {
        let error = text.parse::<Rupees>().unwrap_err();
        assert_eq!(error.reason(), reason, "{text:?}");
        assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
    }
}

#[test]
fn the_extremes_of_i64_parse_and_display() {
    for paise in [i64::MIN, i64::MAX, -1, 0, 1] {
        let amount = Rupees::from_paise(paise);
        assert_eq!(rupees(&amount.to_string()), amount);
    }
    assert_eq!(
        Rupees::from_paise(i64::MIN).to_string(),
        "-92233720368547758.08"
    );
}

#[test]
fn arithmetic_never_wraps() {
    let max = Rupees::from_paise(i64::MAX);
    assert_eq!(max.checked_add(Rupees::from_paise(1)), None);
    assert_eq!(
        Rupees::from_paise(i64::MIN).checked_sub(Rupees::from_paise(1)),
        None
    );
    assert_eq!(max.checked_mul(2), None);
    assert_eq!(Rupees::checked_sum([max, Rupees::from_paise(1)]), None);
    assert_eq!(rupees("0.10").checked_mul(3), Some(rupees("0.30")));
}

#[test]
fn json_is_a_number_with_at_most_two_decimals() {
    let json = |amount: Rupees| serde_json::to_string(&amount).unwrap();
    assert_eq!(json(rupees("20.15")), "20.15");
    assert_eq!(json(rupees("1499.50")), "1499.5");
    assert_eq!(json(rupees("1000")), "1000");
    assert_eq!(json(rupees("-0.01")), "-0.01");
    assert_eq!(json(Rupees::MAX_JSON), "999999999999.99");
    assert!(
        serde_json::to_string(&Rupees::MAX_JSON.checked_add(Rupees::from_paise(1)).unwrap())
            .is_err()
    );
}

#[test]
fn json_with_sub_paise_digits_or_out_of_range_is_refused() {
    let read = |text: &str| serde_json::from_str::<Rupees>(text);
    assert_eq!(read("1499.5").unwrap(), rupees("1499.50"));
    assert_eq!(read("1.5e3").unwrap(), rupees("1500"));
    assert_eq!(read("0.30").unwrap(), rupees("0.3"));
    for bad in [
        "1.005",
        "0.001",
        "999999999999.991",
        "1e12",
        "-1e12",
        "1e300",
        "18446744073709551615",
        // A numeric string is read (EnKash's samples send some amounts so), by the same rules.
        "\"1.505\"",
        "\"1e12\"",
        "null",
        "true",
    ] {
        assert!(read(bad).is_err(), "{bad} was accepted");
    }
    let message = read("1.005").unwrap_err().to_string();
    assert!(message.contains("more than two decimals"), "{message}");
}

/// Every amount at the edges of `Rupees`' JSON range reads back exactly, and a third decimal
/// is refused (at most 15 significant digits: exact in an `f64`).
#[test]
fn at_the_edges_of_the_json_range_amounts_read_exactly_and_a_third_decimal_is_refused() {
    let top = Rupees::MAX_JSON.paise();
    for paise in (top - 20_000..=top).chain(-top..=-top + 20_000) {
        let text = Rupees::from_paise(paise).to_string();
        let read: Rupees =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} did not read back: {e}"));
        assert_eq!(read.paise(), paise, "{text}");
        let longer = format!("{text}5");
        assert!(serde_json::from_str::<Rupees>(&longer).is_err(), "{longer}");
    }
}

/// Within the spec's bound of 1,000,000,000 rupees, up to five decimals are still exact in an
/// `f64`, so a validator built on doubles (the sandbox's, Schemathesis's) tells 999999999.9901
/// from 999999999.99. (Near `Rupees::MAX_JSON` it could not: a fourth decimal there is a 16th
/// digit.)
#[test]
fn within_the_specs_bound_up_to_five_decimals_are_told_apart() {
    let bound = 1_000_000_000 * 100;
    for paise in (bound - 20_000..=bound).chain(-bound..=-bound + 20_000) {
        let text = Rupees::from_paise(paise).to_string();
        for extra in ["5", "01", "99", "001", "999"] {
            let longer = format!("{text}{extra}");
            assert!(
                serde_json::from_str::<Rupees>(&longer).is_err(),
                "{longer} was accepted"
            );
        }
    }
}

#[test]
fn an_amount_in_a_numeric_string_is_read_exactly_and_written_as_a_number() {
    for (text, paise) in [
        ("\"100\"", 10_000),
        ("\"1499.5\"", 149_950),
        ("\"1499.50\"", 149_950),
        ("\"-0.05\"", -5),
        ("\"12.300\"", 1_230),
        ("\"1230e-2\"", 1_230),
    ] {
        let amount: Rupees = serde_json::from_str(text).unwrap();
        assert_eq!(amount, Rupees::from_paise(paise), "{text}");
        // Written back as EnKash's number, never as a string.
        let written = serde_json::to_value(amount).unwrap();
        assert!(written.is_number(), "{text} -> {written}");
    }
    for text in [
        "\"\"",
        "\"1.005\"",
        "\"ten\"",
        "\" 100\"",
        "\"1e400\"",
        "\"NaN\"",
    ] {
        let error = serde_json::from_str::<Rupees>(text)
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("ten") && !error.contains("1.005"),
            "{error}"
        );
    }
    // A reply whose amount arrives as a string reads as a whole, not as a failed reply.
    let refund: enkash::types::Refund =
        serde_json::from_value(serde_json::json!({"amount": "100", "transactionId": "T"})).unwrap();
    assert_eq!(refund.amount, Some(Rupees::from_paise(10_000)));
}

/// The map serde_json hands a `Deserialize` impl for a number when some crate in the build
/// turns on its `arbitrary_precision` feature. This build does not, so such an object in a
/// body is somebody's object, not a number.
fn arbitrary_precision(digits: &str) -> serde_json::Value {
    serde_json::json!({ "$serde_json::private::Number": digits })
}

#[test]
fn an_object_dressed_as_a_number_is_not_an_amount_without_arbitrary_precision() {
    let forged = r#"{"$serde_json::private::Number": "25000"}"#;
    assert!(serde_json::from_str::<Rupees>(forged).is_err());
    assert!(serde_json::from_value::<Rupees>(arbitrary_precision("25000")).is_err());
    assert!(serde_json::from_str::<enkash::Decimal>(forged).is_err());
}

#[test]
fn an_amount_is_read_from_its_digits_so_underflow_is_refused_not_zero() {
    for (text, paise) in [
        ("1499.5", 149_950),
        ("0.1", 10),
        ("-20", -2_000),
        ("999999999999.99", 99_999_999_999_999),
        ("1.50e3", 150_000),
        ("12.300", 1_230),
        ("0", 0),
        ("0.0", 0),
        ("\"100\"", 10_000),
    ] {
        let amount: Rupees = serde_json::from_str(text).unwrap();
        assert_eq!(amount, Rupees::from_paise(paise), "{text}");
    }
    // Beyond an f64's reach: read from the digits, so sub-paise digits are still seen, and an
    // amount too small for an f64 is refused instead of read as Rs 0.00.
    for text in [
        "1e-400",
        "-1e-400",
        "0.1000000000000000055",
        "1.005",
        "1000000000000",
        "1e400",
    ] {
        assert!(serde_json::from_str::<Rupees>(text).is_err(), "{text}");
    }
    assert!(serde_json::from_str::<enkash::Decimal>("1e-400").is_err());
    // Any other map is not an amount.
    let other = serde_json::json!({ "value": "12" });
    assert!(serde_json::from_value::<Rupees>(other).is_err());
}

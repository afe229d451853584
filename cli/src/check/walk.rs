//! The operations `check` walks, all harmless on UAT: the token; an order of Rs 1 and its
//! look-up; an unknown order id; and every read of the spec (a GET, or a POST it marks safe to
//! repeat: the look-ups and searches, the VPA check, the mandate look-up; see
//! `crate::confirm`), with the spec's own examples as arguments. A new look-up in the spec is walked with no change here.

use serde_json::{json, Value};

use super::gateway::{Exchange, Gateway};
use super::spec;
use crate::target::Keys;

/// Every exchange of the walk, in order.
pub async fn walk(gateway: &mut Gateway, keys: &Keys) -> Vec<Exchange> {
    let mut exchanges = Vec::new();
    let Some(token_operation) = spec::operation("generate_token") else {
        return exchanges;
    };
    let credentials = json!({
        "accessKey": keys.access_key.expose_secret(),
        "secretKey": keys.secret_key.expose_secret(),
    });
    let token = gateway
        .send(
            token_operation.id,
            &token_operation.method,
            token_operation.path,
            Some(credentials),
        )
        .await;
    let issued = token.body["token"].as_str().map(str::to_string);
    exchanges.push(token);
    let Some(issued) = issued else {
        // Nothing else can be called; the token's exchange says why.
        return exchanges;
    };
    gateway.set_token(issued);

    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let mut order_id = None;
    if let Some(create) = spec::operation("create_order") {
        let mut body = create.body_example().unwrap_or_else(|| json!({}));
        // Letters and digits only: an older documentation generation allows nothing else.
        body["orderId"] = json!(format!("CHECK{stamp}"));
        body["amount"] = json!({"value": 1, "currency": "INR"});
        let created = gateway
            .send(create.id, &create.method, create.path, Some(body))
            .await;
        order_id = created.body["payload"]["orderId"]
            .as_str()
            .map(str::to_string);
        exchanges.push(created);
    }
    if let Some(look_up) = spec::operation("get_order_status") {
        // The probe of an unknown order id's meaning.
        let unknown = format!("ORDCHECKUNKNOWN{stamp}");
        let path = look_up.path.replace("{orderId}", &unknown);
        exchanges.push(gateway.send(look_up.id, "GET", &path, None).await);
    }
    for operation in reads() {
        let Some(path) = fill_path(&operation, order_id.as_deref()) else {
            continue;
        };
        let body = operation.body_example();
        exchanges.push(
            gateway
                .send(operation.id, &operation.method, &path, body)
                .await,
        );
    }
    exchanges
}

/// The reads of the spec, public ones only, in the spec's order.
fn reads() -> Vec<spec::Operation> {
    let mut found = Vec::new();
    for item in spec::spec()["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for operation in item.as_object().into_iter().flat_map(|m| m.values()) {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            if operation["x-enkash-internal"] == true || crate::confirm::changes_state(id) {
                continue;
            }
            found.extend(spec::operation(id));
        }
    }
    found
}

/// The operation's path with its parameters from the spec's examples (the order just created
/// for `orderId`), and its required query parameters; `None` if one has no example.
fn fill_path(operation: &spec::Operation, order_id: Option<&str>) -> Option<String> {
    let mut path = operation.path.to_string();
    let mut query = Vec::new();
    for parameter in operation.object["parameters"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let parameter = spec::resolve(parameter);
        let name = parameter["name"].as_str()?;
        let value = match (name, order_id) {
            ("orderId", Some(id)) => id.to_string(),
            _ => match operation.parameter_example(name) {
                Some(example) => example,
                None if parameter["required"] != true => continue,
                None => return None,
            },
        };
        match parameter["in"].as_str() {
            Some("path") => path = path.replace(&format!("{{{name}}}"), &value),
            Some("query") if parameter["required"] == true => query.push(format!("{name}={value}")),
            _ => {}
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    Some(path)
}

/// The value at `key` in every object of `value`, recursively.
pub fn every_field<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                if name == key {
                    found.push(member);
                }
                every_field(member, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| every_field(item, key, found)),
        _ => {}
    }
}

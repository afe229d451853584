//! `--record DIR`: every exchange of the walk as a JSON file, masked, so that it can be shared,
//! committed beside the tests (`cli/tests/recorded/`) and replayed through the client's
//! decoders by `cargo test`.

use std::path::Path;

use serde_json::{json, Value};

use super::gateway::Exchange;
use crate::target::Keys;

/// Fields whose value is masked wherever they appear (compared without case): tokens, keys,
/// card fields, VPAs and account numbers.
const MASKED: &[&str] = &[
    "token",
    "accesskey",
    "secretkey",
    "merchantaccesskey",
    "merchantidentifierkey",
    "cardnumber",
    "maskedcardnumber",
    "cvv",
    "expiry",
    "cardholdername",
    "vpa",
    "accountnumber",
];

/// What a masked value becomes.
pub const MASK: &str = "<masked>";

/// Writes `NN-operation.json` per exchange into `dir`.
pub fn record(dir: &Path, exchanges: &[Exchange], keys: &Keys) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let secrets: Vec<String> = [
        keys.access_key.expose_secret(),
        keys.secret_key.expose_secret(),
    ]
    .into_iter()
    .map(str::to_string)
    .chain(
        exchanges
            .iter()
            .filter_map(|e| e.body["token"].as_str().map(str::to_string)),
    )
    .collect();
    for (i, exchange) in exchanges.iter().enumerate() {
        let mut request = exchange.request.clone().unwrap_or(Value::Null);
        let mut body = exchange.body.clone();
        mask(&mut request, &secrets);
        mask(&mut body, &secrets);
        let mut path = Value::String(exchange.path.clone());
        mask(&mut path, &secrets);
        let file = json!({
            "operation": exchange.operation,
            "method": exchange.method,
            "path": path,
            "request": request,
            "status": exchange.status,
            "json": exchange.json,
            "body": body,
        });
        let name = dir.join(format!("{i:02}-{}.json", exchange.operation));
        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
        std::fs::write(&name, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", name.display()))?;
    }
    Ok(())
}

/// Masks every field named in [`MASKED`], and any string holding a known secret.
pub fn mask(value: &mut Value, secrets: &[String]) {
    match value {
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                let lower = name.to_ascii_lowercase();
                // Secrets are strings; a token's numeric `expiry` is not the card's.
                if MASKED.contains(&lower.as_str()) && member.is_string() {
                    *member = Value::String(MASK.into());
                } else {
                    mask(member, secrets);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask(item, secrets)),
        Value::String(text) => {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), MASK);
                }
            }
        }
        _ => {}
    }
}

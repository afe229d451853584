//! The spec's inferences that a harmless walk can test, each confirmed, refuted or not probed.

use serde::Serialize;
use serde_json::Value;

use super::gateway::Exchange;
use super::judge::describe;
use super::walk::every_field;

/// What a probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finding {
    /// The gateway behaved as the spec infers.
    Confirmed,
    /// It did not.
    Refuted,
    /// The walk could not test it.
    NotProbed,
}

/// One inference and what the walk showed.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// The inference.
    pub inference: &'static str,
    /// Confirmed, refuted or not probed.
    pub finding: Finding,
    /// Why, in words (never a value of a secret).
    pub evidence: String,
}

/// Every probe, over the walk's exchanges.
pub fn probes(exchanges: &[Exchange]) -> Vec<Probe> {
    vec![
        token_expiry(exchanges),
        amounts(exchanges),
        unknown_order(exchanges),
        Probe {
            inference: "a refund's requestId deduplicates a resent refund",
            finding: Finding::NotProbed,
            evidence: "needs a paid UAT payment to refund; check makes no payment".into(),
        },
    ]
}

fn token_expiry(exchanges: &[Exchange]) -> Probe {
    let inference = "the token's expiry is epoch milliseconds on the gateway's clock";
    let token = exchanges.iter().find(|e| e.operation == "generate_token");
    let expiry = token.and_then(|t| t.body["expiry"].as_i64());
    let date = token
        .and_then(|t| t.date.as_deref())
        .and_then(|d| httpdate::parse_http_date(d).ok());
    let (Some(expiry), Some(date)) = (expiry, date) else {
        return Probe {
            inference,
            finding: Finding::NotProbed,
            evidence: "no token answer with both `expiry` and a `Date` header".into(),
        };
    };
    let now_ms = date
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let lifetime_ms = expiry - now_ms;
    // A plausible token lives between a second and a week; in seconds it would be "in 1970".
    let plausible = (1_000..=7 * 24 * 3_600_000).contains(&lifetime_ms);
    Probe {
        inference,
        finding: match plausible {
            true => Finding::Confirmed,
            false => Finding::Refuted,
        },
        evidence: format!(
            "read as milliseconds, `expiry` is {} s after the answer's Date header",
            lifetime_ms / 1000
        ),
    }
}

fn amounts(exchanges: &[Exchange]) -> Probe {
    let inference = "amounts arrive as JSON numbers (the spec's type), not numeric strings";
    let mut found = Vec::new();
    for exchange in exchanges {
        every_field(&exchange.body, "amount", &mut found);
    }
    let kinds: Vec<String> = found
        .iter()
        .filter(|v| !v.is_object())
        .map(|v| describe(Some(v)))
        .collect();
    if kinds.is_empty() {
        return Probe {
            inference,
            finding: Finding::NotProbed,
            evidence: "no answer carried an amount".into(),
        };
    }
    let numbers = found.iter().filter(|v| v.is_number()).count();
    let others: Vec<&String> = kinds.iter().filter(|k| *k != "a number").collect();
    Probe {
        inference,
        finding: match others.is_empty() {
            true => Finding::Confirmed,
            false => Finding::Refuted,
        },
        evidence: match others.first() {
            None => format!("all {numbers} amounts were numbers"),
            Some(first) => format!(
                "{} of {} amounts were not numbers (e.g. {first})",
                others.len(),
                kinds.len()
            ),
        },
    }
}

fn unknown_order(exchanges: &[Exchange]) -> Probe {
    let inference = "an unknown order id is refused, not answered with an order";
    let answer = exchanges
        .iter()
        .find(|e| e.operation == "get_order_status" && e.path.contains("ORDCHECKUNKNOWN"));
    let Some(status) = answer.and_then(|a| a.status) else {
        return Probe {
            inference,
            finding: Finding::NotProbed,
            evidence: "no answer to the look-up of an unknown order id".into(),
        };
    };
    let body = answer.map(|a| &a.body).unwrap_or(&Value::Null);
    let code = body["response_code"].as_i64();
    let refused = status >= 400 || code.is_some_and(|c| c != 0);
    Probe {
        inference,
        finding: match refused {
            true => Finding::Confirmed,
            false => Finding::Refuted,
        },
        evidence: format!(
            "HTTP {status}, response_code {}",
            code.map_or("none".to_string(), |c| c.to_string())
        ),
    }
}

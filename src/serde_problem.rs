//! What a serde error says, without the values it quotes.

/// What is wrong with a JSON value, without quoting it: serde repeats the offending value in
/// most messages, and that value might be a token or card data. Messages that name only fields
/// or enum variants are kept.
pub(crate) fn without_values(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    let names_only = [
        "missing field",
        "unknown field",
        "unknown variant",
        "duplicate field",
    ];
    let amount_problems = [
        crate::money::SUB_PAISE,
        crate::money::OUT_OF_RANGE,
        crate::money::NOT_A_NUMBER,
    ];
    if names_only.iter().any(|prefix| message.starts_with(prefix))
        || amount_problems.contains(&message)
    {
        message.to_string()
    } else {
        "wrong type or value".to_string()
    }
}

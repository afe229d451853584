//! On production, an operation that changes something asks first.
//!
//! The spec does not mark which operations move money, but it does tell reads from the rest
//! (`build/shape.rs`: a GET, or a POST it marks `x-enkash-idempotent: true`). Every other one
//! (payments, refunds, mandate debits and revocations, and also creating an order or a
//! customer) asks: a keystroke too many on a harmless call is cheaper than a guessed list that
//! misses a payment.

use std::io::{BufRead, IsTerminal, Write};

include!(concat!(env!("OUT_DIR"), "/changes_state.rs"));

/// Whether the operation is not a read.
pub fn changes_state(operation_id: &str) -> bool {
    CHANGES_STATE.contains(&operation_id)
}

/// Asks on the terminal; without one, refuses (a script says `--yes`).
pub fn ask(operation_id: &str) -> Result<(), String> {
    let refusal = format!(
        "{operation_id} changes state on EnKash production and may move money; nothing was sent \
         (add --yes to go ahead without asking)"
    );
    if !std::io::stdin().is_terminal() {
        return Err(refusal);
    }
    eprint!("{operation_id} on EnKash production may move money. Type yes to send it: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    match answer.trim() {
        "yes" => Ok(()),
        _ => Err(refusal),
    }
}

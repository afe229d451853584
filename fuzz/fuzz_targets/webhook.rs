//! The webhook parsers on any body: a value or an error that never quotes the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Err(error) = enkash::webhook::parse_payment_notification(body) {
        let _ = error.to_string();
    }
    if let Err(error) = enkash::webhook::parse_payment_link_webhook(body) {
        let _ = error.to_string();
    }
});

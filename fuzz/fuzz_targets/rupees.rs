//! `Rupees` from any text and any JSON: whatever parses round-trips exactly.
#![no_main]

use enkash::Rupees;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(amount) = text.parse::<Rupees>() {
            assert_eq!(amount.to_string().parse::<Rupees>(), Ok(amount));
        }
    }
    if let Ok(amount) = serde_json::from_slice::<Rupees>(data) {
        let json = serde_json::to_string(&amount).expect("an amount read from JSON writes back");
        assert_eq!(serde_json::from_str::<Rupees>(&json).ok(), Some(amount));
    }
});

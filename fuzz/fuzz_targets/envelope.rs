//! Every envelope type decoded from any body and unwrapped with `into_payload`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    enkash::fuzzing::envelopes(body);
});

//! The sandbox's request parsing and business rules on any body: the first byte picks the
//! operation, the rest is its body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [selector, body @ ..] = data else {
        return;
    };
    enkash_sandbox::fuzzing::sandbox_request(*selector, body);
});

//! The token-response handling: status, `Date` header and body in, token or `TokenError` out.
//! Input layout: two bytes of status, one byte of `Date` length, the `Date`, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [high, low, date_len, rest @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*high, *low]) % 1000;
    let (date, body) = rest.split_at((*date_len as usize).min(rest.len()));
    let date = std::str::from_utf8(date).ok().filter(|d| !d.is_empty());
    enkash::fuzzing::token_response(status, date, body);
});

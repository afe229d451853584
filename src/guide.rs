//! The guide: chapters on using and changing `enkash` that are longer than an item's docs.
//!
//! Each chapter is a module with nothing in it but its text, written in a markdown file beside
//! this one (`src/guide/`), so docs.rs shows it and `cargo test` runs its examples. Read them in
//! this order, or go straight to the one you need:
//!
//! 1. [`getting_started`]: what the quickstart prints, pointing it at EnKash's UAT, a first call.
//! 2. [`building_requests`]: orders, payments and refunds built by constructors checked before
//!    anything is sent; money as exact rupees; what to know about each flow.
//! 3. [`errors_and_unknown_outcomes`]: one `CallError` for every failure, what the client
//!    retries (the retry matrix), and what to do when a payment's outcome is unknown.
//! 4. [`webhooks`]: parsing a payment notification, and confirming it with the gateway before
//!    fulfilling an order.
//! 5. [`recurring_payments`]: UPI Autopay mandates, pre-debit notices, debits and their
//!    callbacks.
//! 6. [`testing_with_the_sandbox`]: the in-process and standalone fake gateway, its faults, its
//!    books and its rules.
//! 7. [`running_a_fleet`]: one token shared by many replicas, through Redis or Redis Cluster.
//! 8. [`command_line_and_uat`]: what to verify on UAT before going live, the `enkash` command
//!    line, and `enkash check`.
//! 9. [`spec_and_other_languages`]: how the spec and the crates are versioned, what is a
//!    breaking change, what the spec's `x-enkash-*` extensions ask of a client in another
//!    language, and which entries of EnKash's developer portal the spec covers.
//! 10. [`inside_the_crate`]: the token cache, performance, the tests that attack the crate, and
//!     changing the spec, with pointers into `ARCHITECTURE.md`.

#[doc = include_str!("guide/getting_started.md")]
pub mod getting_started {}

#[doc = include_str!("guide/building_requests.md")]
pub mod building_requests {}

#[doc = include_str!("guide/errors_and_unknown_outcomes.md")]
pub mod errors_and_unknown_outcomes {}

#[doc = include_str!("guide/webhooks.md")]
pub mod webhooks {}

#[doc = include_str!("guide/recurring_payments.md")]
pub mod recurring_payments {}

#[doc = include_str!("guide/testing_with_the_sandbox.md")]
pub mod testing_with_the_sandbox {}

#[doc = include_str!("guide/running_a_fleet.md")]
pub mod running_a_fleet {}

#[doc = include_str!("guide/command_line_and_uat.md")]
pub mod command_line_and_uat {}

#[doc = include_str!("guide/spec_and_other_languages.md")]
pub mod spec_and_other_languages {}

#[doc = include_str!("guide/inside_the_crate.md")]
pub mod inside_the_crate {}

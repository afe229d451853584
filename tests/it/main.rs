//! The integration tests, in one binary (one link step, not thirty, on two cores): a module
//! per behaviour, over real HTTP on 127.0.0.1 against the sandbox or a scripted server. The
//! Redis token store's tests (`tests/token_store.rs`, `tests/fleet.rs`, feature `redis`) and
//! the allocator that checks secrets are wiped (`tests/zeroize.rs`, a global allocator) are
//! binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod bounded_memory;
mod call_tracing;
mod checkout_upi_and_otp;
mod confirm_payment;
mod contract;
mod file_graph;
mod generated_source;
mod generated_types;
mod hostile_replies;
mod lifecycle;
mod lost_answers;
mod module_graph;
mod money;
mod never_twice;
mod pending_payments;
mod portal_coverage;
mod qr_customers_and_split_accounts;
mod recorded_exchanges;
mod redaction;
mod requests;
mod retries;
mod retry_matrix;
mod sandbox;
mod serde_rupees_string;
mod spec_examples;
mod spec_secrets;
mod status_helpers;
mod token_cache;
mod token_model;
mod token_store_trait;
mod tolerant_reading;
mod upi_autopay;
mod upi_qr_and_split_payment;

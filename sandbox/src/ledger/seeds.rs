//! The ids of what a new sandbox holds, which tests name as [`Sandbox`](crate::Sandbox)'s
//! constants: here, beside the books that seed them, so that the books need not name the
//! handle.

/// See [`Sandbox::PAID_ORDER_ID`](crate::Sandbox::PAID_ORDER_ID).
pub(crate) const PAID_ORDER_ID: &str = "ORD_SANDBOX_PAID";
/// See [`Sandbox::CREATED_ORDER_ID`](crate::Sandbox::CREATED_ORDER_ID).
pub(crate) const CREATED_ORDER_ID: &str = "ORD_SANDBOX_CREATED";
/// See [`Sandbox::SPLIT_ACCOUNT_ID`](crate::Sandbox::SPLIT_ACCOUNT_ID).
pub(crate) const SPLIT_ACCOUNT_ID: &str = "SAD_SANDBOX_1";
/// See [`Sandbox::QR_CODE_ID`](crate::Sandbox::QR_CODE_ID).
pub(crate) const QR_CODE_ID: &str = "QR_SANDBOX_1";
/// See [`Sandbox::SPLIT_ACCESS_KEY`](crate::Sandbox::SPLIT_ACCESS_KEY).
pub(crate) const SPLIT_ACCESS_KEY: &str = "AK_SPLIT_SANDBOX_1";
/// See [`Sandbox::MANDATE_REFERENCE_ID`](crate::Sandbox::MANDATE_REFERENCE_ID).
pub(crate) const MANDATE_REFERENCE_ID: &str = "SUBSANDBOX1";
/// See [`Sandbox::MANDATE_ID`](crate::Sandbox::MANDATE_ID).
pub(crate) const MANDATE_ID: &str = "MDT_SANDBOX_1";

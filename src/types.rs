//! Types used as operation parameters and responses, generated from the spec.

pub use crate::generated::types::*;
pub use crate::open_enums::*;

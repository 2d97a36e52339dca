//! The consortium definition: organisations by level, validators, grants, and
//! the genesis file. Not yet implemented beyond the crate skeleton.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub use yinzheng_ledger as ledger;

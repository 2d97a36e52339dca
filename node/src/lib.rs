//! The validator daemon. Not yet implemented beyond the crate skeleton.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub use yinzheng_genesis as genesis;

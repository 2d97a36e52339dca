//! The pure core of Yinzheng: records, commitments, proof bundles and the
//! offline verifier. No I/O, no async runtime, no storage engine.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub use yinzheng_crypto as crypto;

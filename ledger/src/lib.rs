//! The pure core of Yinzheng: records, commitments, proof bundles and the
//! offline verifier. No I/O, no async runtime, no storage engine: the node runs
//! this code, and so do the `yinzheng` command and the citizen's browser.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod error;
pub mod merkle;

pub use error::LedgerError;
pub use yinzheng_crypto as crypto;

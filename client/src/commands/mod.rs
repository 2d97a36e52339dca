//! One function per command of `yinzheng` (arguments in [`crate::cli`]).

pub mod audit;
pub mod batch;
pub mod ecert;
pub mod ecert_uses;
pub mod ecert_verify;
pub mod fetch;
pub mod keygen;
pub mod kinds;
pub mod qr;
pub mod seal;
pub mod seal_ledger;
pub mod seal_verify;
pub mod submit;
pub mod trust;
pub mod verify;

use crate::{ClientError, check};

/// A `--max-age` value in milliseconds.
fn max_age(s: &str) -> Result<u64, ClientError> {
    check::parse_age(s)
        .ok_or_else(|| ClientError::Usage(format!("--max-age {s:?}: use e.g. 90s, 15m, 12h, 7d")))
}

/// A record id given in hex.
fn record_id(hex: &str) -> Result<yinzheng_crypto::Digest, ClientError> {
    yinzheng_crypto::Digest::from_hex(hex)
        .ok_or_else(|| ClientError::Usage("record id: 64 hex digits".into()))
}

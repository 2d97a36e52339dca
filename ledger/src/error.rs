//! The ledger's error type for structural failures (proofs, storage, decoding).
//!
//! Rejections of records by the rules are not errors of this kind: they are
//! [`crate::Rejection`]s with stable reason codes.

use yinzheng_crypto::CryptoError;

/// A structural failure in the ledger core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// A Merkle inclusion proof that does not verify.
    #[error("inclusion proof: {reason}")]
    InclusionProof {
        /// Why.
        reason: &'static str,
    },
    /// A Merkle consistency proof that does not verify.
    #[error("consistency proof: {reason}")]
    ConsistencyProof {
        /// Why.
        reason: &'static str,
    },
    /// A status-map proof that does not verify.
    #[error("status proof: {reason}")]
    StatusProof {
        /// Why.
        reason: &'static str,
    },
    /// An index or size beyond what exists.
    #[error("{what} {value} out of range (limit {limit})")]
    OutOfRange {
        /// What was asked for.
        what: &'static str,
        /// The value asked for.
        value: u64,
        /// The bound it broke.
        limit: u64,
    },
    /// The backing store failed or is inconsistent.
    #[error("store: {0}")]
    Store(String),
    /// Bytes that do not decode as the expected message.
    #[error("malformed {what}: {reason}")]
    Decode {
        /// Which message.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A cryptographic failure.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

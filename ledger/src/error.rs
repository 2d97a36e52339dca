//! The ledger's error type for structural failures (proofs, missing data, decoding).
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
    /// Something the chain must hold is missing (a block, a record, a
    /// certificate, a log node): storage lost or never had it.
    #[error("{what} {at} is missing")]
    Missing {
        /// What.
        what: &'static str,
        /// Its height or index.
        at: u64,
    },
    /// A structure the ledger maintains breaks its own invariants.
    #[error("inconsistent: {0}")]
    Inconsistent(&'static str),
    /// The storage behind the store traits ([`crate::merkle::LogStore`],
    /// [`crate::merkle::SmtStore`], [`crate::StateView`]) failed; the
    /// ledger never raises this itself, its source is the storage's own error.
    #[error("storage: {0}")]
    Backend(#[source] BackendError),
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

/// A storage implementation's own error, carried through the ledger.
#[derive(Debug, Clone)]
pub struct BackendError(pub std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Two backend errors are equal when they say the same.
impl PartialEq for BackendError {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for BackendError {}

impl LedgerError {
    /// A storage implementation's error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        LedgerError::Backend(BackendError(std::sync::Arc::new(e)))
    }
}

//! Why the consensus loop could not do what the engine asked.

use yinzheng_crypto::Digest;
use yinzheng_ledger::{CertError, LedgerError, ProposalError};

use crate::chain::ChainError;
use crate::store::StoreError;

/// A failure answering the engine.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A proposed or synced block that does not validate.
    #[error(transparent)]
    Proposal(#[from] ProposalError),
    /// The chain could not be read or extended.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The ledger could not compute.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A block whose header names another proposer than its sender.
    #[error("header names proposer {claimed}, not the sender")]
    WrongProposer {
        /// The index the header names.
        claimed: u32,
    },
    /// An engine certificate signed by a key outside the height's set.
    #[error("certificate signer {0} not in the set")]
    UnknownSigner(String),
    /// An engine certificate that does not verify as a ledger certificate.
    #[error("engine certificate does not verify: {0}")]
    Certificate(#[from] CertError),
    /// The engine decided a block this node does not hold.
    #[error("decided block {id} at height {height} is unknown here")]
    UnknownDecided {
        /// Its height.
        height: u64,
        /// Its id.
        id: Digest,
    },
    /// A stored certificate that does not fit its validator set.
    #[error("stored certificate of block {0} is malformed")]
    StoredCertificate(u64),
    /// A blocking worker panicked or was cancelled.
    #[error("worker task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

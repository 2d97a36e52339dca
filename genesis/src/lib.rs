//! The consortium definition and local testnets: a demonstration consortium
//! (a province, two cities, a district), its genesis file, and the key files
//! of a local testnet (SM2 consensus keys, Ed25519 network identities,
//! issuer keys), plus builders for the sample records the demo submits.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod consortium;
pub mod keyfiles;
pub mod samples;
pub mod testnet;

pub use yinzheng_ledger as ledger;

/// What went wrong creating or reading a testnet.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A key could not be generated, encoded or decoded.
    #[error("key {what}: {reason}")]
    Key {
        /// Which key.
        what: String,
        /// Why.
        reason: String,
    },
    /// The genesis definition is inconsistent.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A sample record could not be built.
    #[error("record: {0}")]
    Record(String),
}

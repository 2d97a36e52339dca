//! The pure core of Yinzheng: records, commitments, proof bundles and the
//! offline verifier. No I/O, no async runtime, no storage engine: the node runs
//! this code, and so do the `yinzheng` command and the citizen's browser.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod apply;
mod block;
mod chain;
pub mod codes;
mod error;
pub mod genesis;
pub mod merkle;
mod params;
pub mod proto;
mod record;
mod rejection;
mod state;
mod subject;
mod verdict;
mod verify;

pub use apply::{ApplyError, BlockContext, Outcome, apply, execute_block};
pub use block::{
    CertError, TrustedValidators, block_hash, header_bytes, links_digest, pack_digests,
    precommit_bytes, state_digest, unpack_digests, validator_set_hash,
};
pub use chain::{BUNDLE_VERSION, MemBlock, MemChain, bundle_size, sign_commit};
pub use error::LedgerError;
pub use params::ChainParams;
pub use record::{
    MAX_RECORD_BYTES, MAX_SIGNATURES, MAX_TEXT, Record, RecordKind, RecordSigner, signing_message,
};
pub use rejection::{RejectCode, Rejection};
pub use state::{MemState, Overlay, StateKey, StateView, WriteSet};
pub use subject::subject_key;
pub use verdict::{Step, Subject, Verdict, VerdictStatus, VerifyError};
pub use verify::{BundleVerifier, MAX_BUNDLE_BYTES};
pub use yinzheng_crypto as crypto;

//! The pure core of Yinzheng: records, commitments, proof bundles and the
//! offline verifier. No I/O, no async runtime, no storage engine: the node runs
//! this code, and so do the `yinzheng` command and the citizen's browser.
//!
//! * [`Record::decode`] runs every stateless check of a record (canonical
//!   encoding, chain, fields, signatures); [`apply`] / [`execute_block`] run the
//!   rules against state (`docs/spec/records.md`).
//! * [`merkle`] holds the RFC 9162 log and the status map.
//! * [`assemble_block`] computes a block (header, state commitments, epochs)
//!   over any [`BlockStore`], [`build_bundle`] a proof bundle over any
//!   [`ChainRead`]: the node runs both over RocksDB, [`MemChain`] in memory.
//! * [`BundleVerifier`] checks a bundle offline against a genesis file
//!   (`docs/spec/bundle.md`).
//!
//! ```
//! use yinzheng_ledger::{BundleVerifier, VerdictStatus, genesis::Genesis};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");
//! let genesis = Genesis::from_json(&std::fs::read_to_string(format!("{dir}genesis.json")).unwrap())?;
//! let verifier = BundleVerifier::new(&genesis)?;
//! let bundle = std::fs::read(format!("{dir}valid-compact.bundle")).unwrap();
//! let file = std::fs::read(format!("{dir}certificate-NO-1.txt")).unwrap();
//! let verdict = verifier.verify_bytes(&bundle, Some(&file));
//! assert_eq!(verdict.status, VerdictStatus::Valid);
//! # Ok::<(), yinzheng_ledger::genesis::GenesisError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod apply;
mod block;
mod chain;
pub mod codes;
pub mod digits;
pub mod ecert;
mod error;
pub mod genesis;
mod history;
pub mod holder;
pub mod merkle;
mod params;
pub mod proto;
mod record;
mod rejection;
mod signers;
mod state;
mod subject;
mod trust;
mod verdict;
mod verify;

pub use apply::{ApplyError, BlockContext, Outcome, apply, check_signers_known, execute_block};
pub use block::{
    CertError, MAX_TOTAL_POWER, TrustedValidators, block_hash, header_bytes, links_digest,
    pack_digests, precommit_bytes, state_digest, total_power, unpack_digests, validator_set_hash,
};
pub use chain::{
    AssembledBlock, BUNDLE_VERSION, BlockStore, BlockView, BundleError, BundleForm, ChainRead,
    HeaderFields, MAX_BLOCK_RECORDS, MemBlock, MemChain, MemStore, ProposalError, StatusRole, Tip,
    assemble_block, build_bundle, bundle_size, check_execution, checkpoint_chain, make_compact,
    read_status_entry, seal_block, sign_commit, status_entry,
};
pub use error::{BackendError, LedgerError};
pub use history::{SetEpoch, SetHistory, ValidatorHistory};
pub use params::ChainParams;
pub use record::{
    MAX_RECORD_BYTES, MAX_SEAL_RECORD_BYTES, MAX_SIGNATURES, MAX_TEXT, Record, RecordKind,
    RecordSigner, UnverifiedRecord, national_seal_name, national_seal_registration,
    national_seal_window, national_stamping, record_id, signing_message, summary as record_summary,
};
pub use rejection::{RejectCode, Rejection};
pub use signers::SignerBitmap;
pub use state::{MemState, Overlay, StateKey, StateView, WriteSet};
pub use subject::{created_subject, subject_key};
pub use trust::{KnownSet, TRUST_HISTORY_VERSION, TrustedHistory};
pub use verdict::{ProvenField, Step, Subject, Verdict, VerdictStatus, VerifyError};
pub use verify::{BundleVerifier, DEFAULT_TRUSTING_PERIOD_MS, MAX_BUNDLE_BYTES, VerifyCode};
pub use yinzheng_crypto as crypto;

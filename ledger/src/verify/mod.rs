//! The offline verifier: the numbered checklist of `docs/spec/bundle.md` §6.
//!
//! Trusts nothing but the genesis file, and what it has learned since from
//! bundles it verified (a [`TrustedHistory`] of validator sets, §6.1).
//! Checkpoint verifications are cached, so many bundles that share checkpoints
//! cost one certificate check each.
//!
//! [`BundleVerifier::verify`] reads as the checklist: step 0 and steps 1–4
//! are in `steps`, steps 5–7 (per record kind) in `judge`, the verifier's
//! memory in `memory`.

mod codes;
mod judge;
mod memory;
mod steps;

use std::collections::HashSet;
use std::sync::RwLock;

use prost::Message;
use yinzheng_crypto::{Digest, Suite};

pub use codes::VerifyCode;

use crate::block::TrustedValidators;
use crate::genesis::{Genesis, GenesisError};
use crate::history::SetHistory;
use crate::merkle::leaf_hash;
use crate::params::ChainParams;
use crate::proto::Bundle;
use crate::trust::TrustedHistory;
use crate::verdict::{Step, Verdict, VerifyError};

/// Largest bundle the verifier reads, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;

/// How far past the newest checkpoint a verifier has confirmed it judges a
/// bundle's checkpoints without calling them unconfirmed (bundle.md §6.1):
/// 180 days.
pub const DEFAULT_TRUSTING_PERIOD_MS: u64 = 180 * 24 * 3600 * 1000;

/// Verifies bundles of one chain against its genesis.
pub struct BundleVerifier {
    params: ChainParams,
    genesis_set: TrustedValidators,
    verified: RwLock<HashSet<Digest>>,
    history: RwLock<TrustedHistory>,
    trusting_period_ms: u64,
}

type R<T> = Result<T, VerifyError>;

/// The validator sets a bundle proves, from genesis on.
type Sets = SetHistory<TrustedValidators>;

fn fail<T>(step: Step, code: VerifyCode, msg: impl Into<String>) -> R<T> {
    Err(VerifyError::new(step, code, msg))
}

impl BundleVerifier {
    /// A verifier trusting this genesis.
    pub fn new(genesis: &Genesis) -> Result<Self, GenesisError> {
        let params = genesis.params()?;
        let genesis_set = TrustedValidators::new(params.suite, genesis.validator_set()?)
            .map_err(|e| GenesisError(e.to_string()))?;
        Ok(BundleVerifier {
            params,
            genesis_set,
            verified: RwLock::new(HashSet::new()),
            history: RwLock::new(TrustedHistory::from_genesis(genesis)?),
            trusting_period_ms: DEFAULT_TRUSTING_PERIOD_MS,
        })
    }

    /// The chain parameters from genesis.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    fn suite(&self) -> Suite {
        self.params.suite
    }

    /// Verify a bundle's bytes, optionally against the file it certifies.
    pub fn verify_bytes(&self, bytes: &[u8], file: Option<&[u8]>) -> Verdict {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Verdict::invalid(VerifyError::new(
                Step::Decode,
                VerifyCode::Oversize,
                format!(
                    "bundle is {} bytes, the limit is {MAX_BUNDLE_BYTES}",
                    bytes.len()
                ),
            ));
        }
        match Bundle::decode(bytes) {
            Ok(b) => self.verify(&b, file),
            Err(e) => Verdict::invalid(VerifyError::new(
                Step::Decode,
                VerifyCode::Malformed,
                format!("not a Yinzheng bundle: {e}"),
            )),
        }
    }

    /// Verify a decoded bundle.
    pub fn verify(&self, b: &Bundle, file: Option<&[u8]>) -> Verdict {
        match self.checklist(b, file) {
            Ok(v) => v,
            Err(e) => Verdict::invalid(e),
        }
    }

    /// §6, in order; the first failing step decides.
    fn checklist(&self, b: &Bundle, file: Option<&[u8]>) -> R<Verdict> {
        let suite = self.suite();
        // 0. The bundle decodes: a known version, the checkpoints it needs,
        //    a compact anchor completed from genesis and the record's path.
        steps::version(b)?;
        let leaf = leaf_hash(suite, &b.record);
        let path = steps::digests(Step::Inclusion, "records path", &b.records_path)?;
        let anchor_cp = self.complete_anchor(b, &leaf, &path)?;
        let anchor = steps::parts(
            Step::Decode,
            b.anchor.as_ref().map(|_| &anchor_cp),
            "anchor checkpoint",
        )?;
        let status_cp = match &b.status {
            Some(s) => Some(steps::parts(
                Step::Decode,
                s.checkpoint.as_ref(),
                "status checkpoint",
            )?),
            None => None,
        };
        // 1. The validator-set chain from the trusted genesis.
        let sets = self.validator_sets(b)?;
        // 2. The commit certificates, by sets not known to be superseded.
        self.certificates(&sets, &anchor, status_cp.as_ref())?;
        // 3. The record's inclusion: in its block, and in the status log.
        let status = self.inclusion(b, &anchor, status_cp.as_ref(), &leaf, &path)?;
        // 4. The record's signatures, and its signers' registration.
        let record = steps::record(&self.params, &b.record)?;
        self.signer_keys(&record, status.as_ref())?;
        // 5–7. The subject's status, validity windows, the file.
        let file_digest = file.map(|f| suite.hash(f));
        let mut v = self.judge(
            &record,
            &anchor,
            status_cp.as_ref(),
            status.as_ref(),
            file_digest,
        )?;
        // 8. The display fields opened, against the record's commitments.
        v.fields = steps::fields(&record, &b.fields)?;
        // §6.1: learn from the bundle if its newest checkpoint is confirmed.
        self.remember(&sets, &mut v);
        Ok(v)
    }
}

//! Chain-wide parameters fixed in genesis.

use yinzheng_crypto::{Digest, Suite};

/// Parameters every validator and verifier of one chain agrees on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainParams {
    /// The chain identifier, signed into every record and vote.
    pub chain_id: String,
    /// The algorithm suite.
    pub suite: Suite,
    /// The hash of the genesis file (`docs/spec/genesis.md` §2), bound into
    /// every block header: a checkpoint is valid for one genesis only.
    pub genesis_hash: Digest,
    /// Credit codes of the consortium committee's organisations.
    pub committee: Vec<String>,
    /// Distinct committee organisations whose admin keys must co-sign a
    /// committee record (e.g. a validator-set change).
    pub committee_threshold: u32,
    /// A record whose signer's time is older than this at block time is expired.
    pub max_record_age_ms: u64,
    /// A record whose signer's time is later than block time plus this is refused.
    pub max_clock_skew_ms: u64,
}

impl ChainParams {
    /// Parameters with the default time limits (24 h age, 5 min skew) and
    /// no genesis hash (all zero) yet.
    pub fn new(chain_id: impl Into<String>, suite: Suite) -> Self {
        ChainParams {
            chain_id: chain_id.into(),
            suite,
            genesis_hash: Digest([0; 32]),
            committee: Vec::new(),
            committee_threshold: 1,
            max_record_age_ms: 24 * 3600 * 1000,
            max_clock_skew_ms: 5 * 60 * 1000,
        }
    }
}

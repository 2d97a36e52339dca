//! What a verifier remembers between bundles: the validator-set history it
//! has learned (`docs/spec/bundle.md` §6.1, threat model A3).
//!
//! A bundle may leave out the validator-set changes since genesis, and is then
//! checked against the genesis set. Validators rotated out still hold their
//! keys, so without memory a quorum of retired validators could certify any
//! block at any height. A verifier that keeps a [`TrustedHistory`] learns each
//! change from the bundles it verifies (and from nodes when online) and never
//! again accepts a checkpoint certified by a set that it knows was replaced at
//! or below that height (`SUPERSEDED_SET`).

use serde::{Deserialize, Serialize};
use yinzheng_crypto::{Digest, Suite};

use crate::block::validator_set_hash;
use crate::genesis::{Genesis, GenesisError, GenesisValidator, file_validators, validator_set_of};
use crate::proto::ValidatorSet;

/// Format version of the serialised history.
pub const TRUST_HISTORY_VERSION: u32 = 1;

/// A validator set and the first height it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownSet {
    /// First height this set certifies.
    pub since_height: u64,
    /// The set, in the genesis file's form (hex keys).
    pub validators: Vec<GenesisValidator>,
}

impl KnownSet {
    fn of(since_height: u64, set: &ValidatorSet) -> KnownSet {
        KnownSet {
            since_height,
            validators: file_validators(set),
        }
    }

    /// The set as a message.
    pub fn set(&self) -> Result<ValidatorSet, GenesisError> {
        validator_set_of(&self.validators)
    }
}

/// The validator-set history a verifier has learned, and the newest
/// checkpoint it has confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedHistory {
    /// Format version ([`TRUST_HISTORY_VERSION`]).
    pub version: u32,
    /// The chain.
    pub chain_id: String,
    /// Hash of the genesis it grew from (hex).
    pub genesis_hash: String,
    /// Known sets, by ascending `since_height`; the first is the genesis set.
    pub sets: Vec<KnownSet>,
    /// Height of the newest checkpoint verified.
    pub confirmed_height: u64,
    /// Consensus time of that checkpoint (genesis time at first), ms.
    pub confirmed_time_ms: u64,
}

impl TrustedHistory {
    /// The history of a verifier that knows only `genesis`.
    pub fn from_genesis(genesis: &Genesis) -> Result<TrustedHistory, GenesisError> {
        Ok(TrustedHistory {
            version: TRUST_HISTORY_VERSION,
            chain_id: genesis.chain_id.clone(),
            genesis_hash: genesis.hash()?.to_hex(),
            sets: vec![KnownSet::of(1, &genesis.validator_set()?)],
            confirmed_height: 0,
            confirmed_time_ms: genesis.genesis_time_ms,
        })
    }

    /// Read a stored history and check that it grew from `genesis`.
    pub fn from_json(text: &str, genesis: &Genesis) -> Result<TrustedHistory, GenesisError> {
        let h: TrustedHistory =
            serde_json::from_str(text).map_err(|e| GenesisError(format!("trust history: {e}")))?;
        let fresh = TrustedHistory::from_genesis(genesis)?;
        if h.version != TRUST_HISTORY_VERSION
            || h.chain_id != fresh.chain_id
            || h.genesis_hash != fresh.genesis_hash
            || h.sets.first() != fresh.sets.first()
        {
            return Err(GenesisError(
                "trust history belongs to another genesis or version".into(),
            ));
        }
        if h.sets
            .windows(2)
            .any(|w| w[0].since_height >= w[1].since_height)
        {
            return Err(GenesisError(
                "trust history sets are not in height order".into(),
            ));
        }
        for s in &h.sets {
            s.set()?;
        }
        Ok(h)
    }

    /// Refuse a history that did not grow from the one `fresh` (a genesis'
    /// own, [`TrustedHistory::from_genesis`]) starts.
    pub(crate) fn check_grew_from(&self, fresh: &TrustedHistory) -> Result<(), GenesisError> {
        if self.version != TRUST_HISTORY_VERSION
            || self.chain_id != fresh.chain_id
            || self.genesis_hash != fresh.genesis_hash
            || self.sets.first() != fresh.sets.first()
        {
            return Err(GenesisError(
                "trust history belongs to another genesis or version".into(),
            ));
        }
        Ok(())
    }

    /// Stable JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The set known to sign `height`: its `since_height` and hash.
    pub fn known_at(&self, suite: Suite, height: u64) -> Option<(u64, Digest)> {
        let s = self.sets.iter().rev().find(|s| s.since_height <= height)?;
        Some((s.since_height, validator_set_hash(suite, &s.set().ok()?)))
    }

    /// Learn a set that a verified bundle proved signs from `since_height`.
    pub(crate) fn learn_set(&mut self, since_height: u64, set: &ValidatorSet) {
        if self.sets.iter().any(|s| s.since_height == since_height) {
            return;
        }
        let pos = self
            .sets
            .iter()
            .position(|s| s.since_height > since_height)
            .unwrap_or(self.sets.len());
        self.sets.insert(pos, KnownSet::of(since_height, set));
    }

    /// Learn that a checkpoint at `height`, time `time_ms`, verified.
    pub(crate) fn confirm(&mut self, height: u64, time_ms: u64) {
        if height > self.confirmed_height {
            self.confirmed_height = height;
            self.confirmed_time_ms = self.confirmed_time_ms.max(time_ms);
        }
    }
}

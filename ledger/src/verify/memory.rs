//! What the verifier remembers between bundles (bundle.md §6.1): the
//! validator sets it learned and the newest checkpoint it confirmed.

use super::{BundleVerifier, R, Sets, VerifyCode, fail};
use crate::genesis::{Genesis, GenesisError};
use crate::trust::TrustedHistory;
use crate::verdict::{Step, Verdict};

impl BundleVerifier {
    /// A verifier trusting this genesis and the history it learned before
    /// (which must have grown from the same genesis).
    pub fn with_history(genesis: &Genesis, history: TrustedHistory) -> Result<Self, GenesisError> {
        let v = BundleVerifier::new(genesis)?;
        let mut h = v.history.write().unwrap_or_else(|e| e.into_inner());
        history.check_grew_from(&h)?;
        *h = history;
        drop(h);
        Ok(v)
    }

    /// Set the trusting period (§6.1).
    pub fn set_trusting_period(&mut self, ms: u64) {
        self.trusting_period_ms = ms;
    }

    /// What this verifier has learned so far (to keep for the next run).
    pub fn history(&self) -> TrustedHistory {
        self.history
            .read()
            .map(|h| h.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The set `sets` says certifies `height` must not be one the history
    /// knows was replaced at or below it, nor conflict with the set the
    /// history knows for the same heights.
    pub(super) fn not_superseded(&self, sets: &Sets, height: u64) -> R<()> {
        let epoch = sets.epoch_at(height);
        let since = epoch.since_height;
        // A poisoned lock still holds a consistent history (every update is
        // one assignment): read it rather than skip the check.
        let known = self
            .history
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .known_at(self.suite(), height);
        match known {
            Some((k, _)) if k > since => fail(
                Step::ValidatorSets,
                VerifyCode::SupersededSet,
                format!(
                    "height {height} is certified by the set of height {since}, which this verifier knows was replaced at height {k}"
                ),
            ),
            Some((k, hash)) if k == since && hash != epoch.set.hash() => fail(
                Step::ValidatorSets,
                VerifyCode::ValidatorChain,
                format!("the set from height {since} differs from the one this verifier learned"),
            ),
            _ => Ok(()),
        }
    }

    /// Judge the newest checkpoint against the trusting period, and learn
    /// the bundle's sets only when it is within it.
    pub(super) fn remember(&self, sets: &Sets, v: &mut Verdict) {
        let (Some(top_height), Some(top_time)) = (v.status_height, v.status_time_ms) else {
            return;
        };
        let mut h = self.history.write().unwrap_or_else(|e| e.into_inner());
        if top_time > h.confirmed_time_ms.saturating_add(self.trusting_period_ms) {
            v.unconfirmed_set = true;
        } else {
            for e in sets.epochs().iter().skip(1) {
                h.learn_set(e.since_height, e.set.set());
            }
            h.confirm(top_height, top_time);
        }
    }
}

//! The validator-set history of a chain: which set signs which height.
//!
//! One type for the chain in memory, the node and the offline verifier: the
//! set is a `ValidatorSet` where blocks are built and a `TrustedValidators`
//! (keys parsed) where certificates are checked.

use crate::proto::{ValidatorSet, ValidatorSetState};

/// A validator set and the first height it signs.
#[derive(Debug, Clone, PartialEq)]
pub struct SetEpoch<S> {
    /// First height the set signs (1 for the genesis set).
    pub since_height: u64,
    /// The set.
    pub set: S,
}

impl<S> SetEpoch<S> {
    /// The block that named this set as next (`since_height − 1`), `None`
    /// for the genesis set.
    pub fn introduced_by(&self) -> Option<u64> {
        (self.since_height > 1).then(|| self.since_height - 1)
    }
}

/// Validator sets, oldest first; never empty, since-heights strictly
/// increasing, the first from height 1.
#[derive(Debug, Clone, PartialEq)]
pub struct SetHistory<S> {
    epochs: Vec<SetEpoch<S>>,
}

/// The history blocks are built with.
pub type ValidatorHistory = SetHistory<ValidatorSet>;

impl<S> SetHistory<S> {
    /// A history holding only the genesis set.
    pub fn new(genesis_set: S) -> Self {
        SetHistory {
            epochs: vec![SetEpoch {
                since_height: 1,
                set: genesis_set,
            }],
        }
    }

    /// A history from stored epochs; `None` unless they start at height 1
    /// and their since-heights strictly increase.
    pub fn from_epochs(epochs: Vec<SetEpoch<S>>) -> Option<Self> {
        let ordered = epochs
            .windows(2)
            .all(|w| w[0].since_height < w[1].since_height);
        (epochs.first()?.since_height == 1 && ordered).then_some(SetHistory { epochs })
    }

    /// Every epoch, oldest first.
    pub fn epochs(&self) -> &[SetEpoch<S>] {
        &self.epochs
    }

    /// The epoch whose set signs `height`.
    pub fn epoch_at(&self, height: u64) -> &SetEpoch<S> {
        let i = self
            .epochs
            .partition_point(|e| e.since_height <= height)
            .saturating_sub(1);
        &self.epochs[i]
    }

    /// The set that signs `height`.
    pub fn set_at(&self, height: u64) -> &S {
        &self.epoch_at(height).set
    }

    /// The newest epoch.
    pub fn last(&self) -> &SetEpoch<S> {
        // Never empty: built from a genesis set or checked in `from_epochs`.
        &self.epochs[self.epochs.len() - 1]
    }

    /// Add a newer set; refused (returned) unless it starts after the newest.
    pub fn push(&mut self, epoch: SetEpoch<S>) -> Result<(), SetEpoch<S>> {
        if epoch.since_height <= self.last().since_height {
            return Err(epoch);
        }
        self.epochs.push(epoch);
        Ok(())
    }

    /// The changes after genesis that take effect at or before `height`.
    pub fn changes_up_to(&self, height: u64) -> impl Iterator<Item = &SetEpoch<S>> {
        self.epochs
            .iter()
            .skip(1)
            .take_while(move |e| e.since_height <= height)
    }
}

impl ValidatorHistory {
    /// The epoch a committed validator-set state starts, if it is newer
    /// than every epoch known.
    pub fn epoch_from_state(&self, state: &ValidatorSetState) -> Option<SetEpoch<ValidatorSet>> {
        (state.since_height > self.last().since_height).then(|| SetEpoch {
            since_height: state.since_height,
            set: ValidatorSet {
                validators: state.validators.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_follow_the_since_heights() {
        let mut h = SetHistory::new("g");
        assert!(
            h.push(SetEpoch {
                since_height: 5,
                set: "a"
            })
            .is_ok()
        );
        assert!(
            h.push(SetEpoch {
                since_height: 5,
                set: "b"
            })
            .is_err()
        );
        assert!(
            h.push(SetEpoch {
                since_height: 9,
                set: "c"
            })
            .is_ok()
        );
        let at: Vec<&str> = [0, 1, 4, 5, 8, 9, 100]
            .iter()
            .map(|x| *h.set_at(*x))
            .collect();
        assert_eq!(at, ["g", "g", "g", "a", "a", "c", "c"]);
        assert_eq!(h.epoch_at(6).introduced_by(), Some(4));
        assert_eq!(h.epoch_at(1).introduced_by(), None);
        let ch: Vec<u64> = h.changes_up_to(8).map(|e| e.since_height).collect();
        assert_eq!(ch, [5]);
        assert!(
            SetHistory::from_epochs(vec![SetEpoch {
                since_height: 2,
                set: 1
            }])
            .is_none()
        );
        assert!(SetHistory::<u8>::from_epochs(vec![]).is_none());
    }
}

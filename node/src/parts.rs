//! Bounds on the proposal parts a node keeps and checks (threat model A2).
//!
//! A part is taken only when signed by the proposer of its (height, round)
//! (checked by the caller before [`EarlyParts::offer`]); parts for heights
//! not yet started are kept for at most [`MAX_HEIGHTS_AHEAD`] heights and
//! [`MAX_ROUNDS_PER_HEIGHT`] rounds each, lowest rounds first, one part per
//! round. So a faulty member can make a node hold at most
//! `MAX_HEIGHTS_AHEAD × MAX_ROUNDS_PER_HEIGHT` parts, each within the
//! network's message limit, and validate at most [`MAX_CHECKED_PER_HEIGHT`]
//! blocks per height.

use std::collections::{BTreeMap, HashMap};

use yinzheng_crypto::Digest;

use crate::consensus::ProposalPart;

/// Heights after the next one for which parts are kept.
pub const MAX_HEIGHTS_AHEAD: u64 = 2;
/// Rounds kept per future height (the lowest ones).
pub const MAX_ROUNDS_PER_HEIGHT: usize = 2;
/// Most distinct blocks fully validated per height.
pub const MAX_CHECKED_PER_HEIGHT: usize = 16;
/// Most rounds ahead of the current one (for a later height: of round 0)
/// for which a part is taken.
pub const MAX_ROUNDS_AHEAD: i64 = 4;
/// Most parts whose signature is checked per (height, round): a part's
/// signature covers the hash of its block (up to the network's message
/// limit), so a sender repeating bad parts is not hashed without end.
pub const MAX_AUTH_PER_ROUND: u8 = 4;

/// Parts for heights that have not started yet.
#[derive(Debug, Default)]
pub struct EarlyParts {
    parts: BTreeMap<u64, BTreeMap<i64, ProposalPart>>,
}

impl EarlyParts {
    /// Keep `p` (an authentic part for a height after `next`) if it fits the
    /// bounds; whether it was kept.
    pub fn offer(&mut self, next: u64, p: ProposalPart) -> bool {
        let h = p.height.0;
        if h <= next || h > next + MAX_HEIGHTS_AHEAD {
            return false;
        }
        let rounds = self.parts.entry(h).or_default();
        let r = p.round.as_i64();
        if rounds.contains_key(&r) {
            return false;
        }
        if rounds.len() >= MAX_ROUNDS_PER_HEIGHT {
            match rounds.last_key_value() {
                Some((&max, _)) if r < max => {
                    rounds.remove(&max);
                }
                _ => return false,
            }
        }
        rounds.insert(r, p);
        true
    }

    /// The parts kept for `height`, lowest round first; forgets every
    /// height up to it.
    pub fn take(&mut self, height: u64) -> Vec<ProposalPart> {
        let out = self
            .parts
            .remove(&height)
            .map(|r| r.into_values().collect())
            .unwrap_or_default();
        self.parts.retain(|h, _| *h > height);
        out
    }

    /// Parts kept, and their block bytes.
    pub fn size(&self) -> (usize, usize) {
        let all = self.parts.values().flat_map(BTreeMap::values);
        all.fold((0, 0), |(n, b), p| (n + 1, b + p.block.len()))
    }
}

/// The first block seen per (height, round), and how many were validated
/// per height: a proposer that equivocates gets its first block checked,
/// not every one it sends.
#[derive(Debug, Default)]
pub struct CheckedParts {
    first: HashMap<(u64, i64), Digest>,
    per_height: HashMap<u64, usize>,
    authenticated: HashMap<(u64, i64), u8>,
}

impl CheckedParts {
    /// Whether a part for (`height`, `round`) with block `id` may be
    /// validated: the first for its round, within the per-height budget.
    pub fn admit(&mut self, height: u64, round: i64, id: Digest) -> bool {
        match self.first.get(&(height, round)) {
            Some(seen) => *seen == id,
            None => {
                let n = self.per_height.entry(height).or_default();
                if *n >= MAX_CHECKED_PER_HEIGHT {
                    return false;
                }
                *n += 1;
                self.first.insert((height, round), id);
                true
            }
        }
    }

    /// Whether one more part for (`height`, `round`) may have its signature
    /// checked ([`MAX_AUTH_PER_ROUND`] each).
    pub fn may_authenticate(&mut self, height: u64, round: i64) -> bool {
        let n = self.authenticated.entry((height, round)).or_default();
        if *n >= MAX_AUTH_PER_ROUND {
            return false;
        }
        *n += 1;
        true
    }

    /// Forget heights below `height`.
    pub fn forget_below(&mut self, height: u64) {
        self.first.retain(|(h, _), _| *h >= height);
        self.per_height.retain(|h, _| *h >= height);
        self.authenticated.retain(|(h, _), _| *h >= height);
    }
}

#[cfg(test)]
mod tests {
    use malachitebft_core_types::Round;

    use super::*;
    use crate::consensus::{Address, Height, RawSignature};

    fn part(h: u64, r: u32, len: usize) -> ProposalPart {
        ProposalPart {
            height: Height(h),
            round: Round::new(r),
            pol_round: Round::Nil,
            proposer: Address([0; 20]),
            block: vec![0; len],
            signature: RawSignature([0; 64]),
        }
    }

    #[test]
    fn a_flood_of_early_parts_is_bounded() {
        let mut e = EarlyParts::default();
        for h in 0..100 {
            for r in (0..1000).rev() {
                e.offer(10, part(10 + h, r, 1000));
            }
        }
        let (n, bytes) = e.size();
        assert_eq!(
            n,
            usize::try_from(MAX_HEIGHTS_AHEAD).unwrap() * MAX_ROUNDS_PER_HEIGHT
        );
        assert_eq!(bytes, n * 1000);
        // The lowest rounds were kept: an honest round-0 part is never crowded out.
        let kept = e.take(11);
        assert_eq!(kept[0].round, Round::new(0));
        assert_eq!(kept[1].round, Round::new(1));
        assert_eq!(e.size().0, MAX_ROUNDS_PER_HEIGHT);
        // The next height and those before it are gone once it starts.
        e.take(12);
        assert_eq!(e.size(), (0, 0));
    }

    #[test]
    fn one_block_per_round_and_a_budget_per_height() {
        let mut c = CheckedParts::default();
        let (a, b) = (Digest([1; 32]), Digest([2; 32]));
        assert!(c.admit(5, 0, a));
        assert!(c.admit(5, 0, a), "the same block again (restreamed)");
        assert!(!c.admit(5, 0, b), "an equivocating second block");
        for r in 1..MAX_CHECKED_PER_HEIGHT as i64 {
            assert!(c.admit(5, r, Digest([u8::try_from(r).unwrap(); 32])));
        }
        assert!(!c.admit(5, 99, b));
        c.forget_below(6);
        assert!(c.admit(6, 0, b));
        // Signature checks per round are bounded too.
        for _ in 0..MAX_AUTH_PER_ROUND {
            assert!(c.may_authenticate(7, 0));
        }
        assert!(!c.may_authenticate(7, 0));
        assert!(c.may_authenticate(7, 1));
    }
}

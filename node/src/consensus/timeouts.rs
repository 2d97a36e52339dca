//! How long a round waits: the engine's linear timeouts, except in the rounds
//! whose proposer this node has not heard from lately.
//!
//! A stopped validator still gets its proposer turns. With the linear
//! timeouts each of them costs the whole propose timeout (waiting for a
//! proposal that cannot come) and then the precommit timeout (waiting for
//! precommits that are all nil), about 1.5 s at the defaults, while a
//! height with a live proposer takes a quarter of that. So at its turns the
//! node waits only [`RoundTimeouts::quick`] for both when the turn's
//! proposer has sent no vote for a while (`app::liveness`).
//!
//! Timeouts decide only when a round gives up, never what is decided: a
//! wrong guess (a live proposer taken for silent) costs that round, which
//! the next one repeats with the next proposer, as any failed round does.
//! A vote forged in a silent validator's name can only restore the linear
//! timeouts.

use std::time::Duration;

use malachitebft_core_types::{self as mc, LinearTimeouts, Timeout, TimeoutKind};

use super::Yz;

/// The rounds with a bit in [`RoundTimeouts::silent_rounds`].
pub const MARKED_ROUNDS: u32 = u64::BITS;

/// A height's timeouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundTimeouts {
    /// The timeouts of every round with a proposer heard from.
    pub linear: LinearTimeouts,
    /// Bit `r` set: round `r`'s proposer has not been heard from lately.
    pub silent_rounds: u64,
}

impl RoundTimeouts {
    /// The timeouts of a node waiting `propose` for a proposal, with the
    /// rounds of `silent_rounds` quick: prevote and precommit half of it,
    /// each growing by a quarter per round, at most ten times it; quick an
    /// eighth.
    pub fn new(propose: Duration, silent_rounds: u64) -> RoundTimeouts {
        let t = propose;
        RoundTimeouts {
            linear: LinearTimeouts {
                propose: t,
                propose_delta: t / 4,
                prevote: t / 2,
                prevote_delta: t / 4,
                precommit: t / 2,
                precommit_delta: t / 4,
                rebroadcast: t * 2,
                max_timeout: t * 10,
            },
            silent_rounds,
        }
    }

    /// The propose and precommit timeouts of the silent rounds: an eighth
    /// of the propose timeout.
    pub fn quick(&self) -> Duration {
        self.linear.propose / 8
    }

    fn silent(&self, timeout: &Timeout) -> bool {
        timeout
            .round
            .as_u32()
            .is_some_and(|r| r < MARKED_ROUNDS && self.silent_rounds >> r & 1 == 1)
    }

    /// The duration of `timeout`.
    pub fn duration_for(&self, timeout: Timeout) -> Duration {
        match timeout.kind {
            TimeoutKind::Propose | TimeoutKind::Precommit if self.silent(&timeout) => self.quick(),
            _ => self.linear.duration_for(timeout),
        }
    }
}

impl mc::Timeouts<Yz> for RoundTimeouts {
    fn duration_for(&self, timeout: Timeout) -> Duration {
        RoundTimeouts::duration_for(self, timeout)
    }
}

#[cfg(test)]
mod tests {
    use mc::Round;

    use super::*;

    fn timeouts(silent_rounds: u64) -> RoundTimeouts {
        RoundTimeouts::new(Duration::from_millis(1000), silent_rounds)
    }

    #[test]
    fn only_the_silent_rounds_propose_and_precommit_are_quick() {
        // Rounds 1 and 63 silent.
        let t = timeouts(1 << 1 | 1 << 63);
        let ms = |kind: TimeoutKind, r: u32| {
            t.duration_for(Timeout::new(Round::new(r), kind))
                .as_millis()
        };
        assert_eq!(ms(TimeoutKind::Propose, 0), 1000);
        assert_eq!(ms(TimeoutKind::Propose, 1), 125);
        assert_eq!(ms(TimeoutKind::Precommit, 1), 125);
        // The prevote timeout (mixed prevotes: the proposal did come) and
        // the rebroadcast stay linear.
        assert_eq!(ms(TimeoutKind::Prevote, 1), 750);
        assert_eq!(ms(TimeoutKind::Rebroadcast, 1), 2750);
        assert_eq!(ms(TimeoutKind::Precommit, 2), 1000);
        assert_eq!(ms(TimeoutKind::Propose, 63), 125);
        // Rounds past the marked ones are linear (capped).
        assert_eq!(ms(TimeoutKind::Propose, 64), 10_000);
        assert_eq!(ms(TimeoutKind::Propose, u32::MAX / 2), 10_000);
    }

    #[test]
    fn with_every_proposer_heard_they_are_the_linear_timeouts() {
        let t = timeouts(0);
        for r in 0..70 {
            for kind in [
                TimeoutKind::Propose,
                TimeoutKind::Prevote,
                TimeoutKind::Precommit,
                TimeoutKind::Rebroadcast,
            ] {
                let timeout = Timeout::new(Round::new(r), kind);
                assert_eq!(t.duration_for(timeout), t.linear.duration_for(timeout));
            }
        }
    }
}

//! Which validators this node has heard from lately: the consensus engine's
//! received votes and proposals, by their signer. A validator unheard for
//! [`silent_after`] gets short timeouts at its proposer turns
//! (`consensus::timeouts`).
//!
//! The engine reports a message before checking its signature, so a peer
//! can make a stopped validator look alive with a forged vote; that only
//! brings back the linear timeouts. Votes for heights before our head are
//! ignored, so replayed old votes cannot do even that.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use malachitebft_app_channel::app::types::SignedConsensusMsg;
use malachitebft_core_types::{Proposal as _, SignedMessage, Vote as _};
use malachitebft_engine::util::events::Event as EngineEvent;
use tokio::sync::broadcast::{self, error::RecvError};

use super::Shared;
use crate::consensus::{Address, Yz};

/// How long a validator may stay unheard before its turns are quick: three
/// propose timeouts (a live validator votes at every height, and a height
/// with a stopped proposer took 1.5 propose timeouts before).
pub fn silent_after(propose_timeout: Duration) -> Duration {
    propose_timeout * 3
}

/// When each validator was last heard from.
#[derive(Debug)]
pub struct Heard {
    /// When we started: no validator counts as silent before
    /// [`silent_after`] has passed since.
    started: Instant,
    last: Mutex<HashMap<Address, Instant>>,
}

impl Heard {
    /// Nothing heard yet, starting now.
    pub fn new(started: Instant) -> Heard {
        Heard {
            started,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// `from` sent a message at `at`.
    pub fn heard(&self, from: Address, at: Instant) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let t = last.entry(from).or_insert(at);
        *t = (*t).max(at);
    }

    /// Whether `who` has sent nothing for longer than `after`, at `now`.
    pub fn silent(&self, who: &Address, now: Instant, after: Duration) -> bool {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let since = last
            .get(who)
            .map_or(self.started, |t| (*t).max(self.started));
        now.saturating_duration_since(since) > after
    }
}

/// Record the signers of the votes and proposals the engine receives,
/// until it stops.
pub async fn listen(
    mut rx: broadcast::Receiver<EngineEvent<Yz>>,
    shared: Arc<Shared>,
    heard: Arc<Heard>,
) {
    loop {
        let (from, height) = match rx.recv().await {
            Ok(EngineEvent::Received(SignedConsensusMsg::Vote(SignedMessage {
                message, ..
            }))) => (*message.validator_address(), message.height().0),
            Ok(EngineEvent::Received(SignedConsensusMsg::Proposal(SignedMessage {
                message,
                ..
            }))) => (*message.validator_address(), message.height().0),
            Ok(_) | Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        if height > shared.chain.height() {
            heard.heard(from, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(b: u8) -> Address {
        Address([b; 20])
    }

    #[test]
    fn a_validator_is_silent_only_after_the_delay_unheard() {
        let t0 = Instant::now();
        let after = Duration::from_secs(3);
        let heard = Heard::new(t0);
        let (a, b) = (address(1), address(2));
        // Never heard, but we have only just started.
        assert!(!heard.silent(&a, t0 + Duration::from_secs(2), after));
        assert!(heard.silent(&a, t0 + Duration::from_secs(4), after));
        heard.heard(a, t0 + Duration::from_secs(5));
        assert!(!heard.silent(&a, t0 + Duration::from_secs(7), after));
        assert!(heard.silent(&a, t0 + Duration::from_secs(9), after));
        // An older message does not move the time back.
        heard.heard(a, t0 + Duration::from_secs(1));
        assert!(heard.silent(&a, t0 + Duration::from_secs(9), after));
        // Others are tracked apart.
        assert!(heard.silent(&b, t0 + Duration::from_secs(9), after));
        // A clock read before the start never underflows.
        assert!(!heard.silent(&b, t0, after));
    }
}

//! Bounds on what one API client can hold open (threat model A5).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Most block streams one client address may hold open.
pub const STREAMS_PER_CLIENT: usize = 4;
/// Most block streams open in all.
pub const STREAMS_TOTAL: usize = 256;

/// Counts open block streams per client address.
#[derive(Debug, Default, Clone)]
pub struct StreamLimiter {
    open: Arc<Mutex<HashMap<Option<IpAddr>, usize>>>,
}

/// One open stream; closing it (dropping the permit) frees its place.
#[derive(Debug)]
pub struct StreamPermit {
    limiter: StreamLimiter,
    client: Option<IpAddr>,
}

impl StreamLimiter {
    /// A place for one more stream of `client`, or `None` when it (or the
    /// node) already has as many as allowed.
    pub fn acquire(&self, client: Option<IpAddr>) -> Option<StreamPermit> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(&client).copied().unwrap_or(0);
        if mine >= STREAMS_PER_CLIENT || total >= STREAMS_TOTAL {
            return None;
        }
        open.insert(client, mine + 1);
        Some(StreamPermit {
            limiter: self.clone(),
            client,
        })
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.limiter.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_gets_its_share_and_places_free_on_close() {
        let l = StreamLimiter::default();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let held: Vec<_> = (0..STREAMS_PER_CLIENT)
            .map(|_| l.acquire(a).unwrap())
            .collect();
        assert!(l.acquire(a).is_none());
        assert!(l.acquire(Some(IpAddr::from([10, 0, 0, 2]))).is_some());
        drop(held);
        assert!(l.acquire(a).is_some());
    }
}

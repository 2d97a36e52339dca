//! Admission that survives a crash. A record the node has answered
//! "admitted" for is on disk first: it is written, synced, to the `mempool`
//! column family before the answer, and dropped from it when it commits or
//! is refused at execution (records a member relayed are held in memory:
//! that member stored them). On start the node reads back what is there,
//! checks each record again against the committed state (signatures,
//! rules, not committed meanwhile), and keeps those still acceptable.

use rayon::prelude::*;
use yinzheng_crypto::Digest;
use yinzheng_ledger::Record;

use crate::app::{Shared, now_ms};
use crate::chain::Chain;
use crate::mempool::{AdmitError, Checked, Mempool, Removed};
use crate::store::{Op, StoreError, cf};

/// How much lower than the rest of the node the admission threads are
/// scheduled (a `nice` increment, Linux): under a flood of submissions
/// the operating system gives the CPU to consensus, execution and commits
/// first, so blocks keep their pace and the flood slows its own answers.
pub const ADMISSION_NICE: i32 = crate::pools::POOL_NICE;

/// Run a submission's or a relay's checks (`f`: decoding, signatures, a
/// dry run of the rules) on the admission threads (as many as cores, below
/// the node's priority) and wait for the answer. Parallel work inside `f`
/// (`par_iter`) stays on those threads. The synced write that follows is
/// not run here: it waits on the disk, on the [`Writer`]'s thread, where
/// the records that wait together share one write.
pub async fn checked<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    crate::pools::admission_job(f).await
}

fn entry(record: &Record, at_ms: u64) -> Op {
    let mut v = Vec::with_capacity(8 + record.bytes().len());
    v.extend_from_slice(&at_ms.to_be_bytes());
    v.extend_from_slice(record.bytes());
    (cf::MEMPOOL, record.id().0.to_vec(), Some(v))
}

/// Admit checked records into the mempool. `store`: write them to disk
/// first, in one synced write, each answer given only once its record is
/// stored: the records this node answers a client for. Records a member
/// relays are held in memory only (`store` false): the member that
/// answered the client stored them before relaying, and restores and
/// proposes them after a crash of its own.
pub fn admit(shared: &Shared, records: Vec<Checked>, store: bool) -> Vec<Result<(), AdmitError>> {
    let at = now_ms();
    let mut answers = Vec::with_capacity(records.len());
    let mut ops = Vec::new();
    let mut held = Vec::new();
    {
        let mut pool = shared.pool();
        for Checked { record, at_height } in records {
            let op = store.then(|| entry(&record, at));
            let id = record.id();
            let answer = pool.insert_uncommitted(&shared.chain, record, at_height, store);
            if answer.is_ok() {
                ops.extend(op);
                held.push((answers.len(), id));
            }
            answers.push(answer);
        }
    }
    if ops.is_empty() {
        return answers;
    }
    if let Err(e) = shared.chain.db().write(ops) {
        tracing::error!(%e, "cannot store admitted records; refusing them");
        shared.pool().remove(held.iter().map(|(_, id)| *id));
        for (i, _) in held {
            answers[i] = Err(AdmitError::Internal(format!("storing the record: {e}")));
        }
    }
    answers
}

/// The most client records one synced write admits.
pub const MAX_GROUP: usize = 256;

type Waiting = (
    Checked,
    tokio::sync::oneshot::Sender<Result<(), AdmitError>>,
);

/// Group commit for client submissions: one thread, `mempool-writer`,
/// takes every checked record waiting for its synced write, admits them
/// all with one write ([`admit`], `store` true, at most [`MAX_GROUP`]),
/// and answers each. Records that arrive while a write is syncing wait
/// for the next, so under load each sync serves as many records as
/// arrived during the last one, and the writes never contend with each
/// other inside RocksDB (no writer spins or sleeps waiting for another's
/// turn). A record waits for no timer: an idle writer writes the first
/// record that comes at once.
#[derive(Clone)]
pub struct Writer {
    tx: std::sync::mpsc::Sender<Waiting>,
}

impl Writer {
    /// Start the writer thread. It stops once every handle is dropped.
    pub fn start(shared: std::sync::Arc<Shared>) -> std::io::Result<Writer> {
        let (tx, rx) = std::sync::mpsc::channel::<Waiting>();
        std::thread::Builder::new()
            .name("mempool-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut group = vec![first];
                    group.extend(rx.try_iter().take(MAX_GROUP - 1));
                    let (records, answers): (Vec<Checked>, Vec<_>) = group.into_iter().unzip();
                    // A panic in the write answers its group with an
                    // error (the senders dropped) and the thread goes on.
                    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        admit(&shared, records, true)
                    }));
                    match written {
                        Ok(results) => {
                            for (result, answer) in results.into_iter().zip(answers) {
                                let _ = answer.send(result);
                            }
                        }
                        Err(_) => tracing::error!("a group of admitted records panicked"),
                    }
                }
            })?;
        Ok(Writer { tx })
    }

    /// Admit a client's checked record, stored and synced, in the next
    /// group write: the answer comes once its group is on disk.
    pub async fn admit(&self, record: Checked) -> Result<(), AdmitError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send((record, tx))
            .map_err(|_| AdmitError::Internal("the mempool writer stopped".into()))?;
        rx.await
            .map_err(|_| AdmitError::Internal("the record's write failed".into()))?
    }
}

/// Drop records from the mempool and from its stored copy (they committed
/// or were refused). Returns those that were waiting here.
pub fn forget(shared: &Shared, ids: impl IntoIterator<Item = Digest>) -> Vec<Removed> {
    let held = shared.pool().remove(ids);
    let ops: Vec<Op> = held
        .iter()
        .filter(|r| r.stored)
        .map(|r| (cf::MEMPOOL, r.id.0.to_vec(), None))
        .collect();
    if !ops.is_empty() {
        // Not synced: a deletion lost in a machine crash only leaves a
        // committed record behind, which the next start drops.
        if let Err(e) = shared.chain.db().write_with(ops, false) {
            tracing::warn!(%e, "cannot drop committed records from the stored mempool");
        }
    }
    held
}

/// What a start found in the stored mempool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    /// Records back in the mempool.
    pub kept: usize,
    /// Records no longer acceptable (committed meanwhile, expired, a key
    /// revoked…) or unreadable, removed from the store.
    pub dropped: usize,
}

/// Reload the stored mempool into `pool`, in admission order.
pub fn restore(chain: &Chain, pool: &mut Mempool) -> Result<Restored, StoreError> {
    let now = now_ms();
    let mut stored: Vec<(u64, Vec<u8>, Vec<u8>)> = chain
        .db()
        .scan(cf::MEMPOOL)?
        .into_iter()
        .map(|(k, v)| {
            let at = v
                .get(..8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(0, u64::from_be_bytes);
            (at, k, v.get(8..).unwrap_or_default().to_vec())
        })
        .collect();
    stored.sort();
    let checked: Vec<(Vec<u8>, Option<Record>)> = stored
        .into_par_iter()
        .map(|(_, k, bytes)| {
            let r = Mempool::check_bytes(chain, &bytes, now, |_| Ok(()))
                .ok()
                .map(|c| c.record)
                .filter(|r| r.id().0.as_slice() == k.as_slice());
            (k, r)
        })
        .collect();
    let mut dropped = Vec::new();
    let mut kept = 0;
    for (k, r) in checked {
        match r.map(|r| pool.insert(r)) {
            Some(Ok(())) => kept += 1,
            _ => dropped.push((cf::MEMPOOL, k, None)),
        }
    }
    let gone = dropped.len();
    if gone > 0 {
        chain.db().write(dropped)?;
    }
    Ok(Restored {
        kept,
        dropped: gone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checks_run_on_the_admission_threads_below_the_node() {
        let (name, nice, inner) = checked(|| {
            let here = || std::thread::current().name().map(str::to_owned);
            // Parallel work inside stays on the admission threads.
            let inner = rayon::join(here, here);
            #[cfg(target_os = "linux")]
            let nice = rustix::process::getpriority_process(None).ok();
            #[cfg(not(target_os = "linux"))]
            let nice: Option<i32> = None;
            (here(), nice, inner)
        })
        .await
        .expect("an answer");
        let on_pool =
            |n: &Option<String>| n.as_deref().is_some_and(|n| n.starts_with("admission-"));
        assert!(on_pool(&name), "{name:?}");
        assert!(on_pool(&inner.0) && on_pool(&inner.1), "{inner:?}");
        #[cfg(target_os = "linux")]
        {
            let ours = rustix::process::getpriority_process(None).unwrap();
            // The caller's own priority is untouched.
            assert_eq!(nice, Some((ours + ADMISSION_NICE).min(19)));
        }
        let _ = nice;
    }

    #[tokio::test]
    async fn a_panicking_check_is_an_answer_lost_not_a_node_lost() {
        let lost: Option<()> = checked(|| std::panic::panic_any("a bug in a check")).await;
        assert!(lost.is_none());
        assert_eq!(checked(|| 7).await, Some(7), "the pool still answers");
    }
}

//! The node's own worker threads for work that must not run on the async
//! threads: admission checks (`crate::admission`) and reads (bundles,
//! audit pages, checkpoint chains). Each pool has a fixed number of
//! threads, so a flood of submissions or of readers queues for its turn
//! instead of spreading itself over as many operating-system threads as
//! there are requests in flight; on a member both are scheduled below the
//! rest of the node, so such a flood does not take the CPU from consensus,
//! execution and commits (an observer's reads keep the node's priority).

use std::sync::OnceLock;

/// How much lower than the rest of the node the pools' threads are
/// scheduled (a `nice` increment, Linux).
pub const POOL_NICE: i32 = 10;

/// Read threads per core: reads mostly find their pages in memory (then a
/// thread per core keeps every core busy without time-slicing), but a read
/// that waits on the disk should not leave a core idle.
pub const READ_THREADS_PER_CORE: usize = 2;

/// Whether the read threads are scheduled below the rest of the node: on a
/// member (consensus comes first), not on an observer (reads are its job).
static READS_LOWERED: OnceLock<bool> = OnceLock::new();

/// Say, before the first read, whether this node's reads yield to the rest
/// of it (a member: yes; an observer: no). Unsaid: they do.
pub fn lower_reads(lowered: bool) {
    let _ = READS_LOWERED.set(lowered);
}

fn lower_priority() {
    // On Linux the nice value is per thread: `PRIO_PROCESS` with no pid
    // applies to the calling thread only.
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, POOL_NICE) {
        tracing::warn!(%e, "pool threads keep the node's priority");
    }
}

fn build(name: &'static str, threads: usize, lowered: bool) -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("{name}-{i}"))
        .start_handler(move |_| {
            if lowered {
                lower_priority();
            }
        })
        // A panicking job drops its answer (the caller sees the pool
        // "stopped") instead of aborting the node.
        .panic_handler(move |_| tracing::error!(pool = name, "a job panicked"))
        .build()
        .map_err(|e| tracing::warn!(%e, pool = name, "not started; using the shared pool"))
        .ok()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The admission threads: as many as cores.
fn admission() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| build("admission", cores(), true))
        .as_ref()
}

/// The read threads: [`READ_THREADS_PER_CORE`] per core, lowered unless
/// [`lower_reads`] said otherwise.
fn reads() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let lowered = *READS_LOWERED.get_or_init(|| true);
        build("read", cores() * READ_THREADS_PER_CORE, lowered)
    })
    .as_ref()
}

async fn on<T: Send + 'static>(
    pool: Option<&'static rayon::ThreadPool>,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = move || {
        let _ = tx.send(f());
    };
    match pool {
        Some(p) => p.spawn(job),
        None => rayon::spawn(job),
    }
    rx.await.ok()
}

/// Run `f` on the admission threads and wait for its answer; `None` if it
/// panicked. Parallel work inside `f` (`par_iter`) stays on those threads.
pub async fn admission_job<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    on(admission(), f).await
}

/// Run a read (`f`: a bundle, an audit page, a checkpoint chain) on the
/// read threads and wait for its answer; `None` if it panicked. Requests
/// beyond the threads wait in order of arrival.
pub async fn read_job<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    on(reads(), f).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_run_on_the_read_threads_below_the_node() {
        let (name, nice) = read_job(|| {
            let name = std::thread::current().name().map(str::to_owned);
            #[cfg(target_os = "linux")]
            let nice = rustix::process::getpriority_process(None).ok();
            #[cfg(not(target_os = "linux"))]
            let nice: Option<i32> = None;
            (name, nice)
        })
        .await
        .expect("an answer");
        assert!(
            name.as_deref().is_some_and(|n| n.starts_with("read-")),
            "{name:?}"
        );
        #[cfg(target_os = "linux")]
        {
            let ours = rustix::process::getpriority_process(None).unwrap();
            assert_eq!(nice, Some((ours + POOL_NICE).min(19)));
        }
        let _ = nice;
    }

    #[tokio::test]
    async fn reads_beyond_the_threads_wait_and_are_all_answered() {
        let threads = cores() * READ_THREADS_PER_CORE;
        let jobs: Vec<_> = (0..threads * 4)
            .map(|i| {
                tokio::spawn(read_job(move || {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    i
                }))
            })
            .collect();
        for (i, job) in jobs.into_iter().enumerate() {
            assert_eq!(job.await.unwrap(), Some(i));
        }
    }

    #[tokio::test]
    async fn a_panicking_read_is_an_answer_lost_not_a_node_lost() {
        let lost: Option<()> = read_job(|| std::panic::panic_any("a bug in a read")).await;
        assert!(lost.is_none());
        assert_eq!(read_job(|| 7).await, Some(7), "the pool still answers");
    }
}

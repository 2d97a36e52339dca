//! CPU time, for the metrics that split a node's CPU per record into
//! signature checks, execution, storage and the rest: unlike wall time, it
//! leaves out the time a thread waited for a core, which on a loaded
//! machine is most of a block's wall time.
//!
//! Per-thread figures come from the kernel: the calling thread's CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) around a step, and `/proc/self/task` for
//! the long-lived threads of a kind (the admission pool, the read pool,
//! RocksDB's background threads). Where the platform has neither (not
//! Linux), the figures are zero.

use std::time::{Duration, Instant};

/// CPU time the calling thread has used since it started.
pub fn thread_time() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        )
    }
    #[cfg(not(target_os = "linux"))]
    Duration::ZERO
}

/// The wall time and the calling thread's CPU time since a step started.
/// Both are read on the thread that runs the step, which must not move to
/// another thread in between (no `.await`).
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    wall: Instant,
    cpu: Duration,
}

impl Timer {
    /// Start timing on the calling thread.
    pub fn start() -> Timer {
        Timer {
            wall: Instant::now(),
            cpu: thread_time(),
        }
    }

    /// Wall time since the start.
    pub fn wall(&self) -> Duration {
        self.wall.elapsed()
    }

    /// The calling thread's CPU time since the start.
    pub fn cpu(&self) -> Duration {
        thread_time().saturating_sub(self.cpu)
    }
}

/// Which threads a `/proc/self/task` entry's name (`comm`) belongs to:
/// `admission` (`admission-N`: signature checks and rules of submitted and
/// relayed records), `read` (`read-N`: bundles and audit reads), `rocksdb`
/// (`rocksdb:…`: flushes and compactions); others are not grouped.
pub fn thread_kind(comm: &str) -> Option<&'static str> {
    let comm = comm.trim_end();
    if comm.starts_with("admission-") {
        Some("admission")
    } else if comm.starts_with("read-") {
        Some("read")
    } else if comm.starts_with("rocksdb:") {
        Some("rocksdb")
    } else {
        None
    }
}

/// User plus system clock ticks in a `/proc/…/stat` line (its 14th and
/// 15th fields; the name, 2nd, is in parentheses and may hold spaces).
pub fn stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    // After the name: state is field 3, so utime (14) is the 12th here.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU seconds (user plus system) in a `/proc/…/stat` line: its clock
/// ticks ([`stat_ticks`]) over the kernel's ticks per second.
pub fn stat_seconds(stat: &str) -> Option<f64> {
    #[cfg(target_os = "linux")]
    let tick = rustix::param::clock_ticks_per_second() as f64;
    // Elsewhere `/proc` is Linux's format read on another system: its
    // user-visible tick, fixed at 100 on Linux's common architectures.
    #[cfg(not(target_os = "linux"))]
    let tick = 100.0;
    Some(stat_ticks(stat)? as f64 / tick)
}

/// CPU seconds used by this process (`all`, its exited threads included)
/// and by its live threads of each kind ([`thread_kind`]). Empty where
/// `/proc` cannot be read.
pub fn process_threads() -> Vec<(&'static str, f64)> {
    #[cfg(target_os = "linux")]
    {
        let mut out: Vec<(&'static str, f64)> = Vec::new();
        let Some(all) = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| stat_seconds(&s))
        else {
            return out;
        };
        out.push(("all", all));
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return out;
        };
        for t in tasks.flatten() {
            let dir = t.path();
            let Some(kind) = std::fs::read_to_string(dir.join("comm"))
                .ok()
                .and_then(|c| thread_kind(&c))
            else {
                continue;
            };
            let Some(seconds) = std::fs::read_to_string(dir.join("stat"))
                .ok()
                .and_then(|s| stat_seconds(&s))
            else {
                continue;
            };
            match out.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, s)) => *s += seconds,
                None => out.push((kind, seconds)),
            }
        }
        out
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_user_plus_system_ticks() {
        // The name may hold spaces and parentheses: fields count from the
        // last `)`.
        let line = "4242 (admission-1 (x)) S 1 4242 4242 0 -1 4194368 \
                    900 0 0 0 1234 56 0 0 39 19 1 0 100 0 0";
        assert_eq!(stat_ticks(line), Some(1290));
        assert_eq!(stat_ticks("4242 (x) S 1 2"), None);
        assert_eq!(stat_ticks("no parenthesis"), None);
        assert!(stat_seconds(line).is_some_and(|s| s > 0.0));
        assert_eq!(stat_seconds("4242 (x) S 1 2"), None);
    }

    #[test]
    fn threads_are_grouped_by_their_names() {
        assert_eq!(thread_kind("admission-0\n"), Some("admission"));
        // The synced writes of admitted records are not signature checks.
        assert_eq!(thread_kind("mempool-writer"), None);
        assert_eq!(thread_kind("read-7"), Some("read"));
        assert_eq!(thread_kind("rocksdb:high"), Some("rocksdb"));
        assert_eq!(thread_kind("tokio-runtime-w"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_s_cpu_clock_counts_its_work_and_not_its_sleep() {
        let t = Timer::start();
        std::thread::sleep(Duration::from_millis(50));
        let slept = t.cpu();
        let mut x = 0u64;
        while t.cpu() < slept + Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(t.wall() >= Duration::from_millis(70));
        assert!(slept < Duration::from_millis(25), "sleeping used {slept:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_and_a_named_thread_are_read_from_proc() {
        // A thread named like an admission thread burns 60 ms of CPU, then
        // stays alive (a thread's figure goes with it) until told to stop.
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::Builder::new()
            .name("admission-9".into())
            .spawn(move || {
                let t = Timer::start();
                let mut x = 0u64;
                while t.cpu() < Duration::from_millis(60) {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
                stopped.recv().ok();
            })
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let of =
            |p: &[(&str, f64)], kind: &str| p.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s);
        let seen = loop {
            let p = process_threads();
            if of(&p, "admission").is_some_and(|s| s >= 0.05) {
                break p;
            }
            assert!(
                Instant::now() < deadline,
                "never saw the thread's CPU: {p:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        stop.send(()).unwrap();
        worker.join().unwrap();
        assert!(
            of(&seen, "all").unwrap() >= of(&seen, "admission").unwrap(),
            "{seen:?}"
        );
    }
}

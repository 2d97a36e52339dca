//! A sick network: every libp2p link between the validators passes through a
//! fault injector on loopback (a small TCP proxy per direction), and one
//! validator's clock runs 3 s ahead. One validator is partitioned away and
//! healed; then every link gets 200 ms of latency with 10 % of segments held
//! back a further 200 ms (what a lost TCP segment costs: its retransmission).
//! The others keep committing, nobody forks, the partitioned one catches up.
//! Commit rates are printed for `docs/benchmarks.md`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::common::{Net, SERIAL, assert_same_headers, height, start_with};

/// What a link does to its traffic now.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Fault {
    /// Nothing passes; open connections are cut.
    cut: bool,
    /// Latency added to every chunk.
    delay_ms: u64,
    /// Share of chunks held back one more `delay_ms` (a retransmission).
    loss: f64,
}

/// The fault of every link, changed by the test while the proxies run.
#[derive(Clone)]
struct Links(Arc<Mutex<Vec<Vec<watch::Sender<Fault>>>>>);

impl Links {
    fn set(&self, from: usize, to: usize, f: Fault) {
        let links = self.0.lock().unwrap();
        links[from][to].send_replace(f);
    }
    fn set_all(&self, f: Fault) {
        for i in 0..4 {
            for j in 0..4 {
                if i != j {
                    self.set(i, j, f);
                }
            }
        }
    }
    /// Cut (or restore) every link to and from `node`.
    fn isolate(&self, node: usize, cut: bool) {
        for o in 0..4 {
            if o != node {
                let f = Fault {
                    cut,
                    ..Fault::default()
                };
                self.set(node, o, f);
                self.set(o, node, f);
            }
        }
    }
}

fn proxy_port(base: u16, from: usize, to: usize) -> u16 {
    base + 300 + u16::try_from(from * 10 + to).unwrap()
}

/// Copy one direction: read chunks, stamp each with when it may leave, and
/// write it then (latency without a throughput cap).
async fn pump(
    mut r: tokio::net::tcp::OwnedReadHalf,
    mut w: tokio::net::tcp::OwnedWriteHalf,
    fault: watch::Receiver<Fault>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let f2 = fault.clone();
    let reader = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut last = Instant::now();
        let mut seed = 0x2545_F491_4F6C_DD1Du64
            ^ u64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos(),
            );
        loop {
            let n = match r.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let f = *f2.borrow();
            if f.cut {
                return;
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let lost = (seed % 1000) as f64 / 1000.0 < f.loss;
            let delay = f.delay_ms * if lost { 2 } else { 1 };
            let at = (Instant::now() + Duration::from_millis(delay)).max(last);
            last = at;
            if tx.send((at, buf[..n].to_vec())).is_err() {
                return;
            }
        }
    });
    let mut cut = fault.clone();
    loop {
        tokio::select! {
            m = rx.recv() => {
                let Some((at, chunk)) = m else { break };
                tokio::time::sleep_until(at.into()).await;
                if cut.borrow().cut || w.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            _ = cut.changed() => {
                if cut.borrow().cut {
                    break;
                }
            }
        }
    }
    reader.abort();
}

/// Forward `listen` → `target` through the fault of one link.
async fn proxy(listen: u16, target: u16, fault: watch::Receiver<Fault>) {
    let l = TcpListener::bind(("127.0.0.1", listen)).await.unwrap();
    loop {
        let Ok((inbound, _)) = l.accept().await else {
            continue;
        };
        if fault.borrow().cut {
            drop(inbound);
            continue;
        }
        let Ok(outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
            continue;
        };
        let (ir, iw) = inbound.into_split();
        let (or, ow) = outbound.into_split();
        tokio::spawn(pump(ir, ow, fault.clone()));
        tokio::spawn(pump(or, iw, fault.clone()));
    }
}

/// Committed heights per second on `c` over `secs`, under a light load.
async fn rate(net: &mut Net, node: usize, secs: u64, tag: &mut u64) -> f64 {
    let h0 = height(&mut net.clients[node]).await;
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(secs) {
        let r = net.certificate(*tag);
        *tag += 1;
        let _ = net.clients[node]
            .submit(yinzheng_node::proto::SubmitRequest {
                record: r.bytes().to_vec(),
                wait: false,
            })
            .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let h1 = height(&mut net.clients[node]).await;
    (h1 - h0) as f64 / t0.elapsed().as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4_partition_latency_loss_and_a_fast_clock() {
    let _serial = SERIAL.lock().await;
    const BASE: u16 = 28300;
    // One watch per directed link, before any node starts.
    let mut senders = Vec::new();
    for from in 0..4 {
        let mut row = Vec::new();
        for to in 0..4 {
            let (tx, rx) = watch::channel(Fault::default());
            if from != to {
                tokio::spawn(proxy(
                    proxy_port(BASE, from, to),
                    BASE + u16::try_from(to).unwrap(),
                    rx,
                ));
            }
            row.push(tx);
        }
        senders.push(row);
    }
    let links = Links(Arc::new(Mutex::new(senders)));
    // Each node reaches the others only through its proxies; node 3's clock
    // runs 3 s ahead (within the 5 s skew the others allow).
    let mut net = start_with(BASE, |t| {
        for (i, n) in t.nodes.iter().enumerate() {
            let path = n.dir.join("config.toml");
            let mut c = std::fs::read_to_string(&path).unwrap();
            for (j, p) in t.nodes.iter().enumerate() {
                if i != j {
                    let real = format!("/tcp/{}/p2p/", p.p2p_port);
                    let via = format!("/tcp/{}/p2p/", proxy_port(BASE, i, j));
                    c = c.replace(&real, &via);
                }
            }
            if i == 3 {
                c.push_str("\n[faults]\nclock_offset_ms = 3000\n");
            }
            std::fs::write(&path, c).unwrap();
        }
    })
    .await;
    let mut tag = 0;

    let healthy = rate(&mut net, 0, 15, &mut tag).await;
    eprintln!("healthy links, node 3 clock +3 s: {healthy:.2} blocks/s");
    assert!(healthy > 0.5, "no progress with a fast clock: {healthy}");

    // Node 0 partitioned away: the other three go on.
    links.isolate(0, true);
    let before = height(&mut net.clients[1]).await;
    let partitioned = rate(&mut net, 1, 20, &mut tag).await;
    let stuck = height(&mut net.clients[0]).await;
    eprintln!("node 0 partitioned: {partitioned:.2} blocks/s on the other three");
    assert!(height(&mut net.clients[1]).await > before + 5);
    // Healed: it catches up, and all four agree.
    links.isolate(0, false);
    let target = height(&mut net.clients[1]).await;
    let t0 = Instant::now();
    while height(&mut net.clients[0]).await < target {
        assert!(
            t0.elapsed() < Duration::from_secs(90),
            "node 0 did not catch up from {stuck} to {target}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!(
        "node 0 caught up from {stuck} to {target} in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // Every link slow and lossy.
    links.set_all(Fault {
        cut: false,
        delay_ms: 200,
        loss: 0.10,
    });
    let lossy = rate(&mut net, 2, 30, &mut tag).await;
    eprintln!("200 ms latency, 10 % of segments retransmitted, every link: {lossy:.2} blocks/s");
    assert!(
        lossy > 0.05,
        "no progress on a slow, lossy network: {lossy}"
    );
    links.set_all(Fault::default());

    let mut upto = u64::MAX;
    for c in &mut net.clients {
        upto = upto.min(height(c).await);
    }
    assert_same_headers(&mut net.clients, &[0, 1, 2, 3], upto).await;
}

//! One member misbehaving on purpose (threat model A2): the honest three
//! keep committing, agree, and hold bounded memory.

use std::time::{Duration, Instant};

use crate::common::{SERIAL, assert_same_headers, height, start_with};

/// Resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4_one_member_floods_proposal_parts_the_others_hold() {
    let _serial = SERIAL.lock().await;
    // Node 3 publishes, with each of its proposals, 48 junk parts of 1 MiB
    // for later heights and many rounds, signed by itself.
    const PARTS: u64 = 48;
    const BYTES: u64 = 1024 * 1024;
    let mut net = start_with(28200, |t| {
        let path = t.nodes[3].dir.join("config.toml");
        let mut c = std::fs::read_to_string(&path).unwrap();
        c.push_str(&format!(
            "\n[faults]\nflood_proposal_parts = {PARTS}\nflood_part_bytes = {BYTES}\n"
        ));
        std::fs::write(&path, c).unwrap();
    })
    .await;
    let honest = [0usize, 1, 2];
    let pids: Vec<u32> = honest
        .iter()
        .map(|i| net.cluster.pid(*i).unwrap())
        .collect();
    let start_h = height(&mut net.clients[0]).await;
    let before: Vec<u64> = pids.iter().map(|p| rss_kib(*p)).collect();
    // Peak resident memory in the first and the second half of the flood.
    let mut peak = [before.clone(), before.clone()];
    let t0 = Instant::now();
    let mut n = 0usize;
    while t0.elapsed() < Duration::from_secs(40) {
        // Some load, so blocks carry records.
        let r = net.certificate(n as u64);
        n += 1;
        let _ = net.clients[n % 3]
            .submit(yinzheng_node::proto::SubmitRequest {
                record: r.bytes().to_vec(),
                wait: false,
            })
            .await;
        let half = usize::from(t0.elapsed() >= Duration::from_secs(20));
        for (k, p) in pids.iter().enumerate() {
            peak[half][k] = peak[half][k].max(rss_kib(*p));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let end_h = height(&mut net.clients[0]).await;
    // Node 3 proposes about one block in four.
    let flooded_mib = (end_h - start_h) / 4 * PARTS * BYTES / (1024 * 1024);
    eprintln!(
        "heights {start_h}..{end_h}; about {flooded_mib} MiB of junk parts published; \
         honest RSS before {before:?} KiB, peak {peak:?} KiB"
    );
    assert!(
        end_h >= start_h + 20,
        "honest members stalled: {start_h}..{end_h}"
    );
    for c in &mut net.clients[..3] {
        assert!(height(c).await >= end_h.saturating_sub(2));
    }
    let upto = end_h.saturating_sub(2);
    assert_same_headers(&mut net.clients, &honest, upto).await;
    // Kept parts are bounded (2 heights × 2 rounds); what the network layer
    // buffers is bounded by its own windows. So memory levels off: the second
    // half of the flood adds little to the first, and stays far below what
    // was published: what the flood added to a node's own memory (about
    // 120 MiB before it, which does not scale with the flood) is under half
    // of it. The network layer's windows hold seconds of traffic, so the
    // level rises with the flood's rate, which follows the machine's speed:
    // 233–286 MiB where 720 MiB were flooded, 480–570 MiB where 1,440 MiB
    // were, 310–343 MiB where a slower machine flooded 624 MiB.
    for (k, ((first, second), base)) in peak[0].iter().zip(&peak[1]).zip(&before).enumerate() {
        let (first, second, base) = (first / 1024, second / 1024, base / 1024);
        assert!(
            second <= first + 96 && second.saturating_sub(base) < flooded_mib / 2,
            "node {k}: {base} MiB before, {first} MiB, then {second} MiB, \
             while {flooded_mib} MiB were flooded"
        );
    }
}

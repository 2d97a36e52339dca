//! Fault models: n = 4 validators, f = 0, 1 or 2 of them down or killed.

use std::time::Duration;

use yinzheng_consortium::cluster::wait_height;
use yinzheng_node::proto::{RecordRef, SubmitRequest};

use crate::common::{SERIAL, assert_same_headers, header, height, start, submit_wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4f0_records_submitted_to_any_node_commit_and_all_agree() {
    let _serial = SERIAL.lock().await;
    let mut net = start(27100).await;
    let mut top = 0;
    let mut ids = Vec::new();
    for i in 0..4 {
        for k in 0..2 {
            let r = net.certificate((i * 10 + k) as u64);
            top = top.max(submit_wait(&mut net.clients[i], &r).await);
            ids.push(r.id());
        }
    }
    wait_height(&mut net.clients, top, Duration::from_secs(30))
        .await
        .unwrap();
    // Every record is readable from every node.
    for c in net.clients.iter_mut() {
        for id in &ids {
            let r = c
                .get_record(RecordRef {
                    record_id: id.0.to_vec(),
                })
                .await
                .unwrap()
                .into_inner();
            assert!(r.height >= 1 && r.height <= top);
        }
    }
    assert_same_headers(&mut net.clients, &[0, 1, 2, 3], top).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4f1_one_killed_others_commit_and_it_catches_up() {
    let _serial = SERIAL.lock().await;
    let mut net = start(27200).await;
    net.cluster.kill(3);
    let h0 = height(&mut net.clients[0]).await;
    // How fast it commits with one down is measured by the load bench
    // (benches/, `--down 1`), not asserted here.
    for k in 0..6 {
        let r = net.certificate(k);
        submit_wait(&mut net.clients[(k % 3) as usize], &r).await;
    }
    let h1 = height(&mut net.clients[0]).await;
    assert!(
        h1 >= h0 + 6,
        "only {} heights with one validator down",
        h1 - h0
    );
    // The others notice it is silent (its turns then time out quickly)…
    let http = net.cluster.net.nodes[0].grpc_port + 100;
    wait_silent(http, 1).await;
    net.cluster.start(3).unwrap();
    net.reconnect(3).await;
    wait_height(&mut net.clients[3..], h1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_same_headers(&mut net.clients, &[0, 1, 2, 3], h1).await;
    // …and that it is back once it votes again.
    wait_silent(http, 0).await;
}

/// Wait until the node whose HTTP side is on `port` counts `n` validators
/// unheard lately (at most 30 s).
async fn wait_silent(port: u16, n: u32) {
    let want = format!("yinzheng_silent_validators {n}");
    let mut last = String::new();
    for _ in 0..60 {
        let (_, body) = crate::http::get(port, "/metrics").await;
        last = body
            .lines()
            .find(|l| l.starts_with("yinzheng_silent_validators "))
            .unwrap_or("no yinzheng_silent_validators")
            .to_owned();
        if last == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("waited for {want}: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4f2_two_down_halts_without_fork_and_resumes() {
    let _serial = SERIAL.lock().await;
    let mut net = start(27300).await;
    net.cluster.kill(2);
    net.cluster.kill(3);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let a = height(&mut net.clients[0]).await;
    let b = height(&mut net.clients[1]).await;
    // A record is admitted but cannot commit.
    let r = net.certificate(1);
    net.clients[0]
        .submit(SubmitRequest {
            record: r.bytes().to_vec(),
            wait: false,
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        height(&mut net.clients[0]).await,
        a,
        "progress with two of four down"
    );
    assert_eq!(
        height(&mut net.clients[1]).await,
        b,
        "progress with two of four down"
    );
    let common = a.min(b);
    assert_same_headers(&mut net.clients, &[0, 1], common).await;
    net.cluster.start(2).unwrap();
    net.reconnect(2).await;
    wait_height(&mut net.clients[..3], a.max(b) + 3, Duration::from_secs(60))
        .await
        .unwrap();
    assert_same_headers(&mut net.clients, &[0, 1, 2], a.max(b) + 3).await;
    // The waiting record committed once a quorum was back.
    let got = net.clients[0]
        .get_record(RecordRef {
            record_id: r.id().0.to_vec(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(got.height > common);
}

/// A small deterministic generator (no extra dependency for the test).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4_kill_9_at_twenty_instants_under_load_restarts_consistent() {
    let _serial = SERIAL.lock().await;
    let mut net = start(27400).await;
    // Load on the three other validators, without waiting for commits.
    let records: Vec<_> = (0..3000).map(|k| net.certificate(100_000 + k)).collect();
    let mut load_clients: Vec<_> = net.clients[..3].to_vec();
    let load = tokio::spawn(async move {
        for (k, r) in records.iter().enumerate() {
            let c = &mut load_clients[k % 3];
            let _ = c
                .submit(SubmitRequest {
                    record: r.bytes().to_vec(),
                    wait: false,
                })
                .await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(std::process::id());
    for round in 0..20 {
        let wait = 100 + next(&mut seed) % 1400;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        net.cluster.kill(3);
        net.cluster.start(3).unwrap();
        net.reconnect(3).await;
        // Restarted consistent: its last block is the one the others hold.
        let h3 = height(&mut net.clients[3]).await;
        if h3 > 0 {
            wait_height(&mut net.clients[..1], h3, Duration::from_secs(30))
                .await
                .unwrap();
            assert_eq!(
                header(&mut net.clients[3], h3).await,
                header(&mut net.clients[0], h3).await,
                "restart {round}: node 3's head at {h3} differs"
            );
        }
    }
    load.abort();
    let top = height(&mut net.clients[0]).await;
    wait_height(&mut net.clients[3..], top, Duration::from_secs(60))
        .await
        .unwrap();
    assert_same_headers(&mut net.clients, &[0, 1, 2, 3], top).await;
}

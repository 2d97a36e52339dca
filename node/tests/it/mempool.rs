//! The mempool on its own: bounded with BUSY, duplicates refused, arrival
//! order kept, committed records removed; what a node acknowledged survives
//! its being killed.

use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_ledger::Record;
use yinzheng_node::mempool::{AdmitError, Mempool};

/// `n` distinct certificate records of a fresh testnet.
fn records(n: usize) -> Vec<Record> {
    let dir = tempfile::tempdir().unwrap();
    let net = testnet::create(
        dir.path(),
        &TestnetOptions {
            chain_id: "yz-mempool".into(),
            validators: 4,
            p2p_base_port: 1,
            grpc_base_port: 1,
            genesis_time_ms: 1_763_800_000_000,
        },
    )
    .unwrap();
    let s = Samples::new(&net.genesis, testnet::issuer_keys(&net.keys_dir).unwrap()).unwrap();
    (0..n)
        .map(|i| {
            s.certificate(&format!("NO-{i}"), b"d", "h", 1_763_800_010_000)
                .unwrap()
        })
        .collect()
}

#[test]
fn bounded_fifo_without_duplicates() {
    let r = records(3);
    let mut m = Mempool::new(2);
    m.insert(r[0].clone()).unwrap();
    assert!(
        matches!(m.insert(r[0].clone()), Err(AdmitError::Rejected(x)) if x.code.as_str() == "DUPLICATE")
    );
    m.insert(r[1].clone()).unwrap();
    let busy = m.insert(r[2].clone()).unwrap_err();
    assert!(matches!(busy, AdmitError::Busy(2)), "{busy}");
    assert_eq!(
        m.take(10).iter().map(|x| x.id()).collect::<Vec<_>>(),
        vec![r[0].id(), r[1].id()]
    );
    m.remove([r[0].id()]);
    assert_eq!(m.len(), 1);
    m.insert(r[2].clone()).unwrap();
    assert_eq!(
        m.take(1).iter().map(|x| x.id()).collect::<Vec<_>>(),
        vec![r[1].id()]
    );
}

/// A proposal's records are found by their exact envelope bytes (the
/// validator then skips their decoding and signatures); other bytes, a
/// record's bytes changed by one bit, and removed records are not found.
#[test]
fn found_by_exact_bytes_only() {
    let r = records(2);
    let mut m = Mempool::new(8);
    m.insert(r[0].clone()).unwrap();
    m.insert(r[1].clone()).unwrap();
    for x in &r {
        let found = m.get_by_bytes(x.bytes()).expect("waiting");
        assert_eq!(found.id(), x.id());
        assert_eq!(found.bytes(), x.bytes());
    }
    let mut flipped = r[0].bytes().to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(m.get_by_bytes(&flipped).is_none(), "one bit changed");
    assert!(m.get_by_bytes(&r[0].bytes()[1..]).is_none(), "a byte short");
    assert!(m.get_by_bytes(b"").is_none());
    m.remove([r[0].id()]);
    assert!(m.get_by_bytes(r[0].bytes()).is_none(), "removed");
    assert_eq!(
        m.get_by_bytes(r[1].bytes()).map(|x| x.id()),
        Some(r[1].id())
    );
    assert!(!m.contains(&r[0].id()));
}

/// A record acknowledged by a node that is killed before any block could
/// carry it (no quorum: two of the four are down) is not lost: the node
/// restarts with it in its mempool, and it commits once the others are back.
/// The member it was relayed to held it in memory only: killed and
/// restarted alone, that member has nothing waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admitted_record_survives_kill_9_before_its_block() {
    use std::time::{Duration, Instant};

    use yinzheng_node::proto::{RecordRef, SubmitRequest};

    let _serial = crate::common::SERIAL.lock().await;
    let mut net = crate::common::start(29000).await;
    for i in 2..4 {
        net.cluster.kill(i);
    }
    let r = net.certificate(7);
    let ack = net.clients[0]
        .submit(SubmitRequest {
            record: r.bytes().to_vec(),
            wait: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ack.record_id, r.id().0.to_vec());
    let lookup = RecordRef {
        record_id: r.id().0.to_vec(),
    };
    let missing = net.clients[0].get_record(lookup.clone()).await.unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound, "{missing}");
    let relayed_by = Instant::now() + Duration::from_secs(20);
    while waiting(&mut net.clients[1]).await != 1 {
        assert!(Instant::now() < relayed_by, "never relayed to node 1");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    net.cluster.kill(0);
    net.cluster.kill(1);
    net.cluster.start(1).unwrap();
    net.reconnect(1).await;
    assert_eq!(
        waiting(&mut net.clients[1]).await,
        0,
        "a relayed record is not restored by the member it was relayed to"
    );
    for i in [0, 2, 3] {
        net.cluster.start(i).unwrap();
    }
    for i in [0, 2, 3] {
        net.reconnect(i).await;
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    // Committed on another node, then on node 0 itself (it may be a block
    // behind the others).
    for i in [2, 0] {
        loop {
            if let Ok(found) = net.clients[i].get_record(lookup.clone()).await {
                assert!(found.into_inner().height >= 1);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the acknowledged record never committed on node {i} after the restart"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    // Committed records leave the stored mempool: submitting it again is a
    // duplicate of a committed record, not of a waiting one.
    let again = net.clients[0]
        .submit(SubmitRequest {
            record: r.bytes().to_vec(),
            wait: false,
        })
        .await
        .unwrap_err();
    assert!(again.message().contains("already committed"), "{again}");
}

/// Records waiting in node `c`'s mempool.
async fn waiting(c: &mut yinzheng_consortium::cluster::Client) -> u32 {
    c.get_info(yinzheng_node::proto::InfoRequest {})
        .await
        .unwrap()
        .into_inner()
        .mempool_size
}

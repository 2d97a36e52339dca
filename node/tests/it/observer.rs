//! Observer nodes: a node without a consensus key follows the members'
//! decisions, executes every block itself and serves the read API, but never
//! votes, proposes or takes submissions. Four validators and two observers:
//! one listed in the members' configurations, one admitted by governance.

use std::path::PathBuf;
use std::time::Duration;

use prost::Message;
use yinzheng_consortium::cluster::{Client, connect};
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;
use yinzheng_genesis::testnet::{self, Testnet};
use yinzheng_ledger::VerdictStatus;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{Bundle, RegisterPeer};
use yinzheng_node::app::now_ms;
use yinzheng_node::config::NodeConfig;
use yinzheng_node::proto::subject_ref::By;
use yinzheng_node::proto::{BundleRequest, SubjectRef, SubmitRequest};

use crate::common::{SERIAL, extra_node, height, run_node, start_with, submit_wait};

const BASE: u16 = 29700;
const OBSERVER_P2P: u16 = BASE + 10;
const OBSERVER_GRPC: u16 = BASE + 110;

/// Create the observer's directory (a network key, no consensus key) and
/// let every member's configuration accept and dial it.
fn add_observer(net: &Testnet) -> PathBuf {
    let dir = net.dir.join("observer");
    std::fs::create_dir_all(&dir).unwrap();
    let p2p = SigningKey::generate(Suite::Intl).unwrap();
    write_key(&dir.join("p2p.pem"), &p2p).unwrap();
    let addr = format!(
        "/ip4/127.0.0.1/tcp/{OBSERVER_P2P}/p2p/{}",
        testnet::peer_id(&p2p).unwrap()
    );
    for n in &net.nodes {
        let path = n.dir.join("config.toml");
        let mut c = NodeConfig::load(&path).unwrap();
        c.peers.push(addr.clone());
        std::fs::write(&path, c.to_toml()).unwrap();
    }
    let config = NodeConfig {
        http_listen: Some(format!(
            "127.0.0.1:{}",
            OBSERVER_GRPC + testnet::HTTP_PORT_OFFSET
        )),
        ..extra_node(
            "observer",
            None,
            OBSERVER_P2P,
            OBSERVER_GRPC,
            net.nodes.iter().map(|n| n.p2p_addr()).collect(),
        )
    };
    std::fs::write(dir.join("config.toml"), config.to_toml()).unwrap();
    dir
}

async fn bundle(c: &mut Client, id: &[u8], compact: bool) -> Vec<u8> {
    c.get_bundle(BundleRequest {
        subject: Some(SubjectRef {
            by: Some(By::RecordId(id.to_vec())),
        }),
        compact,
    })
    .await
    .unwrap()
    .into_inner()
    .bundle
}

/// A bundle without its commit certificates: which quorum of precommits a
/// node collected (or synced) may differ between nodes; all else may not.
fn without_certificates(bytes: &[u8]) -> Vec<u8> {
    let mut b = Bundle::decode(bytes).unwrap();
    if let Some(a) = b.anchor.as_mut() {
        a.certificate = None;
    }
    if let Some(c) = b.status.as_mut().and_then(|s| s.checkpoint.as_mut()) {
        c.certificate = None;
    }
    for v in &mut b.validator_changes {
        if let Some(c) = v.checkpoint.as_mut() {
            c.certificate = None;
        }
    }
    b.encode_to_vec()
}

async fn wait_for(c: &mut Client, h: u64, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    while height(c).await < h {
        assert!(
            std::time::Instant::now() < deadline,
            "the observer did not reach height {h}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observer_catches_up_serves_the_same_bundles_and_never_counts() {
    let _serial = SERIAL.lock().await;
    let mut dir = None;
    let mut net = start_with(BASE, |t| dir = Some(add_observer(t))).await;
    let dir = dir.unwrap();
    // Records committed before the observer exists.
    let mut records = Vec::new();
    for (n, i) in (0..6).zip([0, 1, 2, 3].into_iter().cycle()) {
        let r = net.certificate(n);
        submit_wait(&mut net.clients[i], &r).await;
        records.push(r);
    }
    // Started from empty: it catches up from the members.
    let mut child = run_node(&dir);
    let url = format!("http://127.0.0.1:{OBSERVER_GRPC}");
    let mut obs = connect(&url, Duration::from_secs(60)).await.unwrap();
    let target = height(&mut net.clients[0]).await;
    wait_for(&mut obs, target, Duration::from_secs(60)).await;
    let verifier = yinzheng_ledger::BundleVerifier::new(&net.cluster.net.genesis).unwrap();
    for r in &records {
        let id = r.id().0;
        let ours = bundle(&mut obs, &id, true).await;
        let theirs = bundle(&mut net.clients[1], &id, true).await;
        assert_eq!(without_certificates(&ours), without_certificates(&theirs));
        for b in [&ours, &bundle(&mut obs, &id, false).await] {
            let v = verifier.verify_bytes(b, None);
            assert_eq!(v.status, VerdictStatus::Valid, "{v:?}");
        }
    }
    // It takes no submissions: a record left with it would never be proposed.
    let refused = obs
        .submit(SubmitRequest {
            record: net.certificate(100).bytes().to_vec(),
            wait: false,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert!(refused.message().starts_with("OBSERVER"), "{refused:?}");
    let (_, health) = crate::http::get(OBSERVER_GRPC + testnet::HTTP_PORT_OFFSET, "/health").await;
    assert!(health.contains("\"role\":\"observer\""), "{health}");

    // A second observer, listed in no member's configuration but admitted
    // by governance (`RegisterPeer`), catches up and serves the same bundles.
    let mut child2 = second_observer(&mut net).await;
    let mut obs2 = connect(
        &format!("http://127.0.0.1:{}", OBSERVER_GRPC + 1),
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let target = height(&mut net.clients[0]).await;
    wait_for(&mut obs2, target, Duration::from_secs(60)).await;
    for r in &records {
        let id = r.id().0;
        assert_eq!(
            without_certificates(&bundle(&mut obs2, &id, true).await),
            without_certificates(&bundle(&mut obs, &id, true).await)
        );
    }

    // Killed -9 while the members commit, it restarts consistent and follows.
    let load = {
        let rs: Vec<_> = (200..230).map(|n| net.certificate(n)).collect();
        let mut c = net.clients[2].clone();
        tokio::spawn(async move {
            for r in rs {
                submit_wait(&mut c, &r).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    load.await.unwrap();
    let mut child = run_node(&dir);
    let mut obs = connect(&url, Duration::from_secs(60)).await.unwrap();
    let target = height(&mut net.clients[0]).await;
    wait_for(&mut obs, target, Duration::from_secs(60)).await;
    for h in 1..=target {
        assert_eq!(
            crate::common::header(&mut obs, h).await,
            crate::common::header(&mut net.clients[0], h).await,
            "height {h}"
        );
    }

    // Its vote would never count: with two of four members stopped, the
    // observer does not make a quorum and no block commits.
    net.cluster.stop(3);
    net.cluster.stop(2);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stalled = height(&mut net.clients[0]).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(height(&mut net.clients[0]).await, stalled);
    assert_eq!(height(&mut obs).await, stalled);
    assert_eq!(height(&mut obs2).await, stalled);
    for c in [&mut child, &mut child2] {
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

/// Start an observer whose identity the province's admin registers on the
/// ledger (no member lists it); wait for the registration to commit.
async fn second_observer(net: &mut crate::common::Net) -> std::process::Child {
    let dir = net.dir.path().join("observer-2");
    std::fs::create_dir_all(&dir).unwrap();
    let p2p = SigningKey::generate(Suite::Intl).unwrap();
    write_key(&dir.join("p2p.pem"), &p2p).unwrap();
    let config = extra_node(
        "observer-2",
        None,
        OBSERVER_P2P + 1,
        OBSERVER_GRPC + 1,
        net.cluster.net.nodes.iter().map(|n| n.p2p_addr()).collect(),
    );
    std::fs::write(dir.join("config.toml"), config.to_toml()).unwrap();
    let genesis = &net.cluster.net.genesis;
    let register = net
        .samples
        .record(
            Kind::RegisterPeer(RegisterPeer {
                org: genesis.organisations[0].credit_code.clone(),
                peer_public_key: p2p.verifying_key().to_bytes(),
                role: 1,
            }),
            &net.samples.keys.province_admin,
            now_ms(),
        )
        .unwrap();
    submit_wait(&mut net.clients[0], &register).await;
    run_node(&dir)
}

//! The peer allowlist: a node whose network identity is neither a member's
//! nor registered by governance cannot join, so it never even syncs the
//! chain; one registered is admitted, and removed, without restarts.

use std::time::Duration;

use yinzheng_consortium::cluster::{connect, wait_height};
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{RegisterPeer, RemovePeer};
use yinzheng_node::app::now_ms;

use crate::common::{SERIAL, extra_node, height, run_node, start, submit_wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_is_not_a_member_cannot_join() {
    let _serial = SERIAL.lock().await;
    let mut net = start(27600).await;
    let dir = net.dir.path().join("outsider");
    std::fs::create_dir_all(&dir).unwrap();
    write_key(
        &dir.join("consensus.pem"),
        &SigningKey::generate(Suite::Sm).unwrap(),
    )
    .unwrap();
    write_key(
        &dir.join("p2p.pem"),
        &SigningKey::generate(Suite::Intl).unwrap(),
    )
    .unwrap();
    let config = extra_node(
        "outsider",
        Some("consensus.pem"),
        27690,
        27790,
        net.cluster.net.nodes.iter().map(|n| n.p2p_addr()).collect(),
    );
    std::fs::write(dir.join("config.toml"), config.to_toml()).unwrap();
    let mut child = run_node(&dir);
    let mut outsider = connect("http://127.0.0.1:27790", Duration::from_secs(60))
        .await
        .unwrap();
    let members = height(&mut net.clients[0]).await;
    // The members keep going; the outsider is refused and learns nothing.
    wait_height(&mut net.clients, members + 10, Duration::from_secs(60))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let h = height(&mut outsider).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(h, 0, "a non-member synced {h} blocks");
    let logs: String = net
        .cluster
        .net
        .nodes
        .iter()
        .map(|n| std::fs::read_to_string(n.dir.join("node.log")).unwrap_or_default())
        .collect();
    assert!(
        logs.contains("non-persistent peer"),
        "members did not log refusing the outsider"
    );
}

/// An observer's network identity admitted by governance, with no member
/// restarted: refused while unregistered; once its organisation's admin has
/// registered it (`RegisterPeer`), the members accept it and it syncs (and a
/// member restarted admits it again from committed state); once the
/// registration is removed (`RemovePeer`), they disconnect it and it falls
/// behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observer_registered_by_governance_is_admitted_without_restarts() {
    let _serial = SERIAL.lock().await;
    let mut net = start(26300).await;
    let dir = net.dir.path().join("observer");
    std::fs::create_dir_all(&dir).unwrap();
    let p2p = SigningKey::generate(Suite::Intl).unwrap();
    write_key(&dir.join("p2p.pem"), &p2p).unwrap();
    let config = extra_node(
        "observer",
        None,
        26310,
        26410,
        net.cluster.net.nodes.iter().map(|n| n.p2p_addr()).collect(),
    );
    std::fs::write(dir.join("config.toml"), config.to_toml()).unwrap();
    let mut child = run_node(&dir);
    let mut observer = connect("http://127.0.0.1:26410", Duration::from_secs(60))
        .await
        .unwrap();
    let members = height(&mut net.clients[0]).await;
    wait_height(&mut net.clients, members + 5, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        height(&mut observer).await,
        0,
        "an unregistered identity synced"
    );

    let genesis = net.cluster.net.genesis.clone();
    let org = genesis.organisations[0].credit_code.clone();
    let peer_public_key = p2p.verifying_key().to_bytes();
    let record = |kind: Kind| {
        net.samples
            .record(kind, &net.samples.keys.province_admin, now_ms())
            .unwrap()
    };
    let register = record(Kind::RegisterPeer(RegisterPeer {
        org,
        peer_public_key: peer_public_key.clone(),
        role: 1,
    }));
    let remove = record(Kind::RemovePeer(RemovePeer {
        peer_public_key,
        reason: "decommissioned".into(),
    }));
    let h = submit_wait(&mut net.clients[0], &register).await;
    wait_height(
        std::slice::from_mut(&mut observer),
        h,
        Duration::from_secs(60),
    )
    .await
    .expect("the registered observer was not admitted");

    // A member restarted reads the identities in force at start.
    net.cluster.stop(0);
    net.cluster.start(0).unwrap();
    net.reconnect(0).await;
    let log0 = net.cluster.net.nodes[0].dir.join("node.log");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&log0)
        .unwrap_or_default()
        .matches("network identity admitted by governance")
        .count()
        < 2
    {
        assert!(
            std::time::Instant::now() < deadline,
            "a restarted member did not admit the registered identity"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let top = height(&mut net.clients[1]).await;
    wait_height(&mut net.clients[..1], top, Duration::from_secs(60))
        .await
        .unwrap();

    submit_wait(&mut net.clients[1], &remove).await;
    // Disconnected within moments of the commit; the members go on.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopped = height(&mut observer).await;
    wait_height(&mut net.clients, stopped + 10, Duration::from_secs(60))
        .await
        .unwrap();
    let after = height(&mut observer).await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        after <= stopped + 1,
        "a removed identity kept syncing: {stopped} → {after}"
    );
    for n in &net.cluster.net.nodes {
        let log = std::fs::read_to_string(n.dir.join("node.log")).unwrap_or_default();
        assert!(
            log.contains("network identity admitted by governance"),
            "{}",
            n.moniker
        );
        assert!(
            log.contains("network identity removed by governance"),
            "{}",
            n.moniker
        );
    }
}

/// The peer id of a registered key, as `tests/vectors/peers/peers.json`
/// (computed without libp2p) gives it.
#[test]
fn peer_ids_agree_with_the_vectors() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/peers/peers.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let key = hex::decode(c["public_key"].as_str().unwrap()).unwrap();
        let id = yinzheng_node::membership::peer_id(&key).unwrap();
        assert_eq!(id.to_string(), c["peer_id"].as_str().unwrap());
    }
    assert!(yinzheng_node::membership::peer_id(&[7; 31]).is_none());
}

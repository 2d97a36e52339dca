//! The peer allowlist: a node whose network identity is not a member's
//! cannot join, so it never even syncs the chain.

use std::time::Duration;

use yinzheng_consortium::cluster::{connect, wait_height};
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;

use crate::common::{SERIAL, exe, extra_node, height, start};

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
    let log = std::fs::File::create(dir.join("node.log")).unwrap();
    let mut child = std::process::Command::new(exe())
        .args(["run", "--config"])
        .arg(dir.join("config.toml"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
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

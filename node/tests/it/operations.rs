//! An operator's routine changes, done as `docs/operator-guide.md` says,
//! without stopping the consortium: a rolling upgrade, a consensus key
//! rotated through governance.

use std::time::Duration;

use yinzheng_consortium::cluster::wait_height;
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;
use yinzheng_ledger::Record;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{ChangeValidators, Validator};
use yinzheng_node::app::now_ms;
use yinzheng_node::config::NodeConfig;
use yinzheng_node::proto::RecordRef;

use crate::common::{SERIAL, assert_same_headers, exe, height, start, submit_wait};

/// One validator at a time is stopped (SIGTERM, as `systemctl stop` sends),
/// started again from the new release's binary, and caught up before the
/// next; the consortium commits throughout (n = 4 tolerates one down).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4_rolling_upgrade_one_validator_at_a_time_keeps_committing() {
    let _serial = SERIAL.lock().await;
    let mut net = start(29200).await;
    // The "new release": another file, so each restarted process is seen to
    // run from it. (Same build: format changes come with a new format
    // version, docs/operator-guide.md.)
    let release = net.dir.path().join("release-next");
    std::fs::create_dir_all(&release).unwrap();
    let next = release.join("yinzheng-node");
    std::fs::copy(exe(), &next).unwrap();
    net.cluster.set_binary(next.clone());

    let mut ids = Vec::new();
    let mut top = 0;
    for i in 0..4 {
        net.cluster.stop(i);
        // While it is down the other three commit, through any of them.
        for k in 0..2 {
            let r = net.certificate((i * 10 + k) as u64);
            let via = (i + 1 + k) % 4;
            top = top.max(submit_wait(&mut net.clients[via], &r).await);
            ids.push(r.id());
        }
        net.cluster.start(i).unwrap();
        let pid = net.cluster.pid(i).unwrap();
        assert_eq!(
            std::fs::read_link(format!("/proc/{pid}/exe")).unwrap(),
            next,
            "node {i} was not started from the new release"
        );
        net.reconnect(i).await;
        // Caught up before the next one goes down.
        wait_height(&mut net.clients[i..=i], top, Duration::from_secs(60))
            .await
            .unwrap();
    }
    let top = height(&mut net.clients[0]).await;
    wait_height(&mut net.clients, top, Duration::from_secs(60))
        .await
        .unwrap();
    assert_same_headers(&mut net.clients, &[0, 1, 2, 3], top).await;
    for c in net.clients.iter_mut() {
        for id in &ids {
            c.get_record(RecordRef {
                record_id: id.0.to_vec(),
            })
            .await
            .unwrap();
        }
    }
}

/// Validator 3's consensus key replaced by a new one: the committee commits
/// the set with the new key; once it is in force the operator stops the
/// node, points its configuration at the new key and starts it. With another
/// validator then down, blocks commit only if the new key's votes count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4_consensus_key_rotated_through_governance() {
    let _serial = SERIAL.lock().await;
    let mut net = start(26000).await;
    let genesis = net.cluster.net.genesis.clone();
    let node3 = net.cluster.net.nodes[3].dir.clone();
    let new_key = SigningKey::generate(Suite::Sm).unwrap();
    let new_path = node3.join("consensus-2.pem");
    write_key(&new_path, &new_key).unwrap();
    let new_pk = new_key.verifying_key().to_bytes();
    let set: Vec<Validator> = genesis
        .validators
        .iter()
        .enumerate()
        .map(|(i, v)| Validator {
            public_key: if i == 3 {
                new_pk.clone()
            } else {
                hex::decode(&v.public_key).unwrap()
            },
            power: v.power,
            org: v.org.clone(),
        })
        .collect();
    let k = &net.samples.keys;
    let change = Record::sign(
        net.samples.params(),
        Kind::ChangeValidators(ChangeValidators { validators: set }),
        now_ms(),
        &[(&k.province_admin, ""), (&k.shenzhen_admin, "")],
    )
    .unwrap();
    let h = submit_wait(&mut net.clients[0], &change).await;
    // In force two heights after its block (node 3 still votes with its
    // old key until then; after, its old votes count for nothing).
    wait_height(&mut net.clients[..3], h + 2, Duration::from_secs(30))
        .await
        .unwrap();

    net.cluster.stop(3);
    let config_path = node3.join("config.toml");
    let mut config = NodeConfig::load(&config_path).unwrap();
    config.consensus_key = Some(new_path.clone());
    std::fs::write(&config_path, config.to_toml()).unwrap();
    net.cluster.start(3).unwrap();
    net.reconnect(3).await;
    let top = height(&mut net.clients[0]).await;
    wait_height(&mut net.clients[3..], top, Duration::from_secs(60))
        .await
        .unwrap();

    // Validator 2 down: a quorum is 0, 1 and 3, so node 3 must be voting
    // with its new key for anything to commit.
    net.cluster.kill(2);
    for n in 0..3 {
        let r = net.certificate(500 + n);
        let at = submit_wait(&mut net.clients[(n % 2) as usize], &r).await;
        assert!(at > h + 2);
    }
    let top = height(&mut net.clients[0]).await;
    assert_same_headers(&mut net.clients, &[0, 1, 3], top).await;
}

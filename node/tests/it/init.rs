//! `yinzheng-node init`: a configuration from the genesis and key files,
//! checked first; bad input is refused and nothing is written.

use std::path::Path;
use std::process::{Command, Output};

use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_node::config::NodeConfig;

use crate::common::exe;

fn init(dir: &Path, args: &[&str]) -> Output {
    Command::new(exe())
        .arg("init")
        .arg("--dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn init_writes_a_checked_configuration_and_refuses_bad_input() {
    let home = tempfile::tempdir().unwrap();
    let net = testnet::create(
        &home.path().join("net"),
        &TestnetOptions {
            chain_id: "yz-init".into(),
            validators: 4,
            p2p_base_port: 26650,
            grpc_base_port: 50050,
            genesis_time_ms: 1_763_800_000_000,
        },
    )
    .unwrap();
    let (n0, n1) = (&net.nodes[0], &net.nodes[1]);
    let s = |p: &Path| p.display().to_string();
    let genesis = s(&net.genesis_path);
    let v = home.path().join("validator");
    let o = init(
        &v,
        &[
            "--genesis",
            &genesis,
            "--consensus-key",
            &s(&n0.consensus_key),
            "--p2p-key",
            &s(&n0.p2p_key),
            "--peer",
            &n1.p2p_addr(),
            "--http-listen",
            "0.0.0.0:8080",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&n0.peer_id), "{}", text(&o));
    assert!(text(&o).contains("validator"), "{}", text(&o));
    assert!(!text(&o).contains("warning"), "{}", text(&o));
    let c = NodeConfig::load(&v.join("config.toml")).unwrap();
    assert_eq!(c.grpc_listen, "127.0.0.1:50050");
    assert_eq!(c.http_listen.as_deref(), Some("0.0.0.0:8080"));
    assert_eq!(c.peers, [n1.p2p_addr()]);
    assert_eq!(c.db, v.join("db"));
    assert!(c.consensus_key.unwrap().is_absolute());
    // Never over an existing configuration.
    let before = std::fs::read(v.join("config.toml")).unwrap();
    let o = init(&v, &["--genesis", &genesis, "--p2p-key", &s(&n0.p2p_key)]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not overwritten"), "{}", text(&o));
    assert_eq!(std::fs::read(v.join("config.toml")).unwrap(), before);

    // No consensus key: an observer; its data in a directory of its own
    // (as a package keeps /etc/yinzheng apart from /var/lib/yinzheng).
    let obs = home.path().join("observer");
    let data = home.path().join("var/observer");
    let o = init(
        &obs,
        &[
            "--genesis",
            &genesis,
            "--p2p-key",
            &s(&n1.p2p_key),
            "--data-dir",
            &s(&data),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("observer"), "{}", text(&o));
    let c = NodeConfig::load(&obs.join("config.toml")).unwrap();
    assert!(c.consensus_key.is_none());
    assert!(data.is_dir());
    assert_eq!(c.db, data.canonicalize().unwrap().join("db"));
    assert_eq!(c.wal, data.canonicalize().unwrap().join("wal"));

    // Refused, nothing written: an SM2 key as the network key, a peer without
    // its identity, an Ed25519 key as the consensus key, a missing genesis.
    let bad = home.path().join("bad");
    for args in [
        vec!["--genesis", &genesis, "--p2p-key", &s(&n0.consensus_key)],
        vec![
            "--genesis",
            &genesis,
            "--p2p-key",
            &s(&n0.p2p_key),
            "--peer",
            "/ip4/10.0.0.1/tcp/26650",
        ],
        vec![
            "--genesis",
            &genesis,
            "--p2p-key",
            &s(&n0.p2p_key),
            "--consensus-key",
            &s(&n0.p2p_key),
        ],
        vec![
            "--genesis",
            "no-such-genesis.json",
            "--p2p-key",
            &s(&n0.p2p_key),
        ],
    ] {
        let bad_data = home.path().join("var/bad");
        let data_arg = s(&bad_data);
        let args = [args, vec!["--data-dir", &data_arg]].concat();
        let o = init(&bad, &args);
        assert!(!o.status.success(), "{args:?} accepted");
        assert!(text(&o).contains("error"), "{}", text(&o));
        assert!(!bad.join("config.toml").exists(), "{args:?}");
        assert!(!bad_data.exists(), "{args:?}");
    }

    // A consensus key outside the genesis set, readable by anyone: written,
    // with a warning for each.
    let stranger = home.path().join("stranger.pem");
    write_key(&stranger, &SigningKey::generate(Suite::Sm).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&stranger, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let o = init(
        &home.path().join("joining"),
        &[
            "--genesis",
            &genesis,
            "--consensus-key",
            &s(&stranger),
            "--p2p-key",
            &s(&n0.p2p_key),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("not in the genesis validator set"),
        "{}",
        text(&o)
    );
    #[cfg(unix)]
    assert!(text(&o).contains("chmod 600"), "{}", text(&o));
}

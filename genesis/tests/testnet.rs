//! The local testnet generator and the sample records.

use std::os::unix::fs::PermissionsExt;

use yinzheng_genesis::keyfiles::read_key;
use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{MemChain, Outcome};

fn opts() -> TestnetOptions {
    TestnetOptions {
        chain_id: "yz-gen-test".into(),
        validators: 4,
        p2p_base_port: 26000,
        grpc_base_port: 26100,
        genesis_time_ms: 1_763_800_000_000,
    }
}

#[test]
fn testnet_keys_are_private_distinct_and_match_the_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let net = testnet::create(dir.path(), &opts()).unwrap();
    let text = std::fs::read_to_string(&net.genesis_path).unwrap();
    let g = Genesis::from_json(&text).unwrap();
    assert_eq!(g.validators.len(), 4);
    assert_eq!(g.organisations.len(), 4);
    let mut peers = std::collections::HashSet::new();
    for (n, v) in net.nodes.iter().zip(&g.validators) {
        for f in [&n.consensus_key, &n.p2p_key] {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
        let ck = read_key(&n.consensus_key).unwrap();
        assert_eq!(hex::encode(ck.verifying_key().to_bytes()), v.public_key);
        let pk = read_key(&n.p2p_key).unwrap();
        assert_eq!(testnet::peer_id(&pk).unwrap(), n.peer_id);
        assert!(n.p2p_addr().ends_with(&n.peer_id));
        assert!(peers.insert(n.peer_id.clone()), "peer id repeated");
    }
    // Never over an existing testnet.
    assert!(testnet::create(dir.path(), &opts()).is_err());
}

#[test]
fn sample_records_commit_in_the_demo_consortium() {
    let dir = tempfile::tempdir().unwrap();
    let net = testnet::create(dir.path(), &opts()).unwrap();
    let keys = testnet::issuer_keys(&net.keys_dir).unwrap();
    let s = Samples::new(&net.genesis, keys).unwrap();
    let mut chain = MemChain::new(&net.genesis).unwrap();
    let t = net.genesis.genesis_time_ms + 10_000;
    let seal = yinzheng_crypto::SigningKey::generate(yinzheng_crypto::Suite::Sm).unwrap();
    let mut blocks = vec![
        vec![s.certificate("NO-1", b"doc", "holder", t).unwrap()],
        vec![
            s.revoke_certificate("NO-1", t).unwrap(),
            s.register_seal("SEAL-1", &seal, t).unwrap(),
        ],
        vec![s.stamp("SEAL-1", &seal, b"document", t).unwrap()],
    ];
    for r in s.data_sharing("REQ-1", b"payload", t).unwrap() {
        blocks.push(vec![r]);
    }
    for (i, b) in blocks.iter().enumerate() {
        let (_, outcomes) = chain.produce(b, t + 1000 * (i as u64 + 1), 0).unwrap();
        for o in outcomes {
            assert!(matches!(o, Outcome::Committed { .. }), "block {i}: {o:?}");
        }
    }
}

//! `tests/vectors/peers/peers.json` (records.md §3.3, status-map.md §2),
//! written by a second implementation (`make.py`): a registration's
//! protobuf and its status-map key agree with ours.

use prost::Message;
use yinzheng_ledger::StateKey;
use yinzheng_ledger::crypto::Suite;
use yinzheng_ledger::proto::RegisterPeer;

#[test]
fn peer_vectors_agree() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/peers/peers.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for c in cases {
        let key = hex::decode(c["public_key"].as_str().unwrap()).unwrap();
        let digest = StateKey::Peer(key.clone()).digest(Suite::Sm);
        assert_eq!(hex::encode(digest.0), c["state_key_sm3"].as_str().unwrap());
        let r = &c["register_peer"];
        let msg = RegisterPeer {
            org: r["org"].as_str().unwrap().into(),
            peer_public_key: key,
            role: i32::try_from(r["role"].as_i64().unwrap()).unwrap(),
        };
        assert_eq!(
            hex::encode(msg.encode_to_vec()),
            c["register_peer_protobuf"].as_str().unwrap()
        );
    }
}

//! The mempool on its own: bounded with BUSY, duplicates refused, arrival
//! order kept, committed records removed.

use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_node::mempool::{AdmitError, Mempool};

#[test]
fn bounded_fifo_without_duplicates() {
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
    let r: Vec<_> = (0..3)
        .map(|i| {
            s.certificate(&format!("NO-{i}"), b"d", "h", 1_763_800_010_000)
                .unwrap()
        })
        .collect();
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

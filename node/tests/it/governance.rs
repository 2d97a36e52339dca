//! A validator-set change through governance, end to end: the committee
//! removes one validator; from two heights later the other three certify
//! blocks alone (the removed one's turns as proposer are gone), and bundles
//! of later records carry the change and verify from genesis.

use std::time::{Duration, Instant};

use prost::Message;
use yinzheng_consortium::cluster::wait_height;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{Bundle, ChangeValidators, RecordBody, Validator};
use yinzheng_ledger::{BundleVerifier, Record, VerdictStatus};
use yinzheng_node::app::now_ms;
use yinzheng_node::proto::subject_ref::By;
use yinzheng_node::proto::{BlockRequest, BundleRequest, SubjectRef};

use crate::common::{SERIAL, height, start, submit_wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committee_removes_a_validator_and_the_rest_carry_on() {
    let _serial = SERIAL.lock().await;
    let mut net = start(28000).await;
    let genesis = net.cluster.net.genesis.clone();
    let keep: Vec<Validator> = genesis.validators[..3]
        .iter()
        .map(|v| Validator {
            public_key: hex::decode(&v.public_key).unwrap(),
            power: v.power,
            org: v.org.clone(),
        })
        .collect();
    let body = RecordBody {
        chain_id: genesis.chain_id.clone(),
        signed_at_ms: now_ms(),
        kind: Some(Kind::ChangeValidators(ChangeValidators {
            validators: keep,
        })),
    };
    let k = &net.samples.keys;
    // One committee signature is not enough (threshold 2).
    let one = Record::create(net.samples.params(), &body, &[(&k.province_admin, "")]).unwrap();
    let e = net.clients[0]
        .submit(yinzheng_node::proto::SubmitRequest {
            record: one.bytes().to_vec(),
            wait: true,
        })
        .await
        .unwrap_err();
    assert!(e.message().starts_with("UNAUTHORISED"), "{}", e.message());
    let change = Record::create(
        net.samples.params(),
        &body,
        &[(&k.province_admin, ""), (&k.shenzhen_admin, "")],
    )
    .unwrap();
    let h = submit_wait(&mut net.clients[0], &change).await;
    wait_height(&mut net.clients[..3], h + 2, Duration::from_secs(30))
        .await
        .unwrap();
    net.cluster.kill(3);

    // Ten heights without the removed validator: no proposer turn of a dead
    // node to time out.
    let start_h = height(&mut net.clients[0]).await;
    let t = Instant::now();
    wait_height(&mut net.clients[..3], start_h + 10, Duration::from_secs(60))
        .await
        .unwrap();
    let rate = 10.0 / t.elapsed().as_secs_f64();
    assert!(rate > 2.0, "{rate:.2} heights/s after the change");

    // Blocks from h + 2 are certified by the three: validator 3 never signs.
    let b = net.clients[0]
        .get_block(BlockRequest { height: h + 3 })
        .await
        .unwrap()
        .into_inner();
    let signers = b.certificate.unwrap().signers;
    assert_eq!(signers.first().copied().unwrap_or(0) & 0b1000, 0);

    // A record committed after the change: its bundle carries the change and
    // verifies from genesis alone.
    let r = net.certificate(7);
    submit_wait(&mut net.clients[1], &r).await;
    let bytes = net.clients[1]
        .get_bundle(BundleRequest {
            subject: Some(SubjectRef {
                by: Some(By::RecordId(r.id().0.to_vec())),
            }),
            compact: false,
        })
        .await
        .unwrap()
        .into_inner()
        .bundle;
    let bundle = Bundle::decode(bytes.as_slice()).unwrap();
    assert_eq!(bundle.validator_changes.len(), 1);
    let v = BundleVerifier::new(&genesis)
        .unwrap()
        .verify_bytes(&bytes, None);
    assert_eq!(v.status, VerdictStatus::Valid, "{:?}", v.error);
}

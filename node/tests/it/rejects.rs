//! Bad input to the API: each refused with its precise reason code, never
//! committed, and the node keeps running.

use prost::Message;
use tonic::Code;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{Envelope, RevokeKey};
use yinzheng_ledger::{MAX_RECORD_BYTES, Record};
use yinzheng_node::app::now_ms;
use yinzheng_node::cluster::Client;
use yinzheng_node::proto::{InfoRequest, RecordRef, SubmitRequest};

use crate::common::{SERIAL, start, submit_wait};

async fn refused(c: &mut Client, bytes: Vec<u8>, code: Code, reason: &str) {
    let e = c
        .submit(SubmitRequest {
            record: bytes,
            wait: true,
        })
        .await
        .expect_err("the node accepted bad input");
    assert_eq!(e.code(), code, "{}", e.message());
    assert!(
        e.message().starts_with(&format!("{reason}: ")),
        "expected {reason}, got {}",
        e.message()
    );
    // Still serving.
    c.get_info(InfoRequest {}).await.unwrap();
}

async fn not_committed(c: &mut Client, r: &Record) {
    let e = c
        .get_record(RecordRef {
            record_id: r.id().0.to_vec(),
        })
        .await
        .expect_err("a refused record was committed");
    assert_eq!(e.code(), Code::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_records_are_refused_with_their_reason_and_never_committed() {
    let _serial = SERIAL.lock().await;
    let net = start(27500).await;
    let c = &mut net.clients[1].clone();

    // Malformed bytes and an oversize record.
    refused(
        c,
        vec![0xff, 0x01, 0x02],
        Code::InvalidArgument,
        "MALFORMED",
    )
    .await;
    refused(
        c,
        vec![0u8; MAX_RECORD_BYTES + 1],
        Code::InvalidArgument,
        "OVERSIZE",
    )
    .await;

    // A bad signature: one bit of the signature flipped.
    let good = net.certificate(1);
    let mut env = Envelope::decode(good.bytes()).unwrap();
    env.signatures[0].signature[10] ^= 1;
    refused(
        c,
        env.encode_to_vec(),
        Code::InvalidArgument,
        "BAD_SIGNATURE",
    )
    .await;
    not_committed(c, &good).await;

    // An issuer key without authority: the district operator signs a
    // certificate of the Shenzhen bureau.
    let body = yinzheng_ledger::proto::RecordBody::decode(env.body.as_slice()).unwrap();
    let k = &net.samples.keys.nanshan_operator;
    let forged = net
        .samples
        .record(body.kind.clone().unwrap(), k, now_ms())
        .unwrap();
    refused(
        c,
        forged.bytes().to_vec(),
        Code::PermissionDenied,
        "UNAUTHORISED",
    )
    .await;
    not_committed(c, &forged).await;

    // Duplicate: in the mempool, then once committed.
    let r = net.certificate(2);
    c.submit(SubmitRequest {
        record: r.bytes().to_vec(),
        wait: false,
    })
    .await
    .unwrap();
    refused(c, r.bytes().to_vec(), Code::AlreadyExists, "DUPLICATE").await;
    let mut c2 = net.clients[1].clone();
    let id = r.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while c2
        .get_record(RecordRef {
            record_id: id.0.to_vec(),
        })
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "record never committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    refused(c, r.bytes().to_vec(), Code::AlreadyExists, "DUPLICATE").await;

    // A revoked key: the Shenzhen administrator revokes its operator's key,
    // whose next certificate is refused.
    let op = net
        .samples
        .keys
        .shenzhen_operator
        .verifying_key()
        .to_bytes();
    let revoke = net
        .samples
        .record(
            Kind::RevokeKey(RevokeKey {
                public_key: op,
                reason: "key compromise".into(),
            }),
            &net.samples.keys.shenzhen_admin,
            now_ms(),
        )
        .unwrap();
    submit_wait(c, &revoke).await;
    let after = net.certificate(3);
    refused(
        c,
        after.bytes().to_vec(),
        Code::PermissionDenied,
        "KEY_REVOKED",
    )
    .await;
    not_committed(c, &after).await;

    // A record for another chain.
    let mut other = body.clone();
    other.chain_id = "another-chain".into();
    let foreign = Record::create(
        &yinzheng_ledger::ChainParams::new("another-chain", yinzheng_crypto::Suite::Sm),
        &other,
        &[(k, "")],
    )
    .unwrap();
    refused(
        c,
        foreign.bytes().to_vec(),
        Code::InvalidArgument,
        "WRONG_CHAIN",
    )
    .await;
}

//! Bad input to the API: each refused with its precise reason code, never
//! committed, and the node keeps running.

use prost::Message;
use tonic::Code;
use yinzheng_consortium::cluster::Client;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{Envelope, RevokeKey};
use yinzheng_ledger::{MAX_SEAL_RECORD_BYTES, Record};
use yinzheng_node::app::now_ms;
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
        vec![0u8; MAX_SEAL_RECORD_BYTES + 1],
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

/// What a stranger or one faulty member can make a node spend (threat model
/// A5): unknown keys cost no signature check, `Relay` is members-only and
/// bounded, and block streams are bounded per client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_no_free_work_and_relay_is_for_members() {
    use yinzheng_node::proto::{RelayRequest, StreamBlocksRequest};
    use yinzheng_node::relay::{MAX_RELAY_RECORDS, relay_message};

    let _serial = SERIAL.lock().await;
    let net = start(28100).await;
    let c = &mut net.clients[2].clone();

    // A throwaway key with a garbage signature: refused as unknown, which
    // shows the key was looked up before any signature was verified.
    let stranger = yinzheng_crypto::SigningKey::generate(yinzheng_crypto::Suite::Sm).unwrap();
    let r = net
        .samples
        .record(
            net.certificate(1).body().kind.clone().unwrap(),
            &stranger,
            now_ms(),
        )
        .unwrap();
    let mut env = Envelope::decode(r.bytes()).unwrap();
    env.signatures[0].signature = vec![7; 64];
    refused(
        c,
        env.encode_to_vec(),
        Code::PermissionDenied,
        "UNKNOWN_KEY",
    )
    .await;

    // Relay: unsigned, signed by a non-member, stale, too large — all refused.
    let chain_id = net.cluster.net.genesis.chain_id.clone();
    let suite = yinzheng_crypto::Suite::Sm;
    let member =
        yinzheng_node::run::load_key(&net.cluster.net.nodes[0].dir.join("consensus.pem")).unwrap();
    let signed = |key: &yinzheng_crypto::SigningKey, records: Vec<Vec<u8>>, time_ms: u64| {
        use yinzheng_crypto::Signer as _;
        let sig = key
            .sign(&relay_message(suite, &chain_id, time_ms, &records))
            .unwrap();
        RelayRequest {
            records,
            public_key: key.verifying_key().to_bytes(),
            signature: sig.to_bytes().to_vec(),
            time_ms,
        }
    };
    let good = net.certificate(2).bytes().to_vec();
    let unauthorised = |e: tonic::Status| {
        assert_eq!(e.code(), Code::PermissionDenied, "{}", e.message());
        assert!(e.message().starts_with("UNAUTHORISED: "), "{}", e.message());
    };
    let e = c
        .relay(RelayRequest {
            records: vec![good.clone()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    unauthorised(e);
    let e = c
        .relay(signed(&stranger, vec![good.clone()], now_ms()))
        .await
        .unwrap_err();
    unauthorised(e);
    let e = c
        .relay(signed(&member, vec![good.clone()], now_ms() - 60_000))
        .await
        .unwrap_err();
    unauthorised(e);
    let many = vec![good.clone(); MAX_RELAY_RECORDS + 1];
    let e = c.relay(signed(&member, many, now_ms())).await.unwrap_err();
    unauthorised(e);
    // A member's relay is admitted.
    let ok = c
        .relay(signed(&member, vec![good.clone()], now_ms()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.admitted, 1);

    // Block streams: four per client, the fifth is refused until one closes.
    let mut open = Vec::new();
    for _ in 0..yinzheng_node::limits::STREAMS_PER_CLIENT {
        open.push(
            c.stream_blocks(StreamBlocksRequest { from_height: 1 })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    let e = c
        .stream_blocks(StreamBlocksRequest { from_height: 1 })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{}", e.message());
    drop(open);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match c
            .stream_blocks(StreamBlocksRequest { from_height: 1 })
            .await
        {
            Ok(_) => break,
            Err(e) => {
                assert!(std::time::Instant::now() < deadline, "{}", e.message());
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    }
}

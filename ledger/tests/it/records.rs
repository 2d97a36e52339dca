//! Stateless checks: each refused with its stable code.

use prost::Message;
use yinzheng_ledger::crypto::{SigningKey, Suite};
use yinzheng_ledger::proto::{Envelope, RecordSignature, record_body::Kind};
use yinzheng_ledger::{ChainParams, MAX_SEAL_RECORD_BYTES, Record, RejectCode};

use crate::fixture::{Fixture, pk};

fn code_of(params: &ChainParams, bytes: &[u8]) -> RejectCode {
    Record::decode(params, bytes).unwrap_err().code
}

#[test]
fn a_valid_record_round_trips_and_has_a_stable_id() {
    let f = Fixture::new();
    let r = f.issue_record("NO-1", b"file");
    let again = Record::decode(&f.params, r.bytes()).unwrap();
    assert_eq!(again.id(), r.id());
    // The id is the hash of what was signed, not of the envelope.
    let body = prost::Message::encode_to_vec(r.body());
    assert_eq!(
        r.id(),
        f.params
            .suite
            .hash(&yinzheng_ledger::signing_message(r.kind(), &body))
    );
    assert_ne!(r.id(), f.params.suite.hash(r.bytes()));
    assert_eq!(r.signers()[0].public_key, pk(&f.city_a_operator));
}

#[test]
fn garbage_and_truncation_are_malformed() {
    let f = Fixture::new();
    let r = f.issue_record("NO-1", b"file");
    assert_eq!(
        code_of(&f.params, b"\xff\xff\xff\xff"),
        RejectCode::Malformed
    );
    let b = r.bytes();
    assert_eq!(code_of(&f.params, &b[..b.len() - 3]), RejectCode::Malformed);
    assert_eq!(code_of(&f.params, &[]), RejectCode::Malformed);
}

#[test]
fn oversize_is_refused_before_decoding() {
    let f = Fixture::new();
    assert_eq!(
        code_of(&f.params, &vec![0u8; MAX_SEAL_RECORD_BYTES + 1]),
        RejectCode::Oversize
    );
}

#[test]
fn non_canonical_encodings_are_refused() {
    let f = Fixture::new();
    let r = f.issue_record("NO-1", b"file");
    // An unknown field appended to the envelope: decodes, re-encodes differently.
    let mut b = r.bytes().to_vec();
    b.extend_from_slice(&[0x78, 0x01]); // field 15, varint 1
    assert_eq!(code_of(&f.params, &b), RejectCode::NonCanonical);
    // Fields out of order: signatures before body.
    let env = Envelope::decode(r.bytes()).unwrap();
    let mut swapped = Vec::new();
    for s in &env.signatures {
        let enc = s.encode_to_vec();
        swapped.push(0x12);
        prost::encoding::encode_varint(enc.len() as u64, &mut swapped);
        swapped.extend(enc);
    }
    swapped.push(0x0a);
    prost::encoding::encode_varint(env.body.len() as u64, &mut swapped);
    swapped.extend(&env.body);
    assert_eq!(code_of(&f.params, &swapped), RejectCode::NonCanonical);
}

#[test]
fn wrong_chain_is_refused() {
    let f = Fixture::new();
    let r = f.issue_record("NO-1", b"file");
    let mut other = f.params.clone();
    other.chain_id = "another-chain".into();
    assert_eq!(code_of(&other, r.bytes()), RejectCode::WrongChain);
}

#[test]
fn damaged_signatures_are_refused() {
    let f = Fixture::new();
    let r = f.issue_record("NO-1", b"file");
    let mut env = Envelope::decode(r.bytes()).unwrap();
    env.signatures[0].signature[10] ^= 1;
    assert_eq!(
        code_of(&f.params, &env.encode_to_vec()),
        RejectCode::BadSignature
    );
    // Signed under another distinguishing ID than the one carried.
    let mut env = Envelope::decode(r.bytes()).unwrap();
    env.signatures[0].distid = "ALICE123@YAHOO.COM".into();
    assert_eq!(
        code_of(&f.params, &env.encode_to_vec()),
        RejectCode::BadSignature
    );
    // A body changed after signing.
    let mut env = Envelope::decode(r.bytes()).unwrap();
    let n = env.body.len();
    env.body[n - 1] ^= 1;
    let c = code_of(&f.params, &env.encode_to_vec());
    assert!(
        matches!(c, RejectCode::BadSignature | RejectCode::InvalidField),
        "{c:?}"
    );
    // No signature at all.
    let mut env = Envelope::decode(r.bytes()).unwrap();
    env.signatures.clear();
    assert_eq!(
        code_of(&f.params, &env.encode_to_vec()),
        RejectCode::MissingSignature
    );
    // The same signer twice.
    let mut env = Envelope::decode(r.bytes()).unwrap();
    env.signatures.push(env.signatures[0].clone());
    assert_eq!(
        code_of(&f.params, &env.encode_to_vec()),
        RejectCode::BadSignature
    );
    // A key of another suite.
    let mut env = Envelope::decode(r.bytes()).unwrap();
    let ed = SigningKey::generate(Suite::Intl).unwrap();
    env.signatures[0] = RecordSignature {
        public_key: pk(&ed),
        signature: vec![1; 64],
        distid: String::new(),
    };
    assert_eq!(
        code_of(&f.params, &env.encode_to_vec()),
        RejectCode::BadSignature
    );
}

#[test]
fn invalid_fields_are_refused() {
    let f = Fixture::new();
    let cases: Vec<Kind> = vec![
        Kind::IssueCertificate({
            let mut c = f.issue("NO-1", b"x");
            c.issuer = "91440300MA5DC7YB20".into(); // wrong check digit
            c
        }),
        Kind::IssueCertificate({
            let mut c = f.issue("NO-1", b"x");
            c.file_digest = vec![1; 31];
            c
        }),
        Kind::IssueCertificate({
            let mut c = f.issue("NO-1", b"x");
            c.region = "4403".into();
            c
        }),
        Kind::IssueCertificate({
            let mut c = f.issue("NO-1", b"x");
            c.valid_until_ms = c.valid_from_ms;
            c
        }),
        Kind::IssueCertificate({
            let mut c = f.issue("", b"x");
            c.cert_no.clear();
            c
        }),
        Kind::IssueCertificate({
            let mut c = f.issue("NO-1", b"x");
            c.cert_no = "x".repeat(300);
            c
        }),
    ];
    for k in cases {
        let body = f.body(k);
        let err = Record::create(&f.params, &body, &[(&f.city_a_operator, "")]).unwrap_err();
        assert_eq!(err.code, RejectCode::InvalidField, "{err}");
    }
}

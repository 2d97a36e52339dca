//! Vectors for the checks honest execution never triggers: blocks a faulty
//! quorum certified (records that do not verify, state that contradicts
//! them). A verifier must still refuse them, at the step and with the code
//! the spec gives (bundle.md §6); these vectors prove the codes reachable.

use prost::Message;
use yinzheng_ledger::crypto::{DEFAULT_DISTID, Digest, Signer, SigningKey, Suite};
use yinzheng_ledger::proto::{
    self, CertificateState, Envelope, RecordBody, RecordSignature, SealState, SubjectStatus,
    record_body::Kind,
};
use yinzheng_ledger::{Record, RecordKind, StateKey, signing_message};

use crate::fixture::{self, Fixture};

/// One faulty-quorum vector: the bundle file and the failure it gives.
pub struct Vector {
    pub name: &'static str,
    pub bundle: Vec<u8>,
    pub step: u8,
    pub code: &'static str,
}

/// Commit `record` (bytes, unchecked) with `writes` in a block validators
/// 0–2 certify, and return its bundle (full or compact).
fn forced(
    f: &mut Fixture,
    record: Vec<u8>,
    writes: Vec<(StateKey, Vec<u8>)>,
    full: bool,
) -> Vec<u8> {
    f.time += 2000;
    let (header, ids) = f
        .chain
        .produce_unchecked(&[record], writes, f.time)
        .unwrap();
    f.certify(&header, &[0, 1, 2]);
    f.chain.bundle(&ids[0], full).unwrap().encode_to_vec()
}

fn envelope(r: &Record) -> Envelope {
    Envelope::decode(r.bytes()).unwrap()
}

/// A record signed correctly over a body the field checks refuse.
fn signed_raw(key: &SigningKey, kind: RecordKind, body: &RecordBody) -> Vec<u8> {
    let body = body.encode_to_vec();
    let sig = key.sign(&signing_message(kind, &body)).unwrap();
    Envelope {
        body,
        signatures: vec![RecordSignature {
            public_key: fixture::pk(key),
            signature: sig.to_bytes().to_vec(),
            distid: String::new(),
        }],
    }
    .encode_to_vec()
}

pub fn vectors(f: &mut Fixture, seal_id: &str) -> Vec<Vector> {
    let mut out = Vec::new();
    let mut add = |name, bundle, step, code| {
        out.push(Vector {
            name,
            bundle,
            step,
            code,
        })
    };
    let op = f.city_a_operator.clone();

    // Step 4, the record itself.
    let mut e = envelope(&f.issue_record("F-1", b"F-1"));
    e.signatures[0].signature[5] ^= 1;
    let b = forced(f, e.encode_to_vec(), vec![], false);
    add("faulty-step4-bad-signature.bundle", b, 4, "BAD_SIGNATURE");

    let mut e = envelope(&f.issue_record("F-2", b"F-2"));
    e.signatures[0].distid = DEFAULT_DISTID.into();
    let b = forced(f, e.encode_to_vec(), vec![], false);
    add("faulty-step4-non-canonical.bundle", b, 4, "NON_CANONICAL");

    let mut other = f.params.clone();
    other.chain_id = "another-chain".into();
    let r = Record::sign(
        &other,
        Kind::IssueCertificate(f.issue("F-3", b"F-3")),
        f.time,
        &[(&op, "")],
    )
    .unwrap();
    let b = forced(f, r.bytes().to_vec(), vec![], false);
    add("faulty-step4-wrong-chain.bundle", b, 4, "WRONG_CHAIN");

    let b = forced(f, vec![0xff; 8], vec![], false);
    add("faulty-step4-malformed.bundle", b, 4, "MALFORMED");

    let b = forced(
        f,
        vec![0x0a; yinzheng_ledger::MAX_SEAL_RECORD_BYTES + 1],
        vec![],
        false,
    );
    add("faulty-step4-oversize.bundle", b, 4, "OVERSIZE");

    let mut e = envelope(&f.issue_record("F-6", b"F-6"));
    e.signatures.clear();
    let b = forced(f, e.encode_to_vec(), vec![], false);
    add(
        "faulty-step4-missing-signature.bundle",
        b,
        4,
        "MISSING_SIGNATURE",
    );

    let mut c = f.issue("F-7", b"F-7");
    c.issuer = "not a credit code".into();
    let body = f.body(Kind::IssueCertificate(c));
    let b = forced(
        f,
        signed_raw(&op, RecordKind::IssueCertificate, &body),
        vec![],
        false,
    );
    add("faulty-step4-invalid-field.bundle", b, 4, "INVALID_FIELD");

    // Step 4 against the proven state: a signer nobody registered; a stamp
    // by a key that is not the seal's.
    let stranger = SigningKey::generate(Suite::Sm).unwrap();
    let r = f.record(Kind::IssueCertificate(f.issue("F-8", b"F-8")), &[&stranger]);
    let b = forced(f, r.bytes().to_vec(), vec![], true);
    add("faulty-step4-unknown-key.bundle", b, 4, "UNKNOWN_KEY");

    let stamp = |f: &Fixture, seal: &str, key: &SigningKey| {
        f.record(
            Kind::Stamp(proto::Stamp {
                seal_id: seal.into(),
                document_digest: f.params.suite.hash(b"a document").0.to_vec(),
                ses_signature: Vec::new(),
            }),
            &[key],
        )
    };
    let r = stamp(f, seal_id, &stranger);
    let b = forced(f, r.bytes().to_vec(), vec![], true);
    add("faulty-step4-unauthorised.bundle", b, 4, "UNAUTHORISED");

    // Step 5: the certificate's status entry names another record.
    let r = f.issue_record("F-10", b"F-10");
    let key = StateKey::Certificate {
        issuer: f.city_a.clone(),
        type_code: fixture::CERT_TYPE.into(),
        cert_no: "F-10".into(),
    };
    let state = CertificateState {
        status: SubjectStatus::Active as i32,
        issuer: f.city_a.clone(),
        record_id: Digest([7; 32]).0.to_vec(),
        ..Default::default()
    };
    let b = forced(
        f,
        r.bytes().to_vec(),
        vec![(key, state.encode_to_vec())],
        true,
    );
    add(
        "faulty-step5-status-mismatch.bundle",
        b,
        5,
        "STATUS_MISMATCH",
    );

    // Step 6: a stamp by a seal whose window had ended.
    let old_key = SigningKey::generate(Suite::Sm).unwrap();
    let seal = SealState {
        status: SubjectStatus::Active as i32,
        owner: f.district.clone(),
        seal_public_key: fixture::pk(&old_key),
        valid_from_ms: 0,
        valid_until_ms: fixture::T0,
        ..Default::default()
    };
    let r = stamp(f, "4403050009999", &old_key);
    let writes = vec![(StateKey::Seal("4403050009999".into()), seal.encode_to_vec())];
    let b = forced(f, r.bytes().to_vec(), writes, true);
    add(
        "faulty-step6-outside-validity.bundle",
        b,
        6,
        "OUTSIDE_VALIDITY",
    );
    out
}

//! National-format seals on the ledger (`docs/spec/seals.md` §6–§7): a real
//! `SESeal` is registered only if it verifies; a stamping is anchored only
//! if it verifies against the registered seal; each forgery its own code.

use yinzheng_ledger::crypto::Suite;
use yinzheng_ledger::proto::{self, record_body::Kind};
use yinzheng_ledger::{MAX_RECORD_BYTES, MAX_SEAL_RECORD_BYTES, Record, RejectCode, StateKey};

use crate::fixture::*;

fn rejected(f: &mut Fixture, r: Record) -> RejectCode {
    f.try_commit(r).expect_err("record should be refused").code
}

fn registered(f: &mut Fixture, n: &NationalSeal) {
    let r = f.record(
        Kind::RegisterSeal(n.register(&f.district)),
        &[&f.province_admin],
    );
    f.try_commit(r).unwrap();
}

fn stamping(f: &Fixture, sig: Vec<u8>) -> Record {
    f.record(
        Kind::Stamp(NationalSeal::anchor(sig)),
        &[&f.district_operator],
    )
}

/// A stateless refusal: the record cannot even be made.
fn invalid(f: &Fixture, kind: Kind, key: &yinzheng_ledger::crypto::SigningKey) -> RejectCode {
    Record::create(&f.params, &f.body(kind), &[(key, "")])
        .unwrap_err()
        .code
}

fn refused(f: &mut Fixture, sig: Vec<u8>) -> RejectCode {
    let r = stamping(f, sig);
    rejected(f, r)
}

#[test]
fn a_real_seal_registers_and_its_stampings_anchor_once() {
    let mut f = Fixture::new();
    // A 20 KiB picture: over the ordinary record limit, as real seals are.
    let n = NationalSeal::new(f.time, &vec![0x5a; 20 * 1024]);
    let reg = f.record(
        Kind::RegisterSeal(n.register(&f.district)),
        &[&f.province_admin],
    );
    assert!(reg.bytes().len() > MAX_RECORD_BYTES && reg.bytes().len() < MAX_SEAL_RECORD_BYTES);
    // Only the seal authority registers it.
    let by_city = f.record(
        Kind::RegisterSeal(n.register(&f.district)),
        &[&f.city_a_admin],
    );
    assert_eq!(rejected(&mut f, by_city), RejectCode::Unauthorised);
    f.try_commit(reg).unwrap();

    let sig = n.sign(f.time - 60_000, &[7; 32]);
    let sm3 = Suite::Sm.hash(&sig);
    let r = stamping(&f, sig.clone());
    f.try_commit(r.clone()).unwrap();
    // Found by SM3 of its SES_Signature.
    assert_eq!(
        yinzheng_ledger::created_subject(&r),
        Some(StateKey::Stamping(sm3))
    );
    // Once: the same signature under a fresh record body is refused.
    f.time += 1000;
    assert_eq!(refused(&mut f, sig), RejectCode::AlreadyExists);
    // Another stamping by the same seal anchors.
    let r = stamping(&f, n.sign(f.time - 1000, &[8; 32]));
    f.try_commit(r).unwrap();
}

#[test]
fn forged_or_inconsistent_seals_are_refused() {
    let mut f = Fixture::new();
    let n = NationalSeal::new(f.time, b"png");
    // The seal's picture changed after the maker signed it: the maker's
    // signature no longer verifies (the other fields still match).
    let at = n.seal.windows(5).position(|w| w == b"\x04\x03png").unwrap();
    let mut doctored = NationalSeal {
        seal: n.seal.clone(),
        signer: n.signer.clone(),
        signer_cert: n.signer_cert.clone(),
    };
    doctored.seal[at + 4] = b'h';
    let r = f.record(
        Kind::RegisterSeal(doctored.register(&f.district)),
        &[&f.province_admin],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::BadSeal);
    // Fields that are not the seal's own.
    let mut reg = n.register(&f.district);
    reg.seal_id = "4403050000000".into();
    assert_eq!(
        invalid(&f, Kind::RegisterSeal(reg), &f.province_admin),
        RejectCode::InvalidField
    );
    let mut reg = n.register(&f.district);
    reg.valid_until_ms += 1;
    assert_eq!(
        invalid(&f, Kind::RegisterSeal(reg), &f.province_admin),
        RejectCode::InvalidField
    );
    let mut reg = n.register(&f.district);
    reg.seal_public_key = f.params.suite.hash(b"k").0.to_vec();
    assert_eq!(
        invalid(&f, Kind::RegisterSeal(reg), &f.province_admin),
        RejectCode::InvalidField
    );
    let mut reg = n.register(&f.district);
    reg.ses_seal = b"not a seal".to_vec();
    assert_eq!(
        invalid(&f, Kind::RegisterSeal(reg), &f.province_admin),
        RejectCode::InvalidField
    );
    // An ordinary record is still held to the ordinary limit.
    let mut reg = f.seal(
        &yinzheng_ledger::crypto::SigningKey::generate(Suite::Sm).unwrap(),
        0,
    );
    reg.image_digest = vec![1; 32];
    reg.name = "名".repeat(6000);
    assert_eq!(
        invalid(&f, Kind::RegisterSeal(reg), &f.province_admin),
        RejectCode::Oversize
    );
}

#[test]
fn forged_stampings_each_get_their_code() {
    let mut f = Fixture::new();
    let n = NationalSeal::new(f.time, b"png");
    registered(&mut f, &n);
    let t = f.time - 60_000;

    // Made with another seal of the same id.
    let impostor = NationalSeal::new(f.time, b"png");
    assert_eq!(
        refused(&mut f, impostor.sign(t, &[1; 32])),
        RejectCode::BadStamping
    );
    // A signer the seal does not admit, with the registered seal.
    let mut stranger = NationalSeal::new(f.time, b"png");
    stranger.seal = n.seal.clone();
    assert_eq!(
        refused(&mut f, stranger.sign(t, &[1; 32])),
        RejectCode::BadStamping
    );
    // A signature that does not verify: flip a bit of s.
    let mut sig = n.sign(t, &[1; 32]);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    assert_eq!(refused(&mut f, sig), RejectCode::BadStamping);
    // Signed before the seal's validity, or in the future.
    let early = n.sign(f.time - 3 * 86_400_000, &[1; 32]);
    assert_eq!(refused(&mut f, early), RejectCode::OutsideValidity);
    let future = n.sign(f.time + 3_600_000, &[1; 32]);
    assert_eq!(refused(&mut f, future), RejectCode::FromTheFuture);
    // document_digest must be the signature's dataHash.
    let mut s = NationalSeal::anchor(n.sign(t, &[1; 32]));
    s.document_digest = vec![2; 32];
    assert_eq!(
        invalid(&f, Kind::Stamp(s), &f.district_operator),
        RejectCode::InvalidField
    );
    // Anchored only by the owner: another organisation's key is refused.
    let r = f.record(
        Kind::Stamp(NationalSeal::anchor(n.sign(t, &[1; 32]))),
        &[&f.city_a_operator],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // A native stamp against a national seal has no seal key to sign with.
    let native = f.record(
        Kind::Stamp(proto::Stamp {
            seal_id: NATIONAL_SEAL_ID.into(),
            document_digest: vec![3; 32],
            ses_signature: Vec::new(),
        }),
        &[&f.district_operator],
    );
    assert_eq!(rejected(&mut f, native), RejectCode::Unauthorised);
    // After revocation nothing more is anchored.
    let rs = f.record(
        Kind::RevokeSeal(proto::RevokeSeal {
            seal_id: NATIONAL_SEAL_ID.into(),
            reason: proto::RevocationReason::KeyCompromise as i32,
        }),
        &[&f.province_admin],
    );
    f.try_commit(rs).unwrap();
    assert_eq!(refused(&mut f, n.sign(t, &[1; 32])), RejectCode::NotActive);
}

/// A real seal made by another vendor (Yunnan, 18 KiB) registers, and the
/// real stamping in the e-licence anchors; the sample files live beside the
/// clone, not in it.
#[test]
fn a_real_vendor_seal_and_its_stamping_go_on_the_ledger() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/gbt38540/samples/v4_licence_yunnan_2seals_pages_edited.ofd");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "skipped: {} is not beside this clone; the generated seals above cover the rules",
            path.display()
        );
        return;
    };
    let pkg = yinzheng_seal::ofd::Package::open(&bytes, Default::default()).unwrap();
    let sv = pkg
        .get("Doc_0/Signs/Sign_0/SignedValue.dat")
        .unwrap()
        .to_vec();
    let sig = yinzheng_seal::SesSignature::parse(&sv).unwrap();
    let real = NationalSeal {
        seal: sig.seal.raw.to_vec(),
        signer: yinzheng_ledger::crypto::Sm2SigningKey::generate().unwrap(),
        signer_cert: Vec::new(),
    };
    let mut f = Fixture::new();
    let reg = f.record(
        Kind::RegisterSeal(real.register(&f.district)),
        &[&f.province_admin],
    );
    assert!(reg.bytes().len() > MAX_RECORD_BYTES);
    f.try_commit(reg).unwrap();
    f.try_commit(stamping(&f, sv.clone())).unwrap();
    f.time += 1000;
    assert_eq!(refused(&mut f, sv), RejectCode::AlreadyExists);
}

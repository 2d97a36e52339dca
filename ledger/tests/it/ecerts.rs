//! National-form e-certificates on the ledger (`docs/spec/ecert.md`): the
//! identifier as key, the type catalogue, status codes, authorised use; each
//! bad input refused with its own code.

use yinzheng_ledger::crypto::Suite;
use yinzheng_ledger::proto::{
    self, CertificateState, EcertStatus, UseAuthorisationState, UseState, record_body::Kind,
};
use yinzheng_ledger::{
    BundleVerifier, Record, RejectCode, StateKey, StateView, VerdictStatus, crypto::SigningKey,
};

use crate::ecert_fixture::*;
use crate::fixture::*;

fn rejected(f: &mut Fixture, r: Record) -> RejectCode {
    f.try_commit(r).expect_err("record should be refused").code
}

fn invalid(f: &Fixture, kind: Kind, key: &SigningKey) -> RejectCode {
    Record::create(&f.params, &f.body(kind), &[(key, "")])
        .unwrap_err()
        .code
}

fn state<M: prost::Message + Default>(f: &Fixture, key: &StateKey) -> Option<M> {
    f.chain
        .state()
        .get(key)
        .unwrap()
        .map(|b| M::decode(b.as_slice()).unwrap())
}

fn cert(f: &Fixture, id: &str) -> CertificateState {
    state(f, &StateKey::Ecert(id.into())).unwrap()
}

#[test]
fn types_are_registered_by_their_defining_organisation() {
    let mut f = Fixture::new();
    let t = format!("{}001", f.province);
    // Another organisation cannot define types under the province's code.
    let r = f.record(
        Kind::RegisterCertificateType(register(&t)),
        &[&f.city_a_admin],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // An operator key of the definer is not enough either.
    let r = f.record(
        Kind::RegisterCertificateType(register(&t)),
        &[&f.city_a_operator],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // A grant for a national type that is not registered.
    let g = Kind::Grant(proto::GrantAuthority {
        org: f.city_a.clone(),
        kind: 1,
        scope: t.clone(),
        region: "440300".into(),
    });
    let r = f.record(g.clone(), &[&f.province_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    let r = f.record(
        Kind::RegisterCertificateType(register(&t)),
        &[&f.province_admin],
    );
    f.try_commit(r).unwrap();
    let r = f.record(
        Kind::RegisterCertificateType(register(&t)),
        &[&f.province_admin],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::AlreadyExists);
    let r = f.record(g, &[&f.province_admin]);
    f.try_commit(r).unwrap();
    // A type code whose defining part is not a credit code.
    let bad = format!("{}X01", &f.province[..18]);
    let k = Kind::RegisterCertificateType(register(&bad));
    assert_eq!(invalid(&f, k, &f.province_admin), RejectCode::InvalidField);
}

#[test]
fn the_identifier_is_the_key_and_every_segment_is_checked() {
    let mut f = Fixture::new();
    let e = Ecert::setup(&mut f);
    let id = e.id(&f, "2025112201", 1);

    // Wrong check character: refused before any state is read.
    let last = id.chars().last().unwrap();
    let wrong = format!(
        "{}{}",
        &id[..id.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let k = Kind::IssueCertificate(e.issue(&f, &wrong));
    assert_eq!(
        invalid(&f, k, &f.city_a_operator),
        RejectCode::BadIdentifier
    );
    // The issuer segment must be the record's issuer.
    let other = yinzheng_ledger::ecert::EcertId::new_standard(&e.type_code, &f.city_b, "1", 1)
        .unwrap()
        .to_text();
    let mut c = e.issue(&f, &other);
    c.issuer = f.city_a.clone();
    let k = Kind::IssueCertificate(c);
    assert_eq!(
        invalid(&f, k, &f.city_a_operator),
        RejectCode::BadIdentifier
    );
    // …and the issuer the signer's organisation.
    let mut c = e.issue(&f, &other);
    c.issuer = f.city_b.clone();
    let r = f.record(Kind::IssueCertificate(c), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // A metadata digest is required, and an issue date.
    let mut c = e.issue(&f, &id);
    c.metadata_digest.clear();
    let k = Kind::IssueCertificate(c);
    assert_eq!(invalid(&f, k, &f.city_a_operator), RejectCode::InvalidField);
    let mut c = e.issue(&f, &id);
    c.issued_date = "20250231".into();
    let k = Kind::IssueCertificate(c);
    assert_eq!(invalid(&f, k, &f.city_a_operator), RejectCode::InvalidField);
    // A first issue is version 001.
    let v2 = e.id(&f, "2025112201", 2);
    let r = e.issue_record(&f, &v2);
    assert_eq!(rejected(&mut f, r), RejectCode::BadIdentifier);

    let r = e.issue_record(&f, &id);
    f.try_commit(r.clone()).unwrap();
    let s = cert(&f, &id);
    assert_eq!(s.status_code, EcertStatus::Valid as i32);
    assert_eq!(s.holder_commitments, vec![holder().0.to_vec()]);
    assert!(!s.legacy_check);
    // The same identifier again, even with another number.
    let mut again = e.issue(&f, &id);
    again.cert_no = "粤测 0002".into();
    let r2 = f.record(Kind::IssueCertificate(again), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, r2), RejectCode::AlreadyExists);

    // The bundle names the certificate by its identifier.
    let v = BundleVerifier::new(&f.genesis).unwrap();
    let verdict = v.verify(&f.chain.bundle(&r.id(), true).unwrap(), None);
    assert_eq!(verdict.status, VerdictStatus::Valid, "{verdict:?}");
    assert_eq!(verdict.subject.unwrap().id, id);
    assert_eq!(verdict.status_code.as_deref(), Some("01"));
    assert_eq!(verdict.uses, Some(0));
}

#[test]
fn a_legacy_check_character_is_imported_flagged_never_issued() {
    let mut f = Fixture::new();
    let e = Ecert::setup(&mut f);
    let legacy = e.legacy_id(&f);
    let k = Kind::IssueCertificate(e.issue(&f, &legacy));
    assert_eq!(
        invalid(&f, k, &f.city_a_operator),
        RejectCode::BadIdentifier
    );
    let mut c = e.issue(&f, &legacy);
    c.imported = true;
    let r = f.record(Kind::IssueCertificate(c), &[&f.city_a_operator]);
    f.try_commit(r.clone()).unwrap();
    assert!(cert(&f, &legacy).legacy_check);
    let v = BundleVerifier::new(&f.genesis).unwrap();
    let verdict = v.verify(&f.chain.bundle(&r.id(), true).unwrap(), None);
    assert_eq!(verdict.status, VerdictStatus::Valid);
    assert!(verdict.legacy_check);
}

#[test]
fn suspension_lifting_and_the_ending_codes() {
    let mut f = Fixture::new();
    let e = Ecert::setup(&mut f);
    let id = e.id(&f, "77", 1);
    let issue = e.issue_record(&f, &id);
    f.try_commit(issue.clone()).unwrap();
    let v = BundleVerifier::new(&f.genesis).unwrap();
    let verdict = |f: &Fixture| v.verify(&f.chain.bundle(&issue.id(), true).unwrap(), None);

    let r = Ecert::status(&f, &id, EcertStatus::Valid);
    assert_eq!(rejected(&mut f, r), RejectCode::OutOfOrder);
    f.try_commit(Ecert::status(&f, &id, EcertStatus::Suspended))
        .unwrap();
    let s = verdict(&f);
    assert_eq!(s.status, VerdictStatus::Suspended);
    assert_eq!(s.status_code.as_deref(), Some("02"));
    let r = Ecert::status(&f, &id, EcertStatus::Suspended);
    assert_eq!(rejected(&mut f, r), RejectCode::OutOfOrder);
    // A suspended certificate cannot be authorised for use.
    let r = Ecert::authorise(&f, &id, 0, 1);
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    // Another organisation cannot change its status.
    let r = f.record(
        Kind::SetCertificateStatus(proto::SetCertificateStatus {
            identifier: id.clone(),
            status: EcertStatus::Valid as i32,
            note: String::new(),
        }),
        &[&f.district_operator],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    f.try_commit(Ecert::status(&f, &id, EcertStatus::Valid))
        .unwrap();
    assert_eq!(verdict(&f).status, VerdictStatus::Valid);
    assert_eq!(verdict(&f).status_code.as_deref(), Some("01"));

    let end = Ecert::status(&f, &id, EcertStatus::Withdrawn);
    f.try_commit(end.clone()).unwrap();
    let s = verdict(&f);
    assert_eq!(s.status, VerdictStatus::Revoked);
    assert_eq!(s.status_code.as_deref(), Some("07"));
    assert_eq!(s.revocation_reason.as_deref(), Some("legal_decision"));
    // The status record's own bundle says the same.
    let own = v.verify(&f.chain.bundle(&end.id(), true).unwrap(), None);
    assert_eq!(own.status, VerdictStatus::Revoked);
    assert_eq!(own.status_code.as_deref(), Some("07"));
    // Ended is final.
    for st in [
        EcertStatus::Valid,
        EcertStatus::Suspended,
        EcertStatus::Cancelled,
    ] {
        let r = Ecert::status(&f, &id, st);
        assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    }
    // Not a status code at all.
    let k = Kind::SetCertificateStatus(proto::SetCertificateStatus {
        identifier: id.clone(),
        status: 8,
        note: String::new(),
    });
    assert_eq!(invalid(&f, k, &f.city_a_operator), RejectCode::InvalidField);
    let missing = e.id(&f, "78", 1);
    let r = Ecert::status(&f, &missing, EcertStatus::Suspended);
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
}

#[test]
fn re_issue_is_a_new_version_linked_to_its_predecessor() {
    let mut f = Fixture::new();
    let e = Ecert::setup(&mut f);
    let v1 = e.id(&f, "900", 1);
    let first = e.issue_record(&f, &v1);
    f.try_commit(first.clone()).unwrap();
    let sup_kind = |f: &Fixture, old: &str, new: &str| {
        Kind::SupersedeCertificate(proto::SupersedeCertificate {
            old_identifier: old.into(),
            replacement: Some(e.issue(f, new)),
            ..Default::default()
        })
    };
    let sup =
        |f: &Fixture, old: &str, new: &str| f.record(sup_kind(f, old, new), &[&f.city_a_operator]);
    // Not the same identifier.
    let k = sup_kind(&f, &v1, &v1);
    assert_eq!(invalid(&f, k, &f.city_a_operator), RejectCode::InvalidField);
    let v2 = e.id(&f, "900", 2);
    f.try_commit(sup(&f, &v1, &v2)).unwrap();
    let old = cert(&f, &v1);
    assert_eq!(old.status, proto::SubjectStatus::Superseded as i32);
    assert_eq!(old.superseded_by, v2);
    let v = BundleVerifier::new(&f.genesis).unwrap();
    let verdict = v.verify(&f.chain.bundle(&first.id(), true).unwrap(), None);
    assert_eq!(verdict.status, VerdictStatus::Superseded);
    assert_eq!(verdict.superseded_by.as_deref(), Some(v2.as_str()));
    // The same serial must go up in version.
    let r = sup(&f, &v2, &e.id(&f, "900", 1));
    assert_eq!(rejected(&mut f, r), RejectCode::BadIdentifier);
    // A superseded certificate is not re-issued again.
    let r = sup(&f, &v1, &e.id(&f, "900", 3));
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    // A new serial is a new line, linked all the same.
    f.try_commit(sup(&f, &v2, &e.id(&f, "901", 1))).unwrap();
    assert_eq!(cert(&f, &v2).superseded_by, e.id(&f, "901", 1));
}

#[test]
fn uses_need_a_live_authorisation_and_are_counted() {
    let mut f = Fixture::new();
    let e = Ecert::setup(&mut f);
    let id = e.id(&f, "501", 1);
    f.try_commit(e.issue_record(&f, &id)).unwrap();

    // Not the certificate's holder.
    let mut wrong = proto::AuthoriseUse {
        identifier: id.clone(),
        user_org: f.city_b.clone(),
        holder_commitment: Suite::Sm.hash(b"someone else").0.to_vec(),
        not_after_ms: 0,
        max_uses: 2,
        code_digest: Vec::new(),
    };
    let r = f.record(Kind::AuthoriseUse(wrong.clone()), &[&f.district_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // Recorded by an organisation without the grant.
    wrong.holder_commitment = holder().0.to_vec();
    let r = f.record(Kind::AuthoriseUse(wrong.clone()), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // Unbounded in both time and count.
    wrong.max_uses = 0;
    let k = Kind::AuthoriseUse(wrong);
    assert_eq!(
        invalid(&f, k, &f.district_operator),
        RejectCode::InvalidField
    );

    let auth = Ecert::authorise(&f, &id, 0, 2);
    f.try_commit(auth.clone()).unwrap();
    // Only the authorised organisation uses it.
    let mut by_other = Ecert::use_record(&f, &id, auth.id(), "B-0");
    by_other = f.record(by_other.payload().unwrap().clone(), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, by_other), RejectCode::Unauthorised);
    let u1 = Ecert::use_record(&f, &id, auth.id(), "B-1");
    let u2 = Ecert::use_record(&f, &id, auth.id(), "B-2");
    f.try_commit(u1.clone()).unwrap();
    f.try_commit(u2.clone()).unwrap();
    let r = Ecert::use_record(&f, &id, auth.id(), "B-3");
    assert_eq!(rejected(&mut f, r), RejectCode::AuthorisationUsedUp);
    // An authorisation for another certificate.
    let other = e.id(&f, "502", 1);
    let r = Ecert::use_record(&f, &other, auth.id(), "B-4");
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);

    let a: UseAuthorisationState = state(&f, &StateKey::UseAuthorisation(auth.id())).unwrap();
    assert_eq!(
        (a.used, a.max_uses, a.recorded_by.as_str()),
        (2, 2, f.district.as_str())
    );
    assert_eq!(cert(&f, &id).uses, 2);
    for (n, u) in [(1, &u1), (2, &u2)] {
        let s: UseState = state(
            &f,
            &StateKey::Use {
                identifier: id.clone(),
                n,
            },
        )
        .unwrap();
        assert_eq!(s.record_id, u.id().0.to_vec());
        assert_eq!(s.user_org, f.city_b);
    }
    // The holder's proof: the certificate's bundle proves the count, each
    // use's bundle proves the use.
    let v = BundleVerifier::new(&f.genesis).unwrap();
    let b = v.verify(&f.chain.bundle(&u2.id(), true).unwrap(), None);
    assert_eq!(b.status, VerdictStatus::Valid, "{b:?}");
    assert_eq!(b.subject.as_ref().unwrap().id, id);

    // A time-bound authorisation: good until its end, refused after.
    let timed = Ecert::authorise(&f, &id, f.time + 4_500, 0);
    f.try_commit(timed.clone()).unwrap();
    f.try_commit(Ecert::use_record(&f, &id, timed.id(), "T-1"))
        .unwrap();
    f.commit(&[]);
    let late = Ecert::use_record(&f, &id, timed.id(), "T-2");
    assert_eq!(rejected(&mut f, late), RejectCode::AuthorisationExpired);
    // Ending before it is recorded.
    let r = Ecert::authorise(&f, &id, f.time, 0);
    assert_eq!(rejected(&mut f, r), RejectCode::AuthorisationExpired);
    // An unknown authorisation.
    let r = Ecert::use_record(&f, &id, Suite::Sm.hash(b"nothing"), "X");
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    assert_eq!(cert(&f, &id).uses, 3);
}

#[test]
fn metadata_digest_follows_the_spec_rule() {
    let f = Fixture::new();
    let e = Ecert {
        type_code: format!("{}001", f.province),
    };
    let id = e.id(&f, "1", 1);
    let m = e.metadata(&f, &id);
    // Aliases and white space do not change it; order and values do.
    let mut entries: Vec<(String, String)> = m
        .elements
        .iter()
        .map(|x| (x.name.clone(), format!(" {}\n", x.value)))
        .collect();
    entries[0].0 = "ZZMC".into();
    let again = yinzheng_ledger::ecert::Metadata::from_entries(
        entries.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    )
    .unwrap();
    assert_eq!(again.digest(), m.digest());
    entries.swap(0, 1);
    let swapped = yinzheng_ledger::ecert::Metadata::from_entries(
        entries.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    )
    .unwrap();
    assert_ne!(swapped.digest(), m.digest());
    m.check_required(&["certificateEffectiveDate".into()])
        .unwrap();
    assert!(m.check_required(&["certificateExtra".into()]).is_err());
    assert_eq!(m.issued_date().unwrap(), "20251122");
    assert_eq!(m.validity().unwrap().1, 0);
}

/// `tests/vectors/ecert/`: the certificate file's metadata, digests, holder
/// commitment and identifiers recomputed from the spec's rules alone.
#[test]
fn the_ecert_vectors_recompute() {
    use yinzheng_ledger::ecert::{
        CheckKind, Metadata, holder_commitment, legacy_variant_check, mod37_36, parse_ecert_id,
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/ecert");
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let json = |n: &str| -> serde_json::Value { serde_json::from_slice(&read(n)).unwrap() };
    let steps = json("certificate.json");
    let file = read("certificate.ofd");
    let entries = yinzheng_seal::ofd::document_custom_datas(&file).unwrap();
    let m = Metadata::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    assert_eq!(
        hexs(&m.canonical_bytes()),
        steps["metadata_canonical_hex"].as_str().unwrap()
    );
    assert_eq!(
        m.digest().to_hex(),
        steps["metadata_digest"].as_str().unwrap()
    );
    assert_eq!(
        Suite::Sm.hash(&file).to_hex(),
        steps["file_digest"].as_str().unwrap()
    );
    let h = &steps["holder"];
    let salt = hex::decode(h["salt_hex"].as_str().unwrap()).unwrap();
    let c = holder_commitment(
        &yinzheng_ledger::holder::HolderSalt::from_bytes(&salt).unwrap(),
        h["type_code"].as_str().unwrap(),
        h["code"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(c.to_hex(), h["commitment"].as_str().unwrap());
    // The commitment is SM3(salt ‖ type ‖ code), nothing else.
    let mut input = salt.clone();
    input.extend_from_slice(h["type_code"].as_str().unwrap().as_bytes());
    input.extend_from_slice(h["code"].as_str().unwrap().as_bytes());
    assert_eq!(Suite::Sm.hash(&input), c);
    assert_eq!(
        m.issued_date().unwrap(),
        steps["issued_date"].as_str().unwrap()
    );
    assert_eq!(
        m.validity().unwrap(),
        (
            steps["valid_from_ms"].as_u64().unwrap(),
            steps["valid_until_ms"].as_u64().unwrap()
        )
    );

    let ids = json("identifiers.json");
    let mut kinds = Vec::new();
    for v in ids["parse"].as_array().unwrap() {
        let p = parse_ecert_id(v["identifier"].as_str().unwrap()).unwrap();
        assert_eq!(p.body(), v["body"].as_str().unwrap());
        let std = mod37_36(&p.body()).unwrap().to_string();
        assert_eq!(std, v["standard_check"].as_str().unwrap());
        let legacy = legacy_variant_check(&p.body()).unwrap().to_string();
        assert_eq!(legacy, v["legacy_variant_check"].as_str().unwrap());
        assert_eq!(format!("{:?}", p.check_kind()), v["kind"].as_str().unwrap());
        kinds.push(p.check_kind());
    }
    for k in [
        CheckKind::Standard,
        CheckKind::LegacyVariant,
        CheckKind::Wrong,
    ] {
        assert!(kinds.contains(&k), "no identifier vector of kind {k:?}");
    }
    for v in ids["refused"].as_array().unwrap() {
        assert!(parse_ecert_id(v["identifier"].as_str().unwrap()).is_err());
    }
}

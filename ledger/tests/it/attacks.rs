//! Attacks by a single faulty member or a stranger on the execution rules
//! (threat model A4, A6–A9), each performed and seen refused.

use yinzheng_ledger::crypto::{SigningKey, Suite};
use yinzheng_ledger::genesis::{Genesis, GenesisValidator};
use yinzheng_ledger::proto::{self, CertificateState, OrgState, ValidatorSet, record_body::Kind};
use yinzheng_ledger::{
    MAX_TOTAL_POWER, Record, RejectCode, StateKey, StateView, TrustedValidators, sign_commit,
};

use crate::fixture::{CERT_TYPE, Fixture, SHARE_ITEM, hexs, pk};

fn rejected(f: &mut Fixture, r: Record) -> RejectCode {
    f.try_commit(r).expect_err("record should be refused").code
}

/// An `UpdateOrg` that deactivates or reactivates `org`, signed by `admin`.
fn set_active(f: &Fixture, org: &str, admin: &SigningKey, active: bool) -> Record {
    f.record(
        Kind::UpdateOrg(proto::UpdateOrg {
            credit_code: org.into(),
            deactivate: !active,
            reactivate: active,
            ..Default::default()
        }),
        &[admin],
    )
}

fn deactivate(f: &Fixture, org: &str, admin: &SigningKey) -> Record {
    set_active(f, org, admin, false)
}

fn reactivate(f: &Fixture, org: &str, admin: &SigningKey) -> Record {
    set_active(f, org, admin, true)
}

#[test]
fn a_deactivated_organisations_seal_stamps_nothing() {
    let mut f = Fixture::new();
    let seal_key = SigningKey::generate(Suite::Sm).unwrap();
    let seal = f.seal(&seal_key, 0);
    f.try_commit(f.record(Kind::RegisterSeal(seal), &[&f.province_admin.clone()]))
        .unwrap();
    let stamp = |f: &Fixture, doc: u8| {
        f.record(
            Kind::Stamp(proto::Stamp {
                seal_id: "4403050001234".into(),
                document_digest: vec![doc; 32],
                ses_signature: Vec::new(),
            }),
            &[&seal_key],
        )
    };
    f.try_commit(stamp(&f, 1)).unwrap();
    let admin = f.city_a_admin.clone();
    f.try_commit(deactivate(&f, &f.district.clone(), &admin))
        .unwrap();
    let r = stamp(&f, 2);
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    // Reactivated by the same authority, it stamps again.
    f.try_commit(reactivate(&f, &f.district.clone(), &admin))
        .unwrap();
    f.try_commit(stamp(&f, 3)).unwrap();
    // A seal key signing under another ID than the default one is not the seal.
    let body = f.body(Kind::Stamp(proto::Stamp {
        seal_id: "4403050001234".into(),
        document_digest: vec![4; 32],
        ses_signature: Vec::new(),
    }));
    let r = Record::create(&f.params, &body, &[(&seal_key, "another-id")]).unwrap();
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
}

#[test]
fn organisations_are_reactivated_explicitly_and_only_from_above() {
    let mut f = Fixture::new();
    let (city_admin, district) = (f.city_a_admin.clone(), f.district.clone());
    let op = f.district_operator.clone();
    f.try_commit(deactivate(&f, &district, &city_admin))
        .unwrap();
    // Deactivated: its keys sign nothing, and a plain update (a rename) is refused.
    let rename = f.record(
        Kind::UpdateOrg(proto::UpdateOrg {
            credit_code: district.clone(),
            name: "新名称".into(),
            ..Default::default()
        }),
        &[&city_admin],
    );
    assert_eq!(rejected(&mut f, rename), RejectCode::NotActive);
    // Not both at once; not by the organisation itself (its keys are inactive).
    let both = f.record(
        Kind::UpdateOrg(proto::UpdateOrg {
            credit_code: district.clone(),
            deactivate: true,
            reactivate: true,
            ..Default::default()
        }),
        &[&city_admin],
    );
    assert_eq!(rejected(&mut f, both), RejectCode::InvalidField);
    let by_itself = reactivate(&f, &district, &op);
    assert_eq!(rejected(&mut f, by_itself), RejectCode::NotActive);
    // A sibling city's admin is not above it.
    let b_admin = f.city_b_admin.clone();
    let sibling = reactivate(&f, &district, &b_admin);
    assert_eq!(rejected(&mut f, sibling), RejectCode::Unauthorised);
    f.try_commit(reactivate(&f, &district, &city_admin))
        .unwrap();
    let o: OrgState = decode(&f, &StateKey::Org(district.clone()));
    assert!(o.active);
    let again = reactivate(&f, &district, &city_admin);
    assert_eq!(rejected(&mut f, again), RejectCode::AlreadyExists);
}

fn decode<M: prost::Message + Default>(f: &Fixture, key: &StateKey) -> M {
    let b = f.chain.state().get(key).unwrap().unwrap();
    M::decode(b.as_slice()).unwrap()
}

#[test]
fn repeated_validator_keys_are_refused_everywhere_a_set_is_built() {
    let mut f = Fixture::new();
    let k = &f.validators[0].clone();
    // In a ChangeValidators record.
    let mut set = f.validator_set(&f.validators);
    set[1].public_key = pk(k);
    set[2].public_key = pk(k);
    let body = f.body(Kind::ChangeValidators(proto::ChangeValidators {
        validators: set.clone(),
    }));
    let keys = [(&f.province_admin, ""), (&f.city_a_admin, "")];
    let err = Record::create(&f.params, &body, &keys).unwrap_err();
    assert_eq!(err.code, RejectCode::InvalidField);
    // In a set a verifier would trust: one key at three of four indices would
    // certify a block alone.
    let vs = ValidatorSet { validators: set };
    assert!(TrustedValidators::new(Suite::Sm, vs.clone()).is_err());
    // In a genesis file.
    let mut g: Genesis = f.genesis.clone();
    g.validators[2] = GenesisValidator {
        public_key: hexs(&pk(k)),
        ..g.validators[2].clone()
    };
    assert!(Genesis::from_json(&g.to_json()).is_err());
    // And a certificate made by one key at three indices does not verify
    // against the real set: the key signs only for its own index.
    f.try_commit(f.issue_record("NO-1", b"f")).unwrap();
    let h = f.chain.block(1).unwrap().view.header.clone();
    let cert = sign_commit(Suite::Sm, &h, 0, &[(0, k), (1, k), (2, k)]).unwrap();
    let real = TrustedValidators::new(Suite::Sm, f.chain.validators_at(1).clone()).unwrap();
    assert!(real.verify_commit(&h, &cert).is_err());
}

/// A set whose powers add up beyond what the consensus engine can weigh (it
/// computes `3 · power` in 64 bits) is refused wherever a set is built:
/// otherwise one committee-approved record would stop every validator at the
/// height the set starts. Exactly the limit is accepted.
#[test]
fn validator_sets_above_the_total_power_limit_are_refused_everywhere() {
    let f = Fixture::new();
    let keys = [(&f.province_admin, ""), (&f.city_a_admin, "")];
    let with_powers = |powers: &[u64]| {
        let mut set = f.validator_set(&f.validators);
        for (v, p) in set.iter_mut().zip(powers) {
            v.power = *p;
        }
        set
    };
    let q = MAX_TOTAL_POWER / 4;
    let cases: [(&[u64], bool); 5] = [
        (&[q, q, q, q], true),
        (&[q, q, q, q + 1], false),
        (&[u64::MAX, 1, 1, 1], false),
        (&[u64::MAX / 2 + 1, u64::MAX / 2 + 1, 1, 1], false),
        (&[MAX_TOTAL_POWER, 1, 1, 1], false),
    ];
    for (powers, ok) in cases {
        let set = with_powers(powers);
        // In a ChangeValidators record.
        let body = f.body(Kind::ChangeValidators(proto::ChangeValidators {
            validators: set.clone(),
        }));
        match Record::create(&f.params, &body, &keys) {
            Ok(_) => assert!(ok, "{powers:?} accepted"),
            Err(e) => {
                assert!(!ok, "{powers:?} refused: {e}");
                assert_eq!(e.code, RejectCode::InvalidField);
                assert!(e.message.contains("total power"), "{e}");
            }
        }
        // In a set a verifier would trust.
        let vs = ValidatorSet { validators: set };
        assert_eq!(
            TrustedValidators::new(Suite::Sm, vs).is_ok(),
            ok,
            "{powers:?}"
        );
        // In a genesis file.
        let mut g: Genesis = f.genesis.clone();
        for (v, p) in g.validators.iter_mut().zip(powers) {
            v.power = *p;
        }
        assert_eq!(Genesis::from_json(&g.to_json()).is_ok(), ok, "{powers:?}");
    }
}

/// A set's member keys are found by their exact bytes: a stranger's key, a
/// member's key cut short or with a byte changed finds nothing.
#[test]
fn a_set_finds_only_its_members_keys() {
    let f = Fixture::new();
    let set = TrustedValidators::new(Suite::Sm, f.chain.validators_at(1).clone()).unwrap();
    for v in &f.validators {
        let bytes = pk(v);
        assert_eq!(set.key_of(&bytes).unwrap().to_bytes(), bytes);
        assert!(set.key_of(&bytes[..bytes.len() - 1]).is_none());
        let mut other = bytes.clone();
        other[10] ^= 1;
        assert!(set.key_of(&other).is_none());
    }
    assert!(set.key_of(&pk(&f.province_admin)).is_none());
    assert!(set.key_of(&[]).is_none());
}

#[test]
fn certificate_numbers_are_scoped_by_issuer() {
    let mut f = Fixture::new();
    let admin = f.city_a_admin.clone();
    // The district gets a grant for the same type: two issuers, one number space each.
    f.try_commit(f.record(
        Kind::Grant(proto::GrantAuthority {
            org: f.district.clone(),
            kind: 1,
            scope: CERT_TYPE.into(),
            region: "440305".into(),
        }),
        &[&admin],
    ))
    .unwrap();
    let mut theirs = f.issue("NO-1", b"district file");
    theirs.issuer = f.district.clone();
    let dop = f.district_operator.clone();
    f.try_commit(f.record(Kind::IssueCertificate(theirs), &[&dop]))
        .unwrap();
    // The city's own NO-1 is not blocked by the district taking the number first.
    f.try_commit(f.issue_record("NO-1", b"city file")).unwrap();
    let key = |issuer: &str| StateKey::Certificate {
        issuer: issuer.into(),
        type_code: CERT_TYPE.into(),
        cert_no: "NO-1".into(),
    };
    let city: CertificateState = decode(&f, &key(&f.city_a));
    let district: CertificateState = decode(&f, &key(&f.district));
    assert_eq!(city.issuer, f.city_a);
    assert_eq!(district.issuer, f.district);
    // Revoking names the issuer: the district cannot revoke the city's NO-1.
    let revoke = |issuer: &str| {
        Kind::RevokeCertificate(proto::RevokeCertificate {
            type_code: CERT_TYPE.into(),
            cert_no: "NO-1".into(),
            reason: 2,
            issuer: issuer.into(),
        })
    };
    let r = f.record(revoke(&f.city_a), &[&dop]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    f.try_commit(f.record(revoke(&f.district), &[&dop]))
        .unwrap();
    let city: CertificateState = decode(&f, &key(&f.city_a));
    assert_eq!(city.status, proto::SubjectStatus::Active as i32);
}

fn request(f: &Fixture, id: &str, approver: &str) -> proto::ShareRequest {
    proto::ShareRequest {
        request_id: id.into(),
        requester: f.city_b.clone(),
        provider: f.city_a.clone(),
        approver: approver.into(),
        data_item: SHARE_ITEM.into(),
        legal_basis: "《优化营商环境条例》第三十七条".into(),
        holder_commitment: vec![9; 32],
    }
}

#[test]
fn a_data_sharing_approver_is_another_department_holding_an_approval_grant() {
    let mut f = Fixture::new();
    let requester = f.city_b_admin.clone();
    // The requester naming itself as approver: refused before any state is read.
    let body = f.body(Kind::ShareRequest(request(&f, "R-1", &f.city_b.clone())));
    let err = Record::create(&f.params, &body, &[(&requester, "")]).unwrap_err();
    assert_eq!(err.code, RejectCode::InvalidField);
    // An approver without an approval grant for the item.
    let r = f.record(
        Kind::ShareRequest(request(&f, "R-2", &f.city_a.clone())),
        &[&requester],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // Another data item than the one the province's grant names.
    let mut other = request(&f, "R-3", &f.province.clone());
    other.data_item = "户籍信息".into();
    let r = f.record(Kind::ShareRequest(other), &[&requester]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // With the grant: accepted; the grant revoked before the decision: refused.
    f.try_commit(f.record(
        Kind::ShareRequest(request(&f, "R-4", &f.province.clone())),
        &[&requester],
    ))
    .unwrap();
    let (a, b) = (f.province_admin.clone(), f.city_a_admin.clone());
    f.try_commit(f.record(
        Kind::RevokeGrant(proto::RevokeGrant {
            org: f.province.clone(),
            kind: 3,
            scope: SHARE_ITEM.into(),
            region: "440000".into(),
        }),
        &[&a, &b],
    ))
    .unwrap();
    let decision = f.record(
        Kind::ShareDecision(proto::ShareDecision {
            request_id: "R-4".into(),
            approved: true,
            reason: String::new(),
        }),
        &[&a],
    );
    assert_eq!(rejected(&mut f, decision), RejectCode::Unauthorised);
}

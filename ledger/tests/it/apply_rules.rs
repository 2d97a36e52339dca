//! Every permission and lifecycle rule of `apply`, positive and negative.

use yinzheng_ledger::crypto::{SigningKey, Suite};
use yinzheng_ledger::proto::{self, record_body::Kind};
use yinzheng_ledger::{Record, RejectCode};

use crate::fixture::{CERT_TYPE, Fixture, pk};

fn rejected(f: &mut Fixture, r: Record) -> RejectCode {
    f.try_commit(r).expect_err("record should be refused").code
}

#[test]
fn issuing_needs_a_grant_for_the_type_and_region() {
    let mut f = Fixture::new();
    let ok = f.issue_record("NO-1", b"file");
    f.try_commit(ok.clone()).unwrap();
    // The same bytes again: a duplicate.
    assert_eq!(rejected(&mut f, ok), RejectCode::Duplicate);
    // A new record for the same certificate number.
    let again = f.issue_record("NO-1", b"other file");
    assert_eq!(rejected(&mut f, again), RejectCode::AlreadyExists);
    // The district holds no grant.
    let mut c = f.issue("NO-2", b"f");
    c.issuer = f.district.clone();
    let r = f.record(Kind::IssueCertificate(c), &[&f.district_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // City A's grant covers 440300, not Guangzhou (440100).
    let mut c = f.issue("NO-3", b"f");
    c.region = "440106".into();
    let r = f.record(Kind::IssueCertificate(c), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // Signed by a key of another organisation than the issuer.
    let r = f.record(
        Kind::IssueCertificate(f.issue("NO-4", b"f")),
        &[&f.district_operator],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // Signed by a key nobody registered.
    let stranger = SigningKey::generate(Suite::Sm).unwrap();
    let r = f.record(Kind::IssueCertificate(f.issue("NO-5", b"f")), &[&stranger]);
    assert_eq!(rejected(&mut f, r), RejectCode::UnknownKey);
}

#[test]
fn times_are_checked_against_block_time() {
    let mut f = Fixture::new();
    let mut body = f.body(Kind::IssueCertificate(f.issue("NO-1", b"f")));
    body.signed_at_ms = f.time - 25 * 3600 * 1000;
    let old = Record::create(&f.params, &body, &[(&f.city_a_operator, "")]).unwrap();
    assert_eq!(rejected(&mut f, old), RejectCode::Expired);
    body.signed_at_ms = f.time + 3600 * 1000;
    let future = Record::create(&f.params, &body, &[(&f.city_a_operator, "")]).unwrap();
    assert_eq!(rejected(&mut f, future), RejectCode::FromTheFuture);
}

#[test]
fn revoked_keys_sign_nothing() {
    let mut f = Fixture::new();
    let revoke = f.record(
        Kind::RevokeKey(proto::RevokeKey {
            public_key: pk(&f.city_a_operator),
            reason: "lost".into(),
        }),
        &[&f.city_a_admin],
    );
    f.try_commit(revoke.clone()).unwrap();
    let r = f.issue_record("NO-1", b"f");
    assert_eq!(rejected(&mut f, r), RejectCode::KeyRevoked);
    // Revoking twice.
    let again = f.record(
        Kind::RevokeKey(proto::RevokeKey {
            public_key: pk(&f.city_a_operator),
            reason: "again".into(),
        }),
        &[&f.province_admin],
    );
    assert_eq!(rejected(&mut f, again), RejectCode::NotActive);
}

#[test]
fn certificate_lifecycle() {
    let mut f = Fixture::new();
    f.try_commit(f.issue_record("NO-1", b"f")).unwrap();
    let revoke = |f: &Fixture, no: &str, by: &SigningKey| {
        f.record(
            Kind::RevokeCertificate(proto::RevokeCertificate {
                type_code: CERT_TYPE.into(),
                cert_no: no.into(),
                reason: proto::RevocationReason::HolderRequest as i32,
                issuer: f.city_a.clone(),
            }),
            &[by],
        )
    };
    // Another city's admin may not revoke City A's certificate.
    let r = revoke(&f, "NO-1", &f.city_b_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let r = revoke(&f, "NO-404", &f.city_a_operator.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    f.try_commit(revoke(&f, "NO-1", &f.city_a_operator.clone()))
        .unwrap();
    let r = revoke(&f, "NO-1", &f.city_a_operator.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);

    // Supersede: the old one becomes superseded, the new one active.
    f.try_commit(f.issue_record("NO-2", b"v1")).unwrap();
    let sup = |f: &Fixture, old: &str, new: &str| {
        f.record(
            Kind::SupersedeCertificate(proto::SupersedeCertificate {
                type_code: CERT_TYPE.into(),
                old_cert_no: old.into(),
                replacement: Some(f.issue(new, b"v2")),
                ..Default::default()
            }),
            &[&f.city_a_operator],
        )
    };
    f.try_commit(sup(&f, "NO-2", "NO-2b")).unwrap();
    let r = sup(&f, "NO-2", "NO-2c");
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    let r = sup(&f, "NO-1", "NO-1b"); // revoked cannot be superseded
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
}

#[test]
fn organisations_keys_and_grants_follow_the_hierarchy() {
    let mut f = Fixture::new();
    let new_district = crate::fixture::code("11440106MB2C50345");
    let reg = |f: &Fixture, level: i32, division: &str, parent: &str, by: &SigningKey| {
        f.record(
            Kind::RegisterOrg(proto::RegisterOrg {
                credit_code: new_district.clone(),
                name: "广州市天河区政务服务中心".into(),
                level,
                division: division.into(),
                parent: parent.into(),
            }),
            &[by],
        )
    };
    let r = reg(
        &f,
        4,
        "440106",
        &f.city_b.clone(),
        &f.district_operator.clone(),
    );
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let r = reg(&f, 3, "440106", &f.city_b.clone(), &f.city_b_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::InvalidField);
    let r = reg(&f, 4, "440305", &f.city_b.clone(), &f.city_b_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::InvalidField);
    f.try_commit(reg(
        &f,
        4,
        "440106",
        &f.city_b.clone(),
        &f.city_b_admin.clone(),
    ))
    .unwrap();
    let r = reg(&f, 4, "440106", &f.city_b.clone(), &f.city_b_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::AlreadyExists);

    // Keys: an org's admin adds operators, but admins come from above.
    let op = SigningKey::generate(Suite::Sm).unwrap();
    let reg_key = |f: &Fixture, k: &SigningKey, role: i32, by: &SigningKey| {
        f.record(
            Kind::RegisterKey(proto::RegisterKey {
                org: f.city_b.clone(),
                public_key: pk(k),
                distid: String::new(),
                role,
                not_before_ms: 0,
                not_after_ms: 0,
            }),
            &[by],
        )
    };
    let r = reg_key(&f, &op, 1, &f.city_b_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    f.try_commit(reg_key(&f, &op, 2, &f.city_b_admin.clone()))
        .unwrap();
    let r = reg_key(&f, &op, 2, &f.province_admin.clone());
    assert_eq!(rejected(&mut f, r), RejectCode::AlreadyExists);

    // Grants: from above only; then the grantee may issue; revoked, it may not.
    let grant = proto::GrantAuthority {
        org: f.city_b.clone(),
        kind: proto::AuthorityKind::Certificate as i32,
        scope: CERT_TYPE.into(),
        region: "440100".into(),
    };
    let r = f.record(Kind::Grant(grant.clone()), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let mut outside = grant.clone();
    outside.region = "440300".into();
    let r = f.record(Kind::Grant(outside), &[&f.province_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::InvalidField);
    f.try_commit(f.record(Kind::Grant(grant.clone()), &[&f.province_admin]))
        .unwrap();
    let mut c = f.issue("GZ-1", b"f");
    c.issuer = f.city_b.clone();
    c.region = "440106".into();
    f.try_commit(f.record(Kind::IssueCertificate(c.clone()), &[&op]))
        .unwrap();
    let rg = proto::RevokeGrant {
        org: grant.org.clone(),
        kind: grant.kind,
        scope: grant.scope.clone(),
        region: grant.region.clone(),
    };
    f.try_commit(f.record(Kind::RevokeGrant(rg.clone()), &[&f.province_admin]))
        .unwrap();
    let r = f.record(Kind::RevokeGrant(rg), &[&f.province_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    c.cert_no = "GZ-2".into();
    let r = f.record(Kind::IssueCertificate(c), &[&op]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
}

#[test]
fn custom_distinguishing_ids_must_match_the_registration() {
    let mut f = Fixture::new();
    let k = SigningKey::generate(Suite::Sm).unwrap();
    let reg = f.record(
        Kind::RegisterKey(proto::RegisterKey {
            org: f.city_a.clone(),
            public_key: pk(&k),
            distid: "shenzhen-amr-01".into(),
            role: 2,
            not_before_ms: 0,
            not_after_ms: 0,
        }),
        &[&f.city_a_admin],
    );
    f.try_commit(reg).unwrap();
    let body = f.body(Kind::IssueCertificate(f.issue("ID-1", b"f")));
    let good = Record::create(&f.params, &body, &[(&k, "shenzhen-amr-01")]).unwrap();
    let bad = Record::create(&f.params, &body, &[(&k, "")]).unwrap();
    assert_eq!(rejected(&mut f, bad), RejectCode::KeyNotValid);
    f.try_commit(good).unwrap();
}

fn stamp(f: &Fixture, key: &SigningKey, doc: &[u8]) -> Record {
    f.record(
        Kind::Stamp(proto::Stamp {
            seal_id: "4403050001234".into(),
            document_digest: f.params.suite.hash(doc).0.to_vec(),
            ses_signature: Vec::new(),
        }),
        &[key],
    )
}

#[test]
fn seals_register_stamp_and_revoke() {
    let mut f = Fixture::new();
    let seal_key = SigningKey::generate(Suite::Sm).unwrap();
    let r = f.record(Kind::RegisterSeal(f.seal(&seal_key, 0)), &[&f.city_a_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let r = stamp(&f, &seal_key, b"doc");
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    f.try_commit(f.record(
        Kind::RegisterSeal(f.seal(&seal_key, 0)),
        &[&f.province_admin],
    ))
    .unwrap();
    f.try_commit(stamp(&f, &seal_key, b"doc 1")).unwrap();
    let r = stamp(&f, &f.district_operator.clone(), b"doc 2");
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let rs = f.record(
        Kind::RevokeSeal(proto::RevokeSeal {
            seal_id: "4403050001234".into(),
            reason: proto::RevocationReason::KeyCompromise as i32,
        }),
        &[&f.province_admin],
    );
    f.try_commit(rs).unwrap();
    let r = stamp(&f, &seal_key, b"doc 3");
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
}

#[test]
fn stamps_outside_the_seal_validity_are_refused() {
    let mut f = Fixture::new();
    let seal_key = SigningKey::generate(Suite::Sm).unwrap();
    let until = f.time + 3000; // expires right after the next block
    f.try_commit(f.record(
        Kind::RegisterSeal(f.seal(&seal_key, until)),
        &[&f.province_admin],
    ))
    .unwrap();
    let r = stamp(&f, &seal_key, b"late");
    assert_eq!(rejected(&mut f, r), RejectCode::OutsideValidity);
}

#[test]
fn data_sharing_steps_in_order_by_their_parties() {
    let mut f = Fixture::new();
    let req = proto::ShareRequest {
        request_id: "REQ-1".into(),
        requester: f.city_b.clone(),
        provider: f.city_a.clone(),
        approver: f.province.clone(),
        data_item: "营业执照信息".into(),
        legal_basis: "《优化营商环境条例》第三十七条".into(),
        holder_commitment: vec![9; 32],
    };
    let r = f.record(Kind::ShareRequest(req.clone()), &[&f.city_a_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    f.try_commit(f.record(Kind::ShareRequest(req), &[&f.city_b_admin]))
        .unwrap();
    let delivery = proto::ShareDelivery {
        request_id: "REQ-1".into(),
        payload_digest: vec![5; 32],
        item_count: 3,
    };
    let r = f.record(Kind::ShareDelivery(delivery.clone()), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::OutOfOrder);
    let decision = proto::ShareDecision {
        request_id: "REQ-1".into(),
        approved: true,
        reason: String::new(),
    };
    let r = f.record(Kind::ShareDecision(decision.clone()), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    f.try_commit(f.record(Kind::ShareDecision(decision), &[&f.province_admin]))
        .unwrap();
    f.try_commit(f.record(Kind::ShareDelivery(delivery), &[&f.city_a_operator]))
        .unwrap();
    let wrong = proto::ShareReceipt {
        request_id: "REQ-1".into(),
        payload_digest: vec![6; 32],
    };
    let r = f.record(Kind::ShareReceipt(wrong), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::InvalidField);
    let receipt = proto::ShareReceipt {
        request_id: "REQ-1".into(),
        payload_digest: vec![5; 32],
    };
    f.try_commit(f.record(Kind::ShareReceipt(receipt.clone()), &[&f.city_b_admin]))
        .unwrap();
    let mut again = receipt;
    again.payload_digest = vec![5; 32];
    let r = f.record(Kind::ShareReceipt(again), &[&f.city_b_admin]);
    // Already received: a second receipt is out of order (a new record id, not a duplicate).
    let code = rejected(&mut f, r);
    assert!(
        matches!(code, RejectCode::OutOfOrder | RejectCode::Duplicate),
        "{code:?}"
    );
}

#[test]
fn validator_changes_need_the_committee_quorum() {
    let mut f = Fixture::new();
    let new_key = SigningKey::generate(Suite::Sm).unwrap();
    let mut set = f.validator_set(&f.validators);
    set.push(proto::Validator {
        public_key: pk(&new_key),
        power: 1,
        org: f.city_b.clone(),
    });
    let change = Kind::ChangeValidators(proto::ChangeValidators { validators: set });
    let one = f.record(change.clone(), &[&f.province_admin]);
    assert_eq!(rejected(&mut f, one), RejectCode::Unauthorised);
    let two = f.record(change, &[&f.province_admin, &f.city_a_admin]);
    f.try_commit(two).unwrap();
}

#[test]
fn network_identities_are_registered_and_removed_by_their_organisation() {
    let mut f = Fixture::new();
    let peer = SigningKey::generate(Suite::Intl).unwrap();
    let register = |org: &str, key: Vec<u8>, role: i32| {
        Kind::RegisterPeer(proto::RegisterPeer {
            org: org.into(),
            peer_public_key: key,
            role,
        })
    };
    let remove = |key: Vec<u8>| {
        Kind::RemovePeer(proto::RemovePeer {
            peer_public_key: key,
            reason: String::new(),
        })
    };
    // Malformed, refused before signing: not an Ed25519 key (an SM2 key, a
    // short one), no role.
    for kind in [
        register(&f.city_a, pk(&f.city_a_operator), 1),
        register(&f.city_a, vec![7; 31], 1),
        register(&f.city_a, pk(&peer), 0),
        remove(vec![7; 33]),
    ] {
        let e = Record::create(&f.params, &f.body(kind), &[(&f.city_a_admin, "")]).unwrap_err();
        assert_eq!(e.code, RejectCode::InvalidField, "{e}");
    }
    // Not by an operator, nor by an admin of an organisation not above it.
    let r = f.record(register(&f.city_a, pk(&peer), 1), &[&f.city_a_operator]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let r = f.record(register(&f.city_a, pk(&peer), 1), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    // For an organisation nobody registered.
    let r = f.record(
        register(&crate::fixture::code("11440106MB2C50999"), pk(&peer), 1),
        &[&f.province_admin],
    );
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    // By its own admin: admitted; a second registration of it is refused.
    let r = f.record(register(&f.city_a, pk(&peer), 1), &[&f.city_a_admin]);
    f.try_commit(r).unwrap();
    let r = f.record(register(&f.city_b, pk(&peer), 2), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::AlreadyExists);
    // Removed: not by another organisation's admin, then by one above it.
    let r = f.record(remove(pk(&peer)), &[&f.city_b_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::Unauthorised);
    let r = f.record(remove(pk(&peer)), &[&f.province_admin]);
    f.try_commit(r).unwrap();
    let mut again = remove(pk(&peer));
    if let Kind::RemovePeer(p) = &mut again {
        p.reason = "again".into();
    }
    let r = f.record(again, &[&f.city_a_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::NotActive);
    let stranger = SigningKey::generate(Suite::Intl).unwrap();
    let r = f.record(remove(pk(&stranger)), &[&f.city_a_admin]);
    assert_eq!(rejected(&mut f, r), RejectCode::NotFound);
    // Registered again after its removal (a new record: another role).
    let r = f.record(register(&f.city_a, pk(&peer), 2), &[&f.city_a_admin]);
    f.try_commit(r).unwrap();
}

//! Replays and re-encodings (threat model A1): one signed body has one
//! envelope encoding and one id, and is committed once, whatever wraps it.

use prost::Message;
use yinzheng_ledger::crypto::{DEFAULT_DISTID, SigningKey, Suite};
use yinzheng_ledger::proto::{self, Envelope, GrantState, ValidatorSetState, record_body::Kind};
use yinzheng_ledger::{Record, RejectCode, StateKey, StateView};

use crate::fixture::{CERT_TYPE, Fixture, SHARE_ITEM, pk};

fn code_of(f: &Fixture, bytes: &[u8]) -> RejectCode {
    Record::decode(&f.params, bytes).unwrap_err().code
}

/// The same signed body under fresh signatures from `keys`: the strongest
/// re-wrapping there is (an outsider cannot even make new signatures).
fn resigned(f: &Fixture, r: &Record, keys: &[&SigningKey]) -> Record {
    let s: Vec<(&SigningKey, &str)> = keys.iter().map(|k| (*k, "")).collect();
    let again = Record::create(&f.params, r.body(), &s).unwrap();
    assert_ne!(again.bytes(), r.bytes(), "fresh signatures, new envelope");
    assert_eq!(again.id(), r.id(), "one signed body, one id");
    again
}

fn state<M: Message + Default>(f: &Fixture, key: &StateKey) -> Option<M> {
    f.chain
        .state()
        .get(key)
        .unwrap()
        .map(|b| M::decode(b.as_slice()).unwrap())
}

#[test]
fn envelope_rewrappings_are_refused_at_decoding() {
    let f = Fixture::new();
    let r = f.record(
        Kind::ChangeValidators(proto::ChangeValidators {
            validators: f.validator_set(&f.validators),
        }),
        &[&f.province_admin, &f.city_a_admin],
    );
    let env = Envelope::decode(r.bytes()).unwrap();
    assert!(env.signatures[0].public_key < env.signatures[1].public_key);
    // Signatures in the other order.
    let mut e = env.clone();
    e.signatures.reverse();
    assert_eq!(code_of(&f, &e.encode_to_vec()), RejectCode::NonCanonical);
    // The default SM2 ID spelled out (it verifies alike, so it must not be a second form).
    let mut e = env.clone();
    e.signatures[0].distid = DEFAULT_DISTID.into();
    assert_eq!(code_of(&f, &e.encode_to_vec()), RejectCode::NonCanonical);
    // A signer twice.
    let mut e = env.clone();
    e.signatures.insert(1, env.signatures[0].clone());
    assert_eq!(code_of(&f, &e.encode_to_vec()), RejectCode::BadSignature);
    // Dropping one of two signatures is a valid envelope of the same body: same id.
    let mut e = env.clone();
    e.signatures.truncate(1);
    let fewer = Record::decode(&f.params, &e.encode_to_vec()).unwrap();
    assert_eq!(fewer.id(), r.id());
}

#[test]
fn ed25519_signatures_carry_no_distinguishing_id() {
    let f = Fixture::with_suite(Suite::Intl);
    let r = f.issue_record("NO-1", b"file");
    for id in [DEFAULT_DISTID, "ALICE123@YAHOO.COM"] {
        let mut e = Envelope::decode(r.bytes()).unwrap();
        e.signatures[0].distid = id.into();
        assert_eq!(code_of(&f, &e.encode_to_vec()), RejectCode::NonCanonical);
    }
    // Nor may a key be registered with one.
    assert_eq!(register_key_code(&f, "an-id"), RejectCode::InvalidField);
}

/// The code refusing a city-A operator key registered under `distid`.
fn register_key_code(f: &Fixture, distid: &str) -> RejectCode {
    let k = SigningKey::generate(f.params.suite).unwrap();
    let body = f.body(Kind::RegisterKey(proto::RegisterKey {
        org: f.city_a.clone(),
        public_key: pk(&k),
        distid: distid.into(),
        role: 2,
        not_before_ms: 0,
        not_after_ms: 0,
    }));
    Record::create(&f.params, &body, &[(&f.city_a_admin, "")])
        .unwrap_err()
        .code
}

#[test]
fn a_key_registered_with_the_default_id_spelled_out_is_refused() {
    let f = Fixture::new();
    assert_eq!(
        register_key_code(&f, DEFAULT_DISTID),
        RejectCode::InvalidField
    );
}

/// Every kind of record, committed in a valid order; after each, the same
/// signed body under fresh signatures is refused as a duplicate.
#[test]
fn every_kind_is_committed_once() {
    let mut f = Fixture::new();
    let steps = f.every_kind_steps();
    let mut kinds = Vec::new();
    for (kind, keys) in steps {
        let keys: Vec<&SigningKey> = keys.iter().collect();
        let r = f.record_step(kind, &keys);
        kinds.push(r.kind());
        f.try_commit(r.clone())
            .unwrap_or_else(|e| panic!("{:?}: {e}", r.kind()));
        // The exact bytes again, and the same body re-signed.
        assert_eq!(
            f.try_commit(r.clone()).unwrap_err().code,
            RejectCode::Duplicate
        );
        let again = resigned(&f, &r, &keys);
        let rej = f.try_commit(again).unwrap_err();
        assert_eq!(rej.code, RejectCode::Duplicate, "{:?}: {rej}", r.kind());
    }
    let kinds: std::collections::BTreeSet<String> =
        kinds.iter().map(|k| format!("{k:?}")).collect();
    assert_eq!(kinds.len(), 23, "every record kind is exercised");
}

#[test]
fn a_revoked_grant_does_not_come_back_and_a_revocation_does_not_replay() {
    let mut f = Fixture::new();
    let admin = f.city_a_admin.clone();
    let g = proto::GrantAuthority {
        org: f.district.clone(),
        kind: 1,
        scope: CERT_TYPE.into(),
        region: "440305".into(),
    };
    let rg = proto::RevokeGrant {
        org: g.org.clone(),
        kind: g.kind,
        scope: g.scope.clone(),
        region: g.region.clone(),
    };
    let key = StateKey::Grant {
        org: g.org.clone(),
        kind: g.kind,
        scope: g.scope.clone(),
        region: g.region.clone(),
    };
    let grant1 = f.record(Kind::Grant(g.clone()), &[&admin]);
    f.try_commit(grant1.clone()).unwrap();
    let revoke1 = f.record(Kind::RevokeGrant(rg.clone()), &[&admin]);
    f.try_commit(revoke1.clone()).unwrap();
    // The revoked grant's body, re-wrapped: refused, the grant stays revoked.
    let r = f.try_commit(resigned(&f, &grant1, &[&admin])).unwrap_err();
    assert_eq!(r.code, RejectCode::Duplicate);
    assert!(!state::<GrantState>(&f, &key).unwrap().active);
    // Granted again (a new body: signed at a later time), then the old revocation replayed.
    let grant2 = f.record(Kind::Grant(g), &[&admin]);
    assert_ne!(grant2.id(), grant1.id());
    f.try_commit(grant2).unwrap();
    let r = f.try_commit(resigned(&f, &revoke1, &[&admin])).unwrap_err();
    assert_eq!(r.code, RejectCode::Duplicate);
    assert!(state::<GrantState>(&f, &key).unwrap().active);
}

#[test]
fn an_older_validator_change_cannot_roll_the_set_back() {
    let mut f = Fixture::new();
    let (a, b) = (f.province_admin.clone(), f.city_a_admin.clone());
    let c = f.city_b_admin.clone();
    let newer: Vec<SigningKey> = (0..4)
        .map(|_| SigningKey::generate(Suite::Sm).unwrap())
        .collect();
    let first = f.record(
        Kind::ChangeValidators(proto::ChangeValidators {
            validators: f.validator_set(&f.validators),
        }),
        &[&a, &b, &c],
    );
    f.try_commit(first.clone()).unwrap();
    let second = f.record(
        Kind::ChangeValidators(proto::ChangeValidators {
            validators: f.validator_set(&newer),
        }),
        &[&a, &b],
    );
    f.try_commit(second).unwrap();
    // The first change, with only two of its three signatures (still a quorum).
    let mut env = Envelope::decode(first.bytes()).unwrap();
    env.signatures.remove(1);
    let replay = Record::decode(&f.params, &env.encode_to_vec()).unwrap();
    let r = f.try_commit(replay).unwrap_err();
    assert_eq!(r.code, RejectCode::Duplicate);
    let set: ValidatorSetState = state(&f, &StateKey::Validators).unwrap();
    assert_eq!(set.validators[0].public_key, pk(&newer[0]));
}

#[test]
fn a_front_runner_cannot_change_the_committed_id() {
    let mut f = Fixture::new();
    let (a, b) = (f.province_admin.clone(), f.city_a_admin.clone());
    let mine = f.record(
        Kind::ChangeValidators(proto::ChangeValidators {
            validators: f.validator_set(&f.validators),
        }),
        &[&a, &b],
    );
    // Someone who saw it in a mempool commits a re-wrapped copy first.
    let theirs = resigned(&f, &mine, &[&a, &b]);
    let log_index = f.try_commit(theirs).unwrap();
    // The id the submitter expects is the committed one; its own copy is a duplicate.
    let rs: proto::RecordState = state(&f, &StateKey::Record(mine.id())).unwrap();
    assert_eq!(rs.log_index, log_index);
    assert_eq!(f.try_commit(mine).unwrap_err().code, RejectCode::Duplicate);
}

#[test]
fn a_data_sharing_decision_cannot_fork_or_replay() {
    let mut f = Fixture::new();
    let (requester, approver) = (f.city_b_admin.clone(), f.province_admin.clone());
    let req = proto::ShareRequest {
        request_id: "REQ-9".into(),
        requester: f.city_b.clone(),
        provider: f.city_a.clone(),
        approver: f.province.clone(),
        data_item: SHARE_ITEM.into(),
        legal_basis: "《优化营商环境条例》第三十七条".into(),
        holder_commitment: vec![9; 32],
    };
    f.try_commit(f.record(Kind::ShareRequest(req.clone()), &[&requester]))
        .unwrap();
    let decide = |approved| proto::ShareDecision {
        request_id: "REQ-9".into(),
        approved,
        reason: String::new(),
    };
    // The approver signed both answers; only the first committed counts.
    let yes = f.record(Kind::ShareDecision(decide(true)), &[&approver]);
    let no = f.record(Kind::ShareDecision(decide(false)), &[&approver]);
    f.try_commit(yes.clone()).unwrap();
    assert_eq!(f.try_commit(no).unwrap_err().code, RejectCode::OutOfOrder);
    let again = resigned(&f, &yes, &[&approver]);
    assert_eq!(f.try_commit(again).unwrap_err().code, RejectCode::Duplicate);
    // The request id cannot be reused for a second exchange.
    let mut other = req;
    other.legal_basis = "另一依据".into();
    let r = f.record(Kind::ShareRequest(other), &[&requester]);
    assert_eq!(f.try_commit(r).unwrap_err().code, RejectCode::AlreadyExists);
}

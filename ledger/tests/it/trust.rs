//! A verifier's memory of validator sets (bundle.md §6.1, threat model A3):
//! retired validators cannot certify blocks once the verifier knows their
//! replacement.

use yinzheng_ledger::crypto::{SigningKey, Suite};
use yinzheng_ledger::proto;
use yinzheng_ledger::{
    BundleVerifier, MemChain, Step, TrustedHistory, VerdictStatus, VerifyCode, sign_commit,
};

use crate::fixture::Fixture;

/// A chain whose validators were all replaced at height 3, and a bundle of a
/// certificate issued afterwards (carrying the change).
fn rotated() -> (Fixture, Vec<SigningKey>, proto::Bundle) {
    let mut f = Fixture::new();
    let retired = f.rotate_validators(); // change at height 1; the new set signs from height 3
    let r = f.issue_record("NO-1", b"real");
    f.try_commit(r.clone()).unwrap(); // height 3
    let b = f.chain.bundle(&r.id(), true).unwrap();
    (f, retired, b)
}

/// What the retired validators can make: their own chain from the same
/// genesis, certified by their keys, with a certificate nobody issued.
fn forged_by(f: &Fixture, retired: &[SigningKey], height: u64) -> proto::Bundle {
    let mut chain = MemChain::new(&f.genesis).unwrap();
    let signers: Vec<(u32, &SigningKey)> = (0..3).map(|i| (i, &retired[i as usize])).collect();
    let mut t = f.time;
    for _ in 1..height {
        t += 1000;
        let (h, _) = chain.produce(&[], t, 0).unwrap();
        chain
            .certify(h.height, sign_commit(Suite::Sm, &h, 0, &signers).unwrap())
            .unwrap();
    }
    let fake = f.issue_record("FORGED-1", b"a forged licence");
    t += 1000;
    let (h, _) = chain.produce(std::slice::from_ref(&fake), t, 0).unwrap();
    assert_eq!(h.height, height);
    chain
        .certify(h.height, sign_commit(Suite::Sm, &h, 0, &signers).unwrap())
        .unwrap();
    chain.bundle(&fake.id(), false).unwrap()
}

#[test]
fn retired_validators_cannot_certify_once_their_replacement_is_known() {
    let (f, retired, real) = rotated();
    let forged = forged_by(&f, &retired, 10);
    // A verifier that knows only genesis cannot tell: this is the residual
    // risk the threat model states (and why retired keys must be destroyed).
    let naive = BundleVerifier::new(&f.genesis).unwrap();
    assert_eq!(naive.verify(&forged, None).status, VerdictStatus::Valid);
    // Once it has verified any bundle carrying the change, it refuses.
    let v = BundleVerifier::new(&f.genesis).unwrap();
    assert_eq!(v.verify(&real, None).status, VerdictStatus::Valid);
    let e = v.verify(&forged, None).error.unwrap();
    assert_eq!(
        (e.step, e.code),
        (Step::ValidatorSets, VerifyCode::SupersededSet)
    );
    // Also after a restart, from the history it kept.
    let kept = v.history().to_json();
    let again = TrustedHistory::from_json(&kept, &f.genesis).unwrap();
    assert_eq!(again.sets.len(), 2);
    assert_eq!(again.sets[1].since_height, 3);
    let v2 = BundleVerifier::with_history(&f.genesis, again).unwrap();
    let e = v2.verify(&forged, None).error.unwrap();
    assert_eq!(e.code, "SUPERSEDED_SET");
    // The real bundle still verifies, and a bundle of the old set's own era too.
    assert_eq!(v2.verify(&real, None).status, VerdictStatus::Valid);
    let early = forged_by(&f, &retired, 2);
    assert_ne!(
        v2.verify(&early, None).error.map(|e| e.code.as_str()),
        Some("SUPERSEDED_SET")
    );
}

#[test]
fn a_bundle_beyond_the_trusting_period_is_unconfirmed_and_teaches_nothing() {
    let (f, _, real) = rotated();
    let mut v = BundleVerifier::new(&f.genesis).unwrap();
    v.set_trusting_period(1000);
    let verdict = v.verify(&real, None);
    assert_eq!(verdict.status, VerdictStatus::Valid);
    assert!(verdict.unconfirmed_set);
    let h = v.history();
    assert_eq!(
        h.sets.len(),
        1,
        "nothing learned from an unconfirmed bundle"
    );
    assert_eq!(h.confirmed_height, 0);
    // Within the period it is confirmed and learned from.
    let v = BundleVerifier::new(&f.genesis).unwrap();
    assert!(!v.verify(&real, None).unconfirmed_set);
    assert_eq!(v.history().confirmed_height, f.chain.height());
}

#[test]
fn a_history_from_another_genesis_is_refused() {
    let (f, _, real) = rotated();
    let v = BundleVerifier::new(&f.genesis).unwrap();
    v.verify(&real, None);
    let other = Fixture::new();
    let text = v.history().to_json();
    assert!(TrustedHistory::from_json(&text, &other.genesis).is_err());
    assert!(BundleVerifier::with_history(&other.genesis, v.history()).is_err());
    assert!(TrustedHistory::from_json("{not json", &f.genesis).is_err());
}

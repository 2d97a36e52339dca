//! The ledger's chain in memory and the node's chain on RocksDB, fed the
//! same blocks (every record kind, refusals, a validator-set change), agree
//! byte for byte: headers, state commitments, certificates and bundles.

use prost::Message;
use yinzheng_ledger::crypto::SigningKey;
use yinzheng_ledger::{
    BundleForm, BundleVerifier, ChainRead, MemChain, Outcome, VerdictStatus, block_hash,
    build_bundle, precommit_bytes,
};
use yinzheng_node::chain::Chain;

#[allow(dead_code)]
#[path = "../../../ledger/tests/it/fixture.rs"]
mod fixture;

use fixture::Fixture;

/// A history with every kind, each committed record tried again (refused
/// as a duplicate, inside a block with an accepted one), a validator
/// rotation, and blocks signed by the new set.
fn history() -> Fixture {
    let mut f = Fixture::new();
    let mut last = None;
    for (kind, keys) in f.every_kind_steps() {
        let keys: Vec<&SigningKey> = keys.iter().collect();
        let r = f.record_step(kind, &keys);
        let mut block = vec![r.clone()];
        block.extend(last.take());
        let outcomes = f.commit(&block);
        assert!(
            matches!(outcomes[0], Outcome::Committed { .. }),
            "{:?}",
            r.kind()
        );
        if block.len() > 1 {
            assert!(matches!(outcomes[1], Outcome::Rejected(_)));
        }
        last = Some(r);
    }
    f.rotate_validators();
    let r = f.issue_record("NO-9", b"after the rotation");
    f.commit(&[r]);
    f.commit(&[]);
    f
}

fn bundle_bytes(
    chain: &dyn ChainRead,
    id: &yinzheng_ledger::crypto::Digest,
    form: BundleForm,
) -> Vec<u8> {
    build_bundle(chain, id, form).unwrap().encode_to_vec()
}

#[test]
fn the_node_computes_what_the_ledger_computes() {
    let f = history();
    let mem: &MemChain = &f.chain;
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    let suite = f.params.suite;
    let verifier = BundleVerifier::new(&f.genesis).unwrap();
    let mut ids = Vec::new();
    for (height, (candidates, time)) in (1..).zip(&f.produced) {
        let want = mem.block(height).unwrap();
        let (prepared, outcomes) = node.prepare(candidates, *time, 0).unwrap();
        let header = prepared.block.header.clone().unwrap();
        assert_eq!(header, want.view.header, "header of block {height}");
        assert_eq!(
            prepared.block.state.as_ref(),
            Some(&want.view.state),
            "state of {height}"
        );
        assert_eq!(prepared.block.records, want.records, "records of {height}");
        assert_eq!(prepared.id, block_hash(suite, &want.view.header).unwrap());
        assert_eq!(outcomes.len(), candidates.len());
        // The node, checking the block as proposed by another, accepts it.
        let validated = node.validate(&prepared.block, None, 0, &|_| None).unwrap();
        assert_eq!(validated.id, prepared.id);
        // The precommit message both sign, and the certificate.
        let cert = want.view.certificate.clone().unwrap();
        assert_eq!(
            precommit_bytes(&header.chain_id, height, cert.round, &prepared.id),
            precommit_bytes(
                &want.view.header.chain_id,
                height,
                cert.round,
                &block_hash(suite, &want.view.header).unwrap()
            ),
        );
        ids.extend(prepared.record_ids());
        node.commit(prepared, cert.clone()).unwrap();
        let stored = node.block(height).unwrap().unwrap();
        assert_eq!(stored.certificate, Some(cert));
        // Read at each new height, a full bundle proves status against that
        // height (the readers' shared pages are those of the height they
        // were read at, never an older one's).
        for _ in 0..2 {
            let bytes = bundle_bytes(&node.snapshot(), &ids[0], BundleForm::Full);
            let v = verifier.verify_bytes(&bytes, None);
            assert_ne!(v.status, VerdictStatus::Invalid, "at {height}: {v:?}");
        }
    }
    assert_eq!(node.height(), mem.height());
    assert_eq!(
        ids.len() as u64,
        mem.block(mem.height()).unwrap().view.state.log_size
    );
    let snapshot = node.snapshot();
    for id in &ids {
        for form in [BundleForm::Full, BundleForm::Compact] {
            let a = bundle_bytes(mem, id, form);
            let b = bundle_bytes(&snapshot, id, form);
            assert_eq!(a, b, "{form:?} bundle of {id}");
            let v = verifier.verify_bytes(&a, None);
            assert_ne!(
                v.status,
                VerdictStatus::Invalid,
                "{form:?} bundle of {id}: {v:?}"
            );
        }
    }
    assert!(ids.len() >= 18, "every kind and the later issue");
}

/// Execute the fixture's first block on `node` and commit it with the
/// certificate the fixture's validators gave it; its outcomes.
fn commit_first_block(f: &Fixture, node: &Chain) -> Vec<Outcome> {
    let (candidates, time) = &f.produced[0];
    let (prepared, outcomes) = node.prepare(candidates, *time, 0).unwrap();
    let cert = f.chain.block(1).unwrap().view.certificate.clone().unwrap();
    node.commit(prepared, cert).unwrap();
    outcomes
}

/// A record checked for admission against one height and committed by a
/// block (another member's) before it reached the pool is refused there as
/// a duplicate: it does not wait for a block that would refuse it.
#[test]
fn a_record_committed_between_its_check_and_the_pool_is_refused() {
    use yinzheng_node::mempool::{AdmitError, Mempool};
    let mut f = Fixture::new();
    let r = f.issue_record("NO-1", b"checked, then committed elsewhere");
    f.commit(std::slice::from_ref(&r));
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    let time = f.produced[0].1;
    let checked_at = Mempool::check(&node, &r, time).expect("not yet committed: admissible");
    assert_eq!(checked_at, 0);
    let outcomes = commit_first_block(&f, &node);
    assert!(matches!(outcomes[0], Outcome::Committed { .. }));
    let mut pool = Mempool::new(8);
    let refused = pool
        .insert_uncommitted(&node, r.clone(), checked_at, true)
        .unwrap_err();
    assert!(
        matches!(&refused, AdmitError::Rejected(x) if x.code.as_str() == "DUPLICATE"),
        "{refused}"
    );
    assert!(pool.is_empty());
    // Not committed: admitted.
    let other = f.issue_record("NO-2", b"never committed");
    pool.insert_uncommitted(&node, other, node.height(), true)
        .unwrap();
    assert_eq!(pool.len(), 1);
}

/// A record met again (relayed after a block committed it, submitted twice)
/// is refused as a duplicate before any signature is checked: a copy of a
/// known record carrying a broken signature is answered `DUPLICATE`, where
/// a record never seen with that signature is `BAD_SIGNATURE`.
#[test]
fn a_record_met_again_costs_no_signature_check() {
    use yinzheng_node::mempool::{AdmitError, Mempool};
    let code = |r: Result<yinzheng_node::mempool::Checked, AdmitError>| match r {
        Err(AdmitError::Rejected(x)) => x.code.as_str().to_owned(),
        other => format!("{other:?}"),
    };
    // The same signed message, its signature's last byte changed.
    let broken = |bytes: &[u8]| {
        let mut b = bytes.to_vec();
        let last = b.len() - 1;
        b[last] ^= 0x01;
        b
    };
    let mut f = Fixture::new();
    let committed = f.issue_record("NO-1", b"committed");
    f.commit(std::slice::from_ref(&committed));
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    commit_first_block(&f, &node);
    let time = f.produced[0].1;
    let waiting = f.issue_record("NO-2", b"waiting");
    let mut pool = Mempool::new(8);
    pool.insert_uncommitted(&node, waiting.clone(), node.height(), true)
        .unwrap();
    let now = time + 1;

    for (r, seen) in [(&committed, "committed"), (&waiting, "waiting")] {
        let copy = broken(r.bytes());
        let parsed = yinzheng_ledger::Record::parse(node.params(), &copy).unwrap();
        assert_eq!(parsed.id(), r.id(), "same signed message, same id");
        assert!(
            parsed.verify(node.params()).is_err(),
            "the copy's signature is broken"
        );
        let answer = Mempool::check_bytes(&node, &copy, now, |id| pool.room_for(id));
        assert_eq!(code(answer), "DUPLICATE", "{seen}");
    }
    // Not looked up in the pool: the waiting record's copy is verified, and
    // its signature refused.
    let copy = broken(waiting.bytes());
    assert_eq!(
        code(Mempool::check_bytes(&node, &copy, now, |_| Ok(()))),
        "BAD_SIGNATURE"
    );
    // The genuine record is still admissible; the pool is unchanged.
    Mempool::check_bytes(&node, waiting.bytes(), now, |_| Ok(())).unwrap();
    assert_eq!(pool.len(), 1);
}

/// A record that comes while the pool is full is refused `BUSY` before any
/// signature is checked (it would be refused at the insert after all its
/// checks): a never-seen record with a broken signature is answered
/// `BUSY`, not `BAD_SIGNATURE`. A record already waiting is still told
/// `DUPLICATE`, and a record already committed `DUPLICATE` too.
#[test]
fn a_full_pool_costs_no_signature_check() {
    use yinzheng_node::mempool::{AdmitError, Mempool};
    let code = |r: Result<yinzheng_node::mempool::Checked, AdmitError>| match r {
        Err(e) => e.reason().to_owned(),
        Ok(_) => "admitted".to_owned(),
    };
    let broken = |bytes: &[u8]| {
        let mut b = bytes.to_vec();
        let last = b.len() - 1;
        b[last] ^= 0x01;
        b
    };
    let mut f = Fixture::new();
    let committed = f.issue_record("FULL-1", b"committed");
    f.commit(std::slice::from_ref(&committed));
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    commit_first_block(&f, &node);
    let now = f.produced[0].1 + 1;
    let waiting = f.issue_record("FULL-2", b"waiting");
    let fresh = f.issue_record("FULL-3", b"never seen");
    // A pool of one, full.
    let mut pool = Mempool::new(1);
    pool.insert_uncommitted(&node, waiting.clone(), node.height(), true)
        .unwrap();

    let check = |bytes: &[u8]| {
        code(Mempool::check_bytes(&node, bytes, now, |id| {
            pool.room_for(id)
        }))
    };
    assert_eq!(
        check(&broken(fresh.bytes())),
        "BUSY",
        "no signature checked"
    );
    assert_eq!(check(fresh.bytes()), "BUSY");
    assert_eq!(check(waiting.bytes()), "DUPLICATE");
    assert_eq!(check(committed.bytes()), "DUPLICATE");
    // With room, the same broken copy is verified and refused, and the
    // genuine record admitted.
    let roomy = Mempool::new(8);
    let check = |bytes: &[u8]| {
        code(Mempool::check_bytes(&node, bytes, now, |id| {
            roomy.room_for(id)
        }))
    };
    assert_eq!(check(&broken(fresh.bytes())), "BAD_SIGNATURE");
    assert_eq!(check(fresh.bytes()), "admitted");
    assert_eq!(pool.len(), 1, "checks change nothing");
}

/// The city A admin's record revoking the city A operator's key (the key
/// that signs the fixture's certificates).
fn revoke_operator(f: &Fixture) -> yinzheng_ledger::Record {
    f.record(
        yinzheng_ledger::proto::record_body::Kind::RevokeKey(yinzheng_ledger::proto::RevokeKey {
            public_key: fixture::pk(&f.city_a_operator),
            reason: "left the office".into(),
        }),
        &[&f.city_a_admin],
    )
}

/// The entries many records read (organisations, keys, grants) are shared
/// between the checks and blocks over one height and never served at
/// another: a key checked good at height 0 (kept for that height) and
/// revoked by block 1 is refused at admission after block 1.
#[test]
fn an_entry_kept_for_a_height_is_not_served_after_it() {
    use yinzheng_node::mempool::{AdmitError, Mempool};
    let code = |e: AdmitError| match e {
        AdmitError::Rejected(x) => x.code.as_str().to_owned(),
        other => format!("{other:?}"),
    };
    let mut f = Fixture::new();
    let revoke = revoke_operator(&f);
    let outcomes = f.commit(std::slice::from_ref(&revoke));
    assert!(matches!(outcomes[0], Outcome::Committed { .. }));
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    let time = f.produced[0].1;
    let before = f.issue_record("NO-1", b"checked at height 0");
    // Twice: the second answer comes from the entries kept for height 0.
    for _ in 0..2 {
        Mempool::check_bytes(&node, before.bytes(), time, |_| Ok(())).expect("good at height 0");
    }
    commit_first_block(&f, &node);
    let after = f.issue_record("NO-2", b"checked at height 1");
    let refused = Mempool::check_bytes(&node, after.bytes(), time + 1, |_| Ok(())).unwrap_err();
    assert_eq!(code(refused), "KEY_REVOKED");
    let refused = Mempool::check(&node, &before, time + 1).unwrap_err();
    assert_eq!(code(refused), "KEY_REVOKED");
}

/// A block reads the shared entries it wrote itself, not those kept for
/// the height below it: a key revoked by a block's first record cannot sign
/// its second, on the node as in the ledger, although admission had just
/// read the key as good at that height.
#[test]
fn a_block_reads_the_shared_entries_it_wrote() {
    use yinzheng_node::mempool::Mempool;
    let mut f = Fixture::new();
    let revoke = revoke_operator(&f);
    let issue = f.issue_record("NO-1", b"signed by the revoked key");
    let dir = tempfile::tempdir().unwrap();
    let node = Chain::open(dir.path(), &f.genesis).unwrap();
    Mempool::check(&node, &issue, f.time).expect("good at height 0");
    let ledger = f.commit(&[revoke, issue]);
    assert!(matches!(ledger[0], Outcome::Committed { .. }));
    assert!(matches!(ledger[1], Outcome::Rejected(_)), "{ledger:?}");
    assert_eq!(commit_first_block(&f, &node), ledger);
}

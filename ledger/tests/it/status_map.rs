//! The status map: presence and absence proofs, and damaged proofs.

use std::collections::BTreeMap;

use proptest::prelude::*;
use yinzheng_ledger::crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{MemSmtStore, SmtTerminal, StatusMap};

fn key(i: u32) -> Digest {
    Suite::Sm.hash(&i.to_be_bytes())
}

#[test]
fn empty_map_root_is_zero_and_proves_absence() {
    let map = StatusMap::open(Suite::Sm, MemSmtStore::default());
    assert_eq!(map.root().unwrap(), Digest::default());
    let p = map.prove(&key(1)).unwrap();
    assert_eq!(p.terminal, SmtTerminal::Empty);
    p.verify(Suite::Sm, &Digest::default(), &key(1), None)
        .unwrap();
    assert!(
        p.verify(Suite::Sm, &Digest::default(), &key(1), Some(b"x"))
            .is_err()
    );
}

#[test]
fn root_is_independent_of_insertion_order() {
    let mut a = StatusMap::open(Suite::Sm, MemSmtStore::default());
    let mut b = StatusMap::open(Suite::Sm, MemSmtStore::default());
    for i in 0..200 {
        a.insert(&key(i), &i.to_le_bytes()).unwrap();
    }
    for i in (0..200).rev() {
        b.insert(&key(i), &i.to_le_bytes()).unwrap();
    }
    assert_eq!(a.root().unwrap(), b.root().unwrap());
    // Updating a value changes the root; updating it back restores it.
    let before = a.root().unwrap();
    a.insert(&key(7), b"revoked").unwrap();
    assert_ne!(a.root().unwrap(), before);
    a.insert(&key(7), &7u32.to_le_bytes()).unwrap();
    assert_eq!(a.root().unwrap(), before);
}

#[test]
fn presence_absence_and_tampering() {
    let mut map = StatusMap::open(Suite::Sm, MemSmtStore::default());
    for i in 0..1000 {
        map.insert(&key(i), format!("status {i}").as_bytes())
            .unwrap();
    }
    let root = map.root().unwrap();
    for i in (0..1000).step_by(37) {
        let p = map.prove(&key(i)).unwrap();
        let v = format!("status {i}");
        p.verify(Suite::Sm, &root, &key(i), Some(v.as_bytes()))
            .unwrap();
        assert!(
            p.verify(Suite::Sm, &root, &key(i), Some(b"status forged"))
                .is_err()
        );
        assert!(p.verify(Suite::Sm, &root, &key(i), None).is_err());
        // Proof size stays near log2(1000) ≈ 10 siblings.
        assert!(p.siblings.len() < 24, "{} siblings", p.siblings.len());
        if let Some(s) = p.siblings.first() {
            let mut q = p.clone();
            q.siblings[0].0[0] ^= if *s == Digest::default() { 1 } else { 0x80 };
            assert!(
                q.verify(Suite::Sm, &root, &key(i), Some(v.as_bytes()))
                    .is_err()
            );
        }
    }
    for i in 5000..5050 {
        let p = map.prove(&key(i)).unwrap();
        p.verify(Suite::Sm, &root, &key(i), None).unwrap();
        assert!(
            p.verify(Suite::Sm, &root, &key(i), Some(b"anything"))
                .is_err()
        );
        // An absence proof for one key does not serve for another key.
        assert!(
            p.verify(Suite::Sm, &root, &key(i + 1), None).is_err() || {
                // unless both keys genuinely end in the same empty subtree
                map.prove(&key(i + 1)).unwrap() == p
            }
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn prop_map_proofs(entries in proptest::collection::btree_map(0u32..5000, 0u8..4, 0..120), probe in 0u32..5000) {
        let mut map = StatusMap::open(Suite::Sm, MemSmtStore::default());
        let model: BTreeMap<u32, u8> = entries;
        for (k, v) in &model {
            map.insert(&key(*k), &[*v]).unwrap();
        }
        let root = map.root().unwrap();
        let p = map.prove(&key(probe)).unwrap();
        match model.get(&probe) {
            Some(v) => {
                prop_assert!(p.verify(Suite::Sm, &root, &key(probe), Some(&[*v])).is_ok());
                prop_assert!(p.verify(Suite::Sm, &root, &key(probe), Some(&[v ^ 0xff])).is_err());
                prop_assert!(p.verify(Suite::Sm, &root, &key(probe), None).is_err());
            }
            None => {
                prop_assert!(p.verify(Suite::Sm, &root, &key(probe), None).is_ok());
                prop_assert!(p.verify(Suite::Sm, &root, &key(probe), Some(&[0])).is_err());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// A block's writes set in one batch give the same map (root and every
    /// proof) as the same writes set one at a time, over a non-empty map.
    #[test]
    fn prop_batch_equals_one_at_a_time(
        before in proptest::collection::btree_map(0u32..3000, 0u8..4, 0..80),
        block in proptest::collection::vec((0u32..3000, 0u8..4), 0..80),
    ) {
        let mut one = StatusMap::open(Suite::Sm, MemSmtStore::default());
        let mut batch = StatusMap::open(Suite::Sm, MemSmtStore::default());
        for (k, v) in &before {
            one.insert(&key(*k), &[*v]).unwrap();
            batch.insert(&key(*k), &[*v]).unwrap();
        }
        let writes: Vec<(Digest, Vec<u8>)> = block.iter().map(|(k, v)| (key(*k), vec![*v])).collect();
        for (k, v) in &writes {
            one.insert(k, v).unwrap();
        }
        batch.insert_batch(writes.iter().map(|(k, v)| (k, v.as_slice()))).unwrap();
        prop_assert_eq!(one.root().unwrap(), batch.root().unwrap());
        for (k, _) in &writes {
            prop_assert_eq!(one.prove(k).unwrap(), batch.prove(k).unwrap());
        }
    }
}

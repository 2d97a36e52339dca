//! The RFC 9162 log: published vectors (SHA-256), a naive reference (SM3), and
//! properties of proofs.

use proptest::prelude::*;
use yinzheng_ledger::LedgerError;
use yinzheng_ledger::crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{
    MemLogStore, MerkleLog, empty_root, leaf_hash, root_of_leaf_hashes, verify_consistency,
    verify_inclusion,
};

// RFC 6962 / transparency-dev reference tree: leaves and the root at each size.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn d(h: &str) -> Digest {
    Digest::from_hex(h).unwrap()
}

fn reference_log() -> MerkleLog<MemLogStore> {
    let mut log = MerkleLog::open(Suite::Intl, 0, MemLogStore::default());
    for l in LEAVES {
        log.append(&hex::decode(l).unwrap()).unwrap();
    }
    log
}

#[test]
fn rfc6962_roots_sha256() {
    let log = reference_log();
    for (n, want) in ROOTS.iter().enumerate() {
        assert_eq!(log.root_at(n as u64).unwrap(), d(want), "size {n}");
    }
    assert_eq!(empty_root(Suite::Intl), d(ROOTS[0]));
}

#[test]
fn rfc6962_inclusion_and_consistency_vectors() {
    let log = reference_log();
    let incl = [
        (
            0u64,
            vec![
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            vec![
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    for (index, proof) in incl {
        let want: Vec<Digest> = proof.iter().map(|h| d(h)).collect();
        assert_eq!(log.inclusion_proof(index, 8).unwrap(), want);
        verify_inclusion(
            Suite::Intl,
            &log.leaf(index).unwrap(),
            index,
            8,
            &want,
            &d(ROOTS[8]),
        )
        .unwrap();
    }
    let cons: Vec<Digest> = [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    .iter()
    .map(|h| d(h))
    .collect();
    assert_eq!(log.consistency_proof(2, 8).unwrap(), cons);
    verify_consistency(Suite::Intl, 2, 8, &d(ROOTS[2]), &d(ROOTS[8]), &cons).unwrap();
}

fn sm3_log(n: usize) -> (MerkleLog<MemLogStore>, Vec<Digest>) {
    let mut log = MerkleLog::open(Suite::Sm, 0, MemLogStore::default());
    let mut leaves = Vec::new();
    for i in 0..n {
        let data = (i as u32).to_be_bytes().repeat(i % 5 + 1);
        leaves.push(leaf_hash(Suite::Sm, &data));
        log.append(&data).unwrap();
    }
    (log, leaves)
}

#[test]
fn sm3_log_matches_naive_reference_at_every_size() {
    let (log, leaves) = sm3_log(70);
    for n in 0..=70 {
        assert_eq!(
            log.root_at(n as u64).unwrap(),
            root_of_leaf_hashes(Suite::Sm, &leaves[..n])
        );
    }
}

#[test]
fn every_proof_verifies_in_every_size() {
    let (log, leaves) = sm3_log(40);
    for n in 1..=40u64 {
        let root = log.root_at(n).unwrap();
        for m in 0..n {
            let p = log.inclusion_proof(m, n).unwrap();
            verify_inclusion(Suite::Sm, &leaves[m as usize], m, n, &p, &root).unwrap();
        }
        for m in 0..=n {
            let p = log.consistency_proof(m, n).unwrap();
            verify_consistency(Suite::Sm, m, n, &log.root_at(m).unwrap(), &root, &p).unwrap();
        }
    }
}

#[test]
fn corrupted_inclusion_proofs_fail() {
    let (log, leaves) = sm3_log(13);
    let root = log.root().unwrap();
    let p = log.inclusion_proof(6, 13).unwrap();
    let ok = |leaf: &Digest, i: u64, n: u64, p: &[Digest]| {
        verify_inclusion(Suite::Sm, leaf, i, n, p, &root)
    };
    assert!(ok(&leaves[6], 6, 13, &p).is_ok());
    assert!(ok(&leaves[6], 5, 13, &p).is_err());
    assert!(ok(&leaves[6], 7, 13, &p).is_err());
    assert!(ok(&leaves[6], 6, 17, &p).is_err());
    assert!(ok(&leaves[5], 6, 13, &p).is_err());
    assert!(ok(&leaves[6], 6, 13, &p[..p.len() - 1]).is_err());
    let mut longer = p.clone();
    longer.push(Digest::default());
    assert!(ok(&leaves[6], 6, 13, &longer).is_err());
    for i in 0..p.len() {
        for bit in [0usize, 77, 255] {
            let mut q = p.clone();
            q[i].0[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                ok(&leaves[6], 6, 13, &q),
                Err(LedgerError::InclusionProof {
                    reason: "computed root differs"
                })
            );
        }
    }
    assert!(matches!(
        ok(&leaves[6], 13, 13, &p),
        Err(LedgerError::InclusionProof {
            reason: "leaf index is not below the tree size"
        })
    ));
}

#[test]
fn out_of_range_requests_are_errors() {
    let (log, _) = sm3_log(5);
    assert!(log.root_at(6).is_err());
    assert!(log.inclusion_proof(5, 5).is_err());
    assert!(log.consistency_proof(3, 6).is_err());
    assert!(log.leaf(5).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_inclusion_and_consistency(n in 1u64..300, a in 0u64..300, b in 0u64..300, flip in 0usize..256) {
        let (log, leaves) = sm3_log(n as usize);
        let m = a % n;
        let root = log.root().unwrap();
        let p = log.inclusion_proof(m, n).unwrap();
        prop_assert!(verify_inclusion(Suite::Sm, &leaves[m as usize], m, n, &p, &root).is_ok());
        if !p.is_empty() {
            let mut q = p.clone();
            let i = flip % q.len();
            q[i].0[flip / 8] ^= 1 << (flip % 8);
            prop_assert!(verify_inclusion(Suite::Sm, &leaves[m as usize], m, n, &q, &root).is_err());
        }
        let s1 = b % (n + 1);
        let c = log.consistency_proof(s1, n).unwrap();
        let r1 = log.root_at(s1).unwrap();
        prop_assert!(verify_consistency(Suite::Sm, s1, n, &r1, &root, &c).is_ok());
        if !c.is_empty() {
            let mut q = c.clone();
            let i = flip % q.len();
            q[i].0[flip / 8] ^= 1 << (flip % 8);
            prop_assert!(verify_consistency(Suite::Sm, s1, n, &r1, &root, &q).is_err());
        }
    }
}

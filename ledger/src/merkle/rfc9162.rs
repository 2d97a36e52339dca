//! RFC 9162 §2.1 Merkle tree hashing and proof verification, over the suite's hash.
//!
//! * leaf: `H(0x00 ‖ data)`; interior node: `H(0x01 ‖ left ‖ right)`;
//! * the empty tree's root is `H("")`;
//! * a tree of `n > 1` leaves splits at `k`, the largest power of two below `n`.

use yinzheng_crypto::{Digest, Suite};

use crate::LedgerError;

/// `MTH({d})` = `H(0x00 ‖ d)`.
pub fn leaf_hash(suite: Suite, data: &[u8]) -> Digest {
    suite.hash_parts(&[&[0x00], data])
}

/// `H(0x01 ‖ left ‖ right)`.
pub fn node_hash(suite: Suite, left: &Digest, right: &Digest) -> Digest {
    suite.hash_parts(&[&[0x01], &left.0, &right.0])
}

/// The root of the empty tree, `H("")`.
pub fn empty_root(suite: Suite) -> Digest {
    suite.hash(&[])
}

/// The largest power of two strictly below `n` (`n ≥ 2`).
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH` over already hashed leaves, by the definition (used for a block's own
/// records, and as the reference the stored log is tested against).
pub fn root_of_leaf_hashes(suite: Suite, leaves: &[Digest]) -> Digest {
    match leaves.len() {
        0 => empty_root(suite),
        1 => leaves[0],
        n => {
            let k = usize::try_from(split_point(n as u64)).unwrap_or(n / 2);
            let l = root_of_leaf_hashes(suite, &leaves[..k]);
            let r = root_of_leaf_hashes(suite, &leaves[k..]);
            node_hash(suite, &l, &r)
        }
    }
}

/// RFC 9162 §2.1.3.1 `PATH(m, D[n])` over leaf hashes held in memory (a
/// block's own records).
pub fn inclusion_path(suite: Suite, m: usize, leaves: &[Digest]) -> Vec<Digest> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = usize::try_from(split_point(n as u64)).unwrap_or(n / 2);
    if m < k {
        let mut p = inclusion_path(suite, m, &leaves[..k]);
        p.push(root_of_leaf_hashes(suite, &leaves[k..]));
        p
    } else {
        let mut p = inclusion_path(suite, m - k, &leaves[k..]);
        p.push(root_of_leaf_hashes(suite, &leaves[..k]));
        p
    }
}

/// RFC 9162 §2.1.3.2: the root that `proof` leads to from `leaf` at `index`
/// in a tree of `size` leaves (the verification algorithm without the final
/// comparison; a compact bundle's records root is computed this way).
pub fn root_from_inclusion(
    suite: Suite,
    leaf: &Digest,
    index: u64,
    size: u64,
    proof: &[Digest],
) -> Result<Digest, LedgerError> {
    let bad = |reason: &'static str| Err(LedgerError::InclusionProof { reason });
    if index >= size {
        return bad("leaf index is not below the tree size");
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return bad("proof is longer than the tree is deep");
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(suite, p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(suite, &r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return bad("proof is shorter than the tree is deep");
    }
    Ok(r)
}

/// RFC 9162 §2.1.3.2: verify that `leaf` is at `index` in the tree of `size`
/// leaves whose root is `root`.
pub fn verify_inclusion(
    suite: Suite,
    leaf: &Digest,
    index: u64,
    size: u64,
    proof: &[Digest],
    root: &Digest,
) -> Result<(), LedgerError> {
    if &root_from_inclusion(suite, leaf, index, size, proof)? != root {
        return Err(LedgerError::InclusionProof {
            reason: "computed root differs",
        });
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: verify that the tree of `size2` leaves with `root2`
/// extends the tree of `size1` leaves with `root1`.
pub fn verify_consistency(
    suite: Suite,
    size1: u64,
    size2: u64,
    root1: &Digest,
    root2: &Digest,
    proof: &[Digest],
) -> Result<(), LedgerError> {
    let bad = |reason: &'static str| Err(LedgerError::ConsistencyProof { reason });
    if size1 > size2 {
        return bad("first tree is larger than the second");
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return bad("proof between equal sizes must be empty");
        }
        return if root1 == root2 {
            Ok(())
        } else {
            bad("equal sizes with different roots")
        };
    }
    if size1 == 0 {
        // Every tree extends the empty tree; there is nothing to prove.
        return if proof.is_empty() {
            Ok(())
        } else {
            bad("proof from the empty tree must be empty")
        };
    }
    let mut path: Vec<Digest> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return bad("proof is empty");
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return bad("proof is longer than needed");
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(suite, c, &fr);
            sr = node_hash(suite, c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(suite, &sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return bad("proof is shorter than needed");
    }
    if &fr != root1 {
        return bad("first root differs");
    }
    if &sr != root2 {
        return bad("second root differs");
    }
    Ok(())
}

//! A block's records tree kept whole, so an inclusion path is read rather
//! than recomputed: every node of the RFC 9162 tree, level by level.
//!
//! Level 0 holds the `n` leaf hashes; level `L` holds `ceil(n / 2^L)` nodes,
//! node `j` being the root of leaves `[j·2^L, min((j+1)·2^L, n))`. A node
//! with no right sibling is carried up unchanged, which is what RFC 9162's
//! split rule gives for the right edge of a tree whose size is not a power of
//! two; the last level holds the root alone. The layout is the levels
//! concatenated, 32 bytes per node, about `2n` nodes in all.

use yinzheng_crypto::{Digest, Suite};

use super::rfc9162::node_hash;

/// Node count of each level of the tree over `n` leaves, from the leaves up
/// (empty for no leaves).
fn level_sizes(n: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut len = n;
    while len > 0 {
        sizes.push(len);
        if len == 1 {
            break;
        }
        len = len.div_ceil(2);
    }
    sizes
}

/// Every node of the tree over `leaves`, in the layout above.
pub fn tree_levels(suite: Suite, leaves: &[Digest]) -> Vec<Digest> {
    let mut out = leaves.to_vec();
    let mut start = 0;
    let mut len = leaves.len();
    while len > 1 {
        for j in (0..len).step_by(2) {
            let left = out[start + j];
            let up = match out.get(start + j + 1).filter(|_| j + 1 < len) {
                Some(right) => node_hash(suite, &left, right),
                None => left,
            };
            out.push(up);
        }
        start += len;
        len = len.div_ceil(2);
    }
    out
}

/// `PATH(m, D[n])` read from [`tree_levels`]' output for `n` leaves; `None`
/// if `m` is not below `n` or `levels` is not a tree of `n` leaves.
pub fn path_from_levels(levels: &[Digest], n: usize, m: usize) -> Option<Vec<Digest>> {
    path_by(levels.len(), n, m, |i| levels.get(i).copied())
}

/// As [`path_from_levels`], over the levels as stored: the nodes
/// concatenated, 32 bytes each. Only the path's nodes are read, so a
/// server answers from the stored bytes without unpacking the tree; `None`
/// also if the length is not a multiple of 32.
pub fn path_from_packed_levels(packed: &[u8], n: usize, m: usize) -> Option<Vec<Digest>> {
    if !packed.len().is_multiple_of(Digest::LEN) {
        return None;
    }
    path_by(packed.len() / Digest::LEN, n, m, |i| {
        packed
            .get(i * Digest::LEN..(i + 1) * Digest::LEN)
            .and_then(Digest::from_slice)
    })
}

/// The path over a tree of `count` nodes, node `i` given by `node`.
fn path_by(
    count: usize,
    n: usize,
    m: usize,
    node: impl Fn(usize) -> Option<Digest>,
) -> Option<Vec<Digest>> {
    let sizes = level_sizes(n);
    if m >= n || sizes.iter().sum::<usize>() != count {
        return None;
    }
    let mut path = Vec::with_capacity(sizes.len());
    let mut start = 0;
    let mut at = m;
    for len in sizes {
        let sibling = at ^ 1;
        if sibling < len {
            path.push(node(start + sibling)?);
        }
        start += len;
        at >>= 1;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{inclusion_path, leaf_hash, root_of_leaf_hashes};

    #[test]
    fn paths_and_root_agree_with_the_recursive_definition() {
        let suite = Suite::Sm;
        for n in 0..70usize {
            let leaves: Vec<Digest> = (0..n)
                .map(|i| leaf_hash(suite, &(i as u64).to_be_bytes()))
                .collect();
            let levels = tree_levels(suite, &leaves);
            if n > 0 {
                assert_eq!(levels.last(), Some(&root_of_leaf_hashes(suite, &leaves)));
            }
            let packed = crate::pack_digests(&levels);
            for m in 0..n {
                let path = Some(inclusion_path(suite, m, &leaves));
                assert_eq!(path_from_levels(&levels, n, m), path, "n={n} m={m}");
                assert_eq!(
                    path_from_packed_levels(&packed, n, m),
                    path,
                    "packed n={n} m={m}"
                );
            }
            assert_eq!(path_from_levels(&levels, n, n), None);
            assert_eq!(path_from_packed_levels(&packed, n, n), None);
            if n > 1 {
                assert_eq!(path_from_levels(&levels[1..], n, 0), None, "short tree");
                assert_eq!(path_from_levels(&levels, n + 1, 0), None, "wrong size");
                assert_eq!(
                    path_from_packed_levels(&packed[32..], n, 0),
                    None,
                    "short tree"
                );
                assert_eq!(
                    path_from_packed_levels(&packed[1..], n, 0),
                    None,
                    "not digests"
                );
                assert_eq!(
                    path_from_packed_levels(&packed, n + 1, 0),
                    None,
                    "wrong size"
                );
            }
        }
    }
}

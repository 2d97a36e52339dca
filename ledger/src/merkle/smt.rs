//! The status map: an authenticated map from 32-byte keys to values, as a
//! compact sparse Merkle tree (`docs/spec/status-map.md`).
//!
//! * key: a 32-byte digest, read as 256 bits, most significant first; bit `d`
//!   chooses the child at depth `d` (0 = left);
//! * a subtree holding no key hashes to 32 zero bytes;
//! * a subtree holding exactly one key is that key's leaf, placed at the
//!   shallowest depth where it is alone: `H(0x02 ‖ key ‖ H(value))`;
//! * any other subtree is an interior node: `H(0x03 ‖ left ‖ right)`.
//!
//! A proof lists the sibling hashes from the root down to where the key's
//! search ends, and what it found there: nothing, the key's own leaf, or the
//! leaf of another key sharing the path (which proves absence). With `N` keys a
//! proof holds about `log2 N` hashes.

use std::collections::HashMap;

use yinzheng_crypto::{Digest, Suite};

use crate::LedgerError;

const ZERO: Digest = Digest([0u8; 32]);

/// `H(0x02 ‖ key ‖ value_hash)`.
pub fn smt_leaf_hash(suite: Suite, key: &Digest, value_hash: &Digest) -> Digest {
    suite.hash_parts(&[&[0x02], &key.0, &value_hash.0])
}

fn interior(suite: Suite, l: &Digest, r: &Digest) -> Digest {
    interior_input(l, r).map_or(ZERO, |i| suite.hash(&i))
}

/// What an interior node's hash is taken over, `0x03 ‖ left ‖ right`;
/// `None` when both children are empty: the node is empty too (`ZERO`).
fn interior_input(l: &Digest, r: &Digest) -> Option<[u8; 65]> {
    if l == &ZERO && r == &ZERO {
        return None;
    }
    let mut input = [0x03u8; 65];
    input[1..33].copy_from_slice(&l.0);
    input[33..].copy_from_slice(&r.0);
    Some(input)
}

fn bit(key: &Digest, d: usize) -> u8 {
    (key.0[d / 8] >> (7 - (d % 8))) & 1
}

/// `key` with every bit from `depth` on cleared: the position of the node at
/// `depth` on `key`'s path (what an [`SmtStore`] is addressed by).
pub fn smt_prefix(key: &Digest, depth: usize) -> Digest {
    let mut out = [0u8; 32];
    let full = depth / 8;
    out[..full].copy_from_slice(&key.0[..full]);
    if full < 32 && !depth.is_multiple_of(8) {
        let mask = 0xffu8 << (8 - depth % 8);
        out[full] = key.0[full] & mask;
    }
    Digest(out)
}

fn sibling_position(key: &Digest, depth: usize) -> Digest {
    // The sibling of the child at depth + 1 on the key's path.
    let mut p = smt_prefix(key, depth + 1);
    p.0[depth / 8] ^= 1 << (7 - (depth % 8));
    p
}

/// A stored node of the status map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtNode {
    /// A subtree with one key.
    Leaf {
        /// The key.
        key: Digest,
        /// `H(value)`.
        value_hash: Digest,
    },
    /// A subtree with two or more keys; its hash.
    Interior(Digest),
}

/// Where the status map's nodes live, addressed by `(depth, prefix)`.
pub trait SmtStore {
    /// The node at a position, if any.
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError>;
    /// Store or replace a node.
    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError>;
    /// Remove a node (a leaf pushed down when another key joins its subtree).
    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError>;
    /// The two children of the position `prefix` at `depth` (left, right):
    /// the nodes at `depth + 1` below it. A store that keeps siblings
    /// together answers both at once.
    fn children(
        &self,
        depth: u16,
        prefix: &Digest,
    ) -> Result<(Option<SmtNode>, Option<SmtNode>), LedgerError> {
        // The right child is the left one's sibling.
        let right = sibling_position(prefix, usize::from(depth));
        Ok((self.node(depth + 1, prefix)?, self.node(depth + 1, &right)?))
    }
    /// Told the keys (in order, each once) a batch is about to walk to,
    /// before it walks to them one by one: a store that can read many
    /// nodes in one request reads theirs ahead. Reads only; changes
    /// nothing any later answer gives.
    fn prefetch(&self, _keys: &[Digest]) -> Result<(), LedgerError> {
        Ok(())
    }
}

impl<T: SmtStore + ?Sized> SmtStore for &mut T {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        (**self).node(depth, prefix)
    }
    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError> {
        (**self).put_node(depth, prefix, node)
    }
    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
        (**self).delete_node(depth, prefix)
    }
    fn children(
        &self,
        depth: u16,
        prefix: &Digest,
    ) -> Result<(Option<SmtNode>, Option<SmtNode>), LedgerError> {
        (**self).children(depth, prefix)
    }
    fn prefetch(&self, keys: &[Digest]) -> Result<(), LedgerError> {
        (**self).prefetch(keys)
    }
}

impl<T: SmtStore> SmtStore for super::log::ReadOnly<'_, T> {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        self.0.node(depth, prefix)
    }
    fn put_node(&mut self, _: u16, _: Digest, _: SmtNode) -> Result<(), LedgerError> {
        Err(LedgerError::Inconsistent("write through a read-only store"))
    }
    fn delete_node(&mut self, _: u16, _: &Digest) -> Result<(), LedgerError> {
        Err(LedgerError::Inconsistent("write through a read-only store"))
    }
}

/// An [`SmtStore`] in memory.
#[derive(Debug, Default, Clone)]
pub struct MemSmtStore {
    nodes: HashMap<(u16, Digest), SmtNode>,
}

impl SmtStore for MemSmtStore {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        Ok(self.nodes.get(&(depth, *prefix)).copied())
    }
    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError> {
        self.nodes.insert((depth, prefix), node);
        Ok(())
    }
    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
        self.nodes.remove(&(depth, *prefix));
        Ok(())
    }
}

/// What a proof's search ended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtTerminal {
    /// An empty subtree: the key is absent.
    Empty,
    /// A leaf: the key's own (presence) or another key's (absence).
    Leaf {
        /// The leaf's key.
        key: Digest,
        /// `H(value)` of that leaf.
        value_hash: Digest,
    },
}

/// A proof of presence or absence of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtProof {
    /// Sibling hashes from the root's children down (index = depth).
    pub siblings: Vec<Digest>,
    /// What the search found.
    pub terminal: SmtTerminal,
}

impl SmtProof {
    /// Verify against `root`: `Some(value)` claims presence with that value,
    /// `None` claims absence.
    pub fn verify(
        &self,
        suite: Suite,
        root: &Digest,
        key: &Digest,
        value: Option<&[u8]>,
    ) -> Result<(), LedgerError> {
        let bad = |reason: &'static str| Err(LedgerError::StatusProof { reason });
        let depth = self.siblings.len();
        if depth > 256 {
            return bad("more than 256 siblings");
        }
        let mut h = match (value, self.terminal) {
            (Some(v), SmtTerminal::Leaf { key: k, value_hash }) => {
                if &k != key {
                    return bad("proof ends at another key's leaf");
                }
                if suite.hash(v) != value_hash {
                    return bad("value differs from the proven leaf");
                }
                smt_leaf_hash(suite, &k, &value_hash)
            }
            (Some(_), SmtTerminal::Empty) => return bad("proof shows the key absent"),
            (None, SmtTerminal::Empty) => ZERO,
            (None, SmtTerminal::Leaf { key: k, value_hash }) => {
                if &k == key {
                    return bad("proof shows the key present");
                }
                if smt_prefix(&k, depth) != smt_prefix(key, depth) {
                    return bad("other leaf is not on the key's path");
                }
                smt_leaf_hash(suite, &k, &value_hash)
            }
        };
        for d in (0..depth).rev() {
            let s = &self.siblings[d];
            h = if bit(key, d) == 0 {
                interior(suite, &h, s)
            } else {
                interior(suite, s, &h)
            };
        }
        if &h != root {
            return bad("computed root differs");
        }
        Ok(())
    }
}

/// The status map over an [`SmtStore`].
#[derive(Debug, Clone)]
pub struct StatusMap<S> {
    suite: Suite,
    store: S,
}

impl<S: SmtStore> StatusMap<S> {
    /// Open over a store (empty or previously written).
    pub fn open(suite: Suite, store: S) -> Self {
        StatusMap { suite, store }
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Give back the store.
    pub fn into_store(self) -> S {
        self.store
    }

    fn hash_at(&self, depth: usize, pos: &Digest) -> Result<Digest, LedgerError> {
        Ok(self.hash_of(self.store.node(depth16(depth), pos)?))
    }

    fn hash_of(&self, node: Option<SmtNode>) -> Digest {
        match node {
            None => ZERO,
            Some(SmtNode::Interior(h)) => h,
            Some(SmtNode::Leaf { key, value_hash }) => smt_leaf_hash(self.suite, &key, &value_hash),
        }
    }

    /// The root hash (32 zero bytes for the empty map).
    pub fn root(&self) -> Result<Digest, LedgerError> {
        self.hash_at(0, &ZERO)
    }

    /// Set `key` to `value` (insert or replace).
    pub fn insert(&mut self, key: &Digest, value: &[u8]) -> Result<(), LedgerError> {
        let bottom = self.place(key, value)?;
        for d in (0..bottom).rev() {
            self.rehash(d, &smt_prefix(key, d))?;
        }
        Ok(())
    }

    /// Set many keys at once (a block's writes, in order; a later value for
    /// the same key wins). The tree's shape depends only on its keys, so the
    /// result is the one `insert` gives one key at a time; each interior node
    /// on the touched paths is hashed once instead of once per key below it.
    pub fn insert_batch<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a Digest, &'a [u8])>,
    ) -> Result<(), LedgerError> {
        // Each key with the depth of its leaf, in key order: the positions
        // above the leaves at any one depth are then in order too, and a
        // position shared by several keys is met in one run.
        let entries: Vec<(&Digest, &[u8])> = entries.into_iter().collect();
        let mut keys: Vec<Digest> = entries.iter().map(|(k, _)| **k).collect();
        keys.sort_unstable();
        keys.dedup();
        self.store.prefetch(&keys)?;
        let mut placed: Vec<(Digest, usize)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let bottom = self.place(key, value)?;
            placed.push((*key, bottom));
        }
        placed.sort_unstable();
        let deepest = placed.iter().map(|(_, b)| *b).max().unwrap_or(0);
        let mut level: Vec<(Digest, Option<[u8; 65]>)> = Vec::new();
        for d in (0..deepest).rev() {
            // The positions of this depth to rehash, each once, with their
            // children's hashes: nodes of one depth do not depend on each
            // other, so they are hashed together (`Suite::hash_same_length`).
            level.clear();
            for (key, bottom) in &placed {
                if *bottom <= d {
                    continue;
                }
                let pos = smt_prefix(key, d);
                if level.last().is_none_or(|(p, _)| *p != pos) {
                    let (left, right) = self.store.children(depth16(d), &pos)?;
                    let input = interior_input(&self.hash_of(left), &self.hash_of(right));
                    level.push((pos, input));
                }
            }
            let inputs: Vec<&[u8]> = level
                .iter()
                .filter_map(|(_, i)| i.as_ref())
                .map(|i| &i[..])
                .collect();
            let mut hashes = self
                .suite
                .hash_same_length(&inputs)
                .ok_or(LedgerError::Inconsistent("interior inputs of one length"))?
                .into_iter();
            for (pos, input) in &level {
                let h = match input {
                    Some(_) => hashes
                        .next()
                        .ok_or(LedgerError::Inconsistent("an interior hash per input"))?,
                    None => ZERO,
                };
                self.store
                    .put_node(depth16(d), *pos, SmtNode::Interior(h))?;
            }
        }
        Ok(())
    }

    /// Put `key`'s leaf where it belongs (pushing down a leaf it now shares
    /// a subtree with, leaving placeholder interiors above the split) and
    /// return the leaf's depth. Hashes above it are stale until rehashed.
    fn place(&mut self, key: &Digest, value: &[u8]) -> Result<usize, LedgerError> {
        let value_hash = self.suite.hash(value);
        let leaf = SmtNode::Leaf {
            key: *key,
            value_hash,
        };
        let mut depth = 0usize;
        loop {
            let pos = smt_prefix(key, depth);
            match self.store.node(depth16(depth), &pos)? {
                None => {
                    self.store.put_node(depth16(depth), pos, leaf)?;
                    return Ok(depth);
                }
                Some(SmtNode::Leaf { key: k2, .. }) if &k2 == key => {
                    self.store.put_node(depth16(depth), pos, leaf)?;
                    return Ok(depth);
                }
                Some(SmtNode::Leaf {
                    key: k2,
                    value_hash: v2,
                }) => {
                    // Push the other leaf down until the two keys part.
                    let split = (depth..256)
                        .find(|&d| bit(key, d) != bit(&k2, d))
                        .ok_or_else(|| LedgerError::Inconsistent("equal keys in status map"))?;
                    self.store.delete_node(depth16(depth), &pos)?;
                    for d in depth..=split {
                        // Placeholder; hashes are recomputed by the caller.
                        self.store.put_node(
                            depth16(d),
                            smt_prefix(key, d),
                            SmtNode::Interior(ZERO),
                        )?;
                    }
                    let other = SmtNode::Leaf {
                        key: k2,
                        value_hash: v2,
                    };
                    self.store
                        .put_node(depth16(split + 1), smt_prefix(&k2, split + 1), other)?;
                    self.store
                        .put_node(depth16(split + 1), smt_prefix(key, split + 1), leaf)?;
                    return Ok(split + 1);
                }
                Some(SmtNode::Interior(_)) => depth += 1,
            }
        }
    }

    /// Recompute the interior node at (`depth`, `pos`) from its children.
    fn rehash(&mut self, depth: usize, pos: &Digest) -> Result<(), LedgerError> {
        let (left, right) = self.store.children(depth16(depth), pos)?;
        let h = interior(self.suite, &self.hash_of(left), &self.hash_of(right));
        self.store
            .put_node(depth16(depth), *pos, SmtNode::Interior(h))
    }

    /// The proof of presence or absence of `key`, and `H(value)` if present.
    pub fn prove(&self, key: &Digest) -> Result<SmtProof, LedgerError> {
        let mut siblings = Vec::new();
        let mut depth = 0usize;
        loop {
            match self.store.node(depth16(depth), &smt_prefix(key, depth))? {
                None => {
                    return Ok(SmtProof {
                        siblings,
                        terminal: SmtTerminal::Empty,
                    });
                }
                Some(SmtNode::Leaf { key: k, value_hash }) => {
                    return Ok(SmtProof {
                        siblings,
                        terminal: SmtTerminal::Leaf { key: k, value_hash },
                    });
                }
                Some(SmtNode::Interior(_)) => {
                    if depth >= 256 {
                        return Err(LedgerError::Inconsistent("status map deeper than 256"));
                    }
                    siblings.push(self.hash_at(depth + 1, &sibling_position(key, depth))?);
                    depth += 1;
                }
            }
        }
    }
}

fn depth16(d: usize) -> u16 {
    // Depths are at most 256.
    u16::try_from(d).unwrap_or(u16::MAX)
}

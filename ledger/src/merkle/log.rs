//! The append-only log of every record ever committed (RFC 9162), stored as
//! the hashes of its complete subtrees so it never needs to be in memory whole.
//!
//! Node `(level, index)` is the root of leaves `[index·2^level, (index+1)·2^level)`;
//! it exists once all those leaves are appended. Roots and proofs for any size
//! are assembled from `O(log n)` stored nodes.

use yinzheng_crypto::{Digest, Suite};

use super::rfc9162::{empty_root, leaf_hash, node_hash, split_point};
use crate::LedgerError;

/// Where the log's complete-subtree hashes live (memory here, RocksDB in a node).
pub trait LogStore {
    /// The hash of the complete subtree `(level, index)`, if stored.
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError>;
    /// Store the hash of the complete subtree `(level, index)`.
    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError>;
}

impl<T: LogStore + ?Sized> LogStore for &mut T {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        (**self).node(level, index)
    }
    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError> {
        (**self).put_node(level, index, hash)
    }
}

/// A store read through a shared reference (proofs, roots); writes are
/// refused.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly<'a, T>(pub &'a T);

impl<T: LogStore> LogStore for ReadOnly<'_, T> {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        self.0.node(level, index)
    }
    fn put_node(&mut self, _: u8, _: u64, _: Digest) -> Result<(), LedgerError> {
        Err(LedgerError::Inconsistent("write through a read-only store"))
    }
}

/// A [`LogStore`] in memory: one vector per level.
#[derive(Debug, Default, Clone)]
pub struct MemLogStore {
    levels: Vec<Vec<Digest>>,
}

impl LogStore for MemLogStore {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        let Ok(i) = usize::try_from(index) else {
            return Ok(None);
        };
        Ok(self
            .levels
            .get(usize::from(level))
            .and_then(|l| l.get(i))
            .copied())
    }

    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError> {
        let level = usize::from(level);
        if self.levels.len() <= level {
            self.levels.resize(level + 1, Vec::new());
        }
        let row = &mut self.levels[level];
        let i = usize::try_from(index).unwrap_or(usize::MAX);
        if i == row.len() {
            row.push(hash);
        } else if i < row.len() {
            row[i] = hash;
        } else {
            return Err(LedgerError::Inconsistent("log nodes stored out of order"));
        }
        Ok(())
    }
}

/// An RFC 9162 Merkle log over a [`LogStore`].
#[derive(Debug, Clone)]
pub struct MerkleLog<S> {
    suite: Suite,
    size: u64,
    store: S,
}

impl<S: LogStore> MerkleLog<S> {
    /// A log of `size` leaves whose nodes are already in `store` (0 for a new log).
    pub fn open(suite: Suite, size: u64, store: S) -> Self {
        MerkleLog { suite, size, store }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Give back the store.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Append one leaf (its data, which is hashed with the 0x00 prefix); returns its index.
    pub fn append(&mut self, data: &[u8]) -> Result<u64, LedgerError> {
        self.append_leaf_hash(leaf_hash(self.suite, data))
    }

    /// Append a leaf given its leaf hash; returns its index.
    pub fn append_leaf_hash(&mut self, leaf: Digest) -> Result<u64, LedgerError> {
        let index = self.size;
        self.store.put_node(0, index, leaf)?;
        let (mut level, mut i, mut h) = (0u8, index, leaf);
        while i & 1 == 1 {
            let left = self.need(level, i - 1)?;
            h = node_hash(self.suite, &left, &h);
            level += 1;
            i >>= 1;
            self.store.put_node(level, i, h)?;
        }
        self.size += 1;
        Ok(index)
    }

    /// The root of the current tree.
    pub fn root(&self) -> Result<Digest, LedgerError> {
        self.root_at(self.size)
    }

    /// The root of the tree as it was at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Digest, LedgerError> {
        if size > self.size {
            return Err(LedgerError::OutOfRange {
                what: "log size",
                value: size,
                limit: self.size,
            });
        }
        if size == 0 {
            return Ok(empty_root(self.suite));
        }
        self.subtree(0, size)
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Result<Digest, LedgerError> {
        if index >= self.size {
            return Err(LedgerError::OutOfRange {
                what: "leaf index",
                value: index,
                limit: self.size,
            });
        }
        self.need(0, index)
    }

    /// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>, LedgerError> {
        if size > self.size || index >= size {
            return Err(LedgerError::OutOfRange {
                what: "leaf index",
                value: index,
                limit: size,
            });
        }
        let mut out = Vec::new();
        self.path(index, 0, size, &mut out)?;
        Ok(out)
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from `size1` to `size2`.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Digest>, LedgerError> {
        if size2 > self.size || size1 > size2 {
            return Err(LedgerError::OutOfRange {
                what: "log size",
                value: size2,
                limit: self.size,
            });
        }
        let mut out = Vec::new();
        if size1 == 0 || size1 == size2 {
            return Ok(out);
        }
        self.subproof(size1, 0, size2, true, &mut out)?;
        Ok(out)
    }

    fn need(&self, level: u8, index: u64) -> Result<Digest, LedgerError> {
        self.store.node(level, index)?.ok_or(LedgerError::Missing {
            what: "log node at index",
            at: index,
        })
    }

    /// `MTH(D[start : start + n])` for `n ≥ 1`.
    fn subtree(&self, start: u64, n: u64) -> Result<Digest, LedgerError> {
        if n.is_power_of_two() && start.is_multiple_of(n) {
            // n = 2^level with level ≤ 63.
            let level = u8::try_from(n.trailing_zeros()).unwrap_or(u8::MAX);
            return self.need(level, start >> level);
        }
        let k = split_point(n);
        let l = self.subtree(start, k)?;
        let r = self.subtree(start + k, n - k)?;
        Ok(node_hash(self.suite, &l, &r))
    }

    /// `PATH(m, D[start : start + n])`, `m` relative to `start`.
    fn path(&self, m: u64, start: u64, n: u64, out: &mut Vec<Digest>) -> Result<(), LedgerError> {
        if n <= 1 {
            return Ok(());
        }
        let k = split_point(n);
        if m < k {
            self.path(m, start, k, out)?;
            out.push(self.subtree(start + k, n - k)?);
        } else {
            self.path(m - k, start + k, n - k, out)?;
            out.push(self.subtree(start, k)?);
        }
        Ok(())
    }

    /// `SUBPROOF(m, D[start : start + n], b)`.
    fn subproof(
        &self,
        m: u64,
        start: u64,
        n: u64,
        complete: bool,
        out: &mut Vec<Digest>,
    ) -> Result<(), LedgerError> {
        if m == n {
            if !complete {
                out.push(self.subtree(start, n)?);
            }
            return Ok(());
        }
        let k = split_point(n);
        if m <= k {
            self.subproof(m, start, k, complete, out)?;
            out.push(self.subtree(start + k, n - k)?);
        } else {
            self.subproof(m - k, start + k, n - k, false, out)?;
            out.push(self.subtree(start, k)?);
        }
        Ok(())
    }
}

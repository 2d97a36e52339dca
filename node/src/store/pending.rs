//! Writes of one block, held in memory on top of the database until the
//! block commits (then written as one batch) or is dropped (a proposal that
//! did not win, or failed validation).

use std::collections::HashMap;

use yinzheng_crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{LogStore, SmtNode, SmtStore};
use yinzheng_ledger::{BlockStore, LedgerError, StateKey, StateView};

use super::{Db, StoreError, cf};

/// A block's pending writes over the committed database.
pub struct Pending<'a> {
    db: &'a Db,
    suite: Suite,
    writes: HashMap<(&'static str, Vec<u8>), Option<Vec<u8>>>,
}

/// Key of a log node.
pub fn log_key(level: u8, index: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(level);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

fn smt_key(depth: u16, prefix: &Digest) -> Vec<u8> {
    let mut k = Vec::with_capacity(34);
    k.extend_from_slice(&depth.to_be_bytes());
    k.extend_from_slice(&prefix.0);
    k
}

fn encode_smt(node: &SmtNode) -> Vec<u8> {
    match node {
        SmtNode::Leaf { key, value_hash } => {
            let mut v = vec![1u8];
            v.extend_from_slice(&key.0);
            v.extend_from_slice(&value_hash.0);
            v
        }
        SmtNode::Interior(h) => {
            let mut v = vec![2u8];
            v.extend_from_slice(&h.0);
            v
        }
    }
}

fn decode_smt(v: &[u8]) -> Result<SmtNode, StoreError> {
    let bad = || StoreError::Corrupt {
        what: "status-map node",
        reason: format!("{} bytes", v.len()),
    };
    match (v.first(), v.len()) {
        (Some(1), 65) => Ok(SmtNode::Leaf {
            key: Digest::from_slice(&v[1..33]).ok_or_else(bad)?,
            value_hash: Digest::from_slice(&v[33..65]).ok_or_else(bad)?,
        }),
        (Some(2), 33) => Ok(SmtNode::Interior(
            Digest::from_slice(&v[1..33]).ok_or_else(bad)?,
        )),
        _ => Err(bad()),
    }
}

impl<'a> Pending<'a> {
    /// Nothing pending yet.
    pub fn new(db: &'a Db, suite: Suite) -> Self {
        Pending {
            db,
            suite,
            writes: HashMap::new(),
        }
    }

    /// Read through the pending writes.
    pub fn get(&self, family: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.writes.get(&(family, key.to_vec())) {
            Some(v) => Ok(v.clone()),
            None => self.db.get(family, key),
        }
    }

    /// Queue a write.
    pub fn put(&mut self, family: &'static str, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert((family, key), Some(value));
    }

    /// The writes, ready for [`Db::write`].
    pub fn into_ops(self) -> Vec<super::Op> {
        self.writes
            .into_iter()
            .map(|((f, k), v)| (f, k, v))
            .collect()
    }
}

impl StateView for Pending<'_> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(Pending::get(self, cf::STATE, &key.digest(self.suite).0)?)
    }
}

impl BlockStore for Pending<'_> {
    fn put_state(&mut self, key: &StateKey, value: Vec<u8>) {
        self.put(cf::STATE, key.digest(self.suite).0.to_vec(), value);
    }
}

impl LogStore for Pending<'_> {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        Ok(self
            .get(cf::LOG, &log_key(level, index))?
            .and_then(|v| Digest::from_slice(&v)))
    }

    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError> {
        self.put(cf::LOG, log_key(level, index), hash.0.to_vec());
        Ok(())
    }
}

impl SmtStore for Pending<'_> {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        Ok(self
            .get(cf::SMT, &smt_key(depth, prefix))?
            .map(|v| decode_smt(&v))
            .transpose()?)
    }

    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError> {
        self.put(cf::SMT, smt_key(depth, &prefix), encode_smt(&node));
        Ok(())
    }

    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
        self.writes.insert((cf::SMT, smt_key(depth, prefix)), None);
        Ok(())
    }
}

//! Merkle structures: the RFC 9162 log and the status map (a sparse Merkle tree).

mod levels;
mod log;
mod rfc9162;
mod smt;

pub use levels::{path_from_levels, path_from_packed_levels, tree_levels};
pub use log::{LogStore, MemLogStore, MerkleLog, ReadOnly};
pub use rfc9162::{
    empty_root, inclusion_path, leaf_hash, node_hash, root_from_inclusion, root_of_leaf_hashes,
    verify_consistency, verify_inclusion,
};
pub use smt::{
    MemSmtStore, SmtNode, SmtProof, SmtStore, SmtTerminal, StatusMap, smt_leaf_hash, smt_prefix,
};

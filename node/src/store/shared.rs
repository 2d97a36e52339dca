//! State entries that many records read, kept between the readers of one
//! height.
//!
//! Every record's checks read its issuer's organisation, its signers' keys
//! and the grant it acts under: under load a node reads the same few
//! entries thousands of times per height, once in each submission's dry
//! run and again when a block executes, each time hashing the key (SM3)
//! and searching RocksDB, whose files grow with the ledger. Here such
//! entries are kept as read, tagged with the height they were read at (a
//! [`HeightCache`]): a reader at another height neither sees nor keeps
//! them. Whoever reads through it holds the chain's head at that height, so
//! the database is the state of that height (a commit writes under the
//! head's write lock) and a value kept for `h` is the value at `h`.
//!
//! Entries one record alone reads (the record's own id, its certificate,
//! its data-sharing request) are not kept: they would only push the shared
//! ones out.

use yinzheng_ledger::StateKey;

use super::hot::HeightCache;

/// Entries kept for a height at most: more than a province's
/// organisations, keys and grants that sign in one block.
pub const SHARED_ENTRIES_KEPT: usize = 4096;

/// State entries shared by the readers of one height, absent ones too (an
/// unknown key asked again is answered without a search).
pub type SharedEntries = HeightCache<StateKey, Option<Vec<u8>>>;

/// A cache of [`SHARED_ENTRIES_KEPT`] entries.
pub fn shared_entries() -> SharedEntries {
    HeightCache::new(SHARED_ENTRIES_KEPT)
}

/// Whether many records read this entry: organisations, signing keys,
/// grants, seals (each stamp reads its seal), certificate types, the
/// validator set and member peers.
pub fn is_shared(key: &StateKey) -> bool {
    match key {
        StateKey::Org(_)
        | StateKey::Key(_)
        | StateKey::Grant { .. }
        | StateKey::Seal(_)
        | StateKey::CertType(_)
        | StateKey::Validators
        | StateKey::Peer(_) => true,
        // A record's own entries (its id, certificate, data-sharing
        // request, stamping, uses), and any kind added later: read by one
        // record, not kept.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_entries_many_records_read_are_shared() {
        assert!(is_shared(&StateKey::Org("91440000MA".into())));
        assert!(is_shared(&StateKey::Key(vec![4; 65])));
        assert!(is_shared(&StateKey::Validators));
        assert!(!is_shared(&StateKey::Record(yinzheng_crypto::Digest(
            [7; 32]
        ))));
        assert!(!is_shared(&StateKey::Certificate {
            issuer: "i".into(),
            type_code: "t".into(),
            cert_no: "n".into(),
        }));
    }
}

//! Commit certificates as a committee signs them, outside the engine (tests,
//! vectors, benchmarks).

use prost::Message;
use yinzheng_crypto::{Signer, SigningKey, Suite};

use crate::LedgerError;
use crate::block::{block_hash, precommit_bytes};
use crate::proto::{Bundle, CommitCertificate, Header};
use crate::signers::SignerBitmap;

/// Sign a commit certificate for `header` with the given validators
/// (`(index in the set, key)`, any order), as the consensus engine's
/// precommits would be collected.
pub fn sign_commit(
    suite: Suite,
    header: &Header,
    round: u32,
    signers: &[(u32, &SigningKey)],
) -> Result<CommitCertificate, LedgerError> {
    let hash = block_hash(suite, header).map_err(|e| LedgerError::Decode {
        what: "block",
        reason: e.to_string(),
    })?;
    let msg = precommit_bytes(&header.chain_id, header.height, round, &hash);
    let mut sorted: Vec<&(u32, &SigningKey)> = signers.iter().collect();
    sorted.sort_by_key(|(i, _)| *i);
    sorted.dedup_by_key(|(i, _)| *i);
    let mut signatures = Vec::with_capacity(sorted.len() * 64);
    for (_, k) in &sorted {
        signatures.extend_from_slice(&k.sign(&msg)?.to_bytes());
    }
    let bitmap = SignerBitmap::from_indices(sorted.iter().map(|(i, _)| *i as usize));
    Ok(CommitCertificate {
        height: header.height,
        round,
        block_hash: hash.0.to_vec(),
        signers: bitmap.into_bytes(),
        signatures,
    })
}

/// Encoded size of a bundle in bytes.
pub fn bundle_size(b: &Bundle) -> usize {
    b.encoded_len()
}

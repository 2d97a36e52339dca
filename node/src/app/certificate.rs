//! Commit certificates between the engine's form (one signature per
//! address) and the ledger's (a signer bitmap over the height's set).

use bytes::Bytes;
use malachitebft_app_channel::app::types::core::{CommitCertificate as EngineCert, Round};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_core_types::{ExtendedCommitCertificate, ExtendedCommitSignature};
use prost::Message;
use yinzheng_ledger::SignerBitmap;
use yinzheng_ledger::proto::CommitCertificate;

use super::AppError;
use crate::consensus::{BlockId, Height, RawSignature, ValidatorSet, Yz};
use crate::proto::{ProposedBlock, StoredBlock};

/// The ledger's certificate for an engine certificate over `set`.
pub fn to_ledger(set: &ValidatorSet, cert: &EngineCert<Yz>) -> Result<CommitCertificate, AppError> {
    let mut signed: Vec<(usize, [u8; 64])> = Vec::new();
    for s in &cert.commit_signatures {
        let i = set
            .index_of(&s.address)
            .ok_or_else(|| AppError::UnknownSigner(s.address.to_string()))?;
        signed.push((i, s.signature.0));
    }
    signed.sort_by_key(|(i, _)| *i);
    signed.dedup_by_key(|(i, _)| *i);
    let signers = SignerBitmap::from_indices(signed.iter().map(|(i, _)| *i));
    Ok(CommitCertificate {
        height: cert.height.0,
        round: cert.round.as_u32().unwrap_or(0),
        block_hash: cert.value_id.0.to_vec(),
        signers: signers.into_bytes(),
        signatures: signed.iter().flat_map(|(_, s)| *s).collect(),
    })
}

/// A committed block as the engine's sync serves it: the block and an
/// engine certificate rebuilt from the stored one over `set`.
pub fn decided_value(
    set: &ValidatorSet,
    stored: StoredBlock,
    records: Vec<Vec<u8>>,
) -> Result<RawDecidedValue<Yz>, AppError> {
    let header = stored.header.unwrap_or_default();
    let height = header.height;
    let cert = stored.certificate.unwrap_or_default();
    let bad = || AppError::StoredCertificate(height);
    let signers = SignerBitmap::parse(&cert.signers, set.validators.len()).map_err(|_| bad())?;
    let mut chunks = cert.signatures.chunks_exact(64);
    let mut sigs = Vec::new();
    for i in signers.indices() {
        let (Some(v), Some(s)) = (set.validators.get(i), chunks.next()) else {
            return Err(bad());
        };
        let sig = RawSignature(s.try_into().map_err(|_| bad())?);
        sigs.push(ExtendedCommitSignature::new(v.address, sig, None));
    }
    let id: [u8; 32] = cert.block_hash.as_slice().try_into().map_err(|_| bad())?;
    let block = ProposedBlock {
        header: Some(header),
        state: stored.state,
        records,
    };
    Ok(RawDecidedValue::new(
        Bytes::from(block.encode_to_vec()),
        ExtendedCommitCertificate {
            height: Height(height),
            round: Round::new(cert.round),
            value_id: BlockId(id),
            commit_signatures: sigs,
        },
    ))
}

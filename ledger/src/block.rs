//! Block headers, validator sets, precommits and commit certificates: their
//! canonical bytes and checks (`docs/spec/bundle.md` §2–§4).
//!
//! Every hashed or signed structure has a fixed binary layout with a context
//! string, so it never depends on a serializer's choices.

use yinzheng_crypto::{Digest, SIGNATURE_LEN, Signature, Suite, Verifier, VerifyingKey};

use crate::proto::{CommitCertificate, Header, StateCommitments, Validator, ValidatorSet};
use crate::signers::SignerBitmap;

/// The most voting power a validator set may hold in all: 2^60. The consensus
/// engine weighs votes as `3 · power` in 64 bits, so a larger total would
/// overflow there; every place a set is built (a genesis file, a
/// `ChangeValidators` record, a set a verifier trusts) refuses more.
pub const MAX_TOTAL_POWER: u64 = 1 << 60;

/// The sum of a set's powers, or none when it is above [`MAX_TOTAL_POWER`].
pub fn total_power(powers: impl IntoIterator<Item = u64>) -> Option<u64> {
    powers
        .into_iter()
        .try_fold(0u64, |t, p| t.checked_add(p))
        .filter(|t| *t <= MAX_TOTAL_POWER)
}

/// Why a header, validator set or commit certificate is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// A 32-byte field of another length.
    #[error("{field} must be 32 bytes")]
    DigestLength {
        /// Which field.
        field: &'static str,
    },
    /// The certificate is for another block.
    #[error("certificate is for height {cert_height}, header is {header_height}")]
    HeightMismatch {
        /// Height in the certificate.
        cert_height: u64,
        /// Height in the header.
        header_height: u64,
    },
    /// The certificate signs another block hash.
    #[error("certificate signs another block hash")]
    HashMismatch,
    /// A validator index beyond the set.
    #[error("validator index {index} is not in a set of {size}")]
    UnknownValidator {
        /// The index.
        index: u32,
        /// Set size.
        size: usize,
    },
    /// A precommit signature that does not verify.
    #[error("signature of validator {index} does not verify: {reason}")]
    BadSignature {
        /// The index.
        index: u32,
        /// Why.
        reason: String,
    },
    /// Not more than two thirds of the voting power signed.
    #[error("signed power {signed} of {total} is not more than two thirds")]
    InsufficientPower {
        /// Power that signed.
        signed: u64,
        /// Total power.
        total: u64,
    },
    /// A certificate or header whose fields are malformed.
    #[error("malformed: {reason}")]
    Malformed {
        /// Why.
        reason: String,
    },
    /// A validator set that cannot be used.
    #[error("invalid validator set: {reason}")]
    InvalidValidatorSet {
        /// Why.
        reason: String,
    },
}

fn put_str(buf: &mut Vec<u8>, s: &[u8]) {
    // Strings in these layouts are bounded well below 64 KiB.
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&s[..usize::from(len).min(s.len())]);
}

fn digest_of(field: &'static str, b: &[u8]) -> Result<Digest, CertError> {
    Digest::from_slice(b).ok_or(CertError::DigestLength { field })
}

/// `H("yinzheng/v1/links" 0x00 ‖ prev_hash[32] ‖ state_digest[32])`: what a
/// header commits to about the chain before it and the state after it. A
/// compact bundle carries this one digest instead of the two.
pub fn links_digest(suite: Suite, h: &Header) -> Result<Digest, CertError> {
    if h.prev_hash.is_empty() && h.state_digest.is_empty() {
        return digest_of("links_digest", &h.links_digest);
    }
    if !h.links_digest.is_empty() {
        return Err(CertError::Malformed {
            reason: "links_digest given with its parts".into(),
        });
    }
    let mut b = Vec::with_capacity(96);
    b.extend_from_slice(b"yinzheng/v1/links\0");
    b.extend_from_slice(&digest_of("prev_hash", &h.prev_hash)?.0);
    b.extend_from_slice(&digest_of("state_digest", &h.state_digest)?.0);
    Ok(suite.hash(&b))
}

/// `"yinzheng/v1/header" 0x00 ‖ chain_id (u16 len) ‖ genesis_hash[32] ‖
/// height u64 ‖ time_ms u64 ‖ proposer u32 ‖ records_root[32] ‖ record_count
/// u32 ‖ links_digest[32]`.
pub fn header_bytes(suite: Suite, h: &Header) -> Result<Vec<u8>, CertError> {
    let mut b = Vec::with_capacity(192);
    b.extend_from_slice(b"yinzheng/v1/header\0");
    put_str(&mut b, h.chain_id.as_bytes());
    b.extend_from_slice(&digest_of("genesis_hash", &h.genesis_hash)?.0);
    b.extend_from_slice(&h.height.to_be_bytes());
    b.extend_from_slice(&h.time_ms.to_be_bytes());
    b.extend_from_slice(&h.proposer.to_be_bytes());
    b.extend_from_slice(&digest_of("records_root", &h.records_root)?.0);
    b.extend_from_slice(&h.record_count.to_be_bytes());
    b.extend_from_slice(&links_digest(suite, h)?.0);
    Ok(b)
}

/// The block hash: the suite hash of [`header_bytes`].
pub fn block_hash(suite: Suite, h: &Header) -> Result<Digest, CertError> {
    Ok(suite.hash(&header_bytes(suite, h)?))
}

/// `H("yinzheng/v1/state-commitments" 0x00 ‖ log_size u64 ‖ log_root ‖
/// status_root ‖ validators_hash ‖ next_validators_hash)`.
pub fn state_digest(suite: Suite, s: &StateCommitments) -> Result<Digest, CertError> {
    let mut b = Vec::with_capacity(170);
    b.extend_from_slice(b"yinzheng/v1/state-commitments\0");
    b.extend_from_slice(&s.log_size.to_be_bytes());
    b.extend_from_slice(&digest_of("log_root", &s.log_root)?.0);
    b.extend_from_slice(&digest_of("status_root", &s.status_root)?.0);
    b.extend_from_slice(&digest_of("validators_hash", &s.validators_hash)?.0);
    b.extend_from_slice(&digest_of("next_validators_hash", &s.next_validators_hash)?.0);
    Ok(suite.hash(&b))
}

/// `H("yinzheng/v1/validators" 0x00 ‖ count u16 ‖ per validator:
/// public_key (u16 len) ‖ power u64 ‖ org (u16 len))`.
pub fn validator_set_hash(suite: Suite, set: &ValidatorSet) -> Digest {
    let mut b = Vec::with_capacity(32 + set.validators.len() * 100);
    b.extend_from_slice(b"yinzheng/v1/validators\0");
    let n = u16::try_from(set.validators.len()).unwrap_or(u16::MAX);
    b.extend_from_slice(&n.to_be_bytes());
    for v in &set.validators {
        put_str(&mut b, &v.public_key);
        b.extend_from_slice(&v.power.to_be_bytes());
        put_str(&mut b, v.org.as_bytes());
    }
    suite.hash(&b)
}

/// The bytes a validator signs as its precommit for a block:
/// `"yinzheng/v1/precommit" 0x00 ‖ chain_id (u16 len) ‖ height u64 ‖ round u32 ‖ block_hash[32]`.
pub fn precommit_bytes(chain_id: &str, height: u64, round: u32, block_hash: &Digest) -> Vec<u8> {
    let mut b = Vec::with_capacity(96);
    b.extend_from_slice(b"yinzheng/v1/precommit\0");
    put_str(&mut b, chain_id.as_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&round.to_be_bytes());
    b.extend_from_slice(&block_hash.0);
    b
}

/// A validator set with decoded keys, ready to check certificates.
#[derive(Debug, Clone)]
pub struct TrustedValidators {
    suite: Suite,
    set: ValidatorSet,
    keys: Vec<VerifyingKey>,
    total: u64,
    hash: Digest,
}

impl TrustedValidators {
    /// Decode every key; refuse empty sets, repeated keys, zero power and a
    /// total above [`MAX_TOTAL_POWER`].
    pub fn new(suite: Suite, set: ValidatorSet) -> Result<Self, CertError> {
        let bad = |reason: String| CertError::InvalidValidatorSet { reason };
        if set.validators.is_empty() {
            return Err(bad("empty".into()));
        }
        let mut keys = Vec::with_capacity(set.validators.len());
        for (i, v) in set.validators.iter().enumerate() {
            let k = VerifyingKey::from_bytes(suite, &v.public_key)
                .map_err(|e| bad(format!("validator {i}: {e}")))?;
            if v.power == 0 {
                return Err(bad(format!("validator {i} has no power")));
            }
            // One key at several indices would sign for all of them.
            if keys
                .iter()
                .any(|x: &VerifyingKey| x.to_bytes() == k.to_bytes())
            {
                return Err(bad(format!("validator {i}: key repeated in the set")));
            }
            keys.push(k);
        }
        let total = total_power(set.validators.iter().map(|v| v.power))
            .ok_or_else(|| bad(format!("total power above {MAX_TOTAL_POWER}")))?;
        let hash = validator_set_hash(suite, &set);
        Ok(TrustedValidators {
            suite,
            set,
            keys,
            total,
            hash,
        })
    }

    /// The set's hash.
    pub fn hash(&self) -> Digest {
        self.hash
    }

    /// The validators.
    pub fn validators(&self) -> &[Validator] {
        &self.set.validators
    }

    /// The set as a message.
    pub fn set(&self) -> &ValidatorSet {
        &self.set
    }

    /// Total voting power.
    pub fn total_power(&self) -> u64 {
        self.total
    }

    /// The decoded key of the member whose key bytes are `public_key`
    /// (as the set holds them), `None` for a stranger. Clones of the set
    /// share their keys, so a key verifies with the table it has built
    /// (ADR 0004) wherever the set is used.
    pub fn key_of(&self, public_key: &[u8]) -> Option<&VerifyingKey> {
        let i = self
            .set
            .validators
            .iter()
            .position(|v| v.public_key == public_key)?;
        self.keys.get(i)
    }

    /// Check a commit certificate for `header`: same height and block hash
    /// (either may be left empty, then taken from the header), signers known,
    /// valid precommit signatures, and signed power strictly above two thirds.
    pub fn verify_commit(
        &self,
        header: &Header,
        cert: &CommitCertificate,
    ) -> Result<Digest, CertError> {
        if cert.height != 0 && cert.height != header.height {
            return Err(CertError::HeightMismatch {
                cert_height: cert.height,
                header_height: header.height,
            });
        }
        let hash = block_hash(self.suite, header)?;
        if !cert.block_hash.is_empty() && cert.block_hash != hash.0 {
            return Err(CertError::HashMismatch);
        }
        let n = self.keys.len();
        let indices: Vec<usize> = SignerBitmap::parse(&cert.signers, n)?.indices().collect();
        if cert.signatures.len() != indices.len() * SIGNATURE_LEN {
            return Err(CertError::Malformed {
                reason: format!(
                    "{} signers but {} signature bytes",
                    indices.len(),
                    cert.signatures.len()
                ),
            });
        }
        let msg = precommit_bytes(&header.chain_id, header.height, cert.round, &hash);
        let mut signed = 0u64;
        for (i, sig) in indices
            .iter()
            .zip(cert.signatures.chunks_exact(SIGNATURE_LEN))
        {
            let index = u32::try_from(*i).unwrap_or(u32::MAX);
            let (Some(key), Some(v)) = (self.keys.get(*i), self.set.validators.get(*i)) else {
                return Err(CertError::UnknownValidator { index, size: n });
            };
            let sig =
                Signature::from_raw(self.suite, sig).map_err(|e| CertError::BadSignature {
                    index,
                    reason: e.to_string(),
                })?;
            key.verify(&msg, &sig)
                .map_err(|e| CertError::BadSignature {
                    index,
                    reason: e.to_string(),
                })?;
            signed += v.power;
        }
        // > 2/3 without overflow: 3·signed > 2·total, in u128.
        if u128::from(signed) * 3 <= u128::from(self.total) * 2 {
            return Err(CertError::InsufficientPower {
                signed,
                total: self.total,
            });
        }
        Ok(hash)
    }
}

/// Concatenate 32-byte digests (proof paths in bundles).
pub fn pack_digests(d: &[Digest]) -> Vec<u8> {
    d.iter().flat_map(|x| x.0).collect()
}

/// Split concatenated 32-byte digests; `None` if the length is not a multiple of 32.
pub fn unpack_digests(b: &[u8]) -> Option<Vec<Digest>> {
    if !b.len().is_multiple_of(Digest::LEN) {
        return None;
    }
    Some(
        b.chunks_exact(Digest::LEN)
            .filter_map(Digest::from_slice)
            .collect(),
    )
}

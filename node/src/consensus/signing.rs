//! What validators sign, and SM2 signing/verification for the engine.
//!
//! A precommit for a block signs exactly `ledger::precommit_bytes`, so the
//! engine's commit certificate converts into the ledger's certificate (a
//! bitmap and the signatures) that offline verifiers check. Every other
//! consensus message is signed under its own domain prefix, so no signature
//! can be replayed as another kind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use malachitebft_core_types::{
    NilOrVal, Round, SignedExtension, SignedMessage, SignedProposal, SignedVote, ValidatorProof,
    VoteExtensionScope,
};
use malachitebft_signing::{Error, Signer, VerificationResult, Verifier};
use yinzheng_crypto::{Signature, Signer as _, SigningKey, Suite, Verifier as _, VerifyingKey};
use yinzheng_ledger::precommit_bytes;

use super::{Proposal, ProposalPart, PublicKey, RawSignature, Vote, VoteKind, Yz};

fn put_str(b: &mut Vec<u8>, s: &str) {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    b.extend_from_slice(&len.to_be_bytes());
    b.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
}

fn round_i64(r: Round) -> i64 {
    r.as_i64()
}

/// The bytes a validator signs for a vote.
pub fn vote_bytes(chain_id: &str, vote: &Vote) -> Vec<u8> {
    if let (VoteKind::Precommit, NilOrVal::Val(id), Some(round)) =
        (vote.typ, &vote.value, vote.round.as_u32())
    {
        return precommit_bytes(chain_id, vote.height.0, round, &id.digest());
    }
    let mut b = Vec::with_capacity(96);
    b.extend_from_slice(b"yinzheng/v1/vote\0");
    put_str(&mut b, chain_id);
    b.push(match vote.typ {
        VoteKind::Prevote => 1,
        VoteKind::Precommit => 2,
    });
    b.extend_from_slice(&vote.height.0.to_be_bytes());
    b.extend_from_slice(&round_i64(vote.round).to_be_bytes());
    match &vote.value {
        NilOrVal::Nil => b.push(0),
        NilOrVal::Val(id) => {
            b.push(1);
            b.extend_from_slice(&id.0);
        }
    }
    b
}

/// The bytes a proposer signs for a proposal.
pub fn proposal_bytes(chain_id: &str, p: &Proposal) -> Vec<u8> {
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"yinzheng/v1/proposal\0");
    put_str(&mut b, chain_id);
    b.extend_from_slice(&p.height.0.to_be_bytes());
    b.extend_from_slice(&round_i64(p.round).to_be_bytes());
    b.extend_from_slice(&round_i64(p.pol_round).to_be_bytes());
    b.extend_from_slice(&p.value.0);
    b.extend_from_slice(&p.proposer.0);
    b
}

/// The bytes a proposer signs for a proposal part:
/// `"yinzheng/v1/proposal-part" 0x00 ‖ chain_id (u16 len) ‖ height u64 ‖
/// round i64 ‖ pol_round i64 ‖ proposer address ‖ H(block bytes)`.
pub fn part_bytes(chain_id: &str, suite: Suite, p: &ProposalPart) -> Vec<u8> {
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"yinzheng/v1/proposal-part\0");
    put_str(&mut b, chain_id);
    b.extend_from_slice(&p.height.0.to_be_bytes());
    b.extend_from_slice(&round_i64(p.round).to_be_bytes());
    b.extend_from_slice(&round_i64(p.pol_round).to_be_bytes());
    b.extend_from_slice(&p.proposer.0);
    b.extend_from_slice(&suite.hash(&p.block).0);
    b
}

fn proof_bytes(chain_id: &str, preimage: &[u8]) -> Vec<u8> {
    let mut b = b"yinzheng/v1/validator-proof\0".to_vec();
    put_str(&mut b, chain_id);
    b.extend_from_slice(preimage);
    b
}

fn extension_bytes(chain_id: &str, scope: &VoteExtensionScope<Yz>) -> Vec<u8> {
    let mut b = b"yinzheng/v1/vote-extension\0".to_vec();
    put_str(&mut b, chain_id);
    b.extend_from_slice(&scope.height.0.to_be_bytes());
    b.extend_from_slice(&round_i64(scope.round).to_be_bytes());
    b.extend_from_slice(&scope.value_id.0);
    b
}

/// Signs consensus messages with this validator's key.
pub struct ConsensusSigner {
    chain_id: String,
    key: SigningKey,
}

impl ConsensusSigner {
    /// A signer for `chain_id`.
    pub fn new(chain_id: impl Into<String>, key: SigningKey) -> Self {
        ConsensusSigner {
            chain_id: chain_id.into(),
            key,
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<RawSignature, Error> {
        let sig = self.key.sign(msg).map_err(Error::from_source)?;
        Ok(RawSignature(sig.to_bytes()))
    }

    /// Sign a proposal part of ours.
    pub fn sign_part(&self, part: &ProposalPart) -> Result<RawSignature, Error> {
        self.sign(&part_bytes(&self.chain_id, self.key.suite(), part))
    }
}

#[async_trait]
impl Signer<Yz> for ConsensusSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedVote<Yz>, Error> {
        let sig = self.sign(&vote_bytes(&self.chain_id, &vote))?;
        Ok(SignedMessage::new(vote, sig))
    }

    async fn sign_proposal(&self, proposal: Proposal) -> Result<SignedProposal<Yz>, Error> {
        let sig = self.sign(&proposal_bytes(&self.chain_id, &proposal))?;
        Ok(SignedMessage::new(proposal, sig))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<Yz>,
        extension: (),
    ) -> Result<SignedExtension<Yz>, Error> {
        let sig = self.sign(&extension_bytes(&self.chain_id, &scope))?;
        Ok(SignedMessage::new(extension, sig))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<Yz>, Error> {
        let preimage = ValidatorProof::<Yz>::signing_bytes(&public_key, &peer_id);
        let sig = self.sign(&proof_bytes(&self.chain_id, &preimage))?;
        Ok(ValidatorProof::new(public_key, peer_id, sig))
    }
}

/// Verifies consensus signatures, keeping each validator's decoded key (and
/// its precomputed verification table) across calls.
pub struct ConsensusVerifier {
    chain_id: String,
    suite: Suite,
    keys: Mutex<HashMap<Vec<u8>, Arc<VerifyingKey>>>,
}

impl ConsensusVerifier {
    /// A verifier for `chain_id` under `suite`.
    pub fn new(chain_id: impl Into<String>, suite: Suite) -> Self {
        ConsensusVerifier {
            chain_id: chain_id.into(),
            suite,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, pk: &PublicKey) -> Option<Arc<VerifyingKey>> {
        let mut keys = self.keys.lock().ok()?;
        if let Some(k) = keys.get(&pk.0) {
            return Some(k.clone());
        }
        let k = Arc::new(VerifyingKey::from_bytes(self.suite, &pk.0).ok()?);
        if keys.len() > 4096 {
            keys.clear();
        }
        keys.insert(pk.0.clone(), k.clone());
        Some(k)
    }

    /// Check a proposal part's signature by its claimed proposer's key.
    pub fn check_part(&self, part: &ProposalPart, pk: &PublicKey) -> bool {
        let msg = part_bytes(&self.chain_id, self.suite, part);
        self.check(&msg, &part.signature, pk).is_valid()
    }

    /// Check one signature over `msg`.
    pub fn check(&self, msg: &[u8], sig: &RawSignature, pk: &PublicKey) -> VerificationResult {
        let ok = self.key(pk).is_some_and(|k| {
            Signature::from_raw(self.suite, &sig.0).is_ok_and(|s| k.verify(msg, &s).is_ok())
        });
        VerificationResult::from_bool(ok)
    }
}

#[async_trait]
impl Verifier<Yz> for ConsensusVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &RawSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(self.check(&vote_bytes(&self.chain_id, vote), signature, public_key))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &RawSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(self.check(
            &proposal_bytes(&self.chain_id, proposal),
            signature,
            public_key,
        ))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<Yz>,
        _extension: &(),
        signature: &RawSignature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(self.check(
            &extension_bytes(&self.chain_id, scope),
            signature,
            public_key,
        ))
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<Yz>,
    ) -> Result<VerificationResult, Error> {
        let msg = proof_bytes(&self.chain_id, &proof.preimage());
        Ok(self.check(&msg, &proof.signature, &PublicKey(proof.public_key.clone())))
    }
}

//! Records: decoding with every stateless check, and creation.
//!
//! A record travels as the bytes of an [`Envelope`]: the exact signed body and
//! its signatures. Its id is the suite hash of the message its signers signed
//! (kind and body), so the same signed body has one id however it is wrapped.
//! Nodes never re-encode a record; decoding accepts only canonical envelopes
//! (canonical protobuf, the default SM2 ID only as empty, no ID under Ed25519,
//! signatures in ascending order of public key) so that one signed body has one
//! byte string and one id (`docs/spec/records.md` §1).

mod ecert;
mod fields;
mod kind;
mod national;
mod signatures;
mod summary;

use prost::Message;
use yinzheng_crypto::{DEFAULT_DISTID, Digest, Signer, SigningKey, Suite, VerifyingKey};

use crate::params::ChainParams;
use crate::proto::{Envelope, RecordBody, RecordSignature, record_body::Kind};
use crate::rejection::{RejectCode, Rejection, reject};

use fields::check_fields;
pub use kind::RecordKind;
pub(crate) use national::check_stamping;
pub use national::{
    national_seal_name, national_seal_registration, national_seal_window, national_stamping,
};
use signatures::{check_signature_forms, verify_one};
pub use summary::summary;

/// Largest accepted envelope, in bytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;

/// Largest record that carries a national-format seal or stamping
/// (`RegisterSeal.ses_seal`, `Stamp.ses_signature`): real seals hold their
/// picture and certificates and run to 5–32 KiB (`docs/spec/seals.md` §6).
pub const MAX_SEAL_RECORD_BYTES: usize = 64 * 1024;
/// Most signatures one envelope may carry.
pub const MAX_SIGNATURES: usize = 16;
/// Longest accepted string field, in bytes.
pub const MAX_TEXT: usize = 256;

/// The bytes a record's signers sign: `"yinzheng/v1/record/" ‖ kind ‖ 0x00 ‖ body`.
/// The body carries the chain id, so kind and chain are both bound.
pub fn signing_message(kind: RecordKind, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 48);
    m.extend_from_slice(b"yinzheng/v1/record/");
    m.extend_from_slice(kind.name().as_bytes());
    m.push(0);
    m.extend_from_slice(body);
    m
}

/// The id of the record in envelope bytes, read without any other check
/// (no signature, field or canonical-form check): for indexing bytes that were
/// already checked, such as a committed block's records. `None` when the bytes
/// do not decode to an envelope with a body of a known kind.
pub fn record_id(suite: Suite, envelope: &[u8]) -> Option<Digest> {
    let env = Envelope::decode(envelope).ok()?;
    let body = RecordBody::decode(env.body.as_slice()).ok()?;
    let kind = RecordKind::of(body.kind.as_ref()?);
    Some(suite.hash(&signing_message(kind, &env.body)))
}

/// One verified signer of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSigner {
    /// Public key bytes as carried (canonical form).
    pub public_key: Vec<u8>,
    /// The distinguishing ID it signed under (SM2), as carried or the default.
    pub distid: String,
    /// The decoded key.
    pub key: VerifyingKey,
}

/// A decoded record whose stateless checks and signatures have all passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    bytes: Vec<u8>,
    id: Digest,
    body: RecordBody,
    kind: RecordKind,
    signers: Vec<RecordSigner>,
}

fn decode_canonical<M: Message + Default>(bytes: &[u8], what: &str) -> Result<M, Rejection> {
    let m = M::decode(bytes)
        .map_err(|e| Rejection::new(RejectCode::Malformed, format!("{what}: {e}")))?;
    if m.encoded_len() != bytes.len() || m.encode_to_vec() != bytes {
        return reject(
            RejectCode::NonCanonical,
            format!("{what} is not in canonical encoding (re-encoding differs)"),
        );
    }
    Ok(m)
}

/// A record whose stateless checks have passed except its signatures: what a
/// node holds while it asks its state whether the signers are known, before
/// it spends a signature verification on a stranger (threat model A5).
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedRecord {
    bytes: Vec<u8>,
    signatures: Vec<RecordSignature>,
    msg: Vec<u8>,
    id: Digest,
    body: RecordBody,
    kind: RecordKind,
}

impl UnverifiedRecord {
    /// The record id (the hash of the signed message).
    pub fn id(&self) -> Digest {
        self.id
    }
    /// The record kind.
    pub fn kind(&self) -> RecordKind {
        self.kind
    }
    /// The body's payload.
    pub fn payload(&self) -> Option<&Kind> {
        self.body.kind.as_ref()
    }
    /// The public keys that claim to have signed, in envelope order.
    pub fn signer_keys(&self) -> impl Iterator<Item = &[u8]> {
        self.signatures.iter().map(|s| s.public_key.as_slice())
    }

    /// Verify every signature.
    pub fn verify(self, params: &ChainParams) -> Result<Record, Rejection> {
        let mut signers: Vec<RecordSigner> = Vec::with_capacity(self.signatures.len());
        for (i, s) in self.signatures.iter().enumerate() {
            let signer = verify_one(params.suite, &self.msg, s).map_err(|e| {
                Rejection::new(RejectCode::BadSignature, format!("signature {i}: {e}"))
            })?;
            signers.push(signer);
        }
        Ok(Record {
            bytes: self.bytes,
            id: self.id,
            body: self.body,
            kind: self.kind,
            signers,
        })
    }
}

impl Record {
    /// Decode an envelope and run every check that needs no state: size,
    /// canonical encoding, chain id, field formats, and every signature.
    pub fn decode(params: &ChainParams, bytes: &[u8]) -> Result<Record, Rejection> {
        Record::parse(params, bytes)?.verify(params)
    }

    /// Every check of [`Record::decode`] but the signatures.
    pub fn parse(params: &ChainParams, bytes: &[u8]) -> Result<UnverifiedRecord, Rejection> {
        if bytes.len() > MAX_SEAL_RECORD_BYTES {
            return reject(
                RejectCode::Oversize,
                format!(
                    "record is {} bytes, the limit is {MAX_SEAL_RECORD_BYTES}",
                    bytes.len()
                ),
            );
        }
        let env: Envelope = decode_canonical(bytes, "envelope")?;
        if env.body.is_empty() {
            return reject(RejectCode::Malformed, "envelope carries no record body");
        }
        let body: RecordBody = decode_canonical(&env.body, "record body")?;
        if body.chain_id != params.chain_id {
            return reject(
                RejectCode::WrongChain,
                format!(
                    "record is for chain {:?}, this is {:?}",
                    body.chain_id, params.chain_id
                ),
            );
        }
        let Some(kind) = body.kind.as_ref() else {
            return reject(RejectCode::Malformed, "record body has no kind");
        };
        let limit = if national::carries_national_seal(kind) {
            MAX_SEAL_RECORD_BYTES
        } else {
            MAX_RECORD_BYTES
        };
        if bytes.len() > limit {
            return reject(
                RejectCode::Oversize,
                format!("record is {} bytes, the limit is {limit}", bytes.len()),
            );
        }
        let kind = RecordKind::of(kind);
        check_fields(params.suite, &body)?;
        if env.signatures.is_empty() {
            return reject(RejectCode::MissingSignature, "record carries no signature");
        }
        if env.signatures.len() > MAX_SIGNATURES {
            return reject(
                RejectCode::Oversize,
                format!(
                    "{} signatures, the limit is {MAX_SIGNATURES}",
                    env.signatures.len()
                ),
            );
        }
        check_signature_forms(params.suite, &env.signatures)?;
        let msg = signing_message(kind, &env.body);
        let id = params.suite.hash(&msg);
        Ok(UnverifiedRecord {
            bytes: bytes.to_vec(),
            signatures: env.signatures,
            msg,
            id,
            body,
            kind,
        })
    }

    /// Sign a new record of `kind` for this chain, claimed signed at
    /// `signed_at_ms`, with each key and its SM2 ID (`""` for the default).
    pub fn sign(
        params: &ChainParams,
        kind: Kind,
        signed_at_ms: u64,
        signers: &[(&SigningKey, &str)],
    ) -> Result<Record, Rejection> {
        let body = RecordBody {
            chain_id: params.chain_id.clone(),
            signed_at_ms,
            kind: Some(kind),
        };
        Record::create(params, &body, signers)
    }

    /// Build and sign a record (the bytes are then decoded and checked like any other).
    pub fn create(
        params: &ChainParams,
        body: &RecordBody,
        signers: &[(&SigningKey, &str)],
    ) -> Result<Record, Rejection> {
        let Some(kind) = body.kind.as_ref() else {
            return reject(RejectCode::Malformed, "record body has no kind");
        };
        let body_bytes = body.encode_to_vec();
        let msg = signing_message(RecordKind::of(kind), &body_bytes);
        let sigs = signers
            .iter()
            .map(|(key, distid)| sign_one(&msg, key, distid))
            .collect::<Result<Vec<_>, _>>()?;
        finish(params, body_bytes, sigs)
    }

    /// Add a signature to a record that already carries some (a record the
    /// committee or several departments sign, gathered one signer at a
    /// time). The body is kept byte for byte, the signatures it carries must
    /// verify, and the signatures stay in canonical order.
    pub fn countersign(
        params: &ChainParams,
        envelope: &[u8],
        key: &SigningKey,
        distid: &str,
    ) -> Result<Record, Rejection> {
        let existing = Record::decode(params, envelope)?;
        let env: Envelope = decode_canonical(envelope, "envelope")?;
        let msg = signing_message(existing.kind(), &env.body);
        let mut sigs = env.signatures;
        sigs.push(sign_one(&msg, key, distid)?);
        finish(params, env.body, sigs)
    }

    /// The envelope bytes as carried.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The record id: the suite hash of the signed message
    /// ([`signing_message`] of its kind and body), the same for every
    /// envelope of one signed body.
    pub fn id(&self) -> Digest {
        self.id
    }
    /// The decoded body.
    pub fn body(&self) -> &RecordBody {
        &self.body
    }
    /// The body's payload.
    pub fn payload(&self) -> Option<&Kind> {
        self.body.kind.as_ref()
    }
    /// The record kind.
    pub fn kind(&self) -> RecordKind {
        self.kind
    }
    /// The verified signers, in envelope order (ascending public key).
    pub fn signers(&self) -> &[RecordSigner] {
        &self.signers
    }
}

/// One signer's signature over a signing message, its SM2 ID written in
/// canonical form (empty for the default).
fn sign_one(msg: &[u8], key: &SigningKey, distid: &str) -> Result<RecordSignature, Rejection> {
    let key = match key {
        SigningKey::Sm2(k) if !distid.is_empty() && distid != DEFAULT_DISTID => SigningKey::Sm2(
            k.with_distid(distid)
                .map_err(|e| Rejection::new(RejectCode::InvalidField, format!("distid: {e}")))?,
        ),
        other => other.clone(),
    };
    let sig = key
        .sign(msg)
        .map_err(|e| Rejection::new(RejectCode::BadSignature, e.to_string()))?;
    Ok(RecordSignature {
        public_key: key.verifying_key().to_bytes(),
        signature: sig.to_bytes().to_vec(),
        distid: if distid == DEFAULT_DISTID {
            String::new()
        } else {
            distid.to_owned()
        },
    })
}

/// The envelope of a body and its signatures (sorted by public key), decoded
/// and checked like any other.
fn finish(
    params: &ChainParams,
    body: Vec<u8>,
    mut signatures: Vec<RecordSignature>,
) -> Result<Record, Rejection> {
    signatures.sort_by(|a, b| a.public_key.cmp(&b.public_key));
    let env = Envelope { body, signatures };
    Record::decode(params, &env.encode_to_vec())
}

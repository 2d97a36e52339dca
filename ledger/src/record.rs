//! Records: decoding with every stateless check, and creation.
//!
//! A record travels as the bytes of an [`Envelope`]: the exact signed body and
//! its signatures. Its id is the suite hash of the message its signers signed
//! (kind and body), so the same signed body has one id however it is wrapped.
//! Nodes never re-encode a record; decoding accepts only canonical envelopes
//! (canonical protobuf, the default SM2 ID only as empty, no ID under Ed25519,
//! signatures in ascending order of public key) so that one signed body has one
//! byte string and one id (`docs/spec/records.md` §1).

use std::collections::HashMap;
use std::sync::Mutex;

use prost::Message;
use yinzheng_crypto::{
    DEFAULT_DISTID, Digest, Signature, Signer, SigningKey, Suite, Verifier, VerifyingKey,
};

use crate::codes::{validate_credit_code, validate_division};
use crate::params::ChainParams;
use crate::proto::{Envelope, RecordBody, RecordSignature, record_body::Kind};
use crate::rejection::{RejectCode, Rejection, reject};

/// Largest accepted envelope, in bytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;
/// Most signatures one envelope may carry.
pub const MAX_SIGNATURES: usize = 16;
/// Longest accepted string field, in bytes.
pub const MAX_TEXT: usize = 256;

/// The kinds of record, with their stable names (used in signing contexts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)] // each name is its record kind, documented in records.proto
pub enum RecordKind {
    RegisterOrg,
    UpdateOrg,
    RegisterKey,
    RevokeKey,
    Grant,
    RevokeGrant,
    ChangeValidators,
    IssueCertificate,
    RevokeCertificate,
    SupersedeCertificate,
    RegisterSeal,
    RevokeSeal,
    Stamp,
    ShareRequest,
    ShareDecision,
    ShareDelivery,
    ShareReceipt,
}

impl RecordKind {
    /// The kind of a body's payload.
    pub fn of(kind: &Kind) -> RecordKind {
        match kind {
            Kind::RegisterOrg(_) => RecordKind::RegisterOrg,
            Kind::UpdateOrg(_) => RecordKind::UpdateOrg,
            Kind::RegisterKey(_) => RecordKind::RegisterKey,
            Kind::RevokeKey(_) => RecordKind::RevokeKey,
            Kind::Grant(_) => RecordKind::Grant,
            Kind::RevokeGrant(_) => RecordKind::RevokeGrant,
            Kind::ChangeValidators(_) => RecordKind::ChangeValidators,
            Kind::IssueCertificate(_) => RecordKind::IssueCertificate,
            Kind::RevokeCertificate(_) => RecordKind::RevokeCertificate,
            Kind::SupersedeCertificate(_) => RecordKind::SupersedeCertificate,
            Kind::RegisterSeal(_) => RecordKind::RegisterSeal,
            Kind::RevokeSeal(_) => RecordKind::RevokeSeal,
            Kind::Stamp(_) => RecordKind::Stamp,
            Kind::ShareRequest(_) => RecordKind::ShareRequest,
            Kind::ShareDecision(_) => RecordKind::ShareDecision,
            Kind::ShareDelivery(_) => RecordKind::ShareDelivery,
            Kind::ShareReceipt(_) => RecordKind::ShareReceipt,
        }
    }

    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::RegisterOrg => "register_org",
            RecordKind::UpdateOrg => "update_org",
            RecordKind::RegisterKey => "register_key",
            RecordKind::RevokeKey => "revoke_key",
            RecordKind::Grant => "grant",
            RecordKind::RevokeGrant => "revoke_grant",
            RecordKind::ChangeValidators => "change_validators",
            RecordKind::IssueCertificate => "issue_certificate",
            RecordKind::RevokeCertificate => "revoke_certificate",
            RecordKind::SupersedeCertificate => "supersede_certificate",
            RecordKind::RegisterSeal => "register_seal",
            RecordKind::RevokeSeal => "revoke_seal",
            RecordKind::Stamp => "stamp",
            RecordKind::ShareRequest => "share_request",
            RecordKind::ShareDecision => "share_decision",
            RecordKind::ShareDelivery => "share_delivery",
            RecordKind::ShareReceipt => "share_receipt",
        }
    }
}

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
        if bytes.len() > MAX_RECORD_BYTES {
            return reject(
                RejectCode::Oversize,
                format!(
                    "record is {} bytes, the limit is {MAX_RECORD_BYTES}",
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
        let mut sigs = Vec::with_capacity(signers.len());
        for (key, distid) in signers {
            let key = match key {
                SigningKey::Sm2(k) if !distid.is_empty() && *distid != DEFAULT_DISTID => {
                    SigningKey::Sm2(k.with_distid(distid).map_err(|e| {
                        Rejection::new(RejectCode::InvalidField, format!("distid: {e}"))
                    })?)
                }
                other => (*other).clone(),
            };
            let sig = key
                .sign(&msg)
                .map_err(|e| Rejection::new(RejectCode::BadSignature, e.to_string()))?;
            sigs.push(RecordSignature {
                public_key: key.verifying_key().to_bytes(),
                signature: sig.to_bytes().to_vec(),
                distid: if *distid == DEFAULT_DISTID {
                    String::new()
                } else {
                    (*distid).to_owned()
                },
            });
        }
        sigs.sort_by(|a, b| a.public_key.cmp(&b.public_key));
        let env = Envelope {
            body: body_bytes,
            signatures: sigs,
        };
        Record::decode(params, &env.encode_to_vec())
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

/// The envelope rules that keep one signed body to one byte string
/// (`docs/spec/records.md` §1): signatures in strictly ascending order of
/// public key (so no signer twice), the default SM2 ID only as the empty
/// string, and no ID at all under a suite whose signatures take none. Checked
/// before any signature is verified: it costs nothing.
fn check_signature_forms(suite: Suite, sigs: &[RecordSignature]) -> Result<(), Rejection> {
    for (i, s) in sigs.iter().enumerate() {
        if s.distid == DEFAULT_DISTID {
            return reject(
                RejectCode::NonCanonical,
                format!("signature {i}: the default ID is written as empty, not spelled out"),
            );
        }
        if !s.distid.is_empty() && suite != Suite::Sm {
            return reject(
                RejectCode::NonCanonical,
                format!("signature {i}: this suite's signatures take no distinguishing ID"),
            );
        }
        if i > 0 {
            match sigs[i - 1].public_key.cmp(&s.public_key) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    return reject(
                        RejectCode::BadSignature,
                        format!("signature {i}: signer repeated"),
                    );
                }
                std::cmp::Ordering::Greater => {
                    return reject(
                        RejectCode::NonCanonical,
                        format!(
                            "signature {i}: signatures are not in ascending order of public key"
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Signer keys seen in valid signatures, with their precomputed `Z_A` and
/// verification tables: a few hundred issuer keys sign almost every record,
/// and rebuilding a key costs about half a verification. A memo only (the
/// same key is rebuilt identically when absent), bounded, in two generations:
/// a key used again moves to the young one, and the old one is dropped when
/// the young one fills, so a flood of one-off keys ages out without evicting
/// the issuers that sign all the time (threat model A5).
type MemoKey = (Suite, Vec<u8>, String);
#[derive(Default)]
struct KeyMemo {
    young: HashMap<MemoKey, VerifyingKey>,
    old: HashMap<MemoKey, VerifyingKey>,
}
static KEY_MEMO: Mutex<Option<KeyMemo>> = Mutex::new(None);
const KEY_MEMO_GENERATION: usize = 2048;

impl KeyMemo {
    fn insert(&mut self, k: MemoKey, v: VerifyingKey) {
        if self.young.len() >= KEY_MEMO_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(k, v);
    }
}

fn signer_key(
    suite: Suite,
    public_key: &[u8],
    distid: &str,
) -> Result<(VerifyingKey, bool), yinzheng_crypto::CryptoError> {
    let k = (suite, public_key.to_vec(), distid.to_owned());
    let mut memo = KEY_MEMO.lock().unwrap_or_else(|e| e.into_inner());
    let m = memo.get_or_insert_with(KeyMemo::default);
    if let Some(v) = m.young.get(&k) {
        return Ok((v.clone(), true));
    }
    if let Some(v) = m.old.remove(&k) {
        m.insert(k, v.clone());
        return Ok((v, true));
    }
    drop(memo);
    Ok((
        VerifyingKey::from_bytes_with_id(suite, public_key, distid)?,
        false,
    ))
}

fn remember_key(suite: Suite, distid: &str, key: &VerifyingKey) {
    let mut memo = KEY_MEMO.lock().unwrap_or_else(|e| e.into_inner());
    memo.get_or_insert_with(KeyMemo::default)
        .insert((suite, key.to_bytes(), distid.to_owned()), key.clone());
}

fn verify_one(
    suite: Suite,
    msg: &[u8],
    s: &RecordSignature,
) -> Result<RecordSigner, yinzheng_crypto::CryptoError> {
    let distid = if s.distid.is_empty() {
        DEFAULT_DISTID
    } else {
        s.distid.as_str()
    };
    let (key, known) = signer_key(suite, &s.public_key, distid)?;
    if key.to_bytes() != s.public_key {
        return Err(yinzheng_crypto::CryptoError::PublicKey {
            reason: "public key must be in canonical (uncompressed) form",
        });
    }
    let sig = Signature::from_raw(suite, &s.signature)?;
    key.verify(msg, &sig)?;
    if !known {
        remember_key(suite, distid, &key);
    }
    Ok(RecordSigner {
        public_key: s.public_key.clone(),
        distid: distid.to_owned(),
        key,
    })
}

fn field(ok: bool, what: impl FnOnce() -> String) -> Result<(), Rejection> {
    if ok {
        Ok(())
    } else {
        reject(RejectCode::InvalidField, what())
    }
}

fn text(name: &str, v: &str, required: bool) -> Result<(), Rejection> {
    field(v.len() <= MAX_TEXT, || {
        format!("{name} is longer than {MAX_TEXT} bytes")
    })?;
    field(!required || !v.is_empty(), || format!("{name} is empty"))?;
    field(!v.chars().any(char::is_control), || {
        format!("{name} has control characters")
    })
}

fn org(name: &str, v: &str) -> Result<(), Rejection> {
    validate_credit_code(v).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("{name} {v:?} is not a credit code: {e:?}"),
        )
    })
}

fn division(name: &str, v: &str) -> Result<(), Rejection> {
    field(validate_division(v), || {
        format!("{name} {v:?} is not a 6-digit division code")
    })
}

fn digest(name: &str, v: &[u8], required: bool) -> Result<(), Rejection> {
    field(
        v.len() == Digest::LEN || (!required && v.is_empty()),
        || format!("{name} must be {} bytes, is {}", Digest::LEN, v.len()),
    )
}

fn window(from: u64, until: u64) -> Result<(), Rejection> {
    field(until == 0 || until > from, || {
        "validity window ends before it starts".into()
    })
}

fn public_key(suite: Suite, name: &str, v: &[u8]) -> Result<(), Rejection> {
    match VerifyingKey::from_bytes(suite, v) {
        Ok(k) if k.to_bytes() == v => Ok(()),
        Ok(_) => reject(
            RejectCode::InvalidField,
            format!("{name} is not in canonical form"),
        ),
        Err(e) => reject(RejectCode::InvalidField, format!("{name}: {e}")),
    }
}

fn issue_fields(c: &crate::proto::IssueCertificate) -> Result<(), Rejection> {
    text("type_code", &c.type_code, true)?;
    text("cert_no", &c.cert_no, true)?;
    org("issuer", &c.issuer)?;
    digest("holder_commitment", &c.holder_commitment, true)?;
    digest("file_digest", &c.file_digest, true)?;
    digest("metadata_digest", &c.metadata_digest, false)?;
    division("region", &c.region)?;
    window(c.valid_from_ms, c.valid_until_ms)
}

/// Field formats per kind (no state needed).
fn check_fields(suite: Suite, body: &RecordBody) -> Result<(), Rejection> {
    text("chain_id", &body.chain_id, true)?;
    let Some(kind) = &body.kind else {
        return reject(RejectCode::Malformed, "record body has no kind");
    };
    match kind {
        Kind::RegisterOrg(o) => {
            org("credit_code", &o.credit_code)?;
            text("name", &o.name, true)?;
            division("division", &o.division)?;
            org("parent", &o.parent)?;
            field((2..=4).contains(&o.level), || {
                "level must be province, city or district".into()
            })
        }
        Kind::UpdateOrg(o) => {
            org("credit_code", &o.credit_code)?;
            text("name", &o.name, false)
        }
        Kind::RegisterKey(k) => {
            org("org", &k.org)?;
            public_key(suite, "public_key", &k.public_key)?;
            text("distid", &k.distid, false)?;
            field(k.distid != DEFAULT_DISTID, || {
                "distid: the default ID is written as empty".into()
            })?;
            field(k.distid.is_empty() || suite == Suite::Sm, || {
                "distid: this suite's keys take no distinguishing ID".into()
            })?;
            field((1..=2).contains(&k.role), || {
                "role must be admin or operator".into()
            })?;
            window(k.not_before_ms, k.not_after_ms)
        }
        Kind::RevokeKey(k) => {
            public_key(suite, "public_key", &k.public_key)?;
            text("reason", &k.reason, false)
        }
        Kind::Grant(g) => {
            org("org", &g.org)?;
            field((1..=3).contains(&g.kind), || {
                "authority kind must be certificate, seal or share approval".into()
            })?;
            // Certificate and share-approval grants name what they cover; seal grants do not.
            text("scope", &g.scope, g.kind != 2)?;
            field(g.kind != 2 || g.scope.is_empty(), || {
                "a seal grant has no scope".into()
            })?;
            division("region", &g.region)
        }
        Kind::RevokeGrant(g) => {
            org("org", &g.org)?;
            text("scope", &g.scope, false)?;
            division("region", &g.region)
        }
        Kind::ChangeValidators(c) => {
            field(
                !c.validators.is_empty() && c.validators.len() <= 256,
                || "a validator set has 1 to 256 members".into(),
            )?;
            for (i, v) in c.validators.iter().enumerate() {
                public_key(suite, "validator key", &v.public_key)?;
                field(
                    !c.validators[..i]
                        .iter()
                        .any(|w| w.public_key == v.public_key),
                    || format!("validator {i}: key repeated in the set"),
                )?;
                org("validator org", &v.org)?;
                field(v.power > 0, || "validator power must be positive".into())?;
            }
            Ok(())
        }
        Kind::IssueCertificate(c) => issue_fields(c),
        Kind::RevokeCertificate(c) => {
            text("type_code", &c.type_code, true)?;
            text("cert_no", &c.cert_no, true)?;
            org("issuer", &c.issuer)
        }
        Kind::SupersedeCertificate(c) => {
            text("type_code", &c.type_code, true)?;
            text("old_cert_no", &c.old_cert_no, true)?;
            let Some(r) = &c.replacement else {
                return reject(RejectCode::InvalidField, "supersede without a replacement");
            };
            field(r.type_code == c.type_code, || {
                "replacement has another type".into()
            })?;
            field(r.cert_no != c.old_cert_no, || {
                "replacement reuses the old number".into()
            })?;
            issue_fields(r)
        }
        Kind::RegisterSeal(s) => {
            text("seal_id", &s.seal_id, true)?;
            org("owner", &s.owner)?;
            text("name", &s.name, true)?;
            digest("image_digest", &s.image_digest, true)?;
            public_key(suite, "seal_public_key", &s.seal_public_key)?;
            window(s.valid_from_ms, s.valid_until_ms)
        }
        Kind::RevokeSeal(s) => text("seal_id", &s.seal_id, true),
        Kind::Stamp(s) => {
            text("seal_id", &s.seal_id, true)?;
            digest("document_digest", &s.document_digest, true)
        }
        Kind::ShareRequest(r) => {
            text("request_id", &r.request_id, true)?;
            org("requester", &r.requester)?;
            org("provider", &r.provider)?;
            org("approver", &r.approver)?;
            field(r.approver != r.requester, || {
                "a requester may not approve its own request".into()
            })?;
            text("data_item", &r.data_item, true)?;
            text("legal_basis", &r.legal_basis, true)?;
            digest("holder_commitment", &r.holder_commitment, false)
        }
        Kind::ShareDecision(d) => {
            text("request_id", &d.request_id, true)?;
            text("reason", &d.reason, false)
        }
        Kind::ShareDelivery(d) => {
            text("request_id", &d.request_id, true)?;
            digest("payload_digest", &d.payload_digest, true)
        }
        Kind::ShareReceipt(r) => {
            text("request_id", &r.request_id, true)?;
            digest("payload_digest", &r.payload_digest, true)
        }
    }
}

//! National-format seals and stampings in records (`docs/spec/seals.md`
//! §6–§7): the fields a registration or an anchoring must carry are the
//! seal's or the signature's own, so they are derived here, once, for every
//! producer (the client, the demo, the tests), and checked against the
//! carried DER when a record is decoded.

use yinzheng_crypto::Suite;

use super::fields::field;
use crate::proto::{RegisterSeal, SealState, Stamp, record_body::Kind};
use crate::rejection::{RejectCode, Rejection, reject};

/// The registration of the `SESeal` in `der`, owned by `owner`.
pub fn national_seal_registration(der: &[u8], owner: &str) -> Result<RegisterSeal, Rejection> {
    let seal = yinzheng_seal::Seal::parse(der)
        .map_err(|e| Rejection::new(RejectCode::InvalidField, format!("not a seal: {e}")))?;
    let Some((from, until)) = national_seal_window(&seal) else {
        return reject(
            RejectCode::InvalidField,
            "the seal's validity times cannot be read",
        );
    };
    let seal_type = u32::try_from(seal.property.seal_type)
        .map_err(|_| Rejection::new(RejectCode::InvalidField, "seal type out of range"))?;
    let r = RegisterSeal {
        seal_id: seal.es_id(),
        owner: owner.to_owned(),
        seal_type,
        name: national_seal_name(&seal),
        image_digest: Suite::Sm.hash(seal.picture.data).0.to_vec(),
        seal_public_key: Vec::new(),
        valid_from_ms: from,
        valid_until_ms: until,
        ses_seal: der.to_vec(),
    };
    check_seal_fields(&r)?;
    Ok(r)
}

/// The stamp record body anchoring the `SES_Signature` in `der`.
pub fn national_stamping(der: &[u8]) -> Result<Stamp, Rejection> {
    let sig = yinzheng_seal::SesSignature::parse(der).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("not an SES_Signature: {e}"),
        )
    })?;
    let s = Stamp {
        seal_id: sig.seal.es_id(),
        document_digest: sig.data_hash.data.to_vec(),
        ses_signature: der.to_vec(),
    };
    check_stamp_fields(&s)?;
    Ok(s)
}

/// Whether a record body carries a national-format seal or stamping (and so
/// may be up to [`super::MAX_SEAL_RECORD_BYTES`]).
pub(super) fn carries_national_seal(kind: &Kind) -> bool {
    match kind {
        Kind::RegisterSeal(s) => !s.ses_seal.is_empty(),
        Kind::Stamp(s) => !s.ses_signature.is_empty(),
        _ => false,
    }
}

/// The name a national seal is registered under: its name with NUL padding
/// and other control characters removed (real seals carry both).
pub fn national_seal_name(seal: &yinzheng_seal::Seal<'_>) -> String {
    seal.name().chars().filter(|c| !c.is_control()).collect()
}

/// A national seal's validity in Unix milliseconds, when its times read.
pub fn national_seal_window(seal: &yinzheng_seal::Seal<'_>) -> Option<(u64, u64)> {
    let ms = |t: Option<i64>| t.and_then(|s| u64::try_from(s).ok()).map(|s| s * 1000);
    Some((
        ms(seal.property.valid_start.unix)?,
        ms(seal.property.valid_end.unix)?,
    ))
}

/// `docs/spec/seals.md` §6: a registration's fields are the seal's own.
pub(super) fn check_seal_fields(s: &RegisterSeal) -> Result<(), Rejection> {
    let seal = yinzheng_seal::Seal::parse(&s.ses_seal).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("ses_seal is not a seal: {e}"),
        )
    })?;
    field(s.seal_public_key.is_empty(), || {
        "a national seal has no seal_public_key: its signers are its certificates".into()
    })?;
    field(s.seal_id == seal.es_id(), || {
        format!(
            "seal_id {:?} is not the seal's esID {:?}",
            s.seal_id,
            seal.es_id()
        )
    })?;
    let name = national_seal_name(&seal);
    field(s.name == name, || {
        format!("name {:?} is not the seal's name {name:?}", s.name)
    })?;
    field(i64::from(s.seal_type) == seal.property.seal_type, || {
        format!(
            "seal_type {} is not the seal's type {}",
            s.seal_type, seal.property.seal_type
        )
    })?;
    field(
        s.image_digest == Suite::Sm.hash(seal.picture.data).0,
        || "image_digest is not SM3 of the seal's picture".into(),
    )?;
    let Some((from, until)) = national_seal_window(&seal) else {
        return reject(
            RejectCode::InvalidField,
            "the seal's validity times cannot be read",
        );
    };
    field(s.valid_from_ms == from && s.valid_until_ms == until, || {
        format!(
            "validity {}..{} is not the seal's {from}..{until}",
            s.valid_from_ms, s.valid_until_ms
        )
    })
}

/// `docs/spec/seals.md` §7: a stamping's fields are its signature's own.
pub(super) fn check_stamp_fields(s: &Stamp) -> Result<(), Rejection> {
    let sig = yinzheng_seal::SesSignature::parse(&s.ses_signature).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("ses_signature is not an SES_Signature: {e}"),
        )
    })?;
    field(s.seal_id == sig.seal.es_id(), || {
        format!(
            "seal_id {:?} is not the stamping seal's esID {:?}",
            s.seal_id,
            sig.seal.es_id()
        )
    })?;
    field(
        sig.data_hash.unused == 0 && s.document_digest == sig.data_hash.data,
        || "document_digest is not the signature's dataHash".into(),
    )?;
    field(sig.time_info.unix.is_some(), || {
        "the signature's timeInfo cannot be read".into()
    })
}

/// `docs/spec/seals.md` §7 steps 2–4, shared by validators and by the offline
/// verifier: the stamping was made with the registered seal (by SM3), by a
/// signer the seal admits, and its signature verifies. Returns the
/// signature's report (for the validity lines) and its signing time in ms
/// (`u64::MAX` when unreadable), or why it fails.
pub(crate) fn check_stamping(
    seal: &SealState,
    ses: &[u8],
) -> Result<(yinzheng_seal::SignatureReport, u64), &'static str> {
    let sig = yinzheng_seal::SesSignature::parse(ses).map_err(|_| "the stamping does not parse")?;
    let sm3 = |b: &[u8]| Suite::Sm.hash(b).0.to_vec();
    if sm3(sig.seal.raw) != seal.ses_seal_sm3 {
        return Err("the stamping was made with another seal than the registered one");
    }
    if !seal.signer_cert_sm3.contains(&sm3(sig.cert)) {
        return Err("the stamping's signer is not admitted by the registered seal");
    }
    let report = sig.verify(&yinzheng_seal::TrustAnchors::none());
    if report.outcome(yinzheng_seal::CheckCode::Signature) != Some(yinzheng_seal::Outcome::Pass) {
        return Err("the stamping's signature over TBS_Sign does not verify");
    }
    let signed_at_ms = sig
        .time_info
        .unix
        .and_then(|t| u64::try_from(t).ok())
        .map_or(u64::MAX, |t| t * 1000);
    Ok((report, signed_at_ms))
}

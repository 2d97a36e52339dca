//! The checks of GB/T 38540 §6.3 and §7.3 over a parsed seal or signature,
//! in the order of `docs/spec/seals.md` §5. Document-level checks (dataHash,
//! references, Seal.esl) are in `ofd::verify`.

use yinzheng_crypto::Suite;

use crate::OID_SM2_WITH_SM3;
use crate::asn1::Bits;
use crate::cert::CertInfo;
use crate::report::{Check, CheckCode, Reason, SealSummary, SignatureReport};
use crate::seal::{CertListEntry, Seal};
use crate::signature::SesSignature;
use crate::sigvalue::{self, SigValueError};

/// Certificates the verifier trusts: seal-making and signing CAs (roots or
/// intermediates). Empty by default: then chains are reported as not checked.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<CertInfo>,
}

impl TrustAnchors {
    /// No anchors.
    pub fn none() -> Self {
        TrustAnchors::default()
    }

    /// Anchors from DER certificates.
    pub fn from_der(certs: &[&[u8]]) -> Result<Self, crate::ParseError> {
        Ok(TrustAnchors {
            certs: certs
                .iter()
                .map(|c| CertInfo::parse(c))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether none are configured.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// A chain from `cert` to an anchor, each link valid at `at` (depth ≤ 4).
    fn chains(&self, cert: &CertInfo, at: i64) -> bool {
        let mut current = cert.clone();
        for _ in 0..4 {
            if self.certs.iter().any(|a| a.raw == current.raw) {
                return current.valid_at(at);
            }
            let Some(next) = self
                .certs
                .iter()
                .find(|a| current.issued_by(a) && a.valid_at(at))
            else {
                return false;
            };
            if !current.valid_at(at) {
                return false;
            }
            if next.self_issued() {
                return true;
            }
            current = next.clone();
        }
        false
    }
}

/// Verify a bare `SESeal` (no signing time: the validity window is reported
/// but not checked against a time).
pub fn verify_seal(
    bytes: &[u8],
    anchors: &TrustAnchors,
) -> Result<(SealSummary, Vec<Check>), crate::ParseError> {
    Ok(Seal::parse(bytes)?.verify(anchors))
}

impl Seal<'_> {
    /// The checks of [`verify_seal`] on an already parsed seal.
    pub fn verify(&self, anchors: &TrustAnchors) -> (SealSummary, Vec<Check>) {
        let mut checks = vec![Check::pass(
            CheckCode::Format,
            format!("{:?} SESeal", self.version),
        )];
        let (summary, seal_checks) = seal_checks(self, anchors, None);
        checks.extend(seal_checks);
        (summary, checks)
    }
}

/// Verify a bare `SES_Signature` (what `SignedValue.dat` holds). The
/// document-level checks need the document: see [`crate::verify_ofd`].
pub fn verify_signature(
    bytes: &[u8],
    anchors: &TrustAnchors,
) -> Result<SignatureReport, crate::ParseError> {
    let sig = SesSignature::parse(bytes)?;
    Ok(signature_report(&sig, anchors))
}

impl SesSignature<'_> {
    /// The checks of [`verify_signature`] on an already parsed signature.
    pub fn verify(&self, anchors: &TrustAnchors) -> SignatureReport {
        signature_report(self, anchors)
    }
}

pub(crate) fn signature_report(sig: &SesSignature<'_>, anchors: &TrustAnchors) -> SignatureReport {
    let mut checks = vec![Check::pass(
        CheckCode::Format,
        format!("{:?} SES_Signature", sig.version),
    )];
    let at = sig.time_info.unix;
    let (seal, seal_checks) = seal_checks(&sig.seal, anchors, at);
    checks.extend(seal_checks);

    // Signer certificate, its listing in the seal, its validity at timeInfo.
    let signer = CertInfo::parse(sig.cert).ok();
    match &signer {
        None => checks.push(Check::fail(
            CheckCode::SignerCert,
            Reason::CertUnparseable,
            "the signer's certificate is not an X.509 certificate",
        )),
        Some(cert) => {
            checks.push(listed(&sig.seal, sig.cert, cert));
            checks.push(window(
                CheckCode::SignerCert,
                at,
                cert.not_before,
                cert.not_after,
                "the signer's certificate at the signing time",
            ));
        }
    }

    // The signature over TBS_Sign exactly as found (P5).
    let (sig_check, encoding) = signature_check(
        CheckCode::Signature,
        &sig.sign_alg,
        signer.as_ref(),
        sig.tbs_raw,
        sig.signature,
        "the signer's signature over TBS_Sign",
    );
    checks.push(sig_check);

    if let Some((token, tagging)) = sig.timestamp {
        checks.push(Check::not_checked(
            CheckCode::Timestamp,
            Reason::TimestampNotVerified,
            format!(
                "a {} byte timestamp ({tagging:?} [0]) is present; timestamp tokens are not verified, the signing time is timeInfo",
                token.len()
            ),
        ));
    }
    if let Some(cert) = &signer {
        checks.push(chain(anchors, cert, at, "signer"));
    }
    SignatureReport {
        version: sig.version,
        seal,
        signer,
        time_info: sig.time_info.clone(),
        data_hash: hex::encode(sig.data_hash.data),
        property_info: sig.property_info(),
        signature_encoding: encoding,
        sm3: Suite::Sm.hash(sig.raw).to_hex(),
        checks,
    }
}

/// §6.3: the maker's signature, the maker's certificate, the validity window
/// (against `at` when a signing time is known), the maker's chain.
fn seal_checks(
    seal: &Seal<'_>,
    anchors: &TrustAnchors,
    at: Option<i64>,
) -> (SealSummary, Vec<Check>) {
    let mut checks = Vec::new();
    let maker = CertInfo::parse(seal.maker_cert).ok();
    let (maker_sig, _) = signature_check(
        CheckCode::MakerSignature,
        &seal.sign_alg,
        maker.as_ref(),
        &seal.signed_message,
        seal.signature,
        "the seal maker's signature over the seal",
    );
    checks.push(maker_sig);
    if let Some(cert) = &maker {
        checks.push(window(
            CheckCode::MakerCert,
            seal.property.created.unix,
            cert.not_before,
            cert.not_after,
            "the maker's certificate when the seal was made",
        ));
    }
    let p = &seal.property;
    checks.push(match (at, p.valid_start.unix, p.valid_end.unix) {
        (None, ..) => Check::not_checked(
            CheckCode::SealValidity,
            Reason::TimeUnreadable,
            format!(
                "no signing time to compare with the seal's validity {} – {}",
                p.valid_start.text, p.valid_end.text
            ),
        ),
        (Some(t), Some(start), Some(end)) => window(
            CheckCode::SealValidity,
            Some(t),
            start,
            end,
            "the seal at the signing time",
        ),
        _ => Check::fail(
            CheckCode::SealValidity,
            Reason::TimeUnreadable,
            format!(
                "the seal's validity window cannot be read ({} – {})",
                p.valid_start.text, p.valid_end.text
            ),
        ),
    });
    if let Some(cert) = &maker {
        checks.push(chain(anchors, cert, p.created.unix, "maker"));
    }
    let summary = SealSummary {
        version: seal.version,
        es_id: seal.es_id(),
        name: seal.name(),
        seal_type: p.seal_type,
        vid: seal.header.vid.clone(),
        created: p.created.clone(),
        valid_start: p.valid_start.clone(),
        valid_end: p.valid_end.clone(),
        sm3: Suite::Sm.hash(seal.raw).to_hex(),
        maker,
    };
    (summary, checks)
}

/// An SM2-with-SM3 signature by `cert` over `msg`.
fn signature_check(
    code: CheckCode,
    alg: &str,
    cert: Option<&CertInfo>,
    msg: &[u8],
    value: Bits<'_>,
    what: &str,
) -> (Check, Option<sigvalue::SigEncoding>) {
    if alg != OID_SM2_WITH_SM3 {
        return (
            Check::fail(
                code,
                Reason::UnsupportedAlgorithm,
                format!("{what}: algorithm {alg} is not SM2 with SM3"),
            ),
            None,
        );
    }
    let Some(cert) = cert else {
        return (
            Check::fail(
                code,
                Reason::CertUnparseable,
                format!("{what}: the certificate does not parse"),
            ),
            None,
        );
    };
    let Some(key) = cert.key else {
        return (
            Check::fail(
                code,
                Reason::UnsupportedKey,
                format!("{what}: the certificate's key is not SM2"),
            ),
            None,
        );
    };
    let decoded = match sigvalue::decode(value.unused, value.data) {
        Ok(d) => d,
        Err(e @ SigValueError::TruncatedDer { .. }) => {
            return (
                Check::fail(code, Reason::SignatureTruncated, format!("{what}: {e}")),
                None,
            );
        }
        Err(e) => {
            return (
                Check::fail(code, Reason::SignatureEncoding, format!("{what}: {e}")),
                None,
            );
        }
    };
    let mut form = match decoded.encoding {
        sigvalue::SigEncoding::Der => "DER".to_owned(),
        sigvalue::SigEncoding::Raw => "raw r‖s".to_owned(),
    };
    if let Some(u) = decoded.ignored_unused_bits {
        form.push_str(&format!(", unused-bits octet {u} ignored"));
    }
    let check = if sigvalue::verify(&key, msg, &decoded.signature) {
        Check::pass(code, format!("{what} verifies ({form})"))
    } else {
        Check::fail(
            code,
            Reason::SignatureMismatch,
            format!("{what} does not verify ({form})"),
        )
    };
    (check, Some(decoded.encoding))
}

/// `at` inside `[start, end]`.
fn window(code: CheckCode, at: Option<i64>, start: i64, end: i64, what: &str) -> Check {
    match at {
        None => Check::not_checked(
            code,
            Reason::TimeUnreadable,
            format!("{what}: the time cannot be read"),
        ),
        Some(t) if t < start => {
            Check::fail(code, Reason::NotYetValid, format!("{what}: not yet valid"))
        }
        Some(t) if t > end => Check::fail(code, Reason::Expired, format!("{what}: expired")),
        Some(_) => Check::pass(code, format!("{what}: valid")),
    }
}

/// §7.3: the signer's certificate must be one the seal admits.
fn listed(seal: &Seal<'_>, signer_der: &[u8], signer: &CertInfo) -> Check {
    let code = CheckCode::SignerInCertList;
    let found = seal.property.cert_list.iter().any(|e| match e {
        CertListEntry::Cert(c) => *c == signer_der,
        CertListEntry::Digest { kind, value } => {
            let kind = String::from_utf8_lossy(kind).to_ascii_lowercase();
            let sm3 = signer.digest();
            let sha256 = Suite::Intl.hash(signer_der);
            match kind.as_str() {
                "sha256" | "sha-256" | "2.16.840.1.101.3.4.2.1" => *value == sha256.0,
                _ => *value == sm3.0,
            }
        }
        CertListEntry::Other(_) => false,
    });
    if found {
        Check::pass(
            code,
            "the signer's certificate is in the seal's certificate list",
        )
    } else {
        Check::fail(
            code,
            Reason::NotListed,
            format!(
                "the signer's certificate is not among the seal's {} listed certificates",
                seal.property.cert_list.len()
            ),
        )
    }
}

fn chain(anchors: &TrustAnchors, cert: &CertInfo, at: Option<i64>, who: &str) -> Check {
    let code = CheckCode::CertChain;
    if anchors.is_empty() {
        return Check::not_checked(
            code,
            Reason::NoTrustAnchors,
            format!("the {who}'s certificate chain was not checked: no trust anchors configured"),
        )
        .about(who);
    }
    let Some(t) = at else {
        return Check::not_checked(
            code,
            Reason::TimeUnreadable,
            format!("the {who}'s chain: no time to check it at"),
        )
        .about(who);
    };
    if anchors.chains(cert, t) {
        Check::pass(
            code,
            format!("the {who}'s certificate chains to a trust anchor"),
        )
        .about(who)
    } else {
        Check::fail(
            code,
            Reason::Untrusted,
            format!("the {who}'s certificate does not chain to a trust anchor"),
        )
        .about(who)
    }
}

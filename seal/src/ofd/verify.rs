//! A sealed OFD document, verified signature by signature
//! (`docs/spec/seals.md` §4–§5).

use base64::Engine;
use serde::Serialize;
use yinzheng_crypto::Suite;

use super::package::{Limits, Package, dir_of, resolve};
use super::xml::{self, SignatureEntry};
use crate::OfdError;
use crate::asn1::{Tlv, tag};
use crate::report::{Check, CheckCode, Outcome, Reason, SignatureReport};
use crate::signature::SesSignature;
use crate::verify::{TrustAnchors, signature_report};

/// What kind of signature an entry of `Signatures.xml` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A GB/T 38540 / GM/T 0031 e-seal signature.
    Seal,
    /// A GB/T 35275 signature (`Type="Sign"`), not an e-seal.
    Sign,
    /// Neither could be read.
    Unreadable,
}

/// One signature of a document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSignature {
    /// `ID` in `Signatures.xml`.
    pub id: String,
    /// `Type` as written.
    pub declared_type: Option<String>,
    /// The package path of its `Signature.xml`.
    pub signature_xml: String,
    /// What it holds.
    pub kind: EntryKind,
    /// `SignatureDateTime` as written.
    pub date_time: Option<String>,
    /// The seal and signer checks (e-seals only).
    pub seal: Option<SignatureReport>,
    /// The document checks: format, dataHash, each reference, Seal.esl.
    pub checks: Vec<Check>,
    /// The raw `SES_Signature` DER, for anchoring.
    #[serde(skip)]
    pub signed_value: Vec<u8>,
}

impl DocumentSignature {
    /// The seal genuine and every check passed (warnings and checks not
    /// made aside).
    pub fn genuine(&self) -> bool {
        self.kind == EntryKind::Seal
            && self.seal.as_ref().is_some_and(SignatureReport::genuine)
            && !self.checks.iter().any(Check::failed)
    }

    /// Files whose content changed since this signature.
    pub fn changed_files(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.code == CheckCode::Reference && c.outcome == Outcome::Fail)
            .filter_map(|c| c.subject.as_deref())
            .collect()
    }
}

/// The verification of a whole document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentReport {
    /// SM3 of the document file, hex.
    pub sm3: String,
    /// Every signature, in `Signatures.xml` order.
    pub signatures: Vec<DocumentSignature>,
    /// Package files no signature protects (signature files aside).
    pub unprotected: Vec<String>,
}

impl DocumentReport {
    /// At least one e-seal, and every e-seal genuine with the document unchanged.
    pub fn all_seals_genuine(&self) -> bool {
        let seals: Vec<_> = self
            .signatures
            .iter()
            .filter(|s| s.kind == EntryKind::Seal)
            .collect();
        !seals.is_empty() && seals.iter().all(|s| s.genuine())
    }
}

/// Verify every signature of an OFD document.
pub fn verify_ofd(bytes: &[u8], anchors: &TrustAnchors) -> Result<DocumentReport, OfdError> {
    let pkg = Package::open(bytes, Limits::default())?;
    let bodies = xml::ofd_xml(
        "OFD.xml",
        pkg.get("OFD.xml")
            .ok_or(OfdError::Missing("OFD.xml".into()))?,
    )?;
    if bodies.is_empty() {
        return Err(OfdError::Xml {
            file: "OFD.xml".into(),
            reason: "no DocBody".into(),
        });
    }
    let mut signatures = Vec::new();
    let mut protected = std::collections::BTreeSet::new();
    let mut signature_files = std::collections::BTreeSet::new();
    for body in &bodies {
        let Some(loc) = &body.signatures else {
            continue;
        };
        let list_path = resolve("", loc).ok_or_else(|| OfdError::Missing(loc.clone()))?;
        let list = pkg
            .get(&list_path)
            .ok_or_else(|| OfdError::Missing(list_path.clone()))?;
        signature_files.insert(list_path.clone());
        let entries = xml::signatures_xml(&list_path, list)?;
        let count = entries.len();
        for (i, entry) in entries.iter().enumerate() {
            let later = i + 1 < count;
            let sig = verify_entry(&pkg, &list_path, entry, later, anchors);
            for c in &sig.checks {
                if c.code == CheckCode::Reference
                    && let Some(s) = &c.subject
                {
                    protected.insert(s.clone());
                }
            }
            signature_files.insert(dir_of(&sig.signature_xml).to_owned());
            signatures.push(sig);
        }
    }
    let unprotected = pkg
        .names()
        .filter(|n| !protected.contains(*n))
        .filter(|n| {
            !signature_files
                .iter()
                .any(|s| *n == s || (!s.is_empty() && n.starts_with(&format!("{s}/"))))
        })
        .map(str::to_owned)
        .collect();
    Ok(DocumentReport {
        sm3: Suite::Sm.hash(bytes).to_hex(),
        signatures,
        unprotected,
    })
}

fn verify_entry(
    pkg: &Package,
    list_path: &str,
    entry: &SignatureEntry,
    later_signatures: bool,
    anchors: &TrustAnchors,
) -> DocumentSignature {
    let path = resolve(dir_of(list_path), &entry.base_loc)
        .filter(|p| pkg.get(p).is_some())
        .or_else(|| resolve("", &entry.base_loc))
        .unwrap_or_else(|| entry.base_loc.clone());
    let mut out = DocumentSignature {
        id: entry.id.clone(),
        declared_type: entry.kind.clone(),
        signature_xml: path.clone(),
        kind: EntryKind::Unreadable,
        date_time: None,
        seal: None,
        checks: Vec::new(),
        signed_value: Vec::new(),
    };
    let Some(sig_xml_bytes) = pkg.get(&path) else {
        out.checks.push(
            Check::fail(
                CheckCode::Format,
                Reason::MissingFile,
                format!("{path} is not in the package"),
            )
            .about(&path),
        );
        return out;
    };
    let sx = match xml::signature_xml(&path, sig_xml_bytes) {
        Ok(s) => s,
        Err(e) => {
            out.checks.push(
                Check::fail(CheckCode::Format, Reason::Malformed, e.to_string()).about(&path),
            );
            return out;
        }
    };
    out.date_time = sx.date_time.clone();
    let here = dir_of(&path);
    let find = |loc: &str| find_file(pkg, here, loc);
    let Some((sv_path, signed_value)) = find(&sx.signed_value) else {
        out.checks.push(
            Check::fail(
                CheckCode::Format,
                Reason::MissingFile,
                format!("the signed value {} is not in the package", sx.signed_value),
            )
            .about(resolve(here, &sx.signed_value).unwrap_or_else(|| sx.signed_value.clone())),
        );
        return out;
    };
    out.signed_value = signed_value.to_vec();

    // P12: dispatch on Type and on content. A GB/T 35275 signature is a CMS
    // ContentInfo: a SEQUENCE that starts with an OID.
    let looks_cms = Tlv::parse_whole(signed_value, "SignedValue")
        .ok()
        .and_then(|t| t.children().peek_tag())
        == Some(tag::OID);
    let declared_sign = entry
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("sign"));
    let parsed = if looks_cms {
        None
    } else {
        SesSignature::parse(signed_value).ok()
    };
    match parsed {
        Some(ses) => {
            out.kind = EntryKind::Seal;
            out.seal = Some(signature_report(&ses, anchors));
            // dataHash = SM3(Signature.xml as stored) (§3.1 step 5, P6).
            let h = Suite::Sm.hash(sig_xml_bytes);
            out.checks.push(if ses.data_hash.data == h.0 {
                Check::pass(CheckCode::DataHash, "dataHash is SM3 of Signature.xml as stored")
            } else {
                Check::fail(CheckCode::DataHash, Reason::HashMismatch, "dataHash differs from SM3 of Signature.xml: Signature.xml was changed or rewritten")
            }.about(&path));
            references(&mut out, &sx, pkg, here, list_path, later_signatures);
            if let Some(loc) = &sx.seal_loc {
                out.checks.push(match find(loc) {
                    None => Check::fail(
                        CheckCode::SealFile,
                        Reason::MissingFile,
                        format!("{loc} is not in the package"),
                    ),
                    Some((p, b)) if b == ses.seal.raw => Check::pass(
                        CheckCode::SealFile,
                        "Seal.esl is the seal inside the signature",
                    )
                    .about(p),
                    Some((p, _)) => Check::fail(
                        CheckCode::SealFile,
                        Reason::Differs,
                        "Seal.esl differs from the seal inside the signature",
                    )
                    .about(p),
                });
            }
        }
        None if looks_cms || declared_sign => {
            out.kind = EntryKind::Sign;
            out.checks.push(
                Check::not_checked(
                    CheckCode::NotASeal,
                    Reason::OtherSignatureType,
                    "a GB/T 35275 signature (Type=\"Sign\"), not an e-seal: not verified here",
                )
                .about(&sv_path),
            );
            references(&mut out, &sx, pkg, here, list_path, later_signatures);
        }
        None => {
            let why = SesSignature::parse(signed_value)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            out.checks.push(
                Check::fail(
                    CheckCode::Format,
                    Reason::Malformed,
                    format!("{sv_path}: {why}"),
                )
                .about(&sv_path),
            );
        }
    }
    out
}

/// A location written in `Signature.xml`: relative to its directory, else
/// from the package root.
fn find_file<'p>(pkg: &'p Package, here: &str, loc: &str) -> Option<(String, &'p [u8])> {
    [resolve(here, loc), resolve("", loc)]
        .into_iter()
        .flatten()
        .find_map(|p| pkg.get(&p).map(|b| (p, b)))
}

/// §3.1 step 4: each protected file's SM3 `CheckValue`.
fn references(
    out: &mut DocumentSignature,
    sx: &xml::SignatureXml,
    pkg: &Package,
    here: &str,
    list_path: &str,
    later_signatures: bool,
) {
    if sx.references.is_empty() {
        out.checks.push(Check::fail(
            CheckCode::Reference,
            Reason::NoReferences,
            "the signature protects no file",
        ));
        return;
    }
    if !xml::is_sm3_method(sx.check_method.as_deref()) {
        out.checks.push(Check::not_checked(
            CheckCode::Reference,
            Reason::UnsupportedMethod,
            format!(
                "check method {:?} is not SM3",
                sx.check_method.as_deref().unwrap_or("")
            ),
        ));
        return;
    }
    for r in &sx.references {
        let Some((p, bytes)) = find_file(pkg, here, &r.file_ref) else {
            out.checks.push(
                Check::fail(
                    CheckCode::Reference,
                    Reason::MissingFile,
                    format!("{} is not in the package", r.file_ref),
                )
                .about(r.file_ref.trim_start_matches('/')),
            );
            continue;
        };
        let expected = base64::engine::general_purpose::STANDARD
            .decode(r.check_value.trim())
            .unwrap_or_default();
        let actual = pkg.sm3(&p).unwrap_or_else(|| Suite::Sm.hash(bytes));
        out.checks.push(if expected == actual.0 {
            Check::pass(CheckCode::Reference, "unchanged").about(p)
        } else if p == list_path && later_signatures {
            Check {
                code: CheckCode::Reference,
                outcome: Outcome::Warning,
                reason: Some(Reason::ChangedByLaterSignature),
                subject: Some(p),
                detail:
                    "changed by a later signature (the signature list is rewritten by each one)"
                        .into(),
            }
        } else {
            Check::fail(
                CheckCode::Reference,
                Reason::HashMismatch,
                "changed since it was sealed",
            )
            .about(p)
        });
    }
}

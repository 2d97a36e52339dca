//! `yinzheng verify CERT.ofd` for a national-form e-certificate
//! (`docs/spec/ecert.md` §5): the identifier and metadata read from the
//! OFD, both digests recomputed, the seals verified, the certificate found
//! on the ledger by its 标识, and one verdict.

use std::path::Path;

use prost::Message;
use serde::Serialize;
use yinzheng_ledger::ecert::{CheckKind, Metadata, parse_ecert_id};
use yinzheng_ledger::proto::{Bundle, IssueCertificate, record_body::Kind};
use yinzheng_ledger::{Record, Step, Verdict, VerdictStatus};
use yinzheng_seal::DocumentReport;
use yinzheng_seal::ofd::document_custom_datas;

use super::ecert::holder_commitments;
use super::seal_verify::{DocVerdict, judge};
use crate::cli::{LangArg, VerifyArgs};
use crate::render::{Lang, beijing_time};
use crate::{ClientError, Exit, check, remote};

/// The certificate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertVerdict {
    /// Genuine, anchored, in force, the file unchanged.
    Valid,
    /// As valid, but the ledger's status is older than the allowed age, or
    /// the ledger was not consulted.
    Stale,
    /// Genuine, but suspended (02 暂扣).
    Suspended,
    /// Genuine, but ended (03–07, 99).
    Revoked,
    /// Genuine, but re-issued: a newer version replaces it.
    Superseded,
    /// Genuine, but its validity window has ended.
    Expired,
    /// Genuine, but not valid yet.
    NotYetValid,
    /// The identifier does not parse or its check character is wrong.
    BadIdentifier,
    /// The metadata is malformed or lacks a required element.
    MetadataInvalid,
    /// The file carries no seal.
    NoSeal,
    /// A seal does not verify.
    SealInvalid,
    /// The file is not the one anchored (changed after issue).
    Changed,
    /// The metadata is not what the ledger's record commits to.
    MetadataMismatch,
    /// The holders in the file are not the record's holder commitments.
    HolderMismatch,
    /// No certificate with this identifier on the ledger.
    NotRegistered,
}

impl CertVerdict {
    fn exit(self) -> Exit {
        match self {
            CertVerdict::Valid => Exit::Valid,
            CertVerdict::Stale => Exit::Stale,
            CertVerdict::Suspended
            | CertVerdict::Revoked
            | CertVerdict::Superseded
            | CertVerdict::Expired
            | CertVerdict::NotYetValid => Exit::NotInForce,
            _ => Exit::Invalid,
        }
    }

    fn text(self, zh: bool) -> &'static str {
        match (self, zh) {
            (CertVerdict::Valid, true) => {
                "✔ 电子证照真实有效：印章真实，已在账本签发登记，状态有效，文件未被修改"
            }
            (CertVerdict::Valid, false) => {
                "✔ genuine and valid: seals genuine, issued on the ledger, in force, the file unchanged"
            }
            (CertVerdict::Stale, true) => "？ 证照真实，但账本状态未核实或已过时，请联网核验",
            (CertVerdict::Stale, false) => {
                "? genuine, but the ledger status is unknown or out of date"
            }
            (CertVerdict::Suspended, true) => "✘ 证照真实，但已暂扣",
            (CertVerdict::Suspended, false) => "✘ genuine, but suspended",
            (CertVerdict::Revoked, true) => "✘ 证照真实，但已失去效力（撤销/注销/吊销等）",
            (CertVerdict::Revoked, false) => {
                "✘ genuine, but no longer in force (revoked, cancelled, withdrawn…)"
            }
            (CertVerdict::Superseded, true) => "✘ 证照真实，但已换发新版本",
            (CertVerdict::Superseded, false) => "✘ genuine, but re-issued as a newer version",
            (CertVerdict::Expired, true) => "✘ 证照真实，但已过有效期",
            (CertVerdict::Expired, false) => "✘ genuine, but expired",
            (CertVerdict::NotYetValid, true) => "✘ 证照真实，但尚未生效",
            (CertVerdict::NotYetValid, false) => "✘ genuine, but not yet valid",
            (CertVerdict::BadIdentifier, true) => "✘ 证照标识无效（结构或校验位错误）",
            (CertVerdict::BadIdentifier, false) => {
                "✘ the identifier is invalid (structure or check character)"
            }
            (CertVerdict::MetadataInvalid, true) => "✘ 证照元数据不完整或格式错误",
            (CertVerdict::MetadataInvalid, false) => "✘ the metadata is malformed or incomplete",
            (CertVerdict::NoSeal, true) => "✘ 文件没有电子印章",
            (CertVerdict::NoSeal, false) => "✘ the file carries no seal",
            (CertVerdict::SealInvalid, true) => "✘ 印章核验未通过",
            (CertVerdict::SealInvalid, false) => "✘ seal verification failed",
            (CertVerdict::Changed, true) => "✘ 文件与账本登记的证照文件不一致（签发后被修改）",
            (CertVerdict::Changed, false) => {
                "✘ the file is not the one anchored (changed after issue)"
            }
            (CertVerdict::MetadataMismatch, true) => "✘ 证照元数据与账本记录不一致",
            (CertVerdict::MetadataMismatch, false) => {
                "✘ the metadata is not what the ledger's record commits to"
            }
            (CertVerdict::HolderMismatch, true) => "✘ 持证主体与账本记录不一致",
            (CertVerdict::HolderMismatch, false) => "✘ the holders are not the record's",
            (CertVerdict::NotRegistered, true) => "✘ 账本上没有该标识的证照",
            (CertVerdict::NotRegistered, false) => {
                "✘ no certificate with this identifier on the ledger"
            }
        }
    }
}

/// What was found, for JSON and for the lines printed.
#[derive(Debug, Serialize)]
struct Found {
    identifier: String,
    check: &'static str,
    metadata_sm3: Option<String>,
    file_digest: String,
    name: Option<String>,
    number: Option<String>,
    holder: Option<String>,
    issuer: Option<String>,
    issuer_code: Option<String>,
    detail: Option<String>,
}

/// Verify `bytes` as a national e-certificate if its `OFD.xml` names a
/// certificate identifier; `None` for any other document.
pub fn verify(
    path: &Path,
    bytes: &[u8],
    report: &DocumentReport,
    a: &VerifyArgs,
) -> Result<Option<Exit>, ClientError> {
    let Ok(entries) = document_custom_datas(bytes) else {
        return Ok(None);
    };
    let named = entries
        .iter()
        .any(|(k, _)| yinzheng_ledger::ecert::canonical_name(k) == "certificateIdentifier");
    if !named {
        return Ok(None);
    }
    let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
    let params = genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let mut found = Found {
        identifier: String::new(),
        check: "standard",
        metadata_sm3: None,
        file_digest: params.suite.hash(bytes).to_hex(),
        name: None,
        number: None,
        holder: None,
        issuer: None,
        issuer_code: None,
        detail: None,
    };
    let mut ledger: Option<Verdict> = None;
    let verdict = judge_certificate(
        &entries,
        bytes,
        report,
        a,
        &genesis,
        &params,
        &mut found,
        &mut ledger,
    )?;
    if a.json {
        let out = serde_json::json!({
            "certificate": found,
            "document": report,
            "ledger": ledger,
            "verdict": verdict,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let zh = match a.lang {
            Some(LangArg::En) => false,
            Some(LangArg::Zh) => true,
            None => Lang::from_env() == Lang::Zh,
        };
        print!("{}", render(path, &found, ledger.as_ref(), verdict, zh));
    }
    Ok(Some(verdict.exit()))
}

#[allow(clippy::too_many_arguments)]
fn judge_certificate(
    entries: &[(String, String)],
    bytes: &[u8],
    report: &DocumentReport,
    a: &VerifyArgs,
    genesis: &yinzheng_ledger::genesis::Genesis,
    params: &yinzheng_ledger::ChainParams,
    found: &mut Found,
    ledger: &mut Option<Verdict>,
) -> Result<CertVerdict, ClientError> {
    let metadata =
        match Metadata::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            Ok(m) => m,
            Err(e) => {
                found.detail = Some(e.to_string());
                return Ok(CertVerdict::MetadataInvalid);
            }
        };
    let get = |n: &str| metadata.get(n).map(str::to_owned);
    found.identifier = get("certificateIdentifier").unwrap_or_default();
    found.name = get("certificateName");
    found.number = get("certificateNumber");
    found.holder = get("certificateHolderName");
    found.issuer = get("certificateIssuingAuthorityName");
    found.issuer_code = get("certificateIssuingAuthorityCode");
    found.metadata_sm3 = Some(metadata.digest().to_hex());
    let id = match parse_ecert_id(&found.identifier) {
        Ok(id) => id,
        Err(e) => {
            found.detail = Some(e.to_string());
            return Ok(CertVerdict::BadIdentifier);
        }
    };
    match id.check_kind() {
        CheckKind::Standard => {}
        CheckKind::LegacyVariant => found.check = "legacy_variant",
        CheckKind::Wrong => {
            found.check = "wrong";
            found.detail = Some(format!(
                "check character {} should be {}",
                id.check, id.expected_check
            ));
            return Ok(CertVerdict::BadIdentifier);
        }
    }
    if let Err(e) = metadata.check_required(&[]) {
        found.detail = Some(e.to_string());
        return Ok(CertVerdict::MetadataInvalid);
    }
    match judge(report, None, 0, u64::MAX) {
        DocVerdict::NoSeal => return Ok(CertVerdict::NoSeal),
        DocVerdict::Changed => return Ok(CertVerdict::Changed),
        DocVerdict::Valid => {}
        _ => return Ok(CertVerdict::SealInvalid),
    }
    // The ledger: a bundle given, or the node asked (its answer verified).
    let verifier = check::verifier(genesis)?;
    let bundle = if let Some(node) = &a.node {
        match remote::fetch(
            node,
            &remote::Subject::Ecert(found.identifier.clone()),
            false,
        ) {
            Ok(b) => b,
            Err(ClientError::NotFound { .. }) => return Ok(CertVerdict::NotRegistered),
            Err(e) => return Err(e),
        }
    } else if let Some(p) = a.ledger_bundles.first() {
        check::read(p)?
    } else {
        found.detail = Some("no --node or --bundle: the ledger was not consulted".into());
        return Ok(CertVerdict::Stale);
    };
    let v = verifier.verify_bytes(&bundle, Some(bytes));
    check::remember(&verifier, genesis)?;
    let record = Bundle::decode(bundle.as_slice())
        .ok()
        .and_then(|b| Record::decode(params, &b.record).ok());
    let issue: Option<IssueCertificate> = match record.as_ref().and_then(Record::payload) {
        Some(Kind::IssueCertificate(c)) => Some(c.clone()),
        Some(Kind::SupersedeCertificate(s)) => s.replacement.clone(),
        _ => None,
    };
    *ledger = Some(v.clone());
    if v.status == VerdictStatus::Invalid {
        if v.error.as_ref().is_some_and(|e| e.step == Step::FileDigest) {
            return Ok(CertVerdict::Changed);
        }
        return Err(ClientError::Node {
            node: a.node.clone().unwrap_or_else(|| "bundle".into()),
            message: format!(
                "INVALID_BUNDLE: {}",
                v.error.map(|e| e.to_string()).unwrap_or_default()
            ),
        });
    }
    let Some(c) = issue.filter(|c| c.identifier == found.identifier) else {
        found.detail = Some("the bundle proves another record".into());
        return Ok(CertVerdict::NotRegistered);
    };
    if c.metadata_digest != metadata.digest().0
        || c.type_code != id.type_code
        || c.issuer != id.issuer
        || Some(&c.cert_no) != found.number.as_ref()
        || metadata.issued_date().ok().as_ref() != Some(&c.issued_date)
    {
        return Ok(CertVerdict::MetadataMismatch);
    }
    let mut holders = vec![c.holder_commitment.clone()];
    holders.extend(c.co_holder_commitments.iter().cloned());
    match holder_commitments(&metadata) {
        Ok(h) if h.iter().map(|d| d.0.to_vec()).eq(holders) => {}
        Ok(_) => return Ok(CertVerdict::HolderMismatch),
        Err(e) => {
            found.detail = Some(e);
            return Ok(CertVerdict::HolderMismatch);
        }
    }
    let age = super::max_age(&a.max_age)?;
    let report = check::Report::new(v, check::now_ms(), age);
    Ok(match report.verdict.status {
        VerdictStatus::Valid if report.stale => CertVerdict::Stale,
        VerdictStatus::Valid => CertVerdict::Valid,
        VerdictStatus::Suspended => CertVerdict::Suspended,
        VerdictStatus::Revoked => CertVerdict::Revoked,
        VerdictStatus::Superseded => CertVerdict::Superseded,
        VerdictStatus::Expired => CertVerdict::Expired,
        VerdictStatus::NotYetValid => CertVerdict::NotYetValid,
        VerdictStatus::Invalid => CertVerdict::Changed,
    })
}

fn render(path: &Path, f: &Found, ledger: Option<&Verdict>, v: CertVerdict, zh: bool) -> String {
    let mut out = format!("{}\n", v.text(zh));
    let mut line = |zh_label: &str, en_label: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(&format!(
                "  {}: {value}\n",
                if zh { zh_label } else { en_label }
            ));
        }
    };
    line("文件", "File", &path.display().to_string());
    line("证照名称", "Certificate", f.name.as_deref().unwrap_or(""));
    line("证照编号", "Number", f.number.as_deref().unwrap_or(""));
    line("证照标识", "Identifier", &f.identifier);
    if f.check == "legacy_variant" {
        line(
            "标识校验位",
            "Check character",
            if zh {
                "存量证照，采用已知的非标准算法"
            } else {
                "the known non-standard variant (imported)"
            },
        );
    }
    line("持证主体", "Holder", f.holder.as_deref().unwrap_or(""));
    let issuer = match (&f.issuer, &f.issuer_code) {
        (Some(n), Some(c)) => format!("{n}（{c}）"),
        (Some(n), None) => n.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => String::new(),
    };
    line("颁发机构", "Issued by", &issuer);
    if let Some(l) = ledger {
        if let Some(code) = &l.status_code {
            let name = yinzheng_ledger::ecert::status_from_code_text(code)
                .map(|s| {
                    if zh {
                        yinzheng_ledger::ecert::status_name_zh(s)
                    } else {
                        yinzheng_ledger::ecert::status_name_en(s)
                    }
                })
                .unwrap_or("?");
            let when = l.status_time_ms.map(beijing_time).unwrap_or_default();
            line(
                "证照状态",
                "Status",
                &if zh {
                    format!("{code} {name}（状态截至 {when}）")
                } else {
                    format!("{code} {name} (as of {when})")
                },
            );
        }
        if let (Some(h), Some(t)) = (l.anchored_height, l.anchored_time_ms) {
            line(
                "账本登记",
                "Anchored",
                &if zh {
                    format!("{}，区块 {h}", beijing_time(t))
                } else {
                    format!("{}, height {h}", beijing_time(t))
                },
            );
        }
        if let Some(n) = l.uses {
            line("用证次数", "Uses recorded", &n.to_string());
        }
    }
    line("详情", "Detail", f.detail.as_deref().unwrap_or(""));
    out
}

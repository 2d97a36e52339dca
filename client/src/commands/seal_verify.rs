//! `yinzheng verify DOC.ofd`: every seal of a document checked offline
//! (`docs/spec/seals.md` §5) and, with `--node` or `--bundle`, against the
//! consortium ledger (§8); one verdict a service counter can act on.

use std::path::Path;

use yinzheng_ledger::VerdictStatus;
use yinzheng_seal::{
    CheckCode, DocumentReport, EntryKind, Outcome, Reason, TrustAnchors, verify_ofd,
};

use super::seal::cert_file;
use super::seal_ledger::{LedgerFinding, Source, findings};
use crate::cli::{LangArg, VerifyArgs};
use crate::render::Lang;
use crate::{ClientError, Exit, check};

/// Verify a sealed OFD document and print the verdict.
pub fn verify(path: &Path, bytes: &[u8], a: &VerifyArgs) -> Result<Exit, ClientError> {
    let certs = a
        .anchors
        .iter()
        .map(|p| cert_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let anchors = TrustAnchors::from_der(&refs).map_err(|e| ClientError::Usage(e.to_string()))?;
    let report = verify_ofd(bytes, &anchors).map_err(|e| ClientError::Document {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if let Some(exit) = super::ecert_verify::verify(path, bytes, &report, a)? {
        return Ok(exit);
    }
    let source = match (&a.node, a.ledger_bundles.is_empty()) {
        (Some(n), _) => Some(Source::Node(n.clone())),
        (None, false) => Some(Source::Bundles(
            a.ledger_bundles
                .iter()
                .map(|p| check::read(p))
                .collect::<Result<_, _>>()?,
        )),
        (None, true) => None,
    };
    let ledger = match &source {
        Some(source) => {
            let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
            let verifier = check::verifier(&genesis)?;
            let found = findings(&report, &genesis, &verifier, source)?;
            check::remember(&verifier, &genesis)?;
            Some(found)
        }
        None => None,
    };
    let age = super::max_age(&a.max_age)?;
    let verdict = judge(&report, ledger.as_deref(), check::now_ms(), age);
    if a.json {
        let out = serde_json::json!({ "document": report, "ledger": ledger, "verdict": verdict });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let lang = match a.lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Zh) => Lang::Zh,
            None => Lang::from_env(),
        };
        print!(
            "{}",
            render(path, &report, ledger.as_deref(), verdict, lang)
        );
    }
    Ok(verdict.exit())
}

/// The document's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocVerdict {
    /// Every seal genuine, the document unchanged, and (when the ledger was
    /// consulted) every seal registered and not revoked.
    Valid,
    /// No seal in the document.
    NoSeal,
    /// A seal is not genuine, or its signing fails a check.
    SealInvalid,
    /// The seals are genuine, but the document changed after sealing.
    Changed,
    /// A seal is not registered on the ledger (or another seal is under its id).
    NotRegistered,
    /// A seal had been revoked before the document was signed.
    RevokedBeforeSigning,
    /// A seal has been revoked since the document was signed.
    RevokedSince,
    /// Valid, but the ledger's status is older than the allowed age.
    Stale,
}

impl DocVerdict {
    fn exit(self) -> Exit {
        match self {
            DocVerdict::Valid => Exit::Valid,
            DocVerdict::RevokedSince => Exit::NotInForce,
            DocVerdict::Stale => Exit::Stale,
            DocVerdict::NoSeal
            | DocVerdict::SealInvalid
            | DocVerdict::Changed
            | DocVerdict::NotRegistered
            | DocVerdict::RevokedBeforeSigning => Exit::Invalid,
        }
    }

    fn text(self, consulted: bool, zh: bool) -> &'static str {
        match (self, zh) {
            (DocVerdict::Valid, true) if consulted => {
                "全部印章真实、已在账本登记且未撤销，文件签章后未被修改"
            }
            (DocVerdict::Valid, false) if consulted => {
                "every seal genuine, registered on the ledger and not revoked; the document unchanged since sealing"
            }
            (DocVerdict::Valid, true) => "全部印章真实，文件签章后未被修改",
            (DocVerdict::Valid, false) => {
                "every seal genuine, the document unchanged since sealing"
            }
            (DocVerdict::NoSeal, true) => "文件没有电子签章",
            (DocVerdict::NoSeal, false) => "the document carries no seal",
            (DocVerdict::SealInvalid, true) => "印章核验未通过",
            (DocVerdict::SealInvalid, false) => "seal verification failed",
            (DocVerdict::Changed, true) => "印章真实，但文件在签章后被修改",
            (DocVerdict::Changed, false) => {
                "the seals are genuine, but the document was changed after sealing"
            }
            (DocVerdict::NotRegistered, true) => "印章真实，但未在账本登记",
            (DocVerdict::NotRegistered, false) => {
                "the seals are genuine, but a seal is not registered on the ledger"
            }
            (DocVerdict::RevokedBeforeSigning, true) => "签章时印章已被撤销",
            (DocVerdict::RevokedBeforeSigning, false) => {
                "a seal had been revoked before the document was signed"
            }
            (DocVerdict::RevokedSince, true) => "印章真实，但签章后已被撤销",
            (DocVerdict::RevokedSince, false) => {
                "the seals are genuine, but a seal has been revoked since signing"
            }
            (DocVerdict::Stale, true) => "全部印章真实，但账本状态已过时",
            (DocVerdict::Stale, false) => {
                "every seal genuine, but the ledger's status is out of date"
            }
        }
    }
}

pub(super) fn judge(
    r: &DocumentReport,
    ledger: Option<&[LedgerFinding]>,
    now: u64,
    max_age: u64,
) -> DocVerdict {
    let seals: Vec<_> = r
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Seal)
        .collect();
    if seals.is_empty() {
        return DocVerdict::NoSeal;
    }
    if !seals
        .iter()
        .all(|s| s.seal.as_ref().is_some_and(|x| x.genuine()))
    {
        return DocVerdict::SealInvalid;
    }
    if !r.all_seals_genuine() {
        return DocVerdict::Changed;
    }
    let Some(findings) = ledger else {
        return DocVerdict::Valid;
    };
    let mut verdict = DocVerdict::Valid;
    for f in findings {
        let Some(reg) = f.registration.as_ref().filter(|x| !x.other_seal) else {
            return DocVerdict::NotRegistered;
        };
        let signed = seals
            .iter()
            .find(|s| s.id == f.signature_id)
            .and_then(|s| s.seal.as_ref())
            .and_then(|s| s.time_info.unix)
            .and_then(|t| u64::try_from(t).ok())
            .map(|t| t * 1000);
        match (reg.status, reg.revoked_at_ms, signed) {
            (VerdictStatus::Valid, ..) => {
                if reg.unconfirmed_set
                    || reg
                        .status_time_ms
                        .is_some_and(|t| now.saturating_sub(t) > max_age)
                {
                    verdict = DocVerdict::Stale;
                }
            }
            (VerdictStatus::Revoked, Some(at), Some(s)) if at > s => {
                verdict = DocVerdict::RevokedSince
            }
            _ => return DocVerdict::RevokedBeforeSigning,
        }
    }
    verdict
}

fn ledger_lines(f: &LedgerFinding, zh: bool) -> String {
    let mut out = String::new();
    match &f.registration {
        None => out.push_str(if zh {
            "  ✘ 账本登记：未登记\n"
        } else {
            "  ✘ ledger registration: not registered\n"
        }),
        Some(r) if r.other_seal => out.push_str(if zh {
            "  ✘ 账本登记：该编码下登记的是另一枚印章\n"
        } else {
            "  ✘ ledger registration: another seal is registered under this id\n"
        }),
        Some(r) => {
            let owner = r.owner_name.clone().unwrap_or_else(|| r.owner.clone());
            let by = r
                .registered_by_name
                .clone()
                .or_else(|| r.registered_by.clone())
                .unwrap_or_else(|| "?".into());
            let when = r
                .status_time_ms
                .map(crate::render::beijing_time)
                .unwrap_or_default();
            let status = match (r.status, zh) {
                (VerdictStatus::Valid, true) => format!("有效（状态截至 {when}）"),
                (VerdictStatus::Valid, false) => format!("in force (status as of {when})"),
                (VerdictStatus::Revoked, true) => format!(
                    "已撤销（{}）",
                    r.revoked_at_ms
                        .map(crate::render::beijing_time)
                        .unwrap_or_default()
                ),
                (VerdictStatus::Revoked, false) => format!(
                    "revoked ({})",
                    r.revoked_at_ms
                        .map(crate::render::beijing_time)
                        .unwrap_or_default()
                ),
                (other, _) => format!("{other:?}"),
            };
            out.push_str(&if zh {
                format!(
                    "  ✔ 账本登记：区块高度 {}，登记机构 {by}，所属单位 {owner}\n  {} 印章状态：{status}\n",
                    r.height,
                    mark(r.status)
                )
            } else {
                format!(
                    "  ✔ ledger registration: height {}, registered by {by}, owner {owner}\n  {} seal status: {status}\n",
                    r.height,
                    mark(r.status)
                )
            });
        }
    }
    out.push_str(&match (&f.anchor, zh) {
        (Some(a), true) => format!(
            "  ✔ 签章存证：区块高度 {}，{}\n",
            a.height,
            crate::render::beijing_time(a.time_ms)
        ),
        (Some(a), false) => format!(
            "  ✔ stamping anchored: height {}, {}\n",
            a.height,
            crate::render::beijing_time(a.time_ms)
        ),
        (None, true) => "  – 签章存证：未上链\n".to_owned(),
        (None, false) => "  – stamping anchored: no\n".to_owned(),
    });
    out
}

fn mark(s: VerdictStatus) -> &'static str {
    if s == VerdictStatus::Valid {
        "✔"
    } else {
        "✘"
    }
}

fn check_name(code: CheckCode, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match code {
        CheckCode::Format => {
            if zh {
                "格式"
            } else {
                "format"
            }
        }
        CheckCode::MakerSignature => {
            if zh {
                "制章者签名"
            } else {
                "seal maker's signature"
            }
        }
        CheckCode::MakerCert => {
            if zh {
                "制章者证书"
            } else {
                "seal maker's certificate"
            }
        }
        CheckCode::SealValidity => {
            if zh {
                "印章有效期"
            } else {
                "seal validity"
            }
        }
        CheckCode::SignerInCertList => {
            if zh {
                "签章人在印章证书列表中"
            } else {
                "signer listed in the seal"
            }
        }
        CheckCode::SignerCert => {
            if zh {
                "签章人证书有效期"
            } else {
                "signer's certificate validity"
            }
        }
        CheckCode::Signature => {
            if zh {
                "签章签名"
            } else {
                "signature"
            }
        }
        CheckCode::DataHash => {
            if zh {
                "签章原文杂凑"
            } else {
                "signed original (dataHash)"
            }
        }
        CheckCode::Reference => {
            if zh {
                "文件"
            } else {
                "file"
            }
        }
        CheckCode::SealFile => {
            if zh {
                "印章文件 Seal.esl"
            } else {
                "Seal.esl"
            }
        }
        CheckCode::Timestamp => {
            if zh {
                "时间戳"
            } else {
                "timestamp"
            }
        }
        CheckCode::CertChain => {
            if zh {
                "证书链"
            } else {
                "certificate chain"
            }
        }
        CheckCode::NotASeal => {
            if zh {
                "非电子印章签名"
            } else {
                "not an e-seal"
            }
        }
        _ => {
            if zh {
                "其他"
            } else {
                "other"
            }
        }
    }
}

fn reason_zh(r: Reason) -> &'static str {
    match r {
        Reason::Malformed => "结构无法解析",
        Reason::MissingFile => "文件缺失",
        Reason::UnsupportedAlgorithm => "非 SM2/SM3 算法",
        Reason::UnsupportedKey => "非 SM2 公钥",
        Reason::CertUnparseable => "证书无法解析",
        Reason::SignatureTruncated => "签名值被截断",
        Reason::SignatureEncoding => "签名值编码无法识别",
        Reason::SignatureMismatch => "签名验证失败",
        Reason::NotYetValid => "尚未生效",
        Reason::Expired => "已过期",
        Reason::TimeUnreadable => "时间无法读取",
        Reason::NotListed => "不在印章证书列表中",
        Reason::HashMismatch => "签章后被修改",
        Reason::Differs => "与签章中的印章不一致",
        Reason::UnsupportedMethod => "非 SM3 杂凑",
        Reason::NoReferences => "未保护任何文件",
        Reason::ChangedByLaterSignature => "被后续签章更新（正常）",
        Reason::NoTrustAnchors => "未配置信任根，未检查",
        Reason::Untrusted => "不能链接到信任根",
        Reason::TimestampNotVerified => "时间戳未验证",
        Reason::OtherSignatureType => "GB/T 35275 签名，未验证",
        _ => "未通过",
    }
}

fn render(
    path: &Path,
    r: &DocumentReport,
    ledger: Option<&[LedgerFinding]>,
    verdict: DocVerdict,
    lang: Lang,
) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    out.push_str(&if zh {
        format!("文件：{}\nSM3：{}\n", path.display(), r.sm3)
    } else {
        format!("document: {}\nSM3: {}\n", path.display(), r.sm3)
    });
    for s in &r.signatures {
        out.push('\n');
        let title = match (&s.seal, s.kind) {
            (Some(seal), _) => {
                let who = seal
                    .signer
                    .as_ref()
                    .map(|c| c.subject.clone())
                    .unwrap_or_default();
                if zh {
                    format!(
                        "签章 {}：印章「{}」（印章编码 {}，{:?}）\n  签章人：{}\n  签章时间：{}\n",
                        s.id,
                        seal.seal.name,
                        seal.seal.es_id,
                        seal.version,
                        who,
                        seal.time_info.text
                    )
                } else {
                    format!(
                        "signature {}: seal \"{}\" (esID {}, {:?})\n  signer: {}\n  signed at: {}\n",
                        s.id,
                        seal.seal.name,
                        seal.seal.es_id,
                        seal.version,
                        who,
                        seal.time_info.text
                    )
                }
            }
            (None, EntryKind::Sign) => format!(
                "{} {}: GB/T 35275\n",
                if zh { "签名" } else { "signature" },
                s.id
            ),
            (None, _) => format!("{} {}\n", if zh { "签章" } else { "signature" }, s.id),
        };
        out.push_str(&title);
        for c in s
            .seal
            .iter()
            .flat_map(|x| x.checks.iter())
            .chain(s.checks.iter())
        {
            if c.code == CheckCode::Reference && c.outcome == Outcome::Pass {
                continue;
            }
            let mark = match c.outcome {
                Outcome::Pass => "✔",
                Outcome::Fail => "✘",
                Outcome::Warning => "!",
                Outcome::NotChecked => "–",
            };
            let subject = c
                .subject
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let detail = match (zh, c.reason) {
                (true, Some(reason)) => reason_zh(reason).to_owned(),
                (true, None) => "通过".to_owned(),
                (false, _) => c.detail.clone(),
            };
            out.push_str(
                &format!("  {mark} {}{subject}：{detail}\n", check_name(c.code, lang))
                    .replace("：", if zh { "：" } else { ": " }),
            );
        }
        let unchanged = s
            .checks
            .iter()
            .filter(|c| c.code == CheckCode::Reference && c.outcome == Outcome::Pass)
            .count();
        if unchanged > 0 {
            out.push_str(&if zh {
                format!("  ✔ 其余 {unchanged} 个受保护文件未被修改\n")
            } else {
                format!("  ✔ {unchanged} protected files unchanged\n")
            });
        }
        if let Some(f) = ledger.and_then(|l| l.iter().find(|f| f.signature_id == s.id)) {
            out.push_str(&ledger_lines(f, zh));
        }
    }
    out.push_str(&if zh {
        format!("\n结论：{}\n", verdict.text(ledger.is_some(), true))
    } else {
        format!("\nverdict: {}\n", verdict.text(ledger.is_some(), false))
    });
    if ledger.is_none() {
        out.push_str(if zh {
            "账本：未查询（仅密码学核验；加 --node 或 --bundle 对照联盟账本）\n"
        } else {
            "ledger: not consulted (cryptographic verdict only; add --node or --bundle)\n"
        });
    }
    out
}

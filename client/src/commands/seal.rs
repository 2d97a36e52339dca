//! `yinzheng seal …` and `yinzheng verify DOC.ofd`: national-format seals
//! and sealed OFD documents (`docs/spec/seals.md`).

use std::path::{Path, PathBuf};

use yinzheng_crypto::{SigningKey, Sm2SigningKey};
use yinzheng_seal::{
    CertSpec, CheckCode, DocumentReport, EntryKind, Outcome, Reason, SealRequest, SealSpec,
    TrustAnchors, issue_cert, make_seal, ofd, seal_ofd, verify_ofd,
};

use crate::cli::{LangArg, SealCertArgs, SealCmd, SealDocArgs, SealMakeArgs, SealSignArgs};
use crate::render::Lang;
use crate::{ClientError, Exit, check};

/// Run a `seal` subcommand.
pub fn run(cmd: SealCmd) -> Result<Exit, ClientError> {
    match cmd {
        SealCmd::Cert(a) => cert(a),
        SealCmd::Make(a) => make(a),
        SealCmd::Sign(a) => sign(a),
        SealCmd::Doc(a) => doc(a),
    }
}

/// Whether bytes are a ZIP package (an OFD document).
pub fn is_ofd(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn now() -> i64 {
    i64::try_from(check::now_ms() / 1000).unwrap_or(i64::MAX)
}

fn sm2_key(path: &Path) -> Result<Sm2SigningKey, ClientError> {
    let pem = String::from_utf8(check::read(path)?)
        .map_err(|_| ClientError::Usage(format!("{}: not a PEM file", path.display())))?;
    match SigningKey::from_pem(&pem, None)? {
        SigningKey::Sm2(k) => Ok(k),
        _ => Err(ClientError::Usage(format!(
            "{}: seals need an SM2 key",
            path.display()
        ))),
    }
}

/// A certificate file, DER or PEM.
fn cert_file(path: &Path) -> Result<Vec<u8>, ClientError> {
    let bytes = check::read(path)?;
    let der = if bytes.starts_with(b"-----BEGIN") {
        let text = String::from_utf8_lossy(&bytes);
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|_| ClientError::Usage(format!("{}: not a PEM certificate", path.display())))?
    } else {
        bytes
    };
    yinzheng_seal::CertInfo::parse(&der)
        .map_err(|e| ClientError::Usage(format!("{}: {e}", path.display())))?;
    Ok(der)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    std::fs::write(path, bytes).map_err(|e| ClientError::io(path, e))?;
    println!("{}", path.display());
    Ok(())
}

fn cert(a: SealCertArgs) -> Result<Exit, ClientError> {
    let key = sm2_key(&a.key)?;
    let t = now();
    let spec = CertSpec {
        subject: &a.subject,
        serial: a
            .serial
            .unwrap_or(u64::try_from(check::now_ms()).unwrap_or(1)),
        not_before: t - 60,
        not_after: t + i64::from(a.days) * 86_400,
        ca: a.ca,
    };
    let pk = key.verifying_key().to_bytes();
    let der = match (&a.issuer_key, &a.issuer_cert) {
        (Some(k), Some(c)) => issue_cert(&spec, &pk, &sm2_key(k)?, Some(&cert_file(c)?)),
        _ => issue_cert(&spec, &pk, &key, None),
    }
    .map_err(|e| ClientError::Usage(e.to_string()))?;
    write(&a.out, &der)?;
    Ok(Exit::Valid)
}

fn make(a: SealMakeArgs) -> Result<Exit, ClientError> {
    let key = sm2_key(&a.maker_key)?;
    let maker_cert = cert_file(&a.maker_cert)?;
    let picture = check::read(&a.picture)?;
    if !picture.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ClientError::Usage(format!(
            "{}: the picture must be a PNG",
            a.picture.display()
        )));
    }
    let (w, h) = a
        .size_mm
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .ok_or_else(|| ClientError::Usage("--size-mm is WIDTHxHEIGHT, e.g. 40x40".into()))?;
    let signer_certs = a
        .signer_certs
        .iter()
        .map(|p| cert_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let t = now();
    let spec = SealSpec {
        es_id: &a.es_id,
        name: &a.name,
        seal_type: a.seal_type,
        vid: &a.vid,
        created: t,
        valid_start: t,
        valid_end: t + i64::from(a.days) * 86_400,
        picture_type: "PNG",
        picture: &picture,
        size_mm: (w, h),
        signer_certs: signer_certs.iter().map(Vec::as_slice).collect(),
    };
    let seal = make_seal(&spec, &key, &maker_cert)?;
    write(&a.out, &seal)?;
    Ok(Exit::Valid)
}

fn sign(a: SealSignArgs) -> Result<Exit, ClientError> {
    let doc = check::read(&a.document)?;
    let seal = check::read(&a.seal)?;
    let key = sm2_key(&a.key)?;
    let cert = cert_file(&a.cert)?;
    let (x, y) =
        a.at.split_once(',')
            .and_then(|(x, y)| Some((x.trim().parse().ok()?, y.trim().parse().ok()?)))
            .ok_or_else(|| ClientError::Usage("--at is X,Y in millimetres, e.g. 120,200".into()))?;
    let size = yinzheng_seal::Seal::parse(&seal)
        .map(|s| {
            (
                u32::try_from(s.picture.width_mm).unwrap_or(40),
                u32::try_from(s.picture.height_mm).unwrap_or(40),
            )
        })
        .map_err(|e| ClientError::Usage(format!("{}: {e}", a.seal.display())))?;
    let req = SealRequest {
        seal: &seal,
        key: &key,
        cert: &cert,
        time: now(),
        boundary: (x, y, size.0, size.1),
    };
    let sealed = seal_ofd(&doc, &req)
        .map_err(|e| ClientError::Usage(format!("{}: {e}", a.document.display())))?;
    let out = a.out.unwrap_or_else(|| sealed_name(&a.document));
    write(&out, &sealed)?;
    Ok(Exit::Valid)
}

fn sealed_name(p: &Path) -> PathBuf {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.with_file_name(format!("{stem}.sealed.ofd"))
}

fn doc(a: SealDocArgs) -> Result<Exit, ClientError> {
    let lines: Vec<&str> = a.lines.iter().map(String::as_str).collect();
    let bytes =
        ofd::text_document(&a.title, &lines).map_err(|e| ClientError::Usage(e.to_string()))?;
    write(&a.out, &bytes)?;
    Ok(Exit::Valid)
}

/// `yinzheng verify DOC.ofd`: every seal of the document checked offline.
pub fn verify(
    path: &Path,
    bytes: &[u8],
    anchors: &[PathBuf],
    json: bool,
    lang: Option<LangArg>,
) -> Result<Exit, ClientError> {
    let certs = anchors
        .iter()
        .map(|p| cert_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let anchors = TrustAnchors::from_der(&refs).map_err(|e| ClientError::Usage(e.to_string()))?;
    let report = verify_ofd(bytes, &anchors).map_err(|e| ClientError::Document {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let lang = match lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Zh) => Lang::Zh,
            None => Lang::from_env(),
        };
        print!("{}", render(path, &report, lang));
    }
    Ok(if report.all_seals_genuine() {
        Exit::Valid
    } else {
        Exit::Invalid
    })
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

fn render(path: &Path, r: &DocumentReport, lang: Lang) -> String {
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
    }
    let verdict = if r.signatures.is_empty() {
        if zh {
            "文件没有电子签章"
        } else {
            "the document carries no seal"
        }
    } else if r.all_seals_genuine() {
        if zh {
            "全部印章真实，文件签章后未被修改"
        } else {
            "every seal genuine, the document unchanged since sealing"
        }
    } else if r
        .signatures
        .iter()
        .any(|s| s.seal.as_ref().is_some_and(|x| x.genuine()) && !s.changed_files().is_empty())
    {
        if zh {
            "印章真实，但文件在签章后被修改"
        } else {
            "the seals are genuine, but the document was changed after sealing"
        }
    } else if zh {
        "印章核验未通过"
    } else {
        "seal verification failed"
    };
    out.push_str(&if zh {
        format!("\n结论：{verdict}\n账本：未登记（仅密码学核验，未对照联盟账本）\n")
    } else {
        format!("\nverdict: {verdict}\nledger: not registered (cryptographic verdict only, not checked against the consortium ledger)\n")
    });
    out
}

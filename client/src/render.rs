//! Verdicts in words, in Chinese (default) or English.

use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{Step, VerdictStatus};

use crate::check::Report;

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From `LANG`/`LC_ALL`: English if they name an English locale, else Chinese.
    pub fn from_env() -> Lang {
        let v = std::env::var("LC_ALL")
            .or_else(|_| std::env::var("LANG"))
            .unwrap_or_default();
        if v.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC+8` (Beijing time) for `ms` since the epoch.
pub fn beijing_time(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX - 8 * 3600) + 8 * 3600;
    let [y, m, d, h, mi, _] = yinzheng_seal::time::unix_to_civil(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02} UTC+8")
}

/// A record kind's name in words (its snake_case name).
pub fn kind_words(kind: &str, lang: Lang) -> String {
    let zh = match kind {
        "issue_certificate" => "电子证照签发",
        "revoke_certificate" => "电子证照撤销",
        "supersede_certificate" => "电子证照换发",
        "register_certificate_type" => "证照类型登记",
        "set_certificate_status" => "电子证照状态变更",
        "authorise_use" => "授权用证",
        "use_certificate" => "用证记录",
        "register_seal" => "电子印章登记",
        "revoke_seal" => "电子印章注销",
        "stamp" => "电子用印",
        "share_request" => "数据共享申请",
        "share_decision" => "数据共享审批",
        "share_delivery" => "数据共享交付",
        "share_receipt" => "数据共享签收",
        "register_org" => "机构登记",
        "update_org" => "机构变更",
        "register_key" => "密钥登记",
        "revoke_key" => "密钥注销",
        "register_peer" => "节点身份登记",
        "remove_peer" => "节点身份注销",
        "grant" => "授权",
        "revoke_grant" => "撤销授权",
        "change_validators" => "验证节点变更",
        other => other,
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => kind.replace('_', " "),
    }
}

/// A revocation reason (the verdict's lower-case name) in words.
fn reason_words(reason: &str, lang: Lang) -> String {
    let zh = match reason {
        "issued_in_error" => "误发",
        "holder_request" => "持证人申请",
        "legal_decision" => "依法撤销",
        "key_compromise" => "密钥泄露",
        "ceased" => "主体注销",
        other => other,
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => reason.replace('_', " "),
    }
}

fn age(ms: u64, lang: Lang) -> String {
    let (d, h, m) = (ms / 86_400_000, (ms / 3_600_000) % 24, (ms / 60_000) % 60);
    match lang {
        Lang::Zh if d > 0 => format!("{d} 天 {h} 小时前"),
        Lang::Zh if h > 0 => format!("{h} 小时 {m} 分钟前"),
        Lang::Zh => format!("{m} 分钟前"),
        Lang::En if d > 0 => format!("{d} d {h} h ago"),
        Lang::En if h > 0 => format!("{h} h {m} min ago"),
        Lang::En => format!("{m} min ago"),
    }
}

fn org_name(genesis: &Genesis, code: &str) -> String {
    match genesis.organisations.iter().find(|o| o.credit_code == code) {
        Some(o) => format!("{} ({code})", o.name),
        None => code.to_owned(),
    }
}

fn step_words(step: Step, lang: Lang) -> &'static str {
    match (step, lang) {
        (Step::Decode, Lang::Zh) => "文件不是有效的证明包",
        (Step::ValidatorSets, Lang::Zh) => "验证节点集合链不成立",
        (Step::CommitCertificate, Lang::Zh) => "区块签名不成立（非本联盟或被篡改）",
        (Step::Inclusion, Lang::Zh) => "记录未被包含在区块中（被篡改）",
        (Step::Signatures, Lang::Zh) => "签发方签名无效",
        (Step::Status, Lang::Zh) => "状态证明无效",
        (Step::Validity, Lang::Zh) => "不在有效期内",
        (Step::FileDigest, Lang::Zh) => "文件与链上记录不一致",
        (Step::Fields, Lang::Zh) => "出示的证照信息与签发记录不符",
        (Step::Fields, Lang::En) => "a shown field is not what the issuer committed to",
        (Step::Decode, Lang::En) => "not a valid proof bundle",
        (Step::ValidatorSets, Lang::En) => "validator-set chain does not hold",
        (Step::CommitCertificate, Lang::En) => {
            "block signatures do not hold (another consortium, or tampered)"
        }
        (Step::Inclusion, Lang::En) => "record is not included in the block (tampered)",
        (Step::Signatures, Lang::En) => "issuer signature is invalid",
        (Step::Status, Lang::En) => "status proof is invalid",
        (Step::Validity, Lang::En) => "outside the validity window",
        (Step::FileDigest, Lang::En) => "the file does not match the record",
    }
}

/// The report in words, several lines.
pub fn render(report: &Report, genesis: &Genesis, lang: Lang) -> String {
    let v = &report.verdict;
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let headline = match (v.status, report.stale, zh) {
        (VerdictStatus::Valid, false, true) => "✔ 真实有效".to_owned(),
        (VerdictStatus::Valid, true, true) => "✔ 真实，但状态信息已过时，请联网刷新".to_owned(),
        (VerdictStatus::Valid, false, false) => "✔ Genuine and valid".to_owned(),
        (VerdictStatus::Valid, true, false) => {
            "✔ Genuine, but the status is stale: refresh online".to_owned()
        }
        (VerdictStatus::Revoked, _, true) => "✘ 已撤销".to_owned(),
        (VerdictStatus::Revoked, _, false) => "✘ Revoked".to_owned(),
        (VerdictStatus::Suspended, _, true) => "✘ 暂扣中，暂不可用".to_owned(),
        (VerdictStatus::Suspended, _, false) => "✘ Suspended".to_owned(),
        (VerdictStatus::Superseded, _, true) => "✘ 已被新版本替代".to_owned(),
        (VerdictStatus::Superseded, _, false) => "✘ Superseded by a newer version".to_owned(),
        (VerdictStatus::Expired, _, true) => "✘ 已过有效期".to_owned(),
        (VerdictStatus::Expired, _, false) => "✘ Expired".to_owned(),
        (VerdictStatus::NotYetValid, _, true) => "✘ 尚未生效".to_owned(),
        (VerdictStatus::NotYetValid, _, false) => "✘ Not yet valid".to_owned(),
        (VerdictStatus::Invalid, _, true) => "✘ 无效或伪造".to_owned(),
        (VerdictStatus::Invalid, _, false) => "✘ Invalid or forged".to_owned(),
    };
    out.push_str(&headline);
    out.push('\n');
    if v.unconfirmed_set {
        out.push_str(if zh {
            "  注意: 签署该证明的验证节点集合超出可信期限，无法确认其未被替换；请联网获取较新的检查点后再核验\n"
        } else {
            "  Note: the validators that certified this bundle are beyond the trusting period and may have been replaced since; verify again after fetching a fresher checkpoint online\n"
        });
    }
    let line = |out: &mut String, zh_label: &str, en_label: &str, value: String| {
        out.push_str(&format!(
            "  {}: {value}\n",
            if zh { zh_label } else { en_label }
        ));
    };
    if let Some(e) = &v.error {
        line(
            &mut out,
            "原因",
            "Reason",
            if zh {
                format!(
                    "{} [{}, 第 {} 步]",
                    step_words(e.step, lang),
                    e.code,
                    e.step.number()
                )
            } else {
                format!(
                    "{} [{}, step {}]",
                    step_words(e.step, lang),
                    e.code,
                    e.step.number()
                )
            },
        );
        line(&mut out, "详情", "Detail", e.message.clone());
        return out;
    }
    if let Some(code) = &v.status_code {
        let st = yinzheng_ledger::ecert::status_from_code_text(code);
        let name = st.map_or("?", |st| {
            if zh {
                yinzheng_ledger::ecert::status_name_zh(st)
            } else {
                yinzheng_ledger::ecert::status_name_en(st)
            }
        });
        line(
            &mut out,
            "证照状态",
            "Certificate status",
            format!("{code} {name}"),
        );
    }
    if v.legacy_check {
        out.push_str(if zh {
            "  注意: 该证照标识的校验位采用已知的非标准算法（存量证照导入），标识本身已核对\n"
        } else {
            "  Note: this identifier's check character follows the known non-standard variant (an imported certificate)\n"
        });
    }
    for f in &v.fields {
        line(
            &mut out,
            "已核验信息",
            "Proven field",
            format!("{}: {}", f.name, f.value),
        );
    }
    if let Some(s) = &v.subject {
        let what = kind_words(&s.kind, lang);
        line(&mut out, "事项", "Subject", format!("{what} {}", s.id));
        if !s.issuer.is_empty() {
            line(
                &mut out,
                "签发机构",
                "Issued by",
                org_name(genesis, &s.issuer),
            );
        }
    }
    if let (Some(h), Some(t)) = (v.anchored_height, v.anchored_time_ms) {
        line(
            &mut out,
            "上链",
            "Anchored",
            format!("{} (#{h})", beijing_time(t)),
        );
    }
    if let Some(r) = &v.revocation_reason {
        let when = v.changed_at_ms.map(beijing_time).unwrap_or_default();
        let r = reason_words(r, lang);
        line(&mut out, "撤销", "Revoked", format!("{when} ({r})"));
    }
    if let Some(n) = &v.superseded_by {
        line(&mut out, "替代为", "Replaced by", n.clone());
    }
    if let (Some(f), Some(u)) = (v.valid_from_ms, v.valid_until_ms) {
        let until = if u == 0 {
            if zh {
                "长期".into()
            } else {
                "open-ended".into()
            }
        } else {
            beijing_time(u)
        };
        let from = match (f, zh) {
            (0, true) => "不限".into(),
            (0, false) => "any time".into(),
            _ => beijing_time(f),
        };
        line(&mut out, "有效期", "Valid", format!("{from} – {until}"));
    }
    if let (Some(h), Some(t)) = (v.status_height, v.status_time_ms) {
        let basis = match (v.status_proven, zh) {
            (true, true) => "状态证明",
            (false, true) => "签发时状态",
            (true, false) => "proven status",
            (false, false) => "status at issuance",
        };
        let a = report
            .status_age_ms
            .map(|a| age(a, lang))
            .unwrap_or_default();
        line(
            &mut out,
            "状态截至",
            "Status as of",
            format!("{} (#{h}, {basis}, {a})", beijing_time(t)),
        );
    }
    if v.file_checked {
        line(
            &mut out,
            "文件",
            "File",
            if zh {
                "与链上记录一致".into()
            } else {
                "matches the record".into()
            },
        );
    }
    if let Some(id) = &v.record_id {
        line(&mut out, "记录", "Record", id.clone());
    }
    out
}

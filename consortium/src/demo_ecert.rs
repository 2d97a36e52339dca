//! The demo's national-form e-certificate (`docs/spec/ecert.md`): the
//! province registers a certificate type and grants 南山区政务服务中心 to issue
//! it and 深圳市市场监督管理局 to record holders' authorisations; Nanshan issues
//! a sealed OFD certificate; its holder authorises 广州市公安局 to use it, which
//! records one use. The file and its metadata land in `samples/`.

use std::path::Path;

use eyre::eyre;
use yinzheng_crypto::SigningKey;
use yinzheng_genesis::consortium::departments;
use yinzheng_genesis::keyfiles::read_key;
use yinzheng_genesis::samples::Samples;
use yinzheng_ledger::Record;
use yinzheng_ledger::ecert::{CertificateSpec, build_certificate};
use yinzheng_ledger::proto::{self, record_body::Kind};
use yinzheng_seal::SealRequest;

/// What the demo made, in commit order.
pub struct NationalCertificate {
    /// The certificate's 标识.
    pub identifier: String,
    /// The type and the grants (already committed by an earlier run: then
    /// refused as existing, which is fine).
    pub setup: Vec<Record>,
    /// The issue.
    pub issue: Record,
    /// The holder's authorisation for 广州市公安局.
    pub authorisation: Record,
    /// One use under it.
    pub use_record: Record,
}

/// A date `years` from `now_ms`, as `YYYY-MM-DD` in Beijing time.
fn date(now_ms: u64, years: i64) -> String {
    let t = i64::try_from(now_ms / 1000).unwrap_or(0) + 8 * 3600;
    let [y, m, d, ..] = yinzheng_seal::time::unix_to_civil(t);
    // 29 February plus whole years is 1 March.
    let (m, d) = if years != 0 && m == 2 && d == 29 {
        (3, 1)
    } else {
        (m, d)
    };
    format!("{:04}-{m:02}-{d:02}", y + years)
}

/// Make the certificate file (written to `out/ecert.ofd`) and its records.
pub fn make(
    samples: &Samples,
    keys_dir: &Path,
    out: &Path,
    tag: u64,
    now_ms: u64,
) -> eyre::Result<NationalCertificate> {
    let e = |e: &dyn std::fmt::Display| eyre!("{e}");
    let deps = departments();
    let (province, shenzhen, guangzhou, nanshan) = (
        deps[0].credit_code.clone(),
        deps[1].credit_code.clone(),
        deps[2].credit_code.clone(),
        deps[3].credit_code.clone(),
    );
    let keys = &samples.keys;
    let record =
        |kind: Kind, key: &SigningKey| samples.record(kind, key, now_ms).map_err(|x| e(&x));
    let type_code = format!("{province}001");
    let grant = |org: &str, kind: i32, scope: &str, region: &str| {
        Kind::Grant(proto::GrantAuthority {
            org: org.into(),
            kind,
            scope: scope.into(),
            region: region.into(),
        })
    };
    let setup = vec![
        record(
            Kind::RegisterCertificateType(proto::RegisterCertificateType {
                type_code: type_code.clone(),
                name: "食品经营许可证（演示）".into(),
                required_elements: vec![
                    "certificateEffectiveDate".into(),
                    "certificateExpiringDate".into(),
                ],
                holder_category: "法人".into(),
                item_code: String::new(),
            }),
            &keys.province_admin,
        )?,
        record(
            grant(&nanshan, 1, &type_code, "440305"),
            &keys.province_admin,
        )?,
        record(grant(&shenzhen, 4, "", "440300"), &keys.province_admin)?,
    ];

    let holder_code = yinzheng_genesis::consortium::credit_code("91440300MA5G00001");
    let metadata = format!(
        "# GB/T 36903 metadata of the demo certificate (yinzheng cert issue --metadata)\n\
         certificateName = 食品经营许可证（演示）\n\
         certificateTypeCode = {type_code}\n\
         certificateNumber = JY24403052{tag:06}\n\
         certificateIssuingAuthorityName = 深圳市南山区政务服务中心\n\
         certificateIssuingAuthorityCode = {nanshan}\n\
         certificateIssuedDate = {}\n\
         certificateHolderName = 深圳示例餐饮有限公司\n\
         certificateHolderCode = {holder_code}\n\
         certificateHolderTypeName = 统一社会信用代码\n\
         certificateHolderTypeCode = 001\n\
         certificateEffectiveDate = {}\n\
         certificateExpiringDate = {}\n",
        date(now_ms, 0),
        date(now_ms, 0),
        date(now_ms, 5),
    );
    std::fs::write(out.join("ecert-metadata.txt"), &metadata)?;
    let entries = metadata
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let seal = std::fs::read(out.join("nanshan.esl"))?;
    let cert = std::fs::read(out.join("nanshan-seal-signer.der"))?;
    let SigningKey::Sm2(signer) =
        read_key(&keys_dir.join("nanshan-seal-signer.pem")).map_err(|x| e(&x))?
    else {
        return Err(eyre!("the seal signer's key is not SM2"));
    };
    let mut salt_seed = [0u8; 32];
    getrandom::fill(&mut salt_seed).map_err(|x| e(&x))?;
    let built = build_certificate(CertificateSpec {
        entries,
        serial: Some(&format!("{tag:06}")),
        salt_seed,
        required: &[
            "certificateEffectiveDate".into(),
            "certificateExpiringDate".into(),
        ],
        face: None,
        region: "440305",
        seal: SealRequest {
            seal: &seal,
            key: &signer,
            cert: &cert,
            time: i64::try_from(now_ms / 1000)?,
            boundary: (140, 220, 40, 40),
        },
        suite: samples.params().suite,
    })
    .map_err(|x| e(&x))?;
    std::fs::write(out.join("ecert.ofd"), &built.file)?;
    let identifier = built.issue.identifier.clone();
    let holder = built.issue.holder_commitment.clone();
    let issue = record(Kind::IssueCertificate(built.issue), &keys.nanshan_operator)?;
    let authorisation = record(
        Kind::AuthoriseUse(proto::AuthoriseUse {
            identifier: identifier.clone(),
            user_org: guangzhou,
            holder_commitment: holder,
            not_after_ms: now_ms + 30 * 24 * 3600 * 1000,
            max_uses: 5,
            code_digest: Vec::new(),
        }),
        &keys.shenzhen_operator,
    )?;
    let use_record = record(
        Kind::UseCertificate(proto::UseCertificate {
            identifier: identifier.clone(),
            authorisation: authorisation.id().0.to_vec(),
            item_code: "440100-GA-0001".into(),
            business_no: format!("GZ{tag:06}-0001"),
            purpose: "核验经营主体资质（演示）".into(),
            ..Default::default()
        }),
        &keys.guangzhou_admin,
    )?;
    Ok(NationalCertificate {
        identifier,
        setup,
        issue,
        authorisation,
        use_record,
    })
}

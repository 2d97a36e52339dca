//! The demo's national-format seal: a seal CA, a seal maker and 南山区政务服务中心's
//! signing certificate (made here, for the demo only); a GB/T 38540 seal
//! registered by the province; an OFD e-licence sealed with it and the
//! stamping anchored by Nanshan. The files land in `samples/` so a newcomer
//! can check the licence with `yinzheng verify` against the running demo.

use std::path::Path;

use eyre::eyre;
use yinzheng_crypto::{SigningKey, Sm2SigningKey};
use yinzheng_genesis::keyfiles::{read_key, write_key};
use yinzheng_genesis::samples::Samples;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::{Record, national_seal_registration, national_stamping};
use yinzheng_seal::{CertSpec, SealRequest, SealSpec, issue_cert, make_seal, ofd, seal_ofd};

/// What the demo made.
pub struct NationalSeal {
    /// The seal's id (esID).
    pub es_id: String,
    /// The seal's registration record.
    pub registration: Record,
    /// The stamping's anchoring record.
    pub anchoring: Record,
    /// SM3 of the stamping's `SES_Signature`.
    pub stamping_sm3: yinzheng_crypto::Digest,
}

/// The key in `keys_dir/stem.pem`, made on the demo's first run and
/// reused when the demo restarts on its directory.
fn sm2(keys_dir: &Path, stem: &str) -> eyre::Result<Sm2SigningKey> {
    let path = keys_dir.join(format!("{stem}.pem"));
    if path.exists() {
        return match read_key(&path).map_err(|e| eyre!("{e}"))? {
            SigningKey::Sm2(k) => Ok(k),
            _ => Err(eyre!("{}: not an SM2 key", path.display())),
        };
    }
    let key = Sm2SigningKey::generate().map_err(|e| eyre!("{e}"))?;
    write_key(&path, &SigningKey::Sm2(key.clone())).map_err(|e| eyre!("{e}"))?;
    Ok(key)
}

/// Make the PKI, the seal, the sealed licence and the two records (not yet
/// submitted).
pub fn make(
    samples: &Samples,
    owner: &str,
    keys_dir: &Path,
    out: &Path,
    tag: u64,
    now_ms: u64,
) -> eyre::Result<NationalSeal> {
    let e = |e: &dyn std::fmt::Display| eyre!("{e}");
    let now = i64::try_from(now_ms / 1000)?;
    let year = 365 * 86_400;
    let (ca, maker, signer) = (
        sm2(keys_dir, "seal-ca")?,
        sm2(keys_dir, "seal-maker")?,
        sm2(keys_dir, "nanshan-seal-signer")?,
    );
    let spec = |subject, serial, ca| CertSpec {
        subject,
        serial,
        not_before: now - 3600,
        not_after: now + 3 * year,
        ca,
    };
    let ca_cert = issue_cert(
        &spec("CN=印证演示印章CA,O=印证演示,C=CN", 1, true),
        &ca.verifying_key().to_bytes(),
        &ca,
        None,
    )
    .map_err(|x| e(&x))?;
    let maker_cert = issue_cert(
        &spec("CN=广东省电子印章制作系统(演示),O=印证演示,C=CN", 2, false),
        &maker.verifying_key().to_bytes(),
        &ca,
        Some(&ca_cert),
    )
    .map_err(|x| e(&x))?;
    let signer_cert = issue_cert(
        &spec("CN=深圳市南山区政务服务中心,O=印证演示,C=CN", 3, false),
        &signer.verifying_key().to_bytes(),
        &ca,
        Some(&ca_cert),
    )
    .map_err(|x| e(&x))?;
    let es_id = format!("440305{tag:06}2");
    let seal = make_seal(
        &SealSpec {
            es_id: &es_id,
            name: "深圳市南山区政务服务中心电子印章",
            seal_type: 1,
            vid: "Yinzheng",
            created: now - 60,
            valid_start: now - 60,
            valid_end: now + 2 * year,
            picture_type: "PNG",
            picture: &seal_picture(),
            size_mm: (40, 40),
            signer_certs: vec![&signer_cert],
        },
        &maker,
        &maker_cert,
    )
    .map_err(|x| e(&x))?;
    let licence = ofd::text_document(
        "建设工程规划许可证（演示）",
        &[
            &format!("编号 建字第440305202612{tag:06}号"),
            "建设单位 深圳示例科技有限公司",
            "建设项目名称 示例科技研发中心",
            "发证机关 深圳市南山区政务服务中心",
        ],
    )
    .map_err(|x| e(&x))?;
    let req = SealRequest {
        seal: &seal,
        key: &signer,
        cert: &signer_cert,
        time: now,
        boundary: (130, 220, 40, 40),
    };
    let sealed = seal_ofd(&licence, &req).map_err(|x| e(&x))?;
    let pkg = ofd::Package::open(&sealed, ofd::Limits::default()).map_err(|x| e(&x))?;
    let ses = pkg
        .get("Doc_0/Signs/Sign_0/SignedValue.dat")
        .ok_or_else(|| eyre!("the sealed licence has no signature"))?
        .to_vec();
    for (name, bytes) in [
        ("seal-ca.der", &ca_cert),
        ("seal-maker.der", &maker_cert),
        ("nanshan-seal-signer.der", &signer_cert),
        ("nanshan.esl", &seal),
        ("licence.ofd", &licence),
        ("licence.sealed.ofd", &sealed),
    ] {
        std::fs::write(out.join(name), bytes)?;
    }
    let registration = samples
        .record(
            Kind::RegisterSeal(national_seal_registration(&seal, owner).map_err(|x| e(&x))?),
            &samples.keys.province_admin,
            now_ms,
        )
        .map_err(|x| e(&x))?;
    let anchoring = samples
        .record(
            Kind::Stamp(national_stamping(&ses).map_err(|x| e(&x))?),
            &samples.keys.nanshan_operator,
            now_ms,
        )
        .map_err(|x| e(&x))?;
    Ok(NationalSeal {
        es_id,
        registration,
        anchoring,
        stamping_sm3: yinzheng_crypto::Suite::Sm.hash(&ses),
    })
}

/// The seal's picture: a red ring with a dot, 32×32 PNG.
fn seal_picture() -> Vec<u8> {
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x08, 0x06, 0x00, 0x00, 0x00, 0x73,
        0x7A, 0x7A, 0xF4, 0x00, 0x00, 0x00, 0x7E, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0xED, 0x57,
        0xC9, 0x0D, 0x00, 0x20, 0x08, 0x73, 0x04, 0xF7, 0x9F, 0xCA, 0x8D, 0x74, 0x02, 0x0F, 0x8E,
        0xA6, 0x35, 0xC1, 0xC4, 0x9F, 0x29, 0x85, 0x48, 0x29, 0xAD, 0xFD, 0x76, 0x46, 0xEF, 0xF3,
        0x74, 0x29, 0x41, 0xA1, 0x64, 0xBC, 0xC1, 0xC3, 0x24, 0x3C, 0xA0, 0x69, 0x44, 0x32, 0x32,
        0x71, 0x63, 0x64, 0x96, 0xD1, 0x85, 0x95, 0xFD, 0x91, 0x4C, 0x78, 0xA8, 0x96, 0x7A, 0xC2,
        0x45, 0xF7, 0xF3, 0x15, 0x1F, 0x2E, 0x26, 0xB7, 0x18, 0x54, 0x02, 0x96, 0xF2, 0x47, 0x84,
        0x67, 0xFB, 0xD6, 0x92, 0x7D, 0x54, 0xF9, 0x8A, 0x40, 0x11, 0xD0, 0x27, 0x40, 0x69, 0xC3,
        0x52, 0x42, 0x89, 0x61, 0x44, 0x1F, 0xC7, 0x12, 0x86, 0x44, 0xC2, 0x92, 0xD1, 0x4D, 0xA9,
        0x84, 0x2D, 0x97, 0x58, 0x4C, 0x64, 0x56, 0x33, 0x89, 0xE5, 0x14, 0x79, 0x16, 0xA3, 0x3A,
        0x82, 0x13, 0xF4, 0xAA, 0x73, 0xE2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
        0x42, 0x60, 0x82,
    ];
    PNG.to_vec()
}

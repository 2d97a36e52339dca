//! A national-form certificate type, its grants and one certificate, over the
//! fixture's consortium: the province defines the type, city A issues, the
//! district records holders' authorisations, city B uses.

use yinzheng_ledger::Record;
use yinzheng_ledger::crypto::{Digest, Suite};
use yinzheng_ledger::ecert::{EcertId, Metadata, holder_commitment, legacy_variant_check};
use yinzheng_ledger::proto::{self, record_body::Kind};

use crate::fixture::*;

pub const HOLDER_ID: &str = "440305199001011234";
pub const SALT: [u8; 16] = [0x5a; 16];

pub struct Ecert {
    pub type_code: String,
}

impl Ecert {
    /// Register the type (province), grant city A to issue it and the
    /// district to record authorisations, all committed.
    pub fn setup(f: &mut Fixture) -> Ecert {
        let type_code = format!("{}001", f.province);
        let reg = f.record(
            Kind::RegisterCertificateType(register(&type_code)),
            &[&f.province_admin],
        );
        f.try_commit(reg).unwrap();
        let g1 = f.record(
            grant(&f.city_a, 1, &type_code, "440300"),
            &[&f.province_admin],
        );
        let g2 = f.record(grant(&f.district, 4, "", "440305"), &[&f.province_admin]);
        f.try_commit(g1).unwrap();
        f.try_commit(g2).unwrap();
        Ecert { type_code }
    }

    pub fn id(&self, f: &Fixture, serial: &str, version: u16) -> String {
        EcertId::new_standard(&self.type_code, &f.city_a, serial, version)
            .unwrap()
            .to_text()
    }

    /// The same identifier with the legacy variant's check character (a
    /// serial is chosen for which the two rules differ).
    pub fn legacy_id(&self, f: &Fixture) -> String {
        for n in 0..100 {
            let serial = format!("LEGACY{n}");
            let std = EcertId::new_standard(&self.type_code, &f.city_a, &serial, 1).unwrap();
            let legacy = legacy_variant_check(&std.body()).unwrap();
            if legacy != std.check {
                return std
                    .to_text()
                    .replace(&format!(".{}", std.check), &format!(".{legacy}"));
            }
        }
        unreachable!()
    }

    pub fn metadata(&self, f: &Fixture, id: &str) -> Metadata {
        Metadata::from_entries([
            ("certificateName", "测试许可证"),
            ("certificateTypeCode", self.type_code.as_str()),
            ("certificateNumber", "粤测 0001"),
            ("certificateIdentifier", id),
            ("certificateIssuingAuthorityName", "深圳市测试局"),
            ("certificateIssuingAuthorityCode", f.city_a.as_str()),
            ("certificateIssuedDate", "2025-11-22"),
            ("certificateHolderName", "张三"),
            ("certificateHolderCode", HOLDER_ID),
            ("certificateHolderTypeCode", "111"),
            ("certificateEffectiveDate", "2025-11-22"),
            ("certificateExpiringDate", "长期"),
        ])
        .unwrap()
    }

    pub fn issue(&self, f: &Fixture, id: &str) -> proto::IssueCertificate {
        proto::IssueCertificate {
            type_code: self.type_code.clone(),
            cert_no: "粤测 0001".into(),
            issuer: f.city_a.clone(),
            holder_commitment: holder().0.to_vec(),
            file_digest: Suite::Sm.hash(id.as_bytes()).0.to_vec(),
            valid_from_ms: T0,
            valid_until_ms: 0,
            metadata_digest: self.metadata(f, id).digest().0.to_vec(),
            region: "440305".into(),
            identifier: id.into(),
            issued_date: "20251122".into(),
            ..Default::default()
        }
    }

    pub fn issue_record(&self, f: &Fixture, id: &str) -> Record {
        f.record(
            Kind::IssueCertificate(self.issue(f, id)),
            &[&f.city_a_operator],
        )
    }

    pub fn authorise(f: &Fixture, id: &str, not_after_ms: u64, max_uses: u32) -> Record {
        f.record(
            Kind::AuthoriseUse(proto::AuthoriseUse {
                identifier: id.into(),
                user_org: f.city_b.clone(),
                holder_commitment: holder().0.to_vec(),
                not_after_ms,
                max_uses,
                code_digest: Vec::new(),
            }),
            &[&f.district_operator],
        )
    }

    pub fn use_record(f: &Fixture, id: &str, auth: Digest, business_no: &str) -> Record {
        f.record(
            Kind::UseCertificate(proto::UseCertificate {
                identifier: id.into(),
                authorisation: auth.0.to_vec(),
                item_code: "11440100MB2C507890440211".into(),
                business_no: business_no.into(),
                purpose: "办理开户".into(),
                ..Default::default()
            }),
            &[&f.city_b_admin],
        )
    }

    pub fn status(f: &Fixture, id: &str, status: proto::EcertStatus) -> Record {
        f.record(
            Kind::SetCertificateStatus(proto::SetCertificateStatus {
                identifier: id.into(),
                status: status as i32,
                note: String::new(),
            }),
            &[&f.city_a_operator],
        )
    }
}

pub fn register(type_code: &str) -> proto::RegisterCertificateType {
    proto::RegisterCertificateType {
        type_code: type_code.into(),
        name: "测试许可证".into(),
        required_elements: vec!["certificateEffectiveDate".into()],
        holder_category: "自然人".into(),
        item_code: String::new(),
    }
}

pub fn holder() -> Digest {
    let salt = yinzheng_ledger::holder::HolderSalt::from_bytes(&SALT).unwrap();
    holder_commitment(&salt, "111", HOLDER_ID).unwrap()
}

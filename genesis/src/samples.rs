//! Builders for the records the demo, the load generator and the tests
//! submit, signed by the demonstration departments' keys.

use yinzheng_crypto::{Digest, SigningKey};
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::holder::{HolderSalt, holder_commitment};
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{
    IssueCertificate, RegisterSeal, RevocationReason, RevokeCertificate, ShareDecision,
    ShareDelivery, ShareReceipt, ShareRequest, Stamp, SupersedeCertificate,
};
use yinzheng_ledger::{ChainParams, Record};

use crate::Error;
use crate::consortium::{CERT_TYPE, IssuerKeys, departments};

/// Ten years in milliseconds.
const TEN_YEARS_MS: u64 = 10 * 365 * 24 * 3600 * 1000;

/// Record builders for the demonstration consortium.
pub struct Samples {
    params: ChainParams,
    /// The issuer keys.
    pub keys: IssuerKeys,
    codes: Vec<String>,
}

impl Samples {
    /// Builders for `genesis`, signing with `keys`.
    pub fn new(genesis: &Genesis, keys: IssuerKeys) -> Result<Samples, Error> {
        Ok(Samples {
            params: genesis.params().map_err(|e| Error::Genesis(e.0))?,
            keys,
            codes: departments().into_iter().map(|d| d.credit_code).collect(),
        })
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// The suite hash of some bytes.
    pub fn digest(&self, data: &[u8]) -> Digest {
        self.params.suite.hash(data)
    }

    /// Sign a record body of `kind` at `now_ms`.
    pub fn record(&self, kind: Kind, signer: &SigningKey, now_ms: u64) -> Result<Record, Error> {
        Record::sign(&self.params, kind, now_ms, &[(signer, "")])
            .map_err(|e| Error::Record(e.to_string()))
    }

    /// A certificate (营业执照-like) issued by 深圳市市场监督管理局 for the
    /// file `file`, its holder (a 统一社会信用代码-typed `holder_id`) committed
    /// under a fresh random salt.
    pub fn certificate(
        &self,
        cert_no: &str,
        file: &[u8],
        holder_id: &str,
        now_ms: u64,
    ) -> Result<Record, Error> {
        let salt = HolderSalt::random().map_err(|e| Error::Record(e.to_string()))?;
        self.certificate_for(cert_no, file, (&salt, "001", holder_id), now_ms)
    }

    /// As [`Samples::certificate`], for a holder `(salt, type code, code)`
    /// (`yinzheng_ledger::holder`).
    pub fn certificate_for(
        &self,
        cert_no: &str,
        file: &[u8],
        holder: (&HolderSalt, &str, &str),
        now_ms: u64,
    ) -> Result<Record, Error> {
        let holder_commitment = holder_commitment(holder.0, holder.1, holder.2)
            .map_err(|e| Error::Record(e.to_string()))?;
        let issue = IssueCertificate {
            type_code: CERT_TYPE.into(),
            cert_no: cert_no.into(),
            issuer: self.codes[1].clone(),
            holder_commitment: holder_commitment.0.to_vec(),
            file_digest: self.digest(file).0.to_vec(),
            valid_from_ms: now_ms.saturating_sub(60_000),
            valid_until_ms: now_ms + TEN_YEARS_MS,
            metadata_digest: Vec::new(),
            region: "440305".into(),
            ..Default::default()
        };
        self.record(
            Kind::IssueCertificate(issue),
            &self.keys.shenzhen_operator,
            now_ms,
        )
    }

    /// Revoke a certificate at the holder's request.
    pub fn revoke_certificate(&self, cert_no: &str, now_ms: u64) -> Result<Record, Error> {
        let r = RevokeCertificate {
            type_code: CERT_TYPE.into(),
            cert_no: cert_no.into(),
            reason: RevocationReason::HolderRequest as i32,
            issuer: self.codes[1].clone(),
        };
        self.record(
            Kind::RevokeCertificate(r),
            &self.keys.shenzhen_operator,
            now_ms,
        )
    }

    /// Replace a certificate with a new one (new number, new file).
    pub fn supersede_certificate(
        &self,
        old_no: &str,
        new_no: &str,
        file: &[u8],
        holder_id: &str,
        now_ms: u64,
    ) -> Result<Record, Error> {
        let Some(Kind::IssueCertificate(replacement)) = self
            .certificate(new_no, file, holder_id, now_ms)?
            .body()
            .kind
            .clone()
        else {
            return Err(Error::Record("not an issuance".into()));
        };
        let r = SupersedeCertificate {
            type_code: CERT_TYPE.into(),
            old_cert_no: old_no.into(),
            replacement: Some(replacement),
            ..Default::default()
        };
        self.record(
            Kind::SupersedeCertificate(r),
            &self.keys.shenzhen_operator,
            now_ms,
        )
    }

    /// Register 南山区政务服务中心's official seal with `seal_key`.
    pub fn register_seal(
        &self,
        seal_id: &str,
        seal_key: &SigningKey,
        now_ms: u64,
    ) -> Result<Record, Error> {
        let r = RegisterSeal {
            seal_id: seal_id.into(),
            owner: self.codes[3].clone(),
            seal_type: 1,
            name: "深圳市南山区政务服务中心公章".into(),
            image_digest: self.digest(b"seal image").0.to_vec(),
            seal_public_key: seal_key.verifying_key().to_bytes(),
            valid_from_ms: 0,
            valid_until_ms: 0,
            ses_seal: Vec::new(),
        };
        self.record(Kind::RegisterSeal(r), &self.keys.province_admin, now_ms)
    }

    /// Stamp a document with a registered seal.
    pub fn stamp(
        &self,
        seal_id: &str,
        seal_key: &SigningKey,
        document: &[u8],
        now_ms: u64,
    ) -> Result<Record, Error> {
        let r = Stamp {
            seal_id: seal_id.into(),
            document_digest: self.digest(document).0.to_vec(),
            ses_signature: Vec::new(),
        };
        self.record(Kind::Stamp(r), seal_key, now_ms)
    }

    /// The four steps of a data-sharing exchange: 广州市公安局 asks
    /// 深圳市市场监督管理局 for licence data, the province approves, Shenzhen
    /// delivers, Guangzhou acknowledges. Submit them in order, each after the
    /// previous one committed.
    pub fn data_sharing(
        &self,
        request_id: &str,
        payload: &[u8],
        now_ms: u64,
    ) -> Result<[Record; 4], Error> {
        let digest = self.digest(payload).0.to_vec();
        Ok([
            self.record(
                Kind::ShareRequest(ShareRequest {
                    request_id: request_id.into(),
                    requester: self.codes[2].clone(),
                    provider: self.codes[1].clone(),
                    approver: self.codes[0].clone(),
                    data_item: crate::consortium::SHARE_ITEM.into(),
                    legal_basis: "《优化营商环境条例》第三十七条".into(),
                    holder_commitment: holder_commitment(
                        &HolderSalt::random().map_err(|e| Error::Record(e.to_string()))?,
                        "001",
                        "91440300MA5G00001X",
                    )
                    .map_err(|e| Error::Record(e.to_string()))?
                    .0
                    .to_vec(),
                }),
                &self.keys.guangzhou_admin,
                now_ms,
            )?,
            self.record(
                Kind::ShareDecision(ShareDecision {
                    request_id: request_id.into(),
                    approved: true,
                    reason: String::new(),
                }),
                &self.keys.province_admin,
                now_ms,
            )?,
            self.record(
                Kind::ShareDelivery(ShareDelivery {
                    request_id: request_id.into(),
                    payload_digest: digest.clone(),
                    item_count: 1,
                }),
                &self.keys.shenzhen_operator,
                now_ms,
            )?,
            self.record(
                Kind::ShareReceipt(ShareReceipt {
                    request_id: request_id.into(),
                    payload_digest: digest,
                }),
                &self.keys.guangzhou_admin,
                now_ms,
            )?,
        ])
    }
}

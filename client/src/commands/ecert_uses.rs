//! `yinzheng cert uses ID`: every recorded use of a certificate, each proven
//! (`docs/spec/ecert.md` §6). The certificate's full bundle proves how many
//! uses there are; each use's bundle proves that use; a node can neither hide
//! a use nor invent one.

use prost::Message;
use serde::Serialize;
use yinzheng_ledger::proto::{Bundle, record_body::Kind};
use yinzheng_ledger::{Record, VerdictStatus};

use crate::cli::CertUsesArgs;
use crate::remote::{self, Subject};
use crate::{ClientError, Exit, check};

/// One proven use.
#[derive(Debug, Serialize)]
struct ProvenUse {
    n: u32,
    record_id: String,
    height: u64,
    time_ms: u64,
    user_org: String,
    user_org_name: Option<String>,
    item_code: String,
    business_no: String,
    purpose: String,
    authorisation: String,
}

fn node_err(node: &str, message: String) -> ClientError {
    ClientError::Node {
        node: node.to_owned(),
        message,
    }
}

/// List the uses.
pub fn list(a: CertUsesArgs) -> Result<Exit, ClientError> {
    let node = a.from.node.as_str();
    let genesis = check::genesis_or_trusted(a.from.genesis.as_deref())?;
    let params = genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let verifier = check::verifier(&genesis)?;
    let id = a.identifier.trim().to_owned();
    let (cert_bundle, cv) =
        remote::fetch_verified(node, &Subject::Ecert(id.clone()), false, &verifier)?;
    let count = match (cv.status_proven, cv.uses) {
        (true, Some(n)) => n,
        _ => {
            return Err(node_err(
                node,
                "INVALID_BUNDLE: the certificate's bundle proves no use count".into(),
            ));
        }
    };
    if let Some(dir) = &a.save {
        std::fs::create_dir_all(dir).map_err(|e| ClientError::io(dir, e))?;
        let p = dir.join("certificate.bundle");
        std::fs::write(&p, &cert_bundle).map_err(|e| ClientError::io(&p, e))?;
    }
    let mut uses = Vec::new();
    for n in 1..=count {
        let (bytes, v) =
            remote::fetch_verified(node, &Subject::EcertUse(id.clone(), n), false, &verifier)?;
        let record = Bundle::decode(bytes.as_slice())
            .ok()
            .and_then(|b| Record::decode(&params, &b.record).ok())
            .ok_or_else(|| node_err(node, format!("INVALID_BUNDLE: use {n} has no record")))?;
        let Some(Kind::UseCertificate(u)) = record.payload() else {
            return Err(node_err(
                node,
                format!("INVALID_BUNDLE: use {n} is not a use record"),
            ));
        };
        if u.identifier != id
            || uses
                .iter()
                .any(|x: &ProvenUse| x.record_id == record.id().to_hex())
        {
            return Err(node_err(
                node,
                format!("INVALID_BUNDLE: use {n} is another certificate's, or repeated"),
            ));
        }
        if let Some(dir) = &a.save {
            let p = dir.join(format!("use-{n}.bundle"));
            std::fs::write(&p, &bytes).map_err(|e| ClientError::io(&p, e))?;
        }
        uses.push(ProvenUse {
            n,
            record_id: record.id().to_hex(),
            height: v.anchored_height.unwrap_or(0),
            time_ms: v.anchored_time_ms.unwrap_or(0),
            user_org: String::new(),
            user_org_name: None,
            item_code: u.item_code.clone(),
            business_no: u.business_no.clone(),
            purpose: u.purpose.clone(),
            authorisation: hex::encode(&u.authorisation),
        });
    }
    // Who used it: the authorisation's user organisation, proven by the
    // authorisation's own bundle.
    for u in &mut uses {
        let auth = yinzheng_crypto::Digest::from_hex(&u.authorisation)
            .ok_or_else(|| node_err(node, "INVALID_BUNDLE: bad authorisation id".into()))?;
        let (bytes, _) = remote::fetch_verified(node, &Subject::Record(auth), false, &verifier)?;
        let record = Bundle::decode(bytes.as_slice())
            .ok()
            .and_then(|b| Record::decode(&params, &b.record).ok());
        match record.as_ref().and_then(Record::payload) {
            Some(Kind::AuthoriseUse(x)) if x.identifier == id => {
                u.user_org_name = genesis
                    .organisations
                    .iter()
                    .find(|o| o.credit_code == x.user_org)
                    .map(|o| o.name.clone());
                u.user_org = x.user_org.clone();
            }
            _ => {
                return Err(node_err(
                    node,
                    format!(
                        "INVALID_BUNDLE: use {} relies on no authorisation of this certificate",
                        u.n
                    ),
                ));
            }
        }
    }
    if a.json {
        let out = serde_json::json!({
            "identifier": id,
            "status": cv.status,
            "status_code": cv.status_code,
            "status_time_ms": cv.status_time_ms,
            "uses": uses,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let when = cv
            .status_time_ms
            .map(crate::render::beijing_time)
            .unwrap_or_default();
        println!("证照 {id}");
        println!(
            "用证记录 {count} 条（已逐条核验证明，状态截至 {when}）{}",
            if cv.status == VerdictStatus::Valid {
                ""
            } else {
                "；证照当前不在有效状态"
            }
        );
        for u in &uses {
            println!(
                "  {}. {}  {}  事项 {}  业务流水号 {}  事由 {}  区块 {}  记录 {}",
                u.n,
                crate::render::beijing_time(u.time_ms),
                u.user_org_name
                    .clone()
                    .unwrap_or_else(|| u.user_org.clone()),
                u.item_code,
                u.business_no,
                u.purpose,
                u.height,
                &u.record_id[..16]
            );
        }
    }
    Ok(Exit::Valid)
}

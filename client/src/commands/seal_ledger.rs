//! What the consortium ledger says of a sealed document's seals
//! (`docs/spec/seals.md` §8): each seal's registration and status, and each
//! stamping's anchor, from bundles given or fetched from a node, every one
//! verified locally against the trusted genesis before it is believed.

use prost::Message;
use serde::Serialize;
use yinzheng_crypto::Suite;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::proto::{Bundle, KeyState, record_body::Kind};
use yinzheng_ledger::{BundleVerifier, ChainParams, Record, StatusRole, Verdict, VerdictStatus};
use yinzheng_seal::{DocumentReport, EntryKind};

use crate::{ClientError, check, remote};

/// Where the ledger's evidence comes from.
pub enum Source {
    /// A node, asked for each seal and stamping (never trusted: every bundle
    /// is verified here).
    Node(String),
    /// Bundle files.
    Bundles(Vec<Vec<u8>>),
}

/// The ledger's word on one seal signature of the document.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerFinding {
    /// `ID` of the signature in the document.
    pub signature_id: String,
    /// The seal's registration: None when the ledger does not know this seal.
    pub registration: Option<Registration>,
    /// The stamping's anchor: None when it was not anchored.
    pub anchor: Option<Anchor>,
}

/// A seal's registration and its status.
#[derive(Debug, Clone, Serialize)]
pub struct Registration {
    /// Seal id (esID).
    pub seal_id: String,
    /// The owner's credit code.
    pub owner: String,
    /// The owner's name in the genesis, when it is a founding member.
    pub owner_name: Option<String>,
    /// The organisation whose key registered the seal (the seal authority),
    /// from the signer-key status entry the bundle proves.
    pub registered_by: Option<String>,
    /// Its name in the genesis, when it is a founding member.
    pub registered_by_name: Option<String>,
    /// Height of the registration.
    pub height: u64,
    /// Status as of `status_time_ms`: valid, revoked.
    pub status: VerdictStatus,
    /// When the status was proven.
    pub status_time_ms: Option<u64>,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<u64>,
    /// The seal registered under this id is not the one in the document.
    pub other_seal: bool,
    /// The bundle's validator set is beyond the trusting period
    /// (`bundle.md` §6.1): its status needs a fresher checkpoint.
    pub unconfirmed_set: bool,
}

/// A stamping's anchor.
#[derive(Debug, Clone, Serialize)]
pub struct Anchor {
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time_ms: u64,
}

struct Evidence {
    verdict: Verdict,
    record: Record,
    /// The organisation of the record's first signer, as the bundle's
    /// status evidence proves it (`bundle.md` §6 step 4).
    signer_org: Option<String>,
}

fn evidence(
    verifier: &BundleVerifier,
    params: &ChainParams,
    bytes: &[u8],
    now: u64,
) -> Option<Evidence> {
    let report = check::verify(verifier, bytes, None, now, u64::MAX);
    if report.verdict.status == VerdictStatus::Invalid {
        return None;
    }
    let bundle = Bundle::decode(bytes).ok()?;
    let record = Record::decode(params, &bundle.record).ok()?;
    let signer_org = bundle.status.as_ref().and_then(|s| {
        s.entries
            .iter()
            .find(|e| e.role == StatusRole::SignerKey as u32)
            .and_then(|e| KeyState::decode(e.value.as_slice()).ok())
            .map(|k| k.org)
    });
    Some(Evidence {
        verdict: report.verdict,
        record,
        signer_org,
    })
}

/// Look up every e-seal signature of `report` (whose `SES_Signature` bytes
/// are in `report.signatures[i].signed_value`).
pub fn findings(
    report: &DocumentReport,
    genesis: &Genesis,
    verifier: &BundleVerifier,
    source: &Source,
) -> Result<Vec<LedgerFinding>, ClientError> {
    let params = genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let now = check::now_ms();
    let given: Vec<Evidence> = match source {
        Source::Bundles(b) => b
            .iter()
            .filter_map(|x| evidence(verifier, &params, x, now))
            .collect(),
        Source::Node(_) => Vec::new(),
    };
    let fetch = |subject: remote::Subject| -> Result<Option<Evidence>, ClientError> {
        let Source::Node(node) = source else {
            return Ok(None);
        };
        match remote::fetch(node, &subject, false) {
            Ok(bytes) => Ok(evidence(verifier, &params, &bytes, now)),
            Err(ClientError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let mut out = Vec::new();
    for s in report
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Seal)
    {
        let Some(seal) = &s.seal else { continue };
        let seal_sm3 = seal.seal.sm3.clone();
        let sig_sm3 = Suite::Sm.hash(&s.signed_value);
        // The registration: a RegisterSeal under this esID.
        let reg_of = |e: &Evidence| match e.record.payload() {
            Some(Kind::RegisterSeal(r))
                if r.seal_id == seal.seal.es_id && !r.ses_seal.is_empty() =>
            {
                Some((
                    r.owner.clone(),
                    Suite::Sm.hash(&r.ses_seal).to_hex() != seal_sm3,
                ))
            }
            _ => None,
        };
        let fetched_reg = fetch(remote::Subject::Seal(seal.seal.es_id.clone()))?;
        let registration = given
            .iter()
            .chain(fetched_reg.iter())
            .find_map(|e| reg_of(e).map(|(owner, other)| (e, owner, other)))
            .map(|(e, owner, other_seal)| Registration {
                seal_id: seal.seal.es_id.clone(),
                owner_name: org_name(genesis, &owner),
                owner,
                registered_by_name: e.signer_org.as_deref().and_then(|o| org_name(genesis, o)),
                registered_by: e.signer_org.clone(),
                height: e.verdict.anchored_height.unwrap_or(0),
                status: e.verdict.status,
                status_time_ms: e.verdict.status_time_ms,
                revoked_at_ms: e
                    .verdict
                    .changed_at_ms
                    .filter(|_| e.verdict.status == VerdictStatus::Revoked),
                other_seal,
                unconfirmed_set: e.verdict.unconfirmed_set,
            });
        // The stamping: a Stamp carrying exactly these SES_Signature bytes.
        let anchors = |e: &Evidence| matches!(e.record.payload(), Some(Kind::Stamp(st)) if st.ses_signature == s.signed_value);
        let fetched_stamp = fetch(remote::Subject::Stamping(sig_sm3))?;
        let anchor = given
            .iter()
            .chain(fetched_stamp.iter())
            .find(|e| anchors(e))
            .map(|e| Anchor {
                height: e.verdict.anchored_height.unwrap_or(0),
                time_ms: e.verdict.anchored_time_ms.unwrap_or(0),
            });
        out.push(LedgerFinding {
            signature_id: s.id.clone(),
            registration,
            anchor,
        });
    }
    Ok(out)
}

fn org_name(genesis: &Genesis, code: &str) -> Option<String> {
    genesis
        .organisations
        .iter()
        .find(|o| o.credit_code == code)
        .map(|o| o.name.clone())
}

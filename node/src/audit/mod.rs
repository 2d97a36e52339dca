//! Audit queries: what an organisation issued, stamped or exchanged in a
//! time range, and everything that names one holder commitment (a
//! citizen's "谁用了我的数据"). Answers come from indexes kept beside the
//! chain ([`index`]); each entry carries its record and its place, and is
//! proven by the record's bundle (`GetBundle`, `/v1/bundle/record/<id>`):
//! the index itself is not proven, so a node can leave entries out but
//! not invent or alter one.

pub mod index;
pub mod wire;

use yinzheng_crypto::Digest;

use crate::chain::Chain;
use crate::store::cf;
use index::{CERT, CERT_ANY, EXCHANGE, HOLDER, Role, SEAL, STEPS, part, prefix};

/// Most entries in one page.
pub const MAX_LIMIT: usize = 500;
/// Entries in a page when the query names no limit.
pub const DEFAULT_LIMIT: usize = 100;
/// Most steps listed for one exchange.
pub const MAX_STEPS: usize = 16;
/// A page ends early once its records reach this many bytes (the next page
/// goes on from there), so no query makes a node assemble a huge answer.
pub const MAX_PAGE_BYTES: usize = 4 << 20;

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Certificates of an issuer, of one type or all.
    Certificates {
        /// Issuer's credit code.
        issuer: String,
        /// Certificate type code; none: every type.
        type_code: Option<String>,
    },
    /// Seals of an organisation: registered, revoked, stamped.
    Seals {
        /// Owner's credit code.
        org: String,
    },
    /// Data-sharing requests naming an organisation in one role, each with
    /// its steps (decision, delivery, receipt).
    Exchanges {
        /// The organisation's role.
        role: Role,
        /// Its credit code.
        org: String,
    },
    /// Everything naming a holder commitment.
    Holder {
        /// The 32-byte commitment.
        commitment: Digest,
    },
}

/// Which part of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    /// Earliest block time, ms (inclusive).
    pub from_ms: u64,
    /// Latest block time, ms (exclusive); none: no bound.
    pub to_ms: Option<u64>,
    /// The previous page's token: continue after it.
    pub after: Option<Vec<u8>>,
    /// Most entries (capped at [`MAX_LIMIT`]; 0: [`DEFAULT_LIMIT`]).
    pub limit: usize,
}

/// One listed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Its id.
    pub record_id: Digest,
    /// Its block's height.
    pub height: u64,
    /// Its block's time.
    pub time_ms: u64,
    /// Its log index.
    pub log_index: u64,
    /// Its envelope bytes.
    pub record: Vec<u8>,
    /// For a data-sharing request: its steps, in order (the request first).
    pub steps: Vec<Hit>,
}

/// One page of answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The entries, oldest first.
    pub hits: Vec<Hit>,
    /// Token for the next page; none: this was the last.
    pub next: Option<Vec<u8>>,
}

/// Why a query was not answered.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The query is malformed (empty organisation, a foreign page token…).
    #[error("MALFORMED: {0}")]
    Malformed(String),
    /// The node could not read its database.
    #[error("storage: {0}")]
    Storage(String),
}

fn list_prefix(q: &Query) -> Result<Vec<u8>, AuditError> {
    let code = |s: &str, what: &str| {
        if s.is_empty() || s.len() > 64 {
            Err(AuditError::Malformed(format!("{what}: 1 to 64 characters")))
        } else {
            Ok(part(s))
        }
    };
    Ok(match q {
        Query::Certificates {
            issuer,
            type_code: Some(t),
        } => prefix(CERT, &[&code(issuer, "issuer")?, &code(t, "type")?]),
        Query::Certificates {
            issuer,
            type_code: None,
        } => prefix(CERT_ANY, &[&code(issuer, "issuer")?]),
        Query::Seals { org } => prefix(SEAL, &[&code(org, "organisation")?]),
        Query::Exchanges { role, org } => {
            prefix(EXCHANGE, &[&[*role as u8], &code(org, "organisation")?])
        }
        Query::Holder { commitment } => prefix(HOLDER, &[&commitment.0]),
    })
}

fn be8(b: &[u8]) -> u64 {
    <[u8; 8]>::try_from(b).map_or(0, u64::from_be_bytes)
}

/// The record an index entry lists, with where it sits.
pub(crate) fn hit(chain: &Chain, key: &[u8], value: &[u8]) -> Result<Hit, AuditError> {
    let bad = || AuditError::Storage("an audit index entry is malformed".into());
    if value.len() != 48 || key.len() < 8 {
        return Err(bad());
    }
    let record_id = Digest::from_slice(&value[..32]).ok_or_else(bad)?;
    let log_index = be8(&key[key.len() - 8..]);
    let record = chain
        .record_at(log_index)
        .map_err(|e| AuditError::Storage(e.to_string()))?
        .ok_or_else(|| AuditError::Storage(format!("record {log_index} missing")))?;
    Ok(Hit {
        record_id,
        height: be8(&value[32..40]),
        time_ms: be8(&value[40..48]),
        log_index,
        record,
        steps: Vec::new(),
    })
}

/// Answer a query from the indexes.
pub fn query(chain: &Chain, q: &Query, w: &Window) -> Result<Page, AuditError> {
    let p = list_prefix(q)?;
    let limit = match w.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    let mut start = p.clone();
    start.extend_from_slice(&w.from_ms.to_be_bytes());
    if let Some(after) = &w.after {
        if !after.starts_with(&p) || after.len() != p.len() + 16 {
            return Err(AuditError::Malformed(
                "the page token belongs to another query".into(),
            ));
        }
        // Strictly after the last key of the previous page.
        let mut next = after.clone();
        next.push(0);
        start = start.max(next);
    }
    let mut end = p.clone();
    match w.to_ms {
        Some(t) => end.extend_from_slice(&t.to_be_bytes()),
        None => end.extend_from_slice(&[0xff; 17]),
    }
    let storage = |e: crate::store::StoreError| AuditError::Storage(e.to_string());
    let found = chain
        .db()
        .range(cf::AUDIT, &start, &end, limit + 1)
        .map_err(storage)?;
    let mut more = found.len() > limit;
    let mut page = Page::default();
    let mut bytes = 0;
    let mut last = None;
    for (k, v) in found.iter().take(limit) {
        if bytes >= MAX_PAGE_BYTES {
            more = true;
            break;
        }
        let mut h = hit(chain, k, v)?;
        if let Some(request_id) = request_of(chain, &h) {
            let sp = prefix(STEPS, &[&part(&request_id)]);
            let mut end = sp.clone();
            end.extend_from_slice(&[0xff; 9]);
            for (sk, sv) in chain
                .db()
                .range(cf::AUDIT, &sp, &end, MAX_STEPS)
                .map_err(storage)?
            {
                h.steps.push(hit(chain, &sk, &sv)?);
            }
        }
        bytes += h.record.len() + h.steps.iter().map(|s| s.record.len()).sum::<usize>();
        page.hits.push(h);
        last = Some(k);
    }
    if more {
        page.next = last.cloned();
    }
    Ok(page)
}

/// A data-sharing request's id, when the hit is one.
fn request_of(chain: &Chain, h: &Hit) -> Option<String> {
    use yinzheng_ledger::proto::record_body::Kind;
    let r = yinzheng_ledger::Record::parse(chain.params(), &h.record).ok()?;
    match r.payload()? {
        Kind::ShareRequest(q) => Some(q.request_id.clone()),
        _ => None,
    }
}

//! `yinzheng audit`: a node's audit lists, each entry verified by its own
//! bundle (the record committed at the height the node claims). A node can
//! leave an entry out of a list; it cannot invent or alter one.

use serde::Serialize;
use yinzheng_crypto::Digest;
use yinzheng_ledger::ecert::{parse_date, shanghai_midnight_ms};
use yinzheng_ledger::holder::{HolderSalt, holder_commitment};
use yinzheng_ledger::{Record, record_summary};

use crate::cli::{AuditArgs, AuditCmd, AuditOpts, PartyArg};
use crate::remote::api::audit_request::Query;
use crate::remote::api::{AuditEntry, AuditRequest, CertificateQuery, ExchangeQuery};
use crate::remote::{self, Subject};
use crate::render::{Lang, beijing_time, kind_words};
use crate::{ClientError, Exit, check};

/// Most entries one command lists.
const MAX_ENTRIES: usize = 10_000;

/// One listed record.
#[derive(Debug, Serialize)]
struct Row {
    time_ms: u64,
    time: String,
    height: u64,
    kind: String,
    record_id: String,
    /// `true`: its bundle verified here; `false`: not checked (`--no-verify`).
    verified: bool,
    fields: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    steps: Vec<Row>,
}

fn usage(m: impl Into<String>) -> ClientError {
    ClientError::Usage(m.into())
}

/// A date (00:00 UTC+8, written as the metadata's dates are) or
/// milliseconds.
fn time_arg(s: &str, what: &str) -> Result<u64, ClientError> {
    if let Ok(ms) = s.parse::<u64>() {
        return Ok(ms);
    }
    parse_date(s)
        .and_then(|(y, m, d)| shanghai_midnight_ms(y, m, d))
        .ok_or_else(|| usage(format!("--{what} {s:?}: YYYY-MM-DD or milliseconds")))
}

fn query(cmd: &AuditCmd) -> Result<Query, ClientError> {
    Ok(match cmd {
        AuditCmd::Certificates { issuer, type_code } => Query::Certificates(CertificateQuery {
            issuer: issuer.clone(),
            type_code: type_code.clone().unwrap_or_default(),
        }),
        AuditCmd::Seals { org } => Query::SealsOf(org.clone()),
        AuditCmd::Exchanges { role, org } => Query::Exchanges(ExchangeQuery {
            role: match role {
                PartyArg::Requester => "requester",
                PartyArg::Provider => "provider",
                PartyArg::Approver => "approver",
            }
            .to_owned(),
            org: org.clone(),
        }),
        AuditCmd::Holder {
            commitment,
            salt,
            id_type,
            id,
        } => {
            let c = match (commitment, salt, id) {
                (Some(c), _, _) => Digest::from_hex(c.trim())
                    .ok_or_else(|| usage("--commitment: 64 hex digits"))?,
                (None, Some(salt), Some(id)) => {
                    let salt =
                        HolderSalt::from_hex(salt).map_err(|e| usage(format!("--salt: {e}")))?;
                    holder_commitment(&salt, id_type, id.trim())
                        .map_err(|e| usage(format!("holder: {e}")))?
                }
                _ => return Err(usage("give --commitment, or --salt and --id")),
            };
            Query::Holder(c.0.to_vec())
        }
    })
}

/// Run an audit query.
pub fn run(a: AuditArgs) -> Result<Exit, ClientError> {
    let AuditOpts {
        node,
        genesis,
        from,
        to,
        limit,
        no_verify,
        json,
        csv,
    } = a.opts;
    let node = node.as_str();
    let genesis = check::genesis_or_trusted(genesis.as_deref())?;
    let params = genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let verifier = check::verifier(&genesis)?;
    let q = query(&a.cmd)?;
    let from_ms = from.as_deref().map(|s| time_arg(s, "from")).transpose()?;
    let to_ms = to.as_deref().map(|s| time_arg(s, "to")).transpose()?;
    let want = limit.clamp(1, MAX_ENTRIES);
    let mut entries: Vec<AuditEntry> = Vec::new();
    let mut token = Vec::new();
    loop {
        let page = remote::audit(
            node,
            AuditRequest {
                query: Some(q.clone()),
                from_ms: from_ms.unwrap_or(0),
                to_ms: to_ms.unwrap_or(0),
                page_token: token,
                limit: u32::try_from((want - entries.len()).min(500)).unwrap_or(500),
            },
        )?;
        // An empty page ends the list even with a token: a node cannot keep
        // the client asking forever.
        let empty = page.entries.is_empty();
        entries.extend(page.entries);
        token = page.next_page_token;
        if token.is_empty() || empty || entries.len() >= want {
            break;
        }
    }
    entries.truncate(want);
    let row = |e: &AuditEntry| -> Result<Row, ClientError> {
        let bad = |m: String| ClientError::Node {
            node: node.to_owned(),
            message: format!("INVALID_BUNDLE: {m}"),
        };
        let id = Digest::from_slice(&e.record_id).ok_or_else(|| bad("a bad record id".into()))?;
        let record =
            Record::decode(&params, &e.record).map_err(|r| bad(format!("entry {id}: {r}")))?;
        if record.id() != id {
            return Err(bad(format!("entry {id} carries another record")));
        }
        if !no_verify {
            let (_, v) = remote::fetch_verified(node, &Subject::Record(id), true, &verifier)?;
            if v.anchored_height != Some(e.height) {
                return Err(bad(format!(
                    "entry {id} claims height {}, its bundle proves {:?}",
                    e.height, v.anchored_height
                )));
            }
        }
        Ok(Row {
            time_ms: e.time_ms,
            time: beijing_time(e.time_ms),
            height: e.height,
            kind: record.kind().name().to_owned(),
            record_id: id.to_hex(),
            verified: !no_verify,
            fields: record
                .payload()
                .map(record_summary)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            steps: Vec::new(),
        })
    };
    let mut rows = Vec::with_capacity(entries.len());
    for e in &entries {
        let mut r = row(e)?;
        r.steps = e.steps.iter().map(&row).collect::<Result<_, _>>()?;
        rows.push(r);
    }
    if json {
        let text = serde_json::to_string_pretty(&rows).map_err(|e| usage(e.to_string()))?;
        println!("{text}");
    } else if csv {
        print_csv(&rows)?;
    } else {
        print_table(&rows, no_verify);
    }
    Ok(Exit::Valid)
}

fn fields_text(r: &Row) -> String {
    r.fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_csv(rows: &[Row]) -> Result<(), ClientError> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let io = |e: csv::Error| ClientError::Unavailable(format!("writing CSV: {e}"));
    w.write_record([
        "time",
        "height",
        "kind",
        "record_id",
        "verified",
        "fields",
        "of",
    ])
    .map_err(io)?;
    for r in rows {
        for (x, of) in std::iter::once((r, String::new()))
            .chain(r.steps.iter().map(|s| (s, r.record_id.clone())))
        {
            w.write_record([
                x.time.as_str(),
                &x.height.to_string(),
                &x.kind,
                &x.record_id,
                if x.verified { "yes" } else { "no" },
                &fields_text(x),
                &of,
            ])
            .map_err(io)?;
        }
    }
    w.flush()
        .map_err(|e| ClientError::Unavailable(format!("writing CSV: {e}")))
}

fn print_table(rows: &[Row], unverified: bool) {
    if rows.is_empty() {
        println!("没有记录");
        return;
    }
    for r in rows {
        println!(
            "{}  高度 {:>6}  {}  {}",
            r.time,
            r.height,
            kind_words(&r.kind, Lang::Zh),
            &r.record_id[..16]
        );
        println!("    {}", fields_text(r));
        for s in r.steps.iter().skip(1) {
            println!(
                "    └ {}  {}  {}",
                s.time,
                kind_words(&s.kind, Lang::Zh),
                fields_text(s)
            );
        }
    }
    println!(
        "共 {} 条{}",
        rows.len(),
        if unverified {
            "（未核验：仅为节点所述）"
        } else {
            "，每条均已凭证明包核验"
        }
    );
}

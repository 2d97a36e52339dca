//! Audit queries over the wire: the gRPC `Audit` call and the HTTP
//! `/v1/audit/{list}` JSON answer (docs/spec/node-api.md "Audit queries").

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use yinzheng_crypto::Digest;
use yinzheng_ledger::{Record, record_summary};

use super::index::Role;
use super::{AuditError, Hit, Page, Query, Window, query};
use crate::app::Shared;
use crate::proto::audit_request::Query as Wire;
use crate::proto::{AuditEntry, AuditRequest, AuditResponse};

fn malformed(m: impl Into<String>) -> AuditError {
    AuditError::Malformed(m.into())
}

fn role(s: &str) -> Result<Role, AuditError> {
    Role::parse(s).ok_or_else(|| malformed("role: requester, provider or approver"))
}

fn window(from_ms: u64, to_ms: u64, token: &[u8], limit: u32) -> Result<Window, AuditError> {
    if to_ms != 0 && to_ms <= from_ms {
        return Err(malformed("to must be after from"));
    }
    Ok(Window {
        from_ms,
        to_ms: (to_ms != 0).then_some(to_ms),
        after: (!token.is_empty()).then(|| token.to_vec()),
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
    })
}

/// A gRPC request as a query.
pub fn from_request(r: &AuditRequest) -> Result<(Query, Window), AuditError> {
    let q = match &r.query {
        None => return Err(malformed("no query given")),
        Some(Wire::Certificates(c)) => Query::Certificates {
            issuer: c.issuer.clone(),
            type_code: (!c.type_code.is_empty()).then(|| c.type_code.clone()),
        },
        Some(Wire::SealsOf(org)) => Query::Seals { org: org.clone() },
        Some(Wire::Exchanges(x)) => Query::Exchanges {
            role: role(&x.role)?,
            org: x.org.clone(),
        },
        Some(Wire::Holder(h)) => Query::Holder {
            commitment: Digest::from_slice(h)
                .ok_or_else(|| malformed("holder: a 32-byte commitment"))?,
        },
    };
    Ok((q, window(r.from_ms, r.to_ms, &r.page_token, r.limit)?))
}

fn entry(h: Hit) -> AuditEntry {
    AuditEntry {
        record_id: h.record_id.0.to_vec(),
        height: h.height,
        time_ms: h.time_ms,
        log_index: h.log_index,
        record: h.record,
        steps: h.steps.into_iter().map(entry).collect(),
    }
}

/// A page as the gRPC answer.
pub fn to_response(p: Page) -> AuditResponse {
    AuditResponse {
        entries: p.hits.into_iter().map(entry).collect(),
        next_page_token: p.next.unwrap_or_default(),
    }
}

fn json_entry(shared: &Shared, h: &Hit) -> serde_json::Value {
    let parsed = Record::parse(shared.chain.params(), &h.record).ok();
    let kind = parsed.as_ref().map_or("unknown", |r| r.kind().name());
    let fields: serde_json::Map<String, serde_json::Value> = parsed
        .as_ref()
        .and_then(|r| r.payload())
        .map(record_summary)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
        .collect();
    let id = h.record_id.to_hex();
    let mut v = serde_json::json!({
        "record_id": id,
        "height": h.height,
        "time_ms": h.time_ms,
        "log_index": h.log_index,
        "kind": kind,
        "fields": fields,
        "bundle": format!("/v1/bundle/record/{id}"),
    });
    if !h.steps.is_empty() {
        v["steps"] = h.steps.iter().map(|s| json_entry(shared, s)).collect();
    }
    v
}

fn http_error(status: StatusCode, code: &str, message: String) -> Response {
    let body = serde_json::json!({ "code": code, "message": message });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn number(params: &HashMap<String, String>, name: &str) -> Result<u64, AuditError> {
    params.get(name).map_or(Ok(0), |v| {
        v.parse()
            .map_err(|_| malformed(format!("{name}: a whole number")))
    })
}

/// The query and window of `/v1/audit/{list}?…`.
pub fn from_http(
    list: &str,
    params: &HashMap<String, String>,
) -> Result<(Query, Window), AuditError> {
    let allowed: &[&str] = match list {
        "certificates" => &["issuer", "type"],
        "seals" => &["org"],
        "exchanges" => &["role", "org"],
        "holder" => &["commitment"],
        _ => return Err(malformed(format!("no audit list {list}"))),
    };
    if let Some(k) = params.keys().find(|k| {
        !allowed.contains(&k.as_str()) && !["from", "to", "page", "limit"].contains(&k.as_str())
    }) {
        return Err(malformed(format!("unknown parameter {k}")));
    }
    let text = |k: &str| params.get(k).cloned().unwrap_or_default();
    let q = match list {
        "certificates" => Query::Certificates {
            issuer: text("issuer"),
            type_code: params.get("type").cloned(),
        },
        "seals" => Query::Seals { org: text("org") },
        "exchanges" => Query::Exchanges {
            role: role(&text("role"))?,
            org: text("org"),
        },
        _ => Query::Holder {
            commitment: Digest::from_hex(&text("commitment"))
                .ok_or_else(|| malformed("commitment: 64 hex digits"))?,
        },
    };
    let token = match params.get("page") {
        Some(p) => hex::decode(p).map_err(|_| malformed("page: the token given as next_page"))?,
        None => Vec::new(),
    };
    let limit = u32::try_from(number(params, "limit")?).unwrap_or(u32::MAX);
    Ok((
        q,
        window(
            number(params, "from")?,
            number(params, "to")?,
            &token,
            limit,
        )?,
    ))
}

/// Answer `/v1/audit/{list}` with JSON.
pub async fn http(shared: Arc<Shared>, list: String, params: HashMap<String, String>) -> Response {
    let (q, w) = match from_http(&list, &params) {
        Ok(x) => x,
        Err(e) => return http_error(StatusCode::BAD_REQUEST, "MALFORMED", e.to_string()),
    };
    let s = shared.clone();
    let page = tokio::task::spawn_blocking(move || query(&s.chain, &q, &w)).await;
    match page {
        Ok(Ok(p)) => {
            let body = serde_json::json!({
                "entries": p.hits.iter().map(|h| json_entry(&shared, h)).collect::<Vec<_>>(),
                "next_page": p.next.map(hex::encode),
            });
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                body.to_string(),
            )
                .into_response()
        }
        Ok(Err(AuditError::Malformed(m))) => http_error(StatusCode::BAD_REQUEST, "MALFORMED", m),
        Ok(Err(e)) => http_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string()),
        Err(e) => http_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string()),
    }
}

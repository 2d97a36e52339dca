//! The node's public read API over HTTP (`docs/spec/node-api.md` §3): proof
//! bundles by record, certificate, national certificate, seal or stamping —
//! a full bundle is a fresh status proof — and the node's head, for the
//! citizen's page and any other client. Read-only, CORS-open, bounded, rate
//! limited per client address. Nothing here is trusted by a verifier: every
//! bundle is checked against the genesis where it is used.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use yinzheng_crypto::Digest;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleError, BundleForm, BundleVerifier};

use crate::app::{Shared, now_ms};
use crate::proto::subject_ref::By;
use crate::proto::{CertificateRef, EcertUseRef};
use crate::subjects::{SubjectError, record_of};

/// Media type of a bundle body: an encoded `yinzheng.v1.Bundle`.
pub const BUNDLE_MEDIA_TYPE: &str = "application/x-protobuf; proto=yinzheng.v1.Bundle";
/// Longest subject reference accepted in a path (bytes).
pub const MAX_REF: usize = 256;
/// Requests per second a client address may make, sustained.
pub const RATE_PER_SEC: f64 = 20.0;
/// Requests a client address may make in a burst.
pub const RATE_BURST: f64 = 40.0;
/// Client addresses the rate limiter remembers before forgetting idle ones.
const RATE_TABLE: usize = 10_000;

/// A token bucket per client address.
#[derive(Default)]
pub struct RateLimit {
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    /// Take one token for `ip`; `false` when its bucket is empty.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut b = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if b.len() >= RATE_TABLE && !b.contains_key(&ip) {
            // Forget every address whose bucket has refilled: it owes nothing.
            b.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * RATE_PER_SEC < RATE_BURST
            });
            if b.len() >= RATE_TABLE {
                return false;
            }
        }
        let (tokens, at) = b.entry(ip).or_insert((RATE_BURST, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * RATE_PER_SEC).min(RATE_BURST);
        *at = now;
        if *tokens < 1.0 {
            return false;
        }
        *tokens -= 1.0;
        true
    }
}

#[derive(Clone)]
struct Api {
    shared: Arc<Shared>,
    limit: Arc<RateLimit>,
}

/// An error answer: its HTTP status and the body
/// `{"code": "NOT_FOUND", "message": "…"}`.
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

fn error(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
    }
}

fn subject_error(e: SubjectError) -> ApiError {
    match e {
        SubjectError::Malformed(m) => error(StatusCode::BAD_REQUEST, "MALFORMED", m),
        SubjectError::NotFound(m) => error(StatusCode::NOT_FOUND, "NOT_FOUND", m),
        SubjectError::Internal(m) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", m),
    }
}

fn hex32(s: &str) -> Option<Vec<u8>> {
    (s.len() == 64).then(|| hex::decode(s).ok()).flatten()
}

/// The reference in a path: `record/<hex>`, `stamping/<hex>`, `seal/<id>`,
/// `ecert/<标识>`, `ecert-use/<标识>/<n>`, `certificate/<issuer>/<type>/<number>`.
fn reference(kind: &str, rest: &str) -> Result<By, ApiError> {
    let bad = |m: &str| error(StatusCode::BAD_REQUEST, "MALFORMED", m);
    if rest.is_empty() || rest.len() > MAX_REF {
        return Err(bad("the reference is empty or longer than 256 bytes"));
    }
    match kind {
        "record" => hex32(rest)
            .map(By::RecordId)
            .ok_or_else(|| bad("a record id is 64 hex digits")),
        "stamping" => hex32(rest)
            .map(By::Stamping)
            .ok_or_else(|| bad("a stamping is the SM3 of its SES_Signature: 64 hex digits")),
        "seal" => Ok(By::SealId(rest.to_owned())),
        "ecert" => Ok(By::Ecert(rest.to_owned())),
        "ecert-use" => {
            let (id, n) = rest
                .rsplit_once('/')
                .and_then(|(id, n)| Some((id, n.parse::<u32>().ok()?)))
                .ok_or_else(|| bad("ecert-use/<identifier>/<n>"))?;
            Ok(By::EcertUse(EcertUseRef {
                identifier: id.to_owned(),
                n,
            }))
        }
        "certificate" => {
            let mut parts = rest.splitn(3, '/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(i), Some(t), Some(n)) if !n.is_empty() => {
                    Ok(By::Certificate(CertificateRef {
                        issuer: i.to_owned(),
                        type_code: t.to_owned(),
                        cert_no: n.to_owned(),
                    }))
                }
                _ => Err(bad("certificate/<issuer>/<type code>/<number>")),
            }
        }
        _ => Err(error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such kind of subject: record, certificate, ecert, ecert-use, seal, stamping",
        )),
    }
}

async fn bundle(
    State(api): State<Api>,
    Path((kind, rest)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let (form, json) = match uri.query() {
        None | Some("") | Some("form=full") => (BundleForm::Full, false),
        Some("form=compact") => (BundleForm::Compact, false),
        Some("format=json") => (BundleForm::Full, true),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "MALFORMED",
                "the only query is form=full, form=compact or format=json",
            )
            .into_response();
        }
    };
    let by = match reference(&kind, &rest) {
        Ok(by) => by,
        Err(e) => return e.into_response(),
    };
    let started = std::time::Instant::now();
    let shared = api.shared.clone();
    let built = crate::pools::read_job(move || {
        let id = record_of(&shared.chain, by).map_err(subject_error)?;
        shared
            .chain
            .bundle_bytes(&id, form)
            .map(|b| (id, b))
            .map_err(|e| match e {
                BundleError::NotFound(id) => error(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    format!("record {id} is not committed"),
                ),
                BundleError::Ledger(e) => {
                    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string())
                }
            })
    })
    .await
    .ok_or("read stopped");
    let outcome = match &built {
        Ok(Ok(_)) => "ok",
        Ok(Err(e)) if e.status == StatusCode::NOT_FOUND => "not_found",
        _ => "error",
    };
    api.shared.metrics.bundle("http", outcome, started);
    match built {
        Ok(Ok((id, bytes))) if json => {
            let shared = api.shared.clone();
            crate::pools::read_job(move || verdict_json(&shared.genesis, &id, &bytes))
                .await
                .ok_or("read stopped")
                .unwrap_or_else(|e| {
                    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string())
                        .into_response()
                })
        }
        Ok(Ok((id, bytes))) => (
            [
                (header::CONTENT_TYPE, BUNDLE_MEDIA_TYPE.to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::HeaderName::from_static("x-yinzheng-record-id"),
                    id.to_hex(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string()).into_response()
        }
    }
}

/// `format=json`: the node's own reading of the bundle it built — the verdict
/// `yinzheng verify --json` prints, now — for a person or a script. Not a
/// proof: whoever must not trust this node fetches the bundle and verifies it.
fn verdict_json(genesis: &Genesis, id: &Digest, bundle: &[u8]) -> Response {
    let verifier = match BundleVerifier::new(genesis) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.0).into_response(),
    };
    let mut verdict = verifier.verify_bytes(bundle, None);
    verdict.judge_window_at(now_ms());
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::HeaderName::from_static("x-yinzheng-record-id"),
                id.to_hex(),
            ),
        ],
        verdict.to_json(),
    )
        .into_response()
}

/// Media type of a checkpoint body: an encoded `yinzheng.v1.CheckpointChain`.
pub const CHECKPOINT_MEDIA_TYPE: &str = "application/x-protobuf; proto=yinzheng.v1.CheckpointChain";

/// `/v1/checkpoint?since=H[&format=json]`: the newest certified block and the
/// validator-set changes after `H`; JSON gives a summary for people.
async fn checkpoint(State(api): State<Api>, uri: Uri) -> Response {
    let mut since = 0u64;
    let mut json = false;
    for p in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match p.split_once('=') {
            Some(("since", v)) => match v.parse() {
                Ok(h) => since = h,
                Err(_) => {
                    return error(StatusCode::BAD_REQUEST, "MALFORMED", "since is a height")
                        .into_response();
                }
            },
            Some(("format", "json")) => json = true,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "MALFORMED",
                    "queries: since=<height>, format=json",
                )
                .into_response();
            }
        }
    }
    let shared = api.shared.clone();
    let built = crate::pools::read_job(move || {
        yinzheng_ledger::checkpoint_chain(&shared.chain.snapshot(), since)
    })
    .await
    .ok_or("read stopped");
    let c = match built {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string())
                .into_response();
        }
        Err(e) => {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string())
                .into_response();
        }
    };
    if json {
        let h = c
            .checkpoint
            .as_ref()
            .and_then(|cp| cp.header.clone())
            .unwrap_or_default();
        let body = serde_json::json!({
            "height": h.height,
            "time_ms": h.time_ms,
            "validator_changes": c.validator_changes.len(),
        });
        return (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, CHECKPOINT_MEDIA_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        prost::Message::encode_to_vec(&c),
    )
        .into_response()
}

async fn head(State(api): State<Api>) -> Response {
    let c = &api.shared.chain;
    let body = serde_json::json!({
        "chain_id": c.params().chain_id,
        "genesis_hash": c.genesis_hash().to_hex(),
        "height": c.height(),
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// CORS for every answer, preflight answered here, and the rate limit.
async fn guard(
    State(api): State<Api>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = if req.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else if req.method() != Method::GET {
        error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MALFORMED",
            "read-only: GET",
        )
        .into_response()
    } else if !api.limit.allow(peer.ip()) {
        error(
            StatusCode::TOO_MANY_REQUESTS,
            "BUSY",
            format!("at most {RATE_PER_SEC} requests a second per client"),
        )
        .into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-yinzheng-record-id"),
    );
    resp
}

/// The `/v1` routes over `shared`.
pub fn routes(shared: Arc<Shared>) -> Router {
    let api = Api {
        shared,
        limit: Arc::new(RateLimit::default()),
    };
    Router::new()
        .route("/v1/head", get(head))
        .route("/v1/checkpoint", get(checkpoint))
        .route("/v1/bundle/{kind}/{*rest}", get(bundle))
        .route(
            "/v1/audit/{list}",
            get(
                |State(api): State<Api>,
                 Path(list): Path<String>,
                 Query(params): Query<HashMap<String, String>>| {
                    crate::audit::wire::http(api.shared, list, params)
                },
            ),
        )
        .layer(middleware::from_fn_with_state(api.clone(), guard))
        .with_state(api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_checked_before_any_lookup() {
        assert!(reference("record", &"ab".repeat(32)).is_ok());
        for (kind, rest) in [
            ("record", "abc"),
            ("record", &"zz".repeat(32)[..]),
            ("stamping", ""),
            ("certificate", "only/two"),
            ("ecert-use", "1.2.156/notanumber"),
            ("seal", &"x".repeat(300)[..]),
            ("nonsense", "x"),
        ] {
            assert!(reference(kind, rest).is_err(), "{kind}/{rest}");
        }
        assert!(matches!(
            reference("certificate", "11440300MB2C50456C/11100000000000133T/NO/1"),
            Ok(By::Certificate(c)) if c.cert_no == "NO/1"
        ));
    }

    #[test]
    fn the_rate_limit_refills() {
        let l = RateLimit::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let allowed = (0..100).filter(|_| l.allow(ip)).count();
        assert!((40..=42).contains(&allowed), "{allowed}");
        assert!(l.allow("10.0.0.2".parse().unwrap()));
        std::thread::sleep(std::time::Duration::from_millis(150));
        assert!(l.allow(ip));
    }
}

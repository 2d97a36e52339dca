//! The node's HTTP side: the citizen's verify page at `/verify/` (static
//! files built by `web/build.sh` for this consortium, held in memory; the
//! page verifies in the browser), a health probe at `/health`, the
//! operator's metrics at `/metrics`, and the public read API under `/v1`
//! (`http_api`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use eyre::WrapErr;

use crate::app::Shared;

/// Files of the verify page, by path relative to its directory.
type Page = HashMap<String, (&'static str, Vec<u8>)>;

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Read every file below `dir` (the page is small: HTML, JS, CSS, wasm).
pub fn load_page(dir: &Path) -> eyre::Result<Page> {
    fn walk(base: &Path, dir: &Path, out: &mut Page) -> eyre::Result<()> {
        for e in std::fs::read_dir(dir).wrap_err_with(|| format!("{}", dir.display()))? {
            let e = e?;
            let p = e.path();
            if e.file_type()?.is_dir() {
                walk(base, &p, out)?;
            } else {
                let rel = p.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
                let ct = content_type(&rel);
                out.insert(rel, (ct, std::fs::read(&p)?));
            }
        }
        Ok(())
    }
    let mut page = HashMap::new();
    walk(dir, dir, &mut page)?;
    if !page.contains_key("index.html") {
        return Err(eyre::eyre!("{} has no index.html", dir.display()));
    }
    Ok(page)
}

#[derive(Clone)]
struct Http {
    shared: Arc<Shared>,
    page: Arc<Page>,
}

fn file(page: &Page, name: &str) -> Response {
    match page.get(name) {
        Some((ct, body)) => ([(header::CONTENT_TYPE, *ct)], body.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

async fn index(State(h): State<Http>) -> Response {
    if h.page.is_empty() {
        return (
            StatusCode::NOT_FOUND,
            "this node serves no verify page (config: verify_page)\n",
        )
            .into_response();
    }
    file(&h.page, "index.html")
}

async fn asset(State(h): State<Http>, UrlPath(name): UrlPath<String>) -> Response {
    // Only names of files loaded at start are served: nothing is read from
    // disk per request, so no path can escape the page directory.
    file(&h.page, &name)
}

async fn health(State(h): State<Http>) -> Response {
    let body = serde_json::json!({
        "chain_id": h.shared.chain.params().chain_id,
        "moniker": h.shared.moniker,
        "height": h.shared.chain.height(),
        "mempool": h.shared.pool().len(),
        "role": if h.shared.observer { "observer" } else { "validator" },
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `/metrics`: the node's and the consensus engine's metrics, Prometheus
/// text format; the figures read per scrape are refreshed first.
async fn metrics(State(h): State<Http>) -> Response {
    let s = h.shared.clone();
    let body = tokio::task::spawn_blocking(move || {
        let m = &s.metrics;
        m.mempool
            .set(i64::try_from(s.pool().len()).unwrap_or(i64::MAX));
        let last = s.chain.head().tip.last_time_ms;
        let age_s = crate::app::now_ms().saturating_sub(last) / 1000;
        m.head_age.set(i64::try_from(age_s).unwrap_or(i64::MAX));
        m.read_db(s.chain.db());
        m.read_cpu();
        m.render()
    })
    .await
    .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Serve `/verify/`, `/health`, `/metrics` and `/v1` on `addr` until the
/// process stops.
pub async fn serve(
    shared: Arc<Shared>,
    addr: SocketAddr,
    page: Option<PathBuf>,
) -> eyre::Result<()> {
    let page = match page {
        Some(dir) => load_page(&dir)?,
        None => HashMap::new(),
    };
    let app = Router::new()
        .route("/verify", get(|| async { Redirect::permanent("/verify/") }))
        .route("/verify/", get(index))
        .route("/verify/{*name}", get(asset))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .with_state(Http {
            shared: shared.clone(),
            page: Arc::new(page),
        })
        .merge(crate::http_api::routes(shared));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .wrap_err_with(|| format!("HTTP listen {addr}"))?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

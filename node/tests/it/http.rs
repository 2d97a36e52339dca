//! The node's HTTP side: the verify page at /verify/, /health, and the
//! public read API under /v1 (bundles, head; bad references, CORS, the
//! rate limit).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yinzheng_consortium::cluster::{self, Cluster, wait_height};
use yinzheng_genesis::testnet::TestnetOptions;
use yinzheng_node::app::now_ms;
use yinzheng_node::config::NodeConfig;

use crate::common::{SERIAL, exe};

/// A plain HTTP/1.1 GET: the head and the body as text.
pub async fn get(port: u16, path: &str) -> (String, String) {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_serves_the_verify_page_and_health() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let net = cluster::create(
        dir.path(),
        &TestnetOptions {
            chain_id: "yz-http".into(),
            validators: 4,
            p2p_base_port: 27800,
            grpc_base_port: 27900,
            genesis_time_ms: now_ms(),
        },
    )
    .unwrap();
    let page = dir.path().join("page");
    std::fs::create_dir_all(page.join("pkg")).unwrap();
    std::fs::write(page.join("index.html"), "<html>印证 核验</html>").unwrap();
    std::fs::write(page.join("pkg/yinzheng_web_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let path = net.nodes[0].dir.join("config.toml");
    let mut c = NodeConfig::load(&path).unwrap();
    c.verify_page = Some(page);
    std::fs::write(&path, c.to_toml()).unwrap();
    let http = net.nodes[0].grpc_port + 100;
    let mut cluster = Cluster::new(net, exe());
    cluster.start_all().unwrap();
    let mut clients = Vec::new();
    for i in 0..4 {
        clients.push(cluster.client(i, Duration::from_secs(60)).await.unwrap());
    }
    wait_height(&mut clients, 1, Duration::from_secs(60))
        .await
        .unwrap();

    let (head, _) = get(http, "/verify").await;
    assert!(head.starts_with("HTTP/1.1 308"), "{head}");
    assert!(head.to_lowercase().contains("location: /verify/"), "{head}");
    let (head, body) = get(http, "/verify/").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("印证 核验"));
    let (head, _) = get(http, "/verify/pkg/yinzheng_web_bg.wasm").await;
    assert!(head.contains("application/wasm"), "{head}");
    for bad in [
        "/verify/../config.toml",
        "/verify/%2e%2e/config.toml",
        "/verify/nothing.js",
    ] {
        let (head, _) = get(http, bad).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{bad}: {head}");
    }
    let (head, body) = get(http, "/health").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("\"chain_id\":\"yz-http\""), "{body}");
    // A node without a page says so.
    let (head, _) = get(cluster.net.nodes[1].grpc_port + 100, "/verify/").await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");

    // The public read API (/v1): a certificate's bundles, from any node,
    // verified here against the genesis alone.
    let keys = yinzheng_genesis::testnet::issuer_keys(&cluster.net.keys_dir).unwrap();
    let samples = yinzheng_genesis::samples::Samples::new(&cluster.net.genesis, keys).unwrap();
    let r = samples
        .certificate("NO-HTTP-1", b"doc", "91440300MA5G00001X", now_ms())
        .unwrap();
    yinzheng_consortium::demo::submit_wait(&mut clients[1], &r)
        .await
        .unwrap();
    wait_height(&mut clients, 1, Duration::from_secs(30))
        .await
        .unwrap();
    let verifier = yinzheng_ledger::BundleVerifier::new(&cluster.net.genesis).unwrap();
    let issuer = yinzheng_genesis::consortium::departments()[1]
        .credit_code
        .clone();
    let cert = format!(
        "/v1/bundle/certificate/{issuer}/{}/NO-HTTP-1",
        yinzheng_genesis::consortium::CERT_TYPE
    );
    let by_id = format!("/v1/bundle/record/{}", r.id().to_hex());
    for (path, proven) in [
        (by_id.clone(), true),
        (format!("{cert}?form=compact"), false),
        (cert.clone(), true),
    ] {
        // The record may reach this node a block after the submitting one.
        let mut got = get_bytes(http, &path).await;
        for _ in 0..50 {
            if got.0.starts_with("HTTP/1.1 200") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            got = get_bytes(http, &path).await;
        }
        let (head, body) = got;
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        let lower = head.to_lowercase();
        assert!(
            lower.contains("application/x-protobuf; proto=yinzheng.v1.bundle"),
            "{head}"
        );
        assert!(lower.contains("access-control-allow-origin: *"), "{head}");
        assert!(
            lower.contains(&format!("x-yinzheng-record-id: {}", r.id().to_hex())),
            "{head}"
        );
        let v = verifier.verify_bytes(&body, Some(b"doc"));
        assert_eq!(
            v.status,
            yinzheng_ledger::VerdictStatus::Valid,
            "{path}: {v:?}"
        );
        assert_eq!(v.status_proven, proven, "{path}");
    }
    // The newest checkpoint: certified, with no set changes in this run.
    let (head, body) = get_bytes(http, "/v1/checkpoint?since=0").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_lowercase()
            .contains("proto=yinzheng.v1.checkpointchain"),
        "{head}"
    );
    let c = <yinzheng_ledger::proto::CheckpointChain as prost::Message>::decode(body.as_slice())
        .unwrap();
    let cp = c.checkpoint.unwrap();
    assert!(cp.header.unwrap().height >= 1);
    assert!(cp.certificate.is_some());
    assert!(c.validator_changes.is_empty());
    let (head, body) = get(http, "/v1/checkpoint?format=json").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("\"height\":"), "{body}");
    for bad in ["/v1/checkpoint?since=abc", "/v1/checkpoint?what=1"] {
        let (head, _) = get(http, bad).await;
        assert!(head.starts_with("HTTP/1.1 400"), "{bad}: {head}");
    }
    // The node's own reading, for a person or a script: the verdict as JSON.
    let (head, body) = get(http, &format!("{cert}?format=json")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_lowercase().contains("application/json"), "{head}");
    let verdict: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(verdict["status"], "valid", "{body}");
    assert_eq!(verdict["status_proven"], true, "{body}");
    assert_eq!(verdict["record_id"], r.id().to_hex(), "{body}");
    let (head, body) = get(http, "/v1/head").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("\"chain_id\":\"yz-http\""), "{body}");
    // Bad references: a clear code, nothing looked up or changed.
    let zeros = "0".repeat(64);
    let long = "x".repeat(300);
    for (path, status, code) in [
        ("/v1/bundle/record/abc".to_owned(), "400", "MALFORMED"),
        (format!("/v1/bundle/record/{zeros}"), "404", "NOT_FOUND"),
        (format!("/v1/bundle/stamping/{zeros}"), "404", "NOT_FOUND"),
        (
            "/v1/bundle/ecert/1.2.156.3005.2.nothing".to_owned(),
            "404",
            "NOT_FOUND",
        ),
        ("/v1/bundle/nonsense/x".to_owned(), "404", "NOT_FOUND"),
        (format!("/v1/bundle/seal/{long}"), "400", "MALFORMED"),
        (format!("{cert}?form=weird"), "400", "MALFORMED"),
        (
            format!("{cert}?form=compact&format=json"),
            "400",
            "MALFORMED",
        ),
        (
            "/v1/bundle/certificate/only-one".to_owned(),
            "400",
            "MALFORMED",
        ),
    ] {
        let (head, body) = get(http, &path).await;
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {head}"
        );
        assert!(
            body.contains(&format!("\"code\":\"{code}\"")),
            "{path}: {body}"
        );
    }
    let (head, _) = request(http, "POST", &by_id).await;
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
    let (head, _) = request(http, "OPTIONS", &by_id).await;
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(
        head.to_lowercase()
            .contains("access-control-allow-origin: *"),
        "{head}"
    );
    // One client address hammering: refused with BUSY once its burst is spent.
    let mut busy = 0;
    for _ in 0..60 {
        let (head, body) = get(http, "/v1/head").await;
        if head.starts_with("HTTP/1.1 429") {
            assert!(body.contains("BUSY"), "{body}");
            busy += 1;
        }
    }
    assert!(busy > 0, "no request refused");
    let (head, _) = get(http, "/health").await;
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "the page side is not rate limited: {head}"
    );

    // The operator's metrics: ours and the engine's, one `# EOF` at the end.
    let again = clients[0]
        .submit(yinzheng_node::proto::SubmitRequest {
            record: r.bytes().to_vec(),
            wait: false,
        })
        .await
        .unwrap_err();
    assert!(again.message().starts_with("DUPLICATE"), "{again}");
    let (head, body) = get(http, "/metrics").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    let value = |name: &str| -> f64 {
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{body}"))
    };
    assert!(value("yinzheng_height") >= 1.0);
    assert!(value("yinzheng_records_committed_total") >= 1.0);
    assert!(value("yinzheng_blocks_committed_total") >= 1.0);
    assert_eq!(
        value(r#"yinzheng_records_refused_total{stage="admission",reason="DUPLICATE"}"#),
        1.0
    );
    assert!(value(r#"yinzheng_bundle_requests_total{api="http",outcome="ok"}"#) >= 3.0);
    assert!(value(r#"yinzheng_bundle_requests_total{api="http",outcome="not_found"}"#) >= 3.0);
    assert!(value(r#"yinzheng_db_sst_bytes{family="state"}"#) >= 0.0);
    assert!(value(r#"yinzheng_db_blob_bytes{family="smt_pages"}"#) >= 0.0);
    assert!(
        body.contains("yinzheng_block_commit_seconds_bucket"),
        "{body}"
    );
    // Every block this node committed was executed here (built or checked)
    // and written; the records it executed include the ones committed.
    let count = |name: &str| -> f64 {
        [r#"{step="build"}"#, r#"{step="check"}"#]
            .iter()
            .map(|l| {
                body.lines()
                    .find_map(|x| x.strip_prefix(&format!("{name}{l} "))?.parse().ok())
                    .unwrap_or(0.0)
            })
            .sum()
    };
    assert!(
        count("yinzheng_block_execute_seconds_count") >= value("yinzheng_blocks_committed_total"),
        "{body}"
    );
    assert!(
        count("yinzheng_records_executed_total") >= value("yinzheng_records_committed_total"),
        "{body}"
    );
    assert!(
        value("yinzheng_block_write_seconds_count") >= value("yinzheng_blocks_committed_total"),
        "{body}"
    );
    // CPU time: the blocks' execution and writes took some (a nanosecond
    // clock), the admission threads that checked the submitted records are
    // counted (in clock ticks: a few checks may round to none), and the
    // process used at least what its parts did.
    let execute_cpu = count("yinzheng_block_execute_cpu_seconds_total");
    let write_cpu = value("yinzheng_block_write_cpu_seconds_total");
    let all = value(r#"yinzheng_threads_cpu_seconds{threads="all"}"#);
    let admission = value(r#"yinzheng_threads_cpu_seconds{threads="admission"}"#);
    assert!(
        execute_cpu > 0.0 && write_cpu > 0.0 && admission >= 0.0,
        "{body}"
    );
    assert!(all >= execute_cpu + write_cpu + admission, "{body}");
    assert!(body.contains(ENGINE_METRIC), "no engine metrics in\n{body}");
    // The operator's dashboard charts only metrics this node exports.
    for name in dashboard_metrics() {
        assert!(
            exported(&body, &name),
            "the dashboard's {name} is not in\n{body}"
        );
    }
    assert_eq!(body.matches("# EOF").count(), 1);
    assert!(body.ends_with("# EOF\n"), "{body}");
}

/// A metric the consensus engine registers.
const ENGINE_METRIC: &str = "malachitebft_core_consensus_height";

/// The metric names `docs/grafana-dashboard.json`'s queries use.
fn dashboard_metrics() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/grafana-dashboard.json"
    );
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut names = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.starts_with("yinzheng_") || word.starts_with("malachitebft_") {
                    names.push(word.to_string());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    assert!(names.len() >= 10, "{names:?}");
    names
}

/// Whether an OpenMetrics exposition holds `name`: a sample of it, or (a
/// family with no sample yet) its declaration, under the name without the
/// sample suffix.
fn exported(body: &str, name: &str) -> bool {
    let sampled = body.lines().any(|l| {
        l.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['{', ' ']))
    });
    let base = ["_total", "_bucket", "_count", "_sum"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    sampled || body.contains(&format!("# TYPE {base} "))
}

async fn request(port: u16, method: &str, path: &str) -> (String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let at = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..at]).to_string();
    let body = buf.get(at + 4..).unwrap_or_default().to_vec();
    (head, body)
}

async fn get_bytes(port: u16, path: &str) -> (String, Vec<u8>) {
    request(port, "GET", path).await
}

//! The node's HTTP side: the verify page at /verify/ and /health.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yinzheng_consortium::cluster::{self, Cluster, wait_height};
use yinzheng_genesis::testnet::TestnetOptions;
use yinzheng_node::app::now_ms;
use yinzheng_node::config::NodeConfig;

use crate::common::{SERIAL, exe};

async fn get(port: u16, path: &str) -> (String, String) {
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
}

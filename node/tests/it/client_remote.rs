//! The client against real nodes: submit, fetch verified bundles, and catch
//! a lying node (a server that tampers with what a real node served).

use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use prost::Message;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};
use yinzheng_client::remote::{self, Subject};
use yinzheng_client::{ClientError, Exit, check};
use yinzheng_consortium::cluster::Client;
use yinzheng_genesis::consortium::CERT_TYPE;
use yinzheng_ledger::VerdictStatus;
use yinzheng_ledger::proto::Bundle;
use yinzheng_node::app::now_ms;
use yinzheng_node::proto::node_server::{Node, NodeServer};
use yinzheng_node::proto::*;

use crate::common::{SERIAL, start};

/// Serves what a real node serves, with the anchor's block time changed.
struct Liar(Client);

type Blocks = Pin<Box<dyn Stream<Item = Result<BlockResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Node for Liar {
    async fn get_bundle(
        &self,
        r: Request<BundleRequest>,
    ) -> Result<Response<BundleResponse>, Status> {
        let mut real = self
            .0
            .clone()
            .get_bundle(r.into_inner())
            .await?
            .into_inner();
        let mut b = Bundle::decode(real.bundle.as_slice()).unwrap();
        b.anchor.as_mut().unwrap().header.as_mut().unwrap().time_ms += 1;
        real.bundle = b.encode_to_vec();
        Ok(Response::new(real))
    }
    async fn submit(&self, _: Request<SubmitRequest>) -> Result<Response<SubmitResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn get_record(&self, _: Request<RecordRef>) -> Result<Response<RecordResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn get_block(&self, _: Request<BlockRequest>) -> Result<Response<BlockResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn get_status(&self, _: Request<SubjectRef>) -> Result<Response<StatusResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    type StreamBlocksStream = Blocks;
    async fn stream_blocks(
        &self,
        _: Request<StreamBlocksRequest>,
    ) -> Result<Response<Blocks>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn get_info(&self, _: Request<InfoRequest>) -> Result<Response<InfoResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn relay(&self, _: Request<RelayRequest>) -> Result<Response<RelayResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    /// A real page with its first entry moved to another height.
    async fn audit(&self, r: Request<AuditRequest>) -> Result<Response<AuditResponse>, Status> {
        let mut real = self.0.clone().audit(r.into_inner()).await?.into_inner();
        if let Some(e) = real.entries.first_mut() {
            e.height += 1;
        }
        Ok(Response::new(real))
    }
}

/// `yinzheng audit …` as typed, against `node`.
fn audit_cli(node: &str, genesis: &std::path::Path, args: &[&str]) -> Result<Exit, ClientError> {
    use clap::Parser;
    let mut argv = vec!["yinzheng", "audit"];
    argv.extend_from_slice(args);
    let g = genesis.display().to_string();
    argv.extend_from_slice(&["--node", node, "--genesis", &g, "--json"]);
    // `try_`: a usage error must fail the test, not exit the test process.
    let cli = yinzheng_client::cli::Cli::try_parse_from(argv)
        .map_err(|e| ClientError::Usage(e.to_string()))?;
    yinzheng_client::cli::run(cli)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_submits_fetches_verified_bundles_and_catches_a_lying_node() {
    let _serial = SERIAL.lock().await;
    let net = start(27700).await;
    let url = net.cluster.url(1);
    let verifier = std::sync::Arc::new(check::verifier(&net.cluster.net.genesis).unwrap());
    let no = "4403050000001".to_string();
    let record = net
        .samples
        .certificate(&no, b"doc", "holder", now_ms())
        .unwrap();
    let bytes = record.bytes().to_vec();
    let u = url.clone();
    let submitted = tokio::task::spawn_blocking(move || remote::submit(&u, &bytes, true))
        .await
        .unwrap()
        .unwrap();
    assert!(submitted.committed && submitted.height > 0);
    assert_eq!(submitted.record_id, record.id().0.to_vec());

    let issuer = yinzheng_node::genesis::consortium::departments()[1]
        .credit_code
        .clone();
    let cert = Subject::Certificate {
        issuer: issuer.clone(),
        type_code: CERT_TYPE.into(),
        cert_no: no.clone(),
    };
    let fetch = |url: String, s: Subject, compact: bool| {
        let v = verifier.clone();
        tokio::task::spawn_blocking(move || remote::fetch_verified(&url, &s, compact, &v))
    };
    let (_, v) = fetch(url.clone(), cert.clone(), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.status, VerdictStatus::Valid);
    let (compact, v) = fetch(url.clone(), cert.clone(), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.status, VerdictStatus::Valid);
    assert!(
        compact.len() < 1000,
        "compact bundle of {} bytes",
        compact.len()
    );

    // Superseded: the old number proves SUPERSEDED, the new one is found by
    // its own number and is valid.
    let old_no = "4403050000002".to_string();
    let new_no = "4403050000003".to_string();
    for r in [
        net.samples
            .certificate(&old_no, b"v1", "holder", now_ms())
            .unwrap(),
        net.samples
            .supersede_certificate(&old_no, &new_no, b"v2", "holder", now_ms())
            .unwrap(),
    ] {
        let (u, b) = (url.clone(), r.bytes().to_vec());
        tokio::task::spawn_blocking(move || remote::submit(&u, &b, true))
            .await
            .unwrap()
            .unwrap();
    }
    let by_no = |n: &str| Subject::Certificate {
        issuer: issuer.clone(),
        type_code: CERT_TYPE.into(),
        cert_no: n.into(),
    };
    let (_, v) = fetch(url.clone(), by_no(&old_no), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.status, VerdictStatus::Superseded);
    let (_, v) = fetch(url.clone(), by_no(&new_no), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.status, VerdictStatus::Valid);

    // Revoked: still a genuine bundle, with the revocation proven.
    let revoke = net.samples.revoke_certificate(&no, now_ms()).unwrap();
    let (u, b) = (url.clone(), revoke.bytes().to_vec());
    tokio::task::spawn_blocking(move || remote::submit(&u, &b, true))
        .await
        .unwrap()
        .unwrap();
    let (_, v) = fetch(url.clone(), cert.clone(), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.status, VerdictStatus::Revoked);

    // The issuer's month: issued, issued, superseded, revoked, in order, in
    // pages; each entry verified by its bundle on the command line.
    let mut c = net.clients[1].clone();
    let ask = |limit: u32, token: Vec<u8>| AuditRequest {
        query: Some(audit_request::Query::Certificates(CertificateQuery {
            issuer: issuer.clone(),
            type_code: CERT_TYPE.into(),
        })),
        limit,
        page_token: token,
        ..Default::default()
    };
    let all = c.audit(ask(0, Vec::new())).await.unwrap().into_inner();
    let kinds: Vec<_> = all
        .entries
        .iter()
        .map(|e| {
            let r = yinzheng_ledger::Record::parse(net.samples.params(), &e.record).unwrap();
            r.kind().name()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "issue_certificate",
            "issue_certificate",
            "supersede_certificate",
            "revoke_certificate"
        ]
    );
    assert_eq!(all.entries[0].record_id, record.id().0.to_vec());
    let page = c.audit(ask(3, Vec::new())).await.unwrap().into_inner();
    assert_eq!(page.entries.len(), 3);
    let rest = c
        .audit(ask(3, page.next_page_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.entries, all.entries[3..]);
    assert!(rest.next_page_token.is_empty());
    // A holder's own history, the ID given only to the client.
    let salt = yinzheng_ledger::holder::HolderSalt::random().unwrap();
    let mine = net
        .samples
        .certificate_for(
            "4403050000009",
            b"d",
            (&salt, "111", "440305199001011234"),
            now_ms(),
        )
        .unwrap();
    let (u, b) = (url.clone(), mine.bytes().to_vec());
    tokio::task::spawn_blocking(move || remote::submit(&u, &b, true))
        .await
        .unwrap()
        .unwrap();
    let genesis = net.cluster.net.genesis_path.clone();
    let (u, g, hex_salt, iss) = (url.clone(), genesis.clone(), salt.to_hex(), issuer.clone());
    let exits = tokio::task::spawn_blocking(move || {
        let holder = [
            "holder",
            "--salt",
            &hex_salt,
            "--id-type",
            "111",
            "--id",
            "440305199001011234",
        ];
        let certs = ["certificates", "--issuer", &iss, "--type", CERT_TYPE];
        (
            audit_cli(&u, &g, &holder).map_err(|e| e.to_string()),
            audit_cli(&u, &g, &certs).map_err(|e| e.to_string()),
        )
    })
    .await
    .unwrap();
    assert!(matches!(exits.0, Ok(Exit::Valid)), "{:?}", exits.0);
    assert!(matches!(exits.1, Ok(Exit::Valid)), "{:?}", exits.1);
    let commitment =
        yinzheng_ledger::holder::holder_commitment(&salt, "111", "440305199001011234").unwrap();
    let found = c
        .audit(AuditRequest {
            query: Some(audit_request::Query::Holder(commitment.0.to_vec())),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.entries.len(), 1);
    assert_eq!(found.entries[0].record_id, mine.id().0.to_vec());

    // A lying node in front of a real one is caught.
    let real = net.clients[1].clone();
    let addr: SocketAddr = "127.0.0.1:27799".parse().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(NodeServer::new(Liar(real)))
            .serve(addr),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = fetch("http://127.0.0.1:27799".into(), cert.clone(), false)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Node { message, .. } if message.starts_with("INVALID_BUNDLE")),
        "{err}"
    );

    // Unknown subject; unreachable node.
    let err = fetch(url.clone(), Subject::Seal("nope".into()), false)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::NotFound { message, .. } if message.starts_with("NOT_FOUND")),
        "{err}"
    );
    let err = fetch("http://127.0.0.1:1".into(), cert, false)
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ClientError::Unavailable(_)), "{err}");
}

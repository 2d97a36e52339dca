//! Audit queries against real nodes: an organisation's seals and stampings,
//! data-sharing exchanges by party with their steps, everything naming one
//! holder, over gRPC and HTTP; paging, time ranges and bad queries; and the
//! indexes rebuilt from the blocks giving the same answers.

use std::time::Duration;

use yinzheng_consortium::cluster::Client;
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_node::app::now_ms;
use yinzheng_node::proto::audit_request::Query;
use yinzheng_node::proto::subject_ref::By;
use yinzheng_node::proto::{AuditRequest, AuditResponse, BundleRequest, ExchangeQuery, SubjectRef};

use crate::common::{SERIAL, start, submit_wait};
use crate::http::get;

async fn ask(c: &mut Client, query: Query, limit: u32, token: Vec<u8>) -> AuditResponse {
    c.audit(AuditRequest {
        query: Some(query),
        limit,
        page_token: token,
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
}

fn exchanges(role: &str, org: &str) -> Query {
    Query::Exchanges(ExchangeQuery {
        role: role.into(),
        org: org.into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_lists_by_organisation_party_and_holder_survive_a_reindex() {
    let _serial = SERIAL.lock().await;
    let mut net = start(29500).await;
    let orgs: Vec<String> = yinzheng_genesis::consortium::departments()
        .into_iter()
        .map(|d| d.credit_code)
        .collect();
    let seal_key = SigningKey::generate(Suite::Sm).unwrap();
    let s = &net.samples;
    let register = s
        .register_seal("4403050000100", &seal_key, now_ms())
        .unwrap();
    let stamp = s
        .stamp("4403050000100", &seal_key, b"a notice", now_ms())
        .unwrap();
    let share = s
        .data_sharing("REQ-AUDIT-1", b"licence rows", now_ms())
        .unwrap();
    let commitment = match share[0].payload() {
        Some(Kind::ShareRequest(q)) => q.holder_commitment.clone(),
        _ => unreachable!(),
    };
    let mut top = 0;
    for r in [&register, &stamp] {
        top = submit_wait(&mut net.clients[0], r).await;
    }
    for r in &share {
        top = submit_wait(&mut net.clients[1], r).await;
    }
    yinzheng_consortium::cluster::wait_height(&mut net.clients, top, Duration::from_secs(30))
        .await
        .unwrap();
    let c = &mut net.clients[2];

    // Seals of their owner, in order: the registration, then the stamping.
    let seals = ask(c, Query::SealsOf(orgs[3].clone()), 0, Vec::new()).await;
    let ids: Vec<_> = seals.entries.iter().map(|e| e.record_id.clone()).collect();
    assert_eq!(ids, vec![register.id().0.to_vec(), stamp.id().0.to_vec()]);
    assert!(seals.next_page_token.is_empty());
    assert_eq!(seals.entries[1].record, stamp.bytes());

    // The exchange under each party, with its four steps; not under a role
    // the organisation does not play.
    for (role, org) in [
        ("requester", &orgs[2]),
        ("provider", &orgs[1]),
        ("approver", &orgs[0]),
    ] {
        let x = ask(c, exchanges(role, org), 0, Vec::new()).await;
        assert_eq!(x.entries.len(), 1, "{role}");
        let steps: Vec<_> = x.entries[0]
            .steps
            .iter()
            .map(|e| e.record_id.clone())
            .collect();
        let want: Vec<_> = share.iter().map(|r| r.id().0.to_vec()).collect();
        assert_eq!(steps, want, "{role}");
    }
    assert!(
        ask(c, exchanges("provider", &orgs[2]), 0, Vec::new())
            .await
            .entries
            .is_empty()
    );

    // The holder's history: the request naming their commitment.
    let mine = ask(c, Query::Holder(commitment.clone()), 0, Vec::new()).await;
    assert_eq!(mine.entries.len(), 1);
    assert_eq!(mine.entries[0].record_id, share[0].id().0.to_vec());
    assert_eq!(mine.entries[0].steps.len(), 4);

    // Paging: one at a time, then the end; a token for another list refused.
    let first = ask(c, Query::SealsOf(orgs[3].clone()), 1, Vec::new()).await;
    assert_eq!(first.entries.len(), 1);
    assert!(!first.next_page_token.is_empty());
    let second = ask(
        c,
        Query::SealsOf(orgs[3].clone()),
        1,
        first.next_page_token.clone(),
    )
    .await;
    assert_eq!(second.entries[0].record_id, stamp.id().0.to_vec());
    let foreign = c
        .audit(AuditRequest {
            query: Some(Query::SealsOf(orgs[0].clone())),
            page_token: first.next_page_token.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(foreign.code(), tonic::Code::InvalidArgument, "{foreign}");
    // A time range after everything: nothing.
    let later = c
        .audit(AuditRequest {
            query: Some(Query::SealsOf(orgs[3].clone())),
            from_ms: now_ms() + 3_600_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(later.entries.is_empty());
    // Bad queries: a clear refusal.
    for bad in [
        AuditRequest::default(),
        AuditRequest {
            query: Some(Query::Holder(vec![1; 31])),
            ..Default::default()
        },
        AuditRequest {
            query: Some(exchanges("reader", &orgs[0])),
            ..Default::default()
        },
        AuditRequest {
            query: Some(Query::SealsOf(String::new())),
            ..Default::default()
        },
        AuditRequest {
            query: Some(Query::SealsOf(orgs[3].clone())),
            from_ms: 10,
            to_ms: 5,
            ..Default::default()
        },
    ] {
        let e = c.audit(bad.clone()).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{bad:?}: {e}");
        assert!(e.message().starts_with("MALFORMED"), "{e}");
    }

    // The same over HTTP, as JSON with each entry's bundle path.
    let http = net.cluster.net.nodes[2].grpc_port + 100;
    let (head, body) = get(
        http,
        &format!("/v1/audit/exchanges?role=requester&org={}", orgs[2]),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    let e = &j["entries"][0];
    assert_eq!(e["kind"], "share_request");
    assert_eq!(e["fields"]["request_id"], "REQ-AUDIT-1");
    assert_eq!(
        e["bundle"],
        format!("/v1/bundle/record/{}", share[0].id().to_hex())
    );
    assert_eq!(e["steps"].as_array().unwrap().len(), 4);
    assert!(j["next_page"].is_null());
    let (_, body) = get(
        http,
        &format!("/v1/audit/holder?commitment={}", hex::encode(&commitment)),
    )
    .await;
    assert!(body.contains("REQ-AUDIT-1"), "{body}");
    for bad in [
        "/v1/audit/nothing?org=x".to_owned(),
        format!("/v1/audit/seals?org={}&colour=red", orgs[3]),
        "/v1/audit/holder?commitment=abc".to_owned(),
        format!("/v1/audit/seals?org={}&from=yesterday", orgs[3]),
        format!("/v1/audit/seals?org={}&page=zz", orgs[3]),
    ] {
        let (head, body) = get(http, &bad).await;
        assert!(head.starts_with("HTTP/1.1 400"), "{bad}: {head}");
        assert!(body.contains("\"code\":\"MALFORMED\""), "{bad}: {body}");
    }

    // Rebuilt from the blocks (node stopped), the indexes answer the same,
    // and the records trees give the same bundles.
    let before = ask(c, exchanges("approver", &orgs[0]), 0, Vec::new()).await;
    let compact = |id: yinzheng_crypto::Digest| BundleRequest {
        subject: Some(SubjectRef {
            by: Some(By::RecordId(id.0.to_vec())),
        }),
        compact: true,
    };
    let mut bundles_before = Vec::new();
    for r in [&register, &stamp, &share[0], &share[3]] {
        let b = c.get_bundle(compact(r.id())).await.unwrap().into_inner();
        bundles_before.push(b.bundle);
    }
    net.cluster.stop(2);
    let config = net.cluster.net.nodes[2].dir.join("config.toml");
    let out = std::process::Command::new(crate::common::exe())
        .args(["reindex", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("audit indexes rebuilt"), "{said}");
    net.cluster.start(2).unwrap();
    net.reconnect(2).await;
    let after = ask(
        &mut net.clients[2],
        exchanges("approver", &orgs[0]),
        0,
        Vec::new(),
    )
    .await;
    assert_eq!(before, after);
    let c = &mut net.clients[2];
    for (r, was) in [&register, &stamp, &share[0], &share[3]]
        .into_iter()
        .zip(bundles_before)
    {
        let b = c.get_bundle(compact(r.id())).await.unwrap().into_inner();
        assert_eq!(b.bundle, was, "bundle of {} after the rebuild", r.id());
    }
}

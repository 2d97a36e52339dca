//! Talking to a node: fetch a proof bundle (then verify it locally — a node
//! is never trusted) and submit signed records. gRPC API:
//! `docs/spec/node-api.md`.

use std::time::Duration;

use crate::error::ClientError;

/// Generated gRPC client of the node API.
#[allow(missing_docs, clippy::all)]
pub mod api {
    tonic::include_proto!("yinzheng.node.v1");
}

use api::node_client::NodeClient;
use api::subject_ref::By;
use api::{BundleRequest, CertificateRef, SubjectRef, SubmitRequest};

/// What to fetch a bundle for.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A record, by id.
    Record(yinzheng_crypto::Digest),
    /// A certificate, by issuer, type code and number.
    Certificate {
        /// Issuer's credit code.
        issuer: String,
        /// Type code.
        type_code: String,
        /// Number.
        cert_no: String,
    },
    /// A seal, by id.
    Seal(String),
    /// An anchored national stamping, by SM3 of its `SES_Signature`.
    Stamping(yinzheng_crypto::Digest),
    /// A national-form certificate, by its 标识.
    Ecert(String),
    /// The `n`-th recorded use of a national-form certificate.
    EcertUse(String, u32),
    /// A registered certificate type.
    CertType(String),
}

fn subject_ref(subject: &Subject) -> SubjectRef {
    let by = match subject {
        Subject::Record(d) => By::RecordId(d.0.to_vec()),
        Subject::Certificate {
            issuer,
            type_code,
            cert_no,
        } => By::Certificate(CertificateRef {
            issuer: issuer.clone(),
            type_code: type_code.clone(),
            cert_no: cert_no.clone(),
        }),
        Subject::Seal(s) => By::SealId(s.clone()),
        Subject::Stamping(d) => By::Stamping(d.0.to_vec()),
        Subject::Ecert(id) => By::Ecert(id.clone()),
        Subject::EcertUse(id, n) => By::EcertUse(api::EcertUseRef {
            identifier: id.clone(),
            n: *n,
        }),
        Subject::CertType(t) => By::CertType(t.clone()),
    };
    SubjectRef { by: Some(by) }
}

/// A subject's current state entry, unproven (for what a client then checks
/// itself, such as a type's required elements): the value's bytes.
pub fn state(node: &str, subject: &Subject) -> Result<Vec<u8>, ClientError> {
    runtime()?.block_on(async {
        let mut c = connect(node).await?;
        let r = c
            .get_status(subject_ref(subject))
            .await
            .map_err(|s| status(node, s))?;
        Ok(r.into_inner().value)
    })
}

/// The outcome of a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Record id.
    pub record_id: Vec<u8>,
    /// Committed (when waited for).
    pub committed: bool,
    /// Height, when committed.
    pub height: u64,
}

fn runtime() -> Result<tokio::runtime::Runtime, ClientError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ClientError::Unavailable(format!("runtime: {e}")))
}

async fn connect(node: &str) -> Result<NodeClient<tonic::transport::Channel>, ClientError> {
    // `host:port` alone means plain HTTP/2 (how testnet nodes listen).
    let url = if node.contains("://") {
        node.to_owned()
    } else {
        format!("http://{node}")
    };
    let endpoint = tonic::transport::Endpoint::from_shared(url)
        .map_err(|e| ClientError::Usage(format!("--node {node:?} is not a URL: {e}")))?
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60));
    let ch = endpoint.connect().await.map_err(|e| {
        ClientError::Unavailable(format!(
            "{node} cannot be reached ({e}): is the node running, and is this its gRPC port? \
             (`grpc_listen` in its config; a testnet's first node listens on 127.0.0.1:50050)"
        ))
    })?;
    Ok(NodeClient::new(ch).max_decoding_message_size(64 * 1024 * 1024))
}

fn status(node: &str, s: tonic::Status) -> ClientError {
    let (node, message) = (node.to_owned(), s.message().to_owned());
    match s.code() {
        tonic::Code::NotFound => ClientError::NotFound { node, message },
        // Not an answer of the node's API: the transport failed, or the
        // port speaks something else (a node's HTTP port, another service).
        tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Unimplemented => {
            ClientError::Unavailable(format!(
                "{node}: {message}: is this the node's gRPC port? (its HTTP port serves only \
             /verify/ and /health)"
            ))
        }
        _ => ClientError::Node { node, message },
    }
}

/// One page of an audit list (unproven: each entry is then checked by its
/// bundle).
pub fn audit(node: &str, req: api::AuditRequest) -> Result<api::AuditResponse, ClientError> {
    runtime()?.block_on(async {
        let mut c = connect(node).await?;
        let r = c.audit(req).await.map_err(|s| status(node, s))?;
        Ok(r.into_inner())
    })
}

/// Fetch the bundle bytes for `subject` from `node` (not yet verified).
pub fn fetch(node: &str, subject: &Subject, compact: bool) -> Result<Vec<u8>, ClientError> {
    runtime()?.block_on(async {
        let mut c = connect(node).await?;
        let r = c
            .get_bundle(BundleRequest {
                subject: Some(subject_ref(subject)),
                compact,
            })
            .await
            .map_err(|s| status(node, s))?;
        Ok(r.into_inner().bundle)
    })
}

/// Fetch a bundle and verify it against the trusted genesis before handing
/// it out: a bundle that does not verify is an error (the node lied or holds
/// another chain), never a file.
pub fn fetch_verified(
    node: &str,
    subject: &Subject,
    compact: bool,
    verifier: &yinzheng_ledger::BundleVerifier,
) -> Result<(Vec<u8>, yinzheng_ledger::Verdict), ClientError> {
    let bytes = fetch(node, subject, compact)?;
    let verdict = verifier.verify_bytes(&bytes, None);
    if verdict.status == yinzheng_ledger::VerdictStatus::Invalid {
        let why = verdict
            .error
            .as_ref()
            .map_or_else(String::new, |e| format!("{}: {}", e.code, e.message));
        return Err(ClientError::Node {
            node: node.to_owned(),
            message: format!(
                "INVALID_BUNDLE: the node served a bundle that does not verify ({why})"
            ),
        });
    }
    Ok((bytes, verdict))
}

/// Submit signed envelope bytes; with `wait`, until committed.
pub fn submit(node: &str, envelope: &[u8], wait: bool) -> Result<Submitted, ClientError> {
    runtime()?.block_on(async {
        let mut c = connect(node).await?;
        let r = c
            .submit(SubmitRequest {
                record: envelope.to_vec(),
                wait,
            })
            .await
            .map_err(|s| status(node, s))?
            .into_inner();
        Ok(Submitted {
            record_id: r.record_id,
            committed: r.committed,
            height: r.height,
        })
    })
}

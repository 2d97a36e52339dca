//! The gRPC API (`proto/yinzheng/node/v1/node.proto`). Every error is a gRPC
//! status whose message starts with a stable reason code: the ledger's
//! rejection codes for records, and BUSY, NOT_FOUND, TIMEOUT, INTERNAL.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status};
use yinzheng_crypto::Digest;
use yinzheng_ledger::{BundleError, BundleForm, RejectCode, Rejection};

use crate::app::{Event, Shared, now_ms};
use crate::limits::STREAMS_PER_CLIENT;
use crate::mempool::{AdmitError, Checked, Mempool};
use crate::proto::node_server::{Node, NodeServer};
use crate::proto::{
    AuditRequest, AuditResponse, BlockRequest, BlockResponse, BundleRequest, BundleResponse,
    InfoRequest, InfoResponse, RecordRef, RecordResponse, RelayRequest, RelayResponse,
    StatusResponse, StreamBlocksRequest, SubjectRef, SubmitRequest, SubmitResponse,
};
use crate::subjects::{SubjectError, key_of, record_of};

/// How long `Submit` with `wait` waits for the commit.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// Largest request the API reads.
pub const MAX_REQUEST: usize = 4 * 1024 * 1024;

/// The gRPC status for a refused record.
pub fn rejection_status(r: &Rejection) -> Status {
    let code = match r.code {
        RejectCode::Duplicate | RejectCode::AlreadyExists => Code::AlreadyExists,
        RejectCode::Unauthorised
        | RejectCode::UnknownKey
        | RejectCode::KeyRevoked
        | RejectCode::KeyNotValid => Code::PermissionDenied,
        RejectCode::NotFound
        | RejectCode::NotActive
        | RejectCode::OutOfOrder
        | RejectCode::OutsideValidity
        | RejectCode::Expired
        | RejectCode::FromTheFuture => Code::FailedPrecondition,
        _ => Code::InvalidArgument,
    };
    Status::new(code, format!("{}: {}", r.code.as_str(), r.message))
}

/// The gRPC status of a subject that cannot be resolved.
fn subject_status(e: SubjectError) -> Status {
    match e {
        SubjectError::Malformed(m) => Status::invalid_argument(format!("MALFORMED: {m}")),
        SubjectError::NotFound(m) => not_found(m),
        SubjectError::Internal(m) => internal(m),
    }
}

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(format!("INTERNAL: {e}"))
}

fn not_found(what: impl std::fmt::Display) -> Status {
    Status::not_found(format!("NOT_FOUND: {what}"))
}

fn digest(b: &[u8], what: &str) -> Result<Digest, Status> {
    Digest::from_slice(b).ok_or_else(|| {
        Status::invalid_argument(format!(
            "MALFORMED: {what} must be 32 bytes, got {}",
            b.len()
        ))
    })
}

/// The API service.
pub struct Api {
    shared: Arc<Shared>,
    /// The group writes of client submissions.
    stored: crate::admission::Writer,
}

impl Api {
    fn subject_record(&self, subject: Option<SubjectRef>) -> Result<Digest, Status> {
        let by = subject
            .and_then(|s| s.by)
            .ok_or_else(|| Status::invalid_argument("MALFORMED: no subject given"))?;
        record_of(&self.shared.chain, by).map_err(subject_status)
    }

    fn block_response(&self, height: u64) -> Result<BlockResponse, Status> {
        let chain = &self.shared.chain;
        let b = chain
            .block(height)
            .map_err(internal)?
            .ok_or_else(|| not_found(format!("block {height}")))?;
        let mut record_ids = Vec::new();
        for (i, r) in chain
            .block_records(&b)
            .map_err(internal)?
            .iter()
            .enumerate()
        {
            let id = yinzheng_ledger::record_id(chain.params().suite, r).ok_or_else(|| {
                internal(format!(
                    "record {} undecodable",
                    b.first_log_index + i as u64
                ))
            })?;
            record_ids.push(id.0.to_vec());
        }
        Ok(BlockResponse {
            header: b.header,
            state: b.state,
            certificate: b.certificate,
            record_ids,
        })
    }

    async fn wait_commit(
        &self,
        id: Digest,
        mut rx: tokio::sync::broadcast::Receiver<Event>,
    ) -> Result<SubmitResponse, Status> {
        let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
        loop {
            // A commit may have happened before we subscribed.
            if let Some(rs) = self.shared.chain.record_state(&id).map_err(internal)? {
                return Ok(SubmitResponse {
                    record_id: id.0.to_vec(),
                    committed: true,
                    height: rs.height,
                    log_index: rs.log_index,
                });
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) => {
                    return Err(Status::deadline_exceeded(format!(
                        "TIMEOUT: record {id} not committed within {} s; it stays in the mempool",
                        WAIT_LIMIT.as_secs()
                    )));
                }
                Ok(Ok(Event::Refused(rid, rej))) if rid == id => {
                    return Err(rejection_status(&rej));
                }
                Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
                Ok(Err(RecvError::Closed)) => return Err(internal("node is stopping")),
            }
        }
    }
}

type BlockStream = Pin<Box<dyn Stream<Item = Result<BlockResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Node for Api {
    async fn submit(
        &self,
        request: Request<SubmitRequest>,
    ) -> Result<Response<SubmitResponse>, Status> {
        if self.shared.observer {
            return Err(observer_refuses());
        }
        let req = request.into_inner();
        let refused = |e: AdmitError| {
            self.shared.metrics.refuse("admission", e.reason());
            admit_status(&e)
        };
        // Subscribed before admission: the commit cannot be missed.
        let rx = self.shared.events.subscribe();
        // The checks on the admission threads (below consensus in
        // priority), then the synced write on the mempool writer's
        // thread, one write for every record waiting then (group commit):
        // both off the async threads.
        let chain = self.shared.clone();
        let checked = crate::admission::checked(move || {
            Mempool::check_bytes(&chain.chain, &req.record, now_ms(), |id| {
                chain.pool().room_for(id)
            })
        })
        .await
        .ok_or_else(|| internal("admission stopped"))?
        .map_err(refused)?;
        let (id, bytes) = (checked.record.id(), checked.record.bytes().to_vec());
        self.stored.admit(checked).await.map_err(refused)?;
        if let Some(relay) = &self.shared.relay {
            // Best effort: a full relay queue only delays the record to this
            // node's own turn as proposer.
            let _ = relay.try_send(bytes);
        }
        if !req.wait {
            return Ok(Response::new(SubmitResponse {
                record_id: id.0.to_vec(),
                ..Default::default()
            }));
        }
        Ok(Response::new(self.wait_commit(id, rx).await?))
    }

    async fn get_record(
        &self,
        request: Request<RecordRef>,
    ) -> Result<Response<RecordResponse>, Status> {
        let id = digest(&request.into_inner().record_id, "record id")?;
        let chain = &self.shared.chain;
        let rs = chain
            .record_state(&id)
            .map_err(internal)?
            .ok_or_else(|| not_found(format!("record {id}")))?;
        let record = chain
            .record_at(rs.log_index)
            .map_err(internal)?
            .ok_or_else(|| internal(format!("record {id} missing from the log")))?;
        Ok(Response::new(RecordResponse {
            record,
            height: rs.height,
            log_index: rs.log_index,
        }))
    }

    async fn get_block(
        &self,
        request: Request<BlockRequest>,
    ) -> Result<Response<BlockResponse>, Status> {
        let mut h = request.into_inner().height;
        if h == 0 {
            h = self.shared.chain.height();
        }
        Ok(Response::new(self.block_response(h)?))
    }

    async fn get_bundle(
        &self,
        request: Request<BundleRequest>,
    ) -> Result<Response<BundleResponse>, Status> {
        let started = std::time::Instant::now();
        let req = request.into_inner();
        let id = self.subject_record(req.subject)?;
        let shared = self.shared.clone();
        let bundle = crate::pools::read_job(move || {
            let form = if req.compact {
                BundleForm::Compact
            } else {
                BundleForm::Full
            };
            shared.chain.bundle_bytes(&id, form)
        })
        .await
        .ok_or_else(|| internal("read stopped"))?
        .map_err(|e| match e {
            BundleError::NotFound(id) => not_found(format!("record {id} is not committed")),
            BundleError::Ledger(e) => internal(e),
        });
        let outcome = match &bundle {
            Ok(_) => "ok",
            Err(s) if s.code() == tonic::Code::NotFound => "not_found",
            Err(_) => "error",
        };
        self.shared.metrics.bundle("grpc", outcome, started);
        let bundle = bundle?;
        Ok(Response::new(BundleResponse {
            bundle,
            record_id: id.0.to_vec(),
        }))
    }

    async fn get_status(
        &self,
        request: Request<SubjectRef>,
    ) -> Result<Response<StatusResponse>, Status> {
        let subject = request.into_inner();
        let chain = &self.shared.chain;
        let height = chain.height();
        let key = match subject.by.clone() {
            Some(by) => key_of(by).map_err(subject_status)?,
            None => return Err(Status::invalid_argument("MALFORMED: no subject given")),
        };
        let value = chain
            .state(&key)
            .map_err(internal)?
            .ok_or_else(|| not_found(format!("{key:?}")))?;
        let record_id = self.subject_record(Some(subject))?;
        Ok(Response::new(StatusResponse {
            value,
            record_id: record_id.0.to_vec(),
            height,
        }))
    }

    type StreamBlocksStream = BlockStream;

    async fn stream_blocks(
        &self,
        request: Request<StreamBlocksRequest>,
    ) -> Result<Response<BlockStream>, Status> {
        let permit = self
            .shared
            .streams
            .acquire(request.remote_addr().map(|a| a.ip()))
            .ok_or_else(|| {
                Status::resource_exhausted(format!(
                    "BUSY: at most {STREAMS_PER_CLIENT} block streams per client"
                ))
            })?;
        let mut next = request.into_inner().from_height.max(1);
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let api = Api {
            shared: self.shared.clone(),
            stored: self.stored.clone(),
        };
        let mut events = self.shared.events.subscribe();
        tokio::spawn(async move {
            // Held while the stream is open.
            let _permit = permit;
            loop {
                while next <= api.shared.chain.height() {
                    let item = api.block_response(next);
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        return;
                    }
                    next += 1;
                }
                // Ends (and frees its place) as soon as the client goes away.
                tokio::select! {
                    r = events.recv() => match r {
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return,
                    },
                    () = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn relay(
        &self,
        request: Request<RelayRequest>,
    ) -> Result<Response<RelayResponse>, Status> {
        if self.shared.observer {
            return Err(observer_refuses());
        }
        let req = request.into_inner();
        let shared = self.shared.clone();
        let checked = crate::admission::checked(move || {
            use rayon::prelude::*;
            let now = now_ms();
            let chain = &shared.chain;
            let next = chain.height() + 1;
            let members = chain.head().trusted_at(next).clone();
            let suite = chain.params().suite;
            crate::relay::authenticate(
                suite,
                &chain.params().chain_id,
                &members,
                now,
                shared.max_skew_ms,
                &req,
            )
            .map_err(|e| Status::permission_denied(format!("UNAUTHORISED: {e}")))?;
            Ok::<_, Status>(
                req.records
                    .par_iter()
                    .filter_map(|b| {
                        Mempool::check_bytes(chain, b, now, |id| shared.pool().room_for(id)).ok()
                    })
                    .collect::<Vec<Checked>>(),
            )
        })
        .await
        .ok_or_else(|| internal("admission stopped"))??;
        let shared = self.shared.clone();
        let admitted = tokio::task::spawn_blocking(move || {
            crate::admission::admit(&shared, checked, false)
                .iter()
                .filter(|a| a.is_ok())
                .count()
        })
        .await
        .map_err(internal)?;
        Ok(Response::new(RelayResponse {
            admitted: u32::try_from(admitted).unwrap_or(u32::MAX),
        }))
    }

    async fn audit(
        &self,
        request: Request<AuditRequest>,
    ) -> Result<Response<AuditResponse>, Status> {
        use crate::audit::{AuditError, query, wire};
        let audit_status = |e: AuditError| match e {
            AuditError::Malformed(_) => Status::invalid_argument(e.to_string()),
            AuditError::Storage(m) => internal(m),
        };
        let (q, w) = wire::from_request(&request.into_inner()).map_err(audit_status)?;
        let shared = self.shared.clone();
        let page = crate::pools::read_job(move || query(&shared.chain, &q, &w))
            .await
            .ok_or_else(|| internal("read stopped"))?
            .map_err(audit_status)?;
        Ok(Response::new(wire::to_response(page)))
    }

    async fn get_info(
        &self,
        _request: Request<InfoRequest>,
    ) -> Result<Response<InfoResponse>, Status> {
        let s = &self.shared;
        Ok(Response::new(InfoResponse {
            chain_id: s.chain.params().chain_id.clone(),
            moniker: s.moniker.clone(),
            height: s.chain.height(),
            genesis_hash: s.chain.genesis_hash().0.to_vec(),
            mempool_size: u32::try_from(s.pool().len()).unwrap_or(u32::MAX),
            consensus_public_key: s.consensus_public_key.clone(),
        }))
    }
}

/// An observer never proposes: a record left with it would wait forever.
fn observer_refuses() -> Status {
    Status::failed_precondition(
        "OBSERVER: this node is an observer (it never proposes); submit to a member's node",
    )
}

fn admit_status(e: &AdmitError) -> Status {
    match e {
        AdmitError::Rejected(r) => rejection_status(r),
        AdmitError::Busy(_) => Status::resource_exhausted(format!("BUSY: {e}")),
        AdmitError::Internal(m) => internal(m),
    }
}

/// Serve the API on `addr` until the process stops.
pub async fn serve(shared: Arc<Shared>, addr: SocketAddr) -> eyre::Result<()> {
    let stored = crate::admission::Writer::start(shared.clone())?;
    let svc = NodeServer::new(Api { shared, stored })
        .max_decoding_message_size(MAX_REQUEST)
        .max_encoding_message_size(64 * 1024 * 1024);
    tonic::transport::Server::builder()
        .add_service(svc)
        .serve(addr)
        .await?;
    Ok(())
}

//! The Yinzheng validator node: consensus (Malachite with SM2 votes), the
//! mempool, execution through `yinzheng-ledger`, RocksDB storage, and the
//! gRPC API. `docs/architecture.md` describes how the parts fit.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod admission;
pub mod app;
pub mod audit;
pub mod chain;
pub mod config;
pub mod consensus;
pub mod cpu;
pub mod grpc;
pub mod http;
pub mod http_api;
pub mod init;
pub mod limits;
pub mod membership;
pub mod mempool;
pub mod metrics;
pub mod parts;
pub mod pools;
pub mod proto;
pub mod relay;
pub mod run;
pub mod store;
pub mod subjects;
pub mod testnet;

pub use yinzheng_genesis as genesis;

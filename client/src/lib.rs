//! The Yinzheng verification client: offline verification of proof bundles,
//! QR codes, and the counter's batch mode. The `yinzheng` command is glue over
//! this library; every verdict comes from `yinzheng_ledger::BundleVerifier`,
//! the same code validators run.
//!
//! ```
//! use yinzheng_client::{check, render};
//! use std::path::Path;
//!
//! let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors"));
//! let genesis = check::load_genesis(&dir.join("genesis.json"))?;
//! let verifier = yinzheng_ledger::BundleVerifier::new(&genesis).expect("checked genesis");
//! let bundle = check::read(&dir.join("valid-compact.bundle"))?;
//! let file = check::read(&dir.join("certificate-NO-1.txt"))?;
//! let report = check::verify(&verifier, &bundle, Some(&file), check::now_ms(), u64::MAX);
//! assert_eq!(report.exit_code, 0);
//! println!("{}", render::render(&report, &genesis, render::Lang::En));
//! # Ok::<(), yinzheng_client::ClientError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
mod error;
mod exit;
pub mod qr;
pub mod remote;
pub mod render;

pub use error::ClientError;
pub use exit::Exit;

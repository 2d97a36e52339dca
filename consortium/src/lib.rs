//! A local Yinzheng consortium of real `yinzheng-node` processes: the demo
//! a newcomer starts (`./demo`), the load generator the consortium
//! benchmark drives (`benches/`), and the cluster the node's process-level
//! tests start, kill and restart. Nothing here is part of a node.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod catchup;
pub mod cluster;
pub mod demo;
pub mod demo_ecert;
pub mod demo_page;
pub mod demo_seal;
pub mod load;
pub mod reads;
pub mod scrape;

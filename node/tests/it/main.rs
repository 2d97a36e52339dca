//! Node tests with real processes, real RocksDB and real networking, named
//! by fault model. Clusters run one at a time (a lock), each on its own ports.

mod audit;
mod byzantine;
mod client_remote;
mod common;
mod differential;
mod faults;
mod governance;
mod http;
mod init;
mod membership;
mod mempool;
mod netfaults;
mod observer;
mod operations;
mod rejects;

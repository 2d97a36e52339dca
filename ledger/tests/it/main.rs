//! Integration tests of `yinzheng-ledger`.

mod log;
mod status_map;

//! Integration tests of `yinzheng-ledger`.

// Test data indexes small vectors with values known to fit.
#![allow(clippy::cast_possible_truncation)]

mod apply_rules;
mod attacks;
mod bundles;
mod digits;
mod ecert_fixture;
mod ecerts;
mod fixture;
mod log;
mod national_seals;
mod peers;
mod records;
mod replays;
mod status_map;
mod trust;
mod vectors;

//! OFD packages: any bytes (damaged ZIPs, bombs, traversal names, missing
//! files, hostile XML) give a report or an error, never a panic or
//! unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_seal::{TrustAnchors, verify_ofd};

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = verify_ofd(data, &TrustAnchors::none()) {
        let _ = report.all_seals_genuine();
        for s in &report.signatures {
            let _ = (s.genuine(), s.changed_files());
        }
    }
});

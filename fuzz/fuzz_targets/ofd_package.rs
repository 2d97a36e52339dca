//! OFD packages: any bytes (damaged ZIPs, bombs, traversal names, missing
//! files, hostile XML) give a report or an error, never a panic or
//! unbounded memory; an e-certificate's metadata and identifier read from
//! them likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_ledger::ecert::{Metadata, parse_ecert_id};
use yinzheng_seal::ofd::document_custom_datas;
use yinzheng_seal::{TrustAnchors, verify_ofd};

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = verify_ofd(data, &TrustAnchors::none()) {
        let _ = report.all_seals_genuine();
        for s in &report.signatures {
            let _ = (s.genuine(), s.changed_files());
        }
    }
    if let Ok(entries) = document_custom_datas(data)
        && let Ok(m) = Metadata::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    {
        let _ = (
            m.digest(),
            m.holders(),
            m.salts(),
            m.validity(),
            m.issued_date(),
        );
        if let Some(id) = m.get("certificateIdentifier")
            && let Ok(p) = parse_ecert_id(id)
        {
            let _ = p.check_kind();
        }
    }
});

//! The node's gRPC request bodies, as a stranger can send them: decoding
//! never panics, and every record inside goes through the same stateless
//! checks the node makes before it looks at state (`Record::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use yinzheng_client::remote::api::{
    BlockRequest, BundleRequest, RecordRef, RelayRequest, StreamBlocksRequest, SubjectRef,
    SubmitRequest,
};
use yinzheng_ledger::crypto::Suite;
use yinzheng_ledger::{ChainParams, Record};

fuzz_target!(|data: &[u8]| {
    let params = ChainParams::new("yz-test", Suite::Sm);
    if let Ok(s) = SubmitRequest::decode(data) {
        if let Ok(u) = Record::parse(&params, &s.record) {
            // The id read without checks agrees with the checked one.
            assert_eq!(yinzheng_ledger::record_id(params.suite, &s.record), Some(u.id()));
        }
    }
    if let Ok(r) = RelayRequest::decode(data) {
        for b in r.records.iter().take(64) {
            let _ = Record::parse(&params, b);
        }
    }
    let _ = BundleRequest::decode(data);
    let _ = SubjectRef::decode(data);
    let _ = RecordRef::decode(data);
    let _ = BlockRequest::decode(data);
    let _ = StreamBlocksRequest::decode(data);
});

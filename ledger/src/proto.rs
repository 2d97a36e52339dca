//! Messages generated from `proto/yinzheng/v1/*.proto` (prost).
#![allow(missing_docs)] // generated code; the .proto files carry the documentation
#![allow(clippy::all)] // generated code

include!(concat!(env!("OUT_DIR"), "/yinzheng.v1.rs"));

//! Messages and the gRPC service generated from `proto/yinzheng/node/v1/node.proto`.
#![allow(missing_docs)] // generated code; the .proto file carries the documentation
#![allow(clippy::all)] // generated code

tonic::include_proto!("yinzheng.node.v1");

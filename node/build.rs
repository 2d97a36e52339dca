//! Compiles the node's protobuf API with protox (no system `protoc`); the
//! ledger's messages are used from `yinzheng-ledger`, not regenerated.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = "proto/yinzheng/node/v1/node.proto";
    println!("cargo:rerun-if-changed={file}");
    let fds = protox::compile([file], ["proto", "../ledger/proto"])?;
    tonic_prost_build::configure()
        .extern_path(".yinzheng.v1", "::yinzheng_ledger::proto")
        .compile_fds(fds)?;
    Ok(())
}

//! Compiles the node's gRPC API (client side only) with protox: no system
//! `protoc`. The ledger's messages come from `yinzheng-ledger`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = "../node/proto/yinzheng/node/v1/node.proto";
    println!("cargo:rerun-if-changed={file}");
    let fds = protox::compile([file], ["../node/proto", "../ledger/proto"])?;
    tonic_prost_build::configure()
        .build_server(false)
        .extern_path(".yinzheng.v1", "::yinzheng_ledger::proto")
        .compile_fds(fds)?;
    Ok(())
}

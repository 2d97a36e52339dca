//! `yinzheng-consortium`: run the local demo consortium, or measure a fresh
//! local consortium under load. Both start real `yinzheng-node` processes
//! (the binary beside this one).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use yinzheng_consortium::{demo, load};

#[derive(Parser)]
#[command(
    name = "yinzheng-consortium",
    version,
    about = "印证 local consortium: demo and load"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start the 4-validator demo consortium, submit samples, write bundles.
    Demo {
        /// Where the consortium lives (reused if it exists).
        #[arg(long, default_value = "yinzheng-demo")]
        dir: PathBuf,
        /// Exit after writing the samples instead of running until Ctrl-C.
        #[arg(long)]
        exit_after_samples: bool,
        /// First libp2p port.
        #[arg(long, default_value_t = 26650)]
        p2p_port: u16,
        /// First gRPC port.
        #[arg(long, default_value_t = 50050)]
        grpc_port: u16,
    },
    /// Measure a fresh local 4-validator consortium under load.
    Load(load::LoadOptions),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.cmd {
            Cmd::Demo {
                dir,
                exit_after_samples,
                p2p_port,
                grpc_port,
            } => {
                demo::run(demo::DemoOptions {
                    dir,
                    exit_after_samples,
                    p2p_port,
                    grpc_port,
                })
                .await
            }
            Cmd::Load(o) => load::run(o).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

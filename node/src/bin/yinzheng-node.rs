//! `yinzheng-node`: run a validator, or create a local testnet's keys,
//! genesis and configurations. (The demo consortium and the load generator
//! are `yinzheng-consortium`.)

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use yinzheng_genesis::testnet::TestnetOptions;
use yinzheng_node::{app::now_ms, config::NodeConfig, run, testnet};

#[derive(Parser)]
#[command(name = "yinzheng-node", version, about = "印证 validator node")]
struct Cli {
    /// Log lines as text for people, or as one JSON object per line for a
    /// log collector (the journal, Loki, Elasticsearch).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a validator from its configuration file.
    Run {
        /// The node's config.toml.
        #[arg(long)]
        config: PathBuf,
    },
    /// Rebuild the audit indexes from the stored blocks (the node must be
    /// stopped: the database is opened here).
    Reindex {
        /// The node's config.toml.
        #[arg(long)]
        config: PathBuf,
    },
    /// Write a node's config.toml from the genesis and its key files, after
    /// checking them (the API on loopback and no HTTP unless told otherwise).
    Init(Box<InitArgs>),
    /// Create a local testnet: keys, genesis.json and one config per validator.
    Testnet {
        /// Directory to create it in.
        #[arg(long)]
        dir: PathBuf,
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Chain id.
        #[arg(long, default_value = "yinzheng-local")]
        chain_id: String,
        /// First libp2p port.
        #[arg(long, default_value_t = 26650)]
        p2p_port: u16,
        /// First gRPC port.
        #[arg(long, default_value_t = 50050)]
        grpc_port: u16,
    },
}

/// The arguments of `init`.
#[derive(clap::Args)]
struct InitArgs {
    /// Directory for config.toml (and the database and the WAL unless
    /// --data-dir is given).
    #[arg(long)]
    dir: PathBuf,
    /// Directory for the database and the WAL (e.g. /var/lib/yinzheng).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The consortium's genesis file.
    #[arg(long)]
    genesis: PathBuf,
    /// The SM2 consensus key; leave out for an observer.
    #[arg(long)]
    consensus_key: Option<PathBuf>,
    /// The Ed25519 network key (`yinzheng keygen --suite intl`).
    #[arg(long)]
    p2p_key: PathBuf,
    /// Name in logs.
    #[arg(long, default_value = "node")]
    moniker: String,
    /// libp2p listen address.
    #[arg(long, default_value = "/ip4/0.0.0.0/tcp/26650")]
    p2p_listen: String,
    /// gRPC listen address.
    #[arg(long, default_value = "127.0.0.1:50050")]
    grpc_listen: String,
    /// HTTP listen address (page, /v1, /health, /metrics); none: no HTTP.
    #[arg(long)]
    http_listen: Option<String>,
    /// A peer, `/ip4/…/tcp/…/p2p/<peer id>` (repeat for each).
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// Another member's gRPC URL to relay admitted records to (repeat).
    #[arg(long = "relay")]
    relay: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,arc_malachitebft=warn,malachitebft=warn,libp2p=warn")
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
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
            Cmd::Run { config } => {
                let c = NodeConfig::load(&config)?;
                tokio::select! {
                    r = run::run(c) => r,
                    _ = shutdown_signal() => {
                        tracing::info!("stopping on signal");
                        Ok(())
                    }
                }
            }
            Cmd::Reindex { config } => {
                let c = NodeConfig::load(&config)?;
                let genesis = run::load_genesis(&c.genesis)?;
                let chain = yinzheng_node::chain::Chain::open(&c.db, &genesis)
                    .map_err(|e| eyre::eyre!("database: {e}"))?;
                let n = chain.reindex().map_err(|e| eyre::eyre!("reindex: {e}"))?;
                println!(
                    "audit indexes rebuilt: {n} entries over {} blocks",
                    chain.height()
                );
                Ok(())
            }
            Cmd::Init(a) => {
                let a = *a;
                let done = yinzheng_node::init::init(&yinzheng_node::init::InitOptions {
                    dir: a.dir,
                    data_dir: a.data_dir,
                    moniker: a.moniker,
                    genesis: a.genesis,
                    consensus_key: a.consensus_key,
                    p2p_key: a.p2p_key,
                    p2p_listen: a.p2p_listen,
                    grpc_listen: a.grpc_listen,
                    http_listen: a.http_listen,
                    peers: a.peers,
                    relay: a.relay,
                })?;
                for w in &done.warnings {
                    eprintln!("warning: {w}");
                }
                println!(
                    "{} written ({}); peer id {}",
                    done.config.display(),
                    if done.observer {
                        "observer"
                    } else {
                        "validator"
                    },
                    done.peer_id
                );
                println!(
                    "start it: yinzheng-node run --config {}",
                    done.config.display()
                );
                Ok(())
            }
            Cmd::Testnet {
                dir,
                validators,
                chain_id,
                p2p_port,
                grpc_port,
            } => {
                let net = testnet::create(
                    &dir,
                    &TestnetOptions {
                        chain_id,
                        validators,
                        p2p_base_port: p2p_port,
                        grpc_base_port: grpc_port,
                        genesis_time_ms: now_ms(),
                    },
                )?;
                // The command as it can be pasted: this binary's own path.
                let me = std::env::current_exe()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| "yinzheng-node".into());
                for n in &net.nodes {
                    println!(
                        "{}: {me} run --config {}",
                        n.moniker,
                        n.dir.join("config.toml").display()
                    );
                }
                Ok(())
            }
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

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

//! The observer catch-up bench: on a database the read bench filled, one
//! member's node serves its blocks and an observer started from empty syncs
//! them (value sync), checking every commit certificate and executing every
//! block itself. Reports blocks and records per second.

use std::path::Path;
use std::time::{Duration, Instant};

use eyre::eyre;
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::write_key;
use yinzheng_genesis::testnet;
use yinzheng_node::config::NodeConfig;
use yinzheng_node::proto::{BlockRequest, InfoRequest};

use crate::cluster::{self, Client};
use crate::reads::ReadOptions;

async fn height(c: &mut Client) -> eyre::Result<u64> {
    Ok(c.get_info(InfoRequest {}).await?.into_inner().height)
}

async fn log_size(c: &mut Client, h: u64) -> eyre::Result<u64> {
    let b = c.get_block(BlockRequest { height: h }).await?.into_inner();
    Ok(b.state.map_or(0, |s| s.log_size))
}

/// Sync the member's chain (config at `member_config`) into a new observer
/// for at most `o.catch_up` seconds.
pub async fn run(member_config: &Path, o: &ReadOptions) -> eyre::Result<()> {
    let base = member_config
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| eyre!("{} has no testnet directory", member_config.display()))?;
    let dir = base.join("observer-catchup");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let p2p = SigningKey::generate(Suite::Intl).map_err(|e| eyre!("{e}"))?;
    write_key(&dir.join("p2p.pem"), &p2p)?;
    let (p2p_port, grpc_port) = (o.p2p_port + 10, o.grpc_port + 10);
    // The member accepts (and dials) the observer; it alone has no quorum,
    // so it commits nothing new: it only serves what it holds.
    let mut member = NodeConfig::load(member_config)?;
    member.peers = vec![format!(
        "/ip4/127.0.0.1/tcp/{p2p_port}/p2p/{}",
        testnet::peer_id(&p2p)?
    )];
    let member_path = member_config.with_file_name("config-catchup.toml");
    std::fs::write(&member_path, member.to_toml())?;
    let member_addr = format!(
        "{}/p2p/{}",
        member.p2p_listen,
        testnet::peer_id(&yinzheng_node::run::load_key(&member.p2p_key)?)?
    );
    let observer = NodeConfig {
        moniker: "observer".into(),
        genesis: member.genesis.clone(),
        consensus_key: None,
        p2p_key: dir.join("p2p.pem"),
        db: dir.join("db"),
        wal: dir.join("wal"),
        p2p_listen: format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
        peers: vec![member_addr],
        grpc_listen: format!("127.0.0.1:{grpc_port}"),
        relay: Vec::new(),
        http_listen: None,
        verify_page: None,
        ..member.clone()
    };
    std::fs::write(dir.join("config.toml"), observer.to_toml())?;

    let mut procs = vec![cluster::spawn(&member_path, &dir.join("member.log"))?];
    let outcome = async {
        let mut m = cluster::connect(
            &format!("http://{}", member.grpc_listen),
            Duration::from_secs(120),
        )
        .await?;
        let target = height(&mut m).await?;
        let records = log_size(&mut m, target).await?;
        println!("catch-up: the member holds {target} blocks, {records} records");
        procs.push(cluster::spawn(&dir.join("config.toml"), &dir.join("node.log"))?);
        let mut c = cluster::connect(
            &format!("http://127.0.0.1:{grpc_port}"),
            Duration::from_secs(60),
        )
        .await?;
        let started = Instant::now();
        let limit = Duration::from_secs(o.catch_up);
        let mut last_report = Instant::now();
        let mut h = 0;
        while h < target && started.elapsed() < limit {
            tokio::time::sleep(Duration::from_secs(2)).await;
            h = height(&mut c).await?;
            if last_report.elapsed() >= Duration::from_secs(60) {
                last_report = Instant::now();
                eprintln!(
                    "  {h} blocks in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let synced = log_size(&mut c, h).await?;
        println!(
            "catch-up: {h} of {target} blocks, {synced} records in {secs:.0} s: {:.1} blocks/s, {:.0} records/s{}",
            h as f64 / secs,
            synced as f64 / secs,
            if h < target { " (stopped at the time limit)" } else { "" }
        );
        Ok::<_, eyre::Report>(())
    }
    .await;
    for mut p in procs {
        let _ = p.kill();
        let _ = p.wait();
    }
    outcome
}

//! The local consortium demo: four validators on 127.0.0.1 (a province, two
//! cities, a district), sample certificates, a seal and a stamped document,
//! one data-sharing exchange, sample bundle files, then run until Ctrl-C.

use std::path::{Path, PathBuf};
use std::time::Duration;

use eyre::eyre;
use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_genesis::keyfiles::{read_key, write_key};
use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, Record};

use crate::cluster::{self, Client, Cluster};
use yinzheng_node::app::now_ms;
use yinzheng_node::proto::subject_ref::By;
use yinzheng_node::proto::{BundleRequest, CertificateRef, SubjectRef, SubmitRequest};

/// Demo options.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the testnet lives (reused when it exists).
    pub dir: PathBuf,
    /// Stop after the samples instead of running until Ctrl-C.
    pub exit_after_samples: bool,
    /// First libp2p port.
    pub p2p_port: u16,
    /// First gRPC port.
    pub grpc_port: u16,
}

/// Submit a record through node `i`, wait for its commit there and for every
/// node to reach that block; returns the height.
async fn commit(clients: &mut [Client], i: usize, record: &Record) -> eyre::Result<u64> {
    let (h, _) = submit_wait(&mut clients[i], record).await?;
    cluster::wait_height(clients, h, Duration::from_secs(30)).await?;
    Ok(h)
}

/// Submit a record and wait for its commit; returns (height, log index).
pub async fn submit_wait(client: &mut Client, record: &Record) -> eyre::Result<(u64, u64)> {
    let r = client
        .submit(SubmitRequest {
            record: record.bytes().to_vec(),
            wait: true,
        })
        .await
        .map_err(|s| eyre!("{}", s.message()))?
        .into_inner();
    Ok((r.height, r.log_index))
}

async fn fetch_bundle(client: &mut Client, by: By, compact: bool) -> eyre::Result<Vec<u8>> {
    Ok(client
        .get_bundle(BundleRequest {
            subject: Some(SubjectRef { by: Some(by) }),
            compact,
        })
        .await
        .map_err(|s| eyre!("{}", s.message()))?
        .into_inner()
        .bundle)
}

fn say(step: &str, what: impl std::fmt::Display) {
    println!("  {step:<28} {what}");
}

/// Run the demo.
pub async fn run(opts: DemoOptions) -> eyre::Result<()> {
    let exe = cluster::node_binary()?;
    let net = if opts.dir.join("genesis.json").exists() {
        println!(
            "印证 demo: reusing the consortium in {}",
            opts.dir.display()
        );
        reopen(&opts.dir)?
    } else {
        println!(
            "印证 demo: creating a 4-validator consortium in {}",
            opts.dir.display()
        );
        cluster::create(
            &opts.dir,
            &TestnetOptions {
                chain_id: "yinzheng-demo".into(),
                validators: 4,
                p2p_base_port: opts.p2p_port,
                grpc_base_port: opts.grpc_port,
                genesis_time_ms: now_ms(),
            },
        )?
    };
    let configs: Vec<_> = net
        .nodes
        .iter()
        .map(|n| n.dir.join("config.toml"))
        .collect();
    let page = crate::demo_page::prepare(&opts.dir, &configs)?;
    let mut cluster = Cluster::new(net, exe);
    cluster.start_all()?;
    for (i, n) in cluster.net.nodes.iter().enumerate() {
        say(
            &format!("validator {i}"),
            format!(
                "{} gRPC 127.0.0.1:{} (log {}/node.log)",
                n.moniker,
                n.grpc_port,
                n.dir.display()
            ),
        );
    }
    let mut clients = Vec::new();
    for i in 0..cluster.len() {
        clients.push(cluster.client(i, Duration::from_secs(60)).await?);
    }
    cluster::wait_height(&mut clients, 1, Duration::from_secs(60)).await?;
    println!("consensus is running; submitting sample records …");

    let genesis = cluster.net.genesis.clone();
    let keys = testnet::issuer_keys(&cluster.net.keys_dir).map_err(|e| eyre!("{e}"))?;
    let samples = Samples::new(&genesis, keys).map_err(|e| eyre!("{e}"))?;
    let out = opts.dir.join("samples");
    std::fs::create_dir_all(&out)?;
    let tag = now_ms() % 1_000_000;
    let t = now_ms;
    let e = |e: yinzheng_genesis::Error| eyre!("{e}");

    // Certificates issued by 深圳市市场监督管理局 (submitted to its node).
    let mut certs = Vec::new();
    for k in 1..=3 {
        let no = format!("4403052026{tag:06}{k}");
        let file = format!("营业执照 {no} 深圳示例科技有限公司 (demo)\n").into_bytes();
        let r = samples
            .certificate(&no, &file, &format!("holder-{k}"), t())
            .map_err(e)?;
        let h = commit(&mut clients, 1, &r).await?;
        say("certificate issued", format!("{no} at height {h}"));
        std::fs::write(out.join(format!("certificate-{k}.txt")), &file)?;
        certs.push(no);
    }
    let r = samples.revoke_certificate(&certs[1], t()).map_err(e)?;
    let h = commit(&mut clients, 1, &r).await?;
    say("certificate revoked", format!("{} at height {h}", certs[1]));

    // A seal of 南山区政务服务中心, registered by the province, and a stamp.
    let seal_id = format!("440305{tag:06}1");
    let seal_path = cluster.net.keys_dir.join(format!("seal-{seal_id}.pem"));
    let seal_key = SigningKey::generate(Suite::Sm).map_err(|e| eyre!("{e}"))?;
    write_key(&seal_path, &seal_key).map_err(e)?;
    let seal_key = read_key(&seal_path).map_err(e)?;
    let r = samples.register_seal(&seal_id, &seal_key, t()).map_err(e)?;
    let h = commit(&mut clients, 0, &r).await?;
    say("seal registered", format!("{seal_id} at height {h}"));
    let doc = "关于开展2026年度政务服务评估工作的通知 (demo document)\n".as_bytes();
    std::fs::write(out.join("stamped-document.txt"), doc)?;
    let stamp = samples.stamp(&seal_id, &seal_key, doc, t()).map_err(e)?;
    let h = commit(&mut clients, 3, &stamp).await?;
    say("document stamped", format!("at height {h}"));

    // A national-format (GB/T 38540) seal registered by the province, an OFD
    // e-licence sealed with it, and the stamping anchored by Nanshan.
    let nanshan = yinzheng_genesis::consortium::departments()[3]
        .credit_code
        .clone();
    let national =
        crate::demo_seal::make(&samples, &nanshan, &cluster.net.keys_dir, &out, tag, t())?;
    let h = commit(&mut clients, 0, &national.registration).await?;
    say(
        "national seal registered",
        format!("{} at height {h}", national.es_id),
    );
    let h = commit(&mut clients, 3, &national.anchoring).await?;
    say(
        "e-licence sealed, anchored",
        format!("licence.sealed.ofd at height {h}"),
    );

    // A national-form e-certificate: its type and grants, the sealed OFD
    // issued by Nanshan, the holder's authorisation, one use.
    let ecert = crate::demo_ecert::make(&samples, &cluster.net.keys_dir, &out, tag, t())?;
    for r in &ecert.setup {
        match commit(&mut clients, 0, r).await {
            Ok(_) => {}
            // A demo restarted on its directory registered these before.
            Err(err) if err.to_string().starts_with("ALREADY_EXISTS") => {}
            Err(err) => return Err(err),
        }
    }
    let h = commit(&mut clients, 3, &ecert.issue).await?;
    say(
        "e-certificate issued",
        format!("ecert.ofd at height {h}, 标识 {}", ecert.identifier),
    );
    let h = commit(&mut clients, 1, &ecert.authorisation).await?;
    say(
        "use authorised",
        format!("{} at height {h}", ecert.authorisation.id()),
    );
    let h = commit(&mut clients, 2, &ecert.use_record).await?;
    say("certificate used", format!("at height {h}"));

    // A data-sharing exchange, each step through a different node.
    let steps = samples
        .data_sharing(&format!("REQ-{tag:06}"), b"licence data (demo)", t())
        .map_err(e)?;
    for (i, (name, r)) in ["request", "approval", "delivery", "receipt"]
        .iter()
        .zip(&steps)
        .enumerate()
    {
        let h = commit(&mut clients, (i + 2) % 4, r).await?;
        say(&format!("data sharing: {name}"), format!("at height {h}"));
    }

    // Bundles, verified here against the genesis alone.
    let verifier = BundleVerifier::new(&genesis).map_err(|e| eyre!("{}", e.0))?;
    let cert = |n: &str| {
        By::Certificate(CertificateRef {
            issuer: yinzheng_genesis::consortium::departments()[1]
                .credit_code
                .clone(),
            type_code: yinzheng_genesis::consortium::CERT_TYPE.into(),
            cert_no: n.into(),
        })
    };
    let wanted = [
        (
            "certificate-1.bundle",
            cert(&certs[0]),
            false,
            Some("certificate-1.txt"),
        ),
        (
            "certificate-1.compact.bundle",
            cert(&certs[0]),
            true,
            Some("certificate-1.txt"),
        ),
        (
            "certificate-2-revoked.bundle",
            cert(&certs[1]),
            false,
            Some("certificate-2.txt"),
        ),
        (
            "stamp.bundle",
            By::RecordId(stamp.id().0.to_vec()),
            false,
            Some("stamped-document.txt"),
        ),
        (
            "national-seal.bundle",
            By::SealId(national.es_id.clone()),
            false,
            None,
        ),
        (
            "national-stamping.bundle",
            By::Stamping(national.stamping_sm3.0.to_vec()),
            false,
            None,
        ),
        (
            "ecert.bundle",
            By::Ecert(ecert.identifier.clone()),
            false,
            Some("ecert.ofd"),
        ),
    ];
    println!("proof bundles (verified offline against genesis.json):");
    for (name, by, compact, file) in wanted {
        let bytes = fetch_bundle(&mut clients[2], by, compact).await?;
        std::fs::write(out.join(name), &bytes)?;
        let f = file.map(|f| std::fs::read(out.join(f))).transpose()?;
        let v = verifier.verify_bytes(&bytes, f.as_deref());
        say(
            name,
            format!("{} bytes, verdict {:?}", bytes.len(), v.status),
        );
    }
    if page.is_some() {
        // The citizen's view: a QR on the certificate and on the stamped
        // document opens the page a validator serves; the page verifies the
        // bundle on the phone and asks the node for the status now.
        let http = cluster.net.nodes[0].grpc_port + 100;
        let compact = fetch_bundle(&mut clients[0], cert(&certs[0]), true).await?;
        crate::demo_page::show("the certificate (营业执照)", http, &compact)?;
        let compact =
            fetch_bundle(&mut clients[0], By::RecordId(stamp.id().0.to_vec()), true).await?;
        crate::demo_page::show("the stamped document", http, &compact)?;
    }
    print_next_steps(&opts.dir, opts.grpc_port, &certs[0], &ecert.identifier);
    if opts.exit_after_samples {
        return Ok(());
    }
    println!("\nThe consortium keeps running. Press Ctrl-C to stop it.");
    tokio::signal::ctrl_c().await?;
    println!("stopping the validators …");
    drop(cluster);
    Ok(())
}

fn reopen(dir: &Path) -> eyre::Result<yinzheng_genesis::testnet::Testnet> {
    let text = std::fs::read_to_string(dir.join("genesis.json"))?;
    let genesis = Genesis::from_json(&text).map_err(|e| eyre!("{}", e.0))?;
    let mut nodes = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("config.toml").exists())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let c = yinzheng_node::config::NodeConfig::load(&e.path().join("config.toml"))?;
        let port = |s: &str| -> u16 {
            s.rsplit(['/', ':'])
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(0)
        };
        let key = yinzheng_node::run::load_key(&c.p2p_key)?;
        nodes.push(yinzheng_genesis::testnet::TestnetNode {
            moniker: c.moniker.clone(),
            dir: e.path(),
            consensus_key: c.consensus_key.clone().unwrap_or_default(),
            p2p_key: c.p2p_key.clone(),
            peer_id: testnet::peer_id(&key).map_err(|e| eyre!("{e}"))?,
            p2p_port: port(&c.p2p_listen),
            grpc_port: port(&c.grpc_listen),
        });
    }
    Ok(yinzheng_genesis::testnet::Testnet {
        dir: dir.to_path_buf(),
        genesis_path: dir.join("genesis.json"),
        genesis,
        nodes,
        keys_dir: dir.join("keys"),
    })
}

fn print_next_steps(dir: &Path, port: u16, cert_no: &str, identifier: &str) {
    let d = dir.display();
    let cert_type = yinzheng_genesis::consortium::CERT_TYPE;
    let issuer = &yinzheng_genesis::consortium::departments()[1].credit_code;
    println!(
        "\nTry next (in another terminal):
  # verify a certificate offline, with the file it certifies
  target/debug/yinzheng verify {d}/samples/certificate-1.bundle \\
      --genesis {d}/genesis.json --file {d}/samples/certificate-1.txt
  # a revoked one, and a stamped document
  target/debug/yinzheng verify {d}/samples/certificate-2-revoked.bundle --genesis {d}/genesis.json
  target/debug/yinzheng verify {d}/samples/stamp.bundle --genesis {d}/genesis.json \\
      --file {d}/samples/stamped-document.txt
  # the sealed e-licence: every seal checked, then against the ledger
  target/debug/yinzheng verify {d}/samples/licence.sealed.ofd --node http://127.0.0.1:{port} \\
      --genesis {d}/genesis.json --anchor {d}/samples/seal-ca.der
  # the national-form e-certificate: identifier, metadata, seal and ledger in one verdict
  target/debug/yinzheng verify {d}/samples/ecert.ofd --node http://127.0.0.1:{port} \\
      --genesis {d}/genesis.json --anchor {d}/samples/seal-ca.der
  # its holder lists every use of it, each with its proof
  target/debug/yinzheng cert uses {identifier} --node http://127.0.0.1:{port} --genesis {d}/genesis.json
  # fetch a fresh bundle from any validator (verified before it is saved)
  target/debug/yinzheng fetch --node http://127.0.0.1:{port} --genesis {d}/genesis.json \\
      --cert {issuer}/{cert_type}/{cert_no} --out fresh.bundle
  # the compact bundle as a QR code for a phone
  target/debug/yinzheng qr encode --bundle {d}/samples/certificate-1.compact.bundle --genesis {d}/genesis.json --out cert.png
  # kill one validator (kill -9 its process): the other three keep committing"
    );
}

//! `yinzheng`: verify Yinzheng proof bundles offline, make and read QR codes,
//! check a counter's uploads in bulk. Glue over the `yinzheng_client` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use prost::Message as _;
use yinzheng_client::qr::{self, Payload};
use yinzheng_client::render::{self, Lang};
use yinzheng_client::{ClientError, Exit, batch, check, remote};
use yinzheng_crypto::{Digest, SigningKey, Suite};

#[derive(Parser)]
#[command(
    name = "yinzheng",
    version,
    about = "印证: verify e-certificates, e-seals and data-sharing records offline"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Subcommand)]
enum Cmd {
    /// Verify one bundle (a file, a QR image, or a link) offline.
    Verify {
        /// The bundle file.
        bundle: Option<PathBuf>,
        /// Read the bundle from a QR code in this image (PNG or JPEG).
        #[arg(long, conflicts_with = "bundle")]
        qr: Option<PathBuf>,
        /// Read the bundle from a link (`…#b=…`).
        #[arg(long, conflicts_with_all = ["bundle", "qr"])]
        link: Option<String>,
        /// The document the record certifies; its hash must match.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Genesis to trust (default: the one imported with `trust import`).
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the verdict (default from LANG; Chinese otherwise).
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Status older than this is reported as stale (e.g. 12h, 7d).
        #[arg(long, default_value = "7d")]
        max_age: String,
    },
    /// Verify every `X.bundle` in a directory against its document `X` / `X.*`.
    VerifyBatch {
        /// Directory of uploads.
        dir: PathBuf,
        /// Genesis to trust (default: the imported one).
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// CSV report (default DIR/report.csv).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// JSON report (default DIR/report.json).
        #[arg(long)]
        json_report: Option<PathBuf>,
        /// Status older than this is reported as stale.
        #[arg(long, default_value = "7d")]
        max_age: String,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Fetch a bundle from a node, verify it locally, and save it only if it
    /// verifies (a node is never trusted).
    Fetch {
        /// Node URL, e.g. http://127.0.0.1:50050.
        #[arg(long)]
        node: String,
        /// Record id (hex).
        #[arg(long, conflicts_with_all = ["cert", "seal"])]
        record: Option<String>,
        /// Certificate as ISSUER/TYPE_CODE/NUMBER (the issuer's credit code).
        #[arg(long, conflicts_with = "seal")]
        cert: Option<String>,
        /// Seal id.
        #[arg(long)]
        seal: Option<String>,
        /// Fetch the compact form (status as of issuance, fits a QR code).
        #[arg(long)]
        compact: bool,
        /// Where to save the bundle.
        #[arg(long)]
        out: PathBuf,
        /// Genesis to trust (default: the imported one).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
    /// Sign a record with a key file and submit it to a node.
    Submit {
        /// Node URL, e.g. http://127.0.0.1:50050.
        #[arg(long)]
        node: String,
        /// Wait until the record is committed.
        #[arg(long)]
        wait: bool,
        /// Genesis of the chain (default: the imported one).
        #[arg(long)]
        genesis: Option<PathBuf>,
        #[command(subcommand)]
        what: SubmitCmd,
    },
    /// Make or read QR codes.
    Qr {
        #[command(subcommand)]
        cmd: QrCmd,
    },
    /// Generate a signing key: PKCS#8 and SPKI PEM files that OpenSSL reads.
    Keygen {
        /// Output prefix: PREFIX.key.pem and PREFIX.pub.pem.
        prefix: PathBuf,
        /// `sm` (SM2) or `intl` (Ed25519).
        #[arg(long, default_value = "sm")]
        suite: String,
        /// Encrypt the private key with the password in this environment variable.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Manage the trusted genesis.
    Trust {
        #[command(subcommand)]
        cmd: TrustCmd,
    },
}

#[derive(Subcommand)]
enum QrCmd {
    /// Encode a bundle (made compact) or a reference as a QR code.
    Encode {
        /// Bundle to encode (full bundles are made compact first).
        #[arg(long, required_unless_present = "record")]
        bundle: Option<PathBuf>,
        /// Encode a reference to this record id instead (hex).
        #[arg(long, requires_all = ["chain", "height", "node"])]
        record: Option<String>,
        /// Chain id of the reference.
        #[arg(long)]
        chain: Option<String>,
        /// Height of the reference.
        #[arg(long)]
        height: Option<u64>,
        /// Node URL of the reference.
        #[arg(long)]
        node: Option<String>,
        /// Base URL of the verify page the link opens.
        #[arg(long, default_value = "http://127.0.0.1:8080/verify")]
        url: String,
        /// Output image: `.png` or `.svg`; omitted: draw in the terminal.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Genesis for the suite (default: the imported one).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
    /// Print the link held by the QR code in an image.
    Decode {
        /// PNG or JPEG image.
        image: PathBuf,
    },
}

/// The key a record is signed with (for a stamp: the seal's key).
#[derive(clap::Args)]
struct KeyArgs {
    /// Signing key (PKCS#8 / SEC1 PEM).
    #[arg(long)]
    key: PathBuf,
    /// Password environment variable of an encrypted key.
    #[arg(long)]
    password_env: Option<String>,
}

#[derive(Subcommand)]
enum SubmitCmd {
    /// An envelope that is already signed (encoded `yinzheng.v1.Envelope`).
    Envelope {
        /// The file.
        file: PathBuf,
    },
    /// Issue a certificate for a document.
    Issue {
        #[command(flatten)]
        signer: KeyArgs,
        /// Certificate type code.
        #[arg(long)]
        type_code: String,
        /// Certificate number.
        #[arg(long)]
        cert_no: String,
        /// Issuing organisation (credit code).
        #[arg(long)]
        issuer: String,
        /// Division code where it applies.
        #[arg(long)]
        region: String,
        /// The certificate document; its hash is anchored.
        #[arg(long)]
        file: PathBuf,
        /// Holder identifier, committed salted (never stored in clear).
        #[arg(long)]
        holder: String,
        /// Salt for the holder commitment.
        #[arg(long, default_value = "")]
        salt: String,
        /// Validity in days from now.
        #[arg(long, default_value_t = 3650)]
        valid_days: u64,
    },
    /// Revoke a certificate.
    Revoke {
        #[command(flatten)]
        signer: KeyArgs,
        /// Issuer's credit code (numbers are scoped by issuer).
        #[arg(long)]
        issuer: String,
        /// Certificate type code.
        #[arg(long)]
        type_code: String,
        /// Certificate number.
        #[arg(long)]
        cert_no: String,
        /// Reason number (1 issued in error, 2 holder request, 3 legal
        /// decision, 4 key compromise, 5 ceased).
        #[arg(long, default_value_t = 2)]
        reason: i32,
    },
    /// Stamp a document with a registered seal's key.
    Stamp {
        #[command(flatten)]
        signer: KeyArgs,
        /// Seal id.
        #[arg(long)]
        seal_id: String,
        /// The document.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum TrustCmd {
    /// Check a genesis file and trust it from now on.
    Import {
        /// The genesis file.
        genesis: PathBuf,
    },
    /// Show the trusted genesis.
    Show,
}

fn exit_for(e: &anyhow::Error) -> Exit {
    match e.downcast_ref::<ClientError>() {
        Some(ClientError::Unavailable(_)) => Exit::Unavailable,
        Some(ClientError::Node { message, .. }) if message.starts_with("NOT_FOUND") => {
            Exit::NoInput
        }
        Some(ClientError::Node { .. }) => Exit::Invalid,
        Some(ClientError::NoTrustedGenesis) => Exit::Usage,
        Some(_) => Exit::NoInput,
        None => Exit::NoInput,
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Usage.exit_code(),
            };
        }
    };
    match run(cli) {
        Ok(code) => code.exit_code(),
        Err(e) => {
            eprintln!("yinzheng: {e:#}");
            exit_for(&e).exit_code()
        }
    }
}

fn max_age(s: &str) -> anyhow::Result<u64> {
    check::parse_age(s).with_context(|| format!("--max-age {s:?}: use e.g. 90s, 15m, 12h, 7d"))
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.cmd {
        Cmd::Verify {
            bundle,
            qr,
            link,
            file,
            genesis,
            json,
            lang,
            max_age: age,
        } => {
            let age = max_age(&age)?;
            let genesis = check::genesis_or_trusted(genesis.as_deref())?;
            let bytes = match (bundle, qr, link) {
                (Some(p), _, _) => check::read(&p)?,
                (None, Some(img), _) => bundle_from_link(&qr::decode_image(&img)?)?,
                (None, None, Some(l)) => bundle_from_link(&l)?,
                (None, None, None) => anyhow::bail!(ClientError::QrPayload {
                    reason: "give a bundle file, --qr IMAGE or --link".into()
                }),
            };
            let doc = file.as_deref().map(check::read).transpose()?;
            let verifier = check::verifier(&genesis)?;
            let report = check::verify(&verifier, &bytes, doc.as_deref(), check::now_ms(), age);
            check::remember(&verifier, &genesis)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                let lang = match lang {
                    Some(LangArg::En) => Lang::En,
                    Some(LangArg::Zh) => Lang::Zh,
                    None => Lang::from_env(),
                };
                print!("{}", render::render(&report, &genesis, lang));
            }
            Ok(Exit::for_verdict(report.verdict.status, report.stale))
        }
        Cmd::VerifyBatch {
            dir,
            genesis,
            csv,
            json_report,
            max_age: age,
            quiet,
        } => {
            let age = max_age(&age)?;
            let genesis = check::genesis_or_trusted(genesis.as_deref())?;
            let verifier = check::verifier(&genesis)?;
            let pairs = batch::pair_files(&dir)?;
            let bar = if quiet {
                indicatif::ProgressBar::hidden()
            } else {
                indicatif::ProgressBar::new(pairs.len() as u64)
            };
            let rows = batch::verify_pairs(&verifier, &pairs, check::now_ms(), age, &|| bar.inc(1));
            check::remember(&verifier, &genesis)?;
            bar.finish_and_clear();
            let csv = csv.unwrap_or_else(|| dir.join("report.csv"));
            let json_path = json_report.unwrap_or_else(|| dir.join("report.json"));
            batch::write_csv(&rows, &csv)?;
            batch::write_json(&rows, &json_path)?;
            let s = batch::summarise(&rows);
            println!(
                "{} bundles: {} valid, {} stale, {} revoked/superseded/expired, {} invalid, {} without a document",
                s.total, s.valid, s.stale, s.not_in_force, s.invalid, s.without_document
            );
            println!("reports: {} {}", csv.display(), json_path.display());
            Ok(if s.invalid > 0 {
                Exit::Invalid
            } else if s.not_in_force > 0 {
                Exit::NotInForce
            } else if s.stale > 0 {
                Exit::Stale
            } else {
                Exit::Valid
            })
        }
        Cmd::Qr {
            cmd:
                QrCmd::Encode {
                    bundle,
                    record,
                    chain,
                    height,
                    node,
                    url,
                    out,
                    genesis,
                },
        } => {
            let payload = match (bundle, record) {
                (Some(p), _) => {
                    let suite = check::genesis_or_trusted(genesis.as_deref())
                        .and_then(|g| {
                            g.suite().map_err(|e| ClientError::Genesis {
                                path: "genesis".into(),
                                reason: e.0,
                            })
                        })
                        .unwrap_or(Suite::Sm);
                    let b = yinzheng_ledger::proto::Bundle::decode(check::read(&p)?.as_slice())
                        .map_err(|e| ClientError::QrPayload {
                            reason: format!("not a bundle: {e}"),
                        })?;
                    let compact = yinzheng_ledger::make_compact(suite, &b).map_err(|e| {
                        ClientError::QrPayload {
                            reason: e.to_string(),
                        }
                    })?;
                    Payload::Bundle(compact.encode_to_vec())
                }
                (None, Some(id)) => Payload::Reference {
                    chain_id: chain.unwrap_or_default(),
                    record_id: Digest::from_hex(&id).ok_or_else(|| ClientError::QrPayload {
                        reason: "record id: 64 hex digits".into(),
                    })?,
                    height: height.unwrap_or_default(),
                    node: node.unwrap_or_default(),
                },
                (None, None) => anyhow::bail!("give --bundle or --record"),
            };
            let link = qr::encode_link(&url, &payload);
            let code = qr::qr_code(&link)?;
            match out {
                Some(p) => {
                    qr::write_image(&code, &p)?;
                    eprintln!(
                        "{} ({} characters, {:?}, {:?})",
                        p.display(),
                        link.len(),
                        code.version(),
                        code.error_correction_level()
                    );
                }
                None => println!("{}", qr::to_terminal(&code)),
            }
            Ok(Exit::Valid)
        }
        Cmd::Qr {
            cmd: QrCmd::Decode { image },
        } => {
            println!("{}", qr::decode_image(&image)?);
            Ok(Exit::Valid)
        }
        Cmd::Keygen {
            prefix,
            suite,
            password_env,
        } => {
            let suite: Suite = suite
                .parse()
                .map_err(|e: yinzheng_crypto::UnknownSuite| anyhow::anyhow!(e))?;
            let key = SigningKey::generate(suite)?;
            let key_path = with_suffix(&prefix, ".key.pem");
            let pub_path = with_suffix(&prefix, ".pub.pem");
            let pem: String = match password_env {
                Some(var) => {
                    let pw = std::env::var(&var)
                        .with_context(|| format!("environment variable {var} is not set"))?;
                    key.to_pkcs8_encrypted_pem(pw.as_bytes())?
                }
                None => key.to_pkcs8_pem()?.to_string(),
            };
            write_private(&key_path, pem.as_bytes())?;
            std::fs::write(&pub_path, key.verifying_key().to_spki_pem()?).map_err(|e| {
                ClientError::Io {
                    path: pub_path.display().to_string(),
                    source: e,
                }
            })?;
            println!("{}\n{}", key_path.display(), pub_path.display());
            let pk: String = key
                .verifying_key()
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            println!("public key: {pk}");
            Ok(Exit::Valid)
        }
        Cmd::Fetch {
            node,
            record,
            cert,
            seal,
            compact,
            out,
            genesis,
        } => {
            let genesis = check::genesis_or_trusted(genesis.as_deref())?;
            let subject = match (record, cert, seal) {
                (Some(r), _, _) => {
                    remote::Subject::Record(Digest::from_hex(&r).ok_or_else(|| {
                        ClientError::QrPayload {
                            reason: "record id: 64 hex digits".into(),
                        }
                    })?)
                }
                (None, Some(c), _) => {
                    let mut parts = c.splitn(3, '/');
                    let (Some(i), Some(t), Some(n)) = (parts.next(), parts.next(), parts.next())
                    else {
                        return Err(ClientError::QrPayload {
                            reason: "--cert is ISSUER/TYPE_CODE/NUMBER".into(),
                        }
                        .into());
                    };
                    remote::Subject::Certificate {
                        issuer: i.into(),
                        type_code: t.into(),
                        cert_no: n.into(),
                    }
                }
                (None, None, Some(s)) => remote::Subject::Seal(s),
                (None, None, None) => anyhow::bail!("give --record, --cert or --seal"),
            };
            let verifier = check::verifier(&genesis)?;
            let (bytes, _) = remote::fetch_verified(&node, &subject, compact, &verifier)?;
            let report = check::verify(&verifier, &bytes, None, check::now_ms(), u64::MAX);
            check::remember(&verifier, &genesis)?;
            std::fs::write(&out, &bytes).map_err(|e| ClientError::Io {
                path: out.display().to_string(),
                source: e,
            })?;
            eprintln!(
                "verified and saved {} ({} bytes)",
                out.display(),
                bytes.len()
            );
            print!("{}", render::render(&report, &genesis, Lang::from_env()));
            Ok(Exit::for_verdict(report.verdict.status, report.stale))
        }
        Cmd::Submit {
            node,
            wait,
            genesis,
            what,
        } => {
            let envelope = match what {
                SubmitCmd::Envelope { file } => check::read(&file)?,
                other => {
                    let genesis = check::genesis_or_trusted(genesis.as_deref())?;
                    build_record(&genesis, other)?
                }
            };
            let r = remote::submit(&node, &envelope, wait)?;
            let id = hex::encode(&r.record_id);
            if r.committed {
                println!("committed {id} at height {}", r.height);
            } else {
                println!("admitted {id}");
            }
            Ok(Exit::Valid)
        }
        Cmd::Trust {
            cmd: TrustCmd::Import { genesis },
        } => {
            let (g, dest) = check::trust_import(&genesis)?;
            println!(
                "trusted chain {:?} ({} organisations, {} validators) → {}",
                g.chain_id,
                g.organisations.len(),
                g.validators.len(),
                dest.display()
            );
            Ok(Exit::Valid)
        }
        Cmd::Trust {
            cmd: TrustCmd::Show,
        } => {
            let g = check::genesis_or_trusted(None)?;
            println!(
                "chain {:?}, suite {}, genesis hash {}",
                g.chain_id,
                g.suite,
                g.hash().map(|h| h.to_hex()).unwrap_or_default()
            );
            for o in &g.organisations {
                println!(
                    "  {} {} ({:?}, {})",
                    o.credit_code, o.name, o.level, o.division
                );
            }
            Ok(Exit::Valid)
        }
    }
}

/// The bundle a link carries, or, for a reference, the bundle fetched from
/// the node it names (verified afterwards like any other).
fn bundle_from_link(link: &str) -> anyhow::Result<Vec<u8>> {
    match qr::parse_link(link)? {
        Payload::Bundle(b) => Ok(b),
        Payload::Reference {
            node, record_id, ..
        } => Ok(remote::fetch(
            &node,
            &remote::Subject::Record(record_id),
            false,
        )?),
    }
}

fn signing_key(args: &KeyArgs) -> anyhow::Result<SigningKey> {
    let pem = String::from_utf8(check::read(&args.key)?)?;
    let password = args
        .password_env
        .as_deref()
        .map(|v| std::env::var(v).with_context(|| format!("environment variable {v}")))
        .transpose()?;
    Ok(SigningKey::from_pem(
        &pem,
        password.as_deref().map(str::as_bytes),
    )?)
}

/// Build and sign a record for `submit`.
fn build_record(
    genesis: &yinzheng_ledger::genesis::Genesis,
    what: SubmitCmd,
) -> anyhow::Result<Vec<u8>> {
    use yinzheng_ledger::proto::record_body::Kind;
    use yinzheng_ledger::proto::{IssueCertificate, RecordBody, RevokeCertificate, Stamp};
    let params = genesis
        .params()
        .map_err(|e| anyhow::anyhow!("genesis: {}", e.0))?;
    let now = check::now_ms();
    let (key, kind) = match what {
        SubmitCmd::Envelope { .. } => anyhow::bail!("an envelope is submitted as it is"),
        SubmitCmd::Issue {
            signer,
            type_code,
            cert_no,
            issuer,
            region,
            file,
            holder,
            salt,
            valid_days,
        } => {
            let doc = check::read(&file)?;
            let kind = Kind::IssueCertificate(IssueCertificate {
                type_code,
                cert_no,
                issuer,
                holder_commitment: params
                    .suite
                    .hash(format!("{salt}|{holder}").as_bytes())
                    .0
                    .to_vec(),
                file_digest: params.suite.hash(&doc).0.to_vec(),
                valid_from_ms: now,
                valid_until_ms: now + valid_days * 24 * 3600 * 1000,
                metadata_digest: Vec::new(),
                region,
            });
            (signing_key(&signer)?, kind)
        }
        SubmitCmd::Revoke {
            signer,
            issuer,
            type_code,
            cert_no,
            reason,
        } => (
            signing_key(&signer)?,
            Kind::RevokeCertificate(RevokeCertificate {
                type_code,
                cert_no,
                reason,
                issuer,
            }),
        ),
        SubmitCmd::Stamp {
            signer,
            seal_id,
            file,
        } => {
            let doc = check::read(&file)?;
            (
                signing_key(&signer)?,
                Kind::Stamp(Stamp {
                    seal_id,
                    document_digest: params.suite.hash(&doc).0.to_vec(),
                }),
            )
        }
    };
    let body = RecordBody {
        chain_id: params.chain_id.clone(),
        signed_at_ms: now,
        kind: Some(kind),
    };
    let record = yinzheng_ledger::Record::create(&params, &body, &[(&key, "")])
        .map_err(|r| anyhow::anyhow!("record refused before submission: {r}"))?;
    Ok(record.bytes().to_vec())
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Write a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("{} (will not overwrite a key)", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

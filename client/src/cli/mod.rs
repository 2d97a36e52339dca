//! The command line: its arguments (clap) and one function per command
//! (in [`crate::commands`]). The `yinzheng` binary parses and calls [`run`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

mod audit;
mod ecert;
mod kinds;
mod seal;

use crate::{ClientError, Exit};
pub use audit::*;
pub use ecert::*;
pub use kinds::*;
pub use seal::*;

/// `yinzheng`'s arguments.
#[derive(Parser)]
#[command(
    name = "yinzheng",
    version,
    about = "印证: verify e-certificates, e-seals and data-sharing records offline"
)]
pub struct Cli {
    /// The command.
    #[allow(missing_docs)] // described by its own type
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Language of the verdict.
#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Chinese.
    Zh,
    /// English.
    En,
}

/// The commands.
#[derive(Subcommand)]
pub enum Cmd {
    /// Verify one bundle (a file, a QR image, or a link) offline.
    Verify(VerifyArgs),
    /// Verify every `X.bundle` in a directory against its document `X` / `X.*`.
    VerifyBatch(VerifyBatchArgs),
    /// Fetch a bundle from a node, verify it locally, and save it only if it
    /// verifies (a node is never trusted).
    Fetch(FetchArgs),
    /// Sign a record with a key file and submit it to a node.
    Submit(SubmitArgs),
    /// Build and sign a record into a file instead of submitting it (for a
    /// record several keys sign: then `countersign`, then `submit envelope`).
    Record(RecordArgs),
    /// Add a signature to a record file made by `record`.
    Countersign(CountersignArgs),
    /// Make or read QR codes.
    Qr(QrArgs),
    /// Generate a signing key: PKCS#8 and SPKI PEM files that OpenSSL reads.
    Keygen(KeygenArgs),
    /// Manage the trusted genesis.
    Trust(TrustArgs),
    /// National-format (GB/T 38540) seals: certificates, seals, sealing OFD
    /// documents. `verify DOC.ofd` checks a sealed document.
    Seal(SealArgs),
    /// National-form e-certificates: types, issuing a sealed OFD, status,
    /// authorised use and its records. `verify CERT.ofd` checks one.
    Cert(CertArgs),
    /// Audit lists from a node's indexes, each entry verified by its bundle:
    /// an issuer's certificates, an organisation's seals and exchanges,
    /// everything naming one holder.
    Audit(AuditArgs),
}

/// `qr` subcommands.
#[derive(Subcommand)]
pub enum QrCmd {
    /// Encode a bundle (made compact) or a reference as a QR code.
    Encode(Box<EncodeArgs>),
    /// Print the link held by the QR code in an image.
    Decode(DecodeArgs),
}

/// `trust` subcommands.
#[derive(Subcommand)]
pub enum TrustCmd {
    /// Check a genesis file and trust it from now on.
    Import(ImportArgs),
    /// Show the trusted genesis.
    Show,
}

/// Arguments of `Verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The bundle file, or a sealed OFD document (checked seal by seal).
    pub bundle: Option<PathBuf>,
    /// A trusted seal-making or signing CA certificate for OFD documents
    /// (repeat for several; without one, certificate chains are not checked).
    #[arg(long = "anchor")]
    pub anchors: Vec<PathBuf>,
    /// For an OFD document: ask this node for each seal's registration and
    /// each stamping's anchor (every answer verified locally).
    #[arg(long)]
    pub node: Option<String>,
    /// For an OFD document: bundles of its seals' registrations and
    /// stampings (repeat), instead of asking a node.
    #[arg(long = "bundle", conflicts_with = "node")]
    pub ledger_bundles: Vec<PathBuf>,
    /// Read the bundle from a QR code in this image (PNG or JPEG).
    #[arg(long, conflicts_with = "bundle")]
    pub qr: Option<PathBuf>,
    /// Read the bundle from a link (`…#b=…`).
    #[arg(long, conflicts_with_all = ["bundle", "qr"])]
    pub link: Option<String>,
    /// The document the record certifies; its hash must match.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Genesis to trust (default: the one imported with `trust import`).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
    /// Language of the verdict (default from LANG; Chinese otherwise).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Status older than this is reported as stale (e.g. 12h, 7d).
    #[arg(long, default_value = "7d")]
    pub max_age: String,
}

/// Arguments of `VerifyBatch`.
#[derive(Args)]
pub struct VerifyBatchArgs {
    /// Directory of uploads.
    pub dir: PathBuf,
    /// Genesis to trust (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// CSV report (default DIR/report.csv).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// JSON report (default DIR/report.json).
    #[arg(long)]
    pub json_report: Option<PathBuf>,
    /// Status older than this is reported as stale.
    #[arg(long, default_value = "7d")]
    pub max_age: String,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `Fetch`.
#[derive(Args)]
pub struct FetchArgs {
    /// Node URL, e.g. http://127.0.0.1:50050.
    #[arg(long)]
    pub node: String,
    /// Record id (hex).
    #[arg(long, conflicts_with_all = ["cert", "seal"])]
    pub record: Option<String>,
    /// Certificate as ISSUER/TYPE_CODE/NUMBER (the issuer's credit code).
    #[arg(long, conflicts_with = "seal")]
    pub cert: Option<String>,
    /// Seal id.
    #[arg(long, conflicts_with = "stamping")]
    pub seal: Option<String>,
    /// An anchored national stamping, by SM3 of its SES_Signature (hex).
    #[arg(long)]
    pub stamping: Option<String>,
    /// Fetch the compact form (status as of issuance, fits a QR code).
    #[arg(long)]
    pub compact: bool,
    /// Where to save the bundle.
    #[arg(long)]
    pub out: PathBuf,
    /// Genesis to trust (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
}

/// Arguments of `Submit`.
#[derive(Args)]
pub struct SubmitArgs {
    /// Node URL, e.g. http://127.0.0.1:50050.
    #[arg(long)]
    pub node: String,
    /// Wait until the record is committed.
    #[arg(long)]
    pub wait: bool,
    /// Genesis of the chain (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    #[allow(missing_docs)] // described by its own type
    #[command(subcommand)]
    pub what: SubmitCmd,
}

/// Arguments of `Record`.
#[derive(Args)]
pub struct RecordArgs {
    /// Where to write the signed envelope.
    #[arg(long)]
    pub out: PathBuf,
    /// Genesis of the chain (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    #[allow(missing_docs)] // described by its own type
    #[command(subcommand)]
    pub what: SubmitCmd,
}

/// Arguments of `Countersign`.
#[derive(Args)]
pub struct CountersignArgs {
    /// The envelope file (rewritten with the new signature unless `--out`).
    pub file: PathBuf,
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Write the result here instead.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Genesis of the chain (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
}

/// Arguments of `Qr`.
#[derive(Args)]
pub struct QrArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(subcommand)]
    pub cmd: QrCmd,
}

/// Arguments of `Keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Output prefix: PREFIX.key.pem and PREFIX.pub.pem.
    pub prefix: PathBuf,
    /// `sm` (SM2) or `intl` (Ed25519).
    #[arg(long, default_value = "sm")]
    pub suite: String,
    /// Encrypt the private key with the password in this environment variable.
    #[arg(long)]
    pub password_env: Option<String>,
}

/// Arguments of `Trust`.
#[derive(Args)]
pub struct TrustArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(subcommand)]
    pub cmd: TrustCmd,
}

/// Arguments of `Encode`.
#[derive(Args)]
pub struct EncodeArgs {
    /// Bundle to encode (full bundles are made compact first).
    #[arg(long, required_unless_present = "record")]
    pub bundle: Option<PathBuf>,
    /// Encode a reference to this record id instead (hex).
    #[arg(long, requires_all = ["chain", "height", "node"])]
    pub record: Option<String>,
    /// Chain id of the reference.
    #[arg(long)]
    pub chain: Option<String>,
    /// Height of the reference.
    #[arg(long)]
    pub height: Option<u64>,
    /// Node URL of the reference.
    #[arg(long)]
    pub node: Option<String>,
    /// Base URL of the verify page the link opens.
    /// (default: the first testnet node's HTTP port, gRPC port + 100).
    #[arg(long, default_value = "http://127.0.0.1:50150/verify")]
    pub url: String,
    /// Output image: `.png` or `.svg`; omitted: draw in the terminal.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The certificate's field openings (from `submit issue --openings`).
    #[arg(long, requires = "bundle")]
    pub openings: Option<PathBuf>,
    /// The fields to show, by name (comma-separated; default: none).
    #[arg(long, requires = "openings", value_delimiter = ',')]
    pub show: Vec<String>,
    /// Genesis for the suite (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
}

/// Arguments of `Decode`.
#[derive(Args)]
pub struct DecodeArgs {
    /// PNG or JPEG image.
    pub image: PathBuf,
}

/// Arguments of `Import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The genesis file.
    pub genesis: PathBuf,
}

/// Run one command.
pub fn run(cli: Cli) -> Result<Exit, ClientError> {
    match cli.cmd {
        Cmd::Verify(a) => commands::verify::run(a),
        Cmd::VerifyBatch(a) => commands::batch::run(a),
        Cmd::Fetch(a) => commands::fetch::run(a),
        Cmd::Submit(a) => commands::submit::run(a),
        Cmd::Record(a) => commands::submit::record(a),
        Cmd::Countersign(a) => commands::submit::countersign(a),
        Cmd::Qr(QrArgs {
            cmd: QrCmd::Encode(a),
        }) => commands::qr::encode(*a),
        Cmd::Qr(QrArgs {
            cmd: QrCmd::Decode(a),
        }) => commands::qr::decode(a),
        Cmd::Keygen(a) => commands::keygen::run(a),
        Cmd::Seal(a) => commands::seal::run(a.cmd),
        Cmd::Cert(a) => commands::ecert::run(a.cmd),
        Cmd::Audit(a) => commands::audit::run(a),
        Cmd::Trust(TrustArgs {
            cmd: TrustCmd::Import(a),
        }) => commands::trust::import(a),
        Cmd::Trust(TrustArgs {
            cmd: TrustCmd::Show,
        }) => commands::trust::show(),
    }
}

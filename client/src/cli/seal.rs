//! Arguments of `yinzheng seal …`: national-format (GB/T 38540) seals and
//! sealed OFD documents.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `seal` subcommands.
#[derive(Subcommand)]
pub enum SealCmd {
    /// Issue an SM2 X.509 certificate (self-signed CA, or signed by a CA key).
    Cert(SealCertArgs),
    /// Make a GB/T 38540 (V4) seal from a seal maker's key and certificate.
    Make(SealMakeArgs),
    /// Seal an OFD document with a seal, the signer's key and certificate.
    Sign(SealSignArgs),
    /// Write a plain one-page OFD document with lines of text.
    Doc(SealDocArgs),
}

/// `yinzheng seal …`.
#[derive(Args)]
pub struct SealArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub cmd: SealCmd,
}

/// Arguments of `seal cert`.
#[derive(Args)]
pub struct SealCertArgs {
    /// The subject's SM2 key (PKCS#8 PEM, e.g. from `yinzheng keygen`).
    #[arg(long)]
    pub key: PathBuf,
    /// Subject, e.g. "CN=深圳市南山区政务服务中心,O=深圳市南山区人民政府,C=CN".
    #[arg(long)]
    pub subject: String,
    /// The issuing CA's key; without it the certificate is self-signed.
    #[arg(long, requires = "issuer_cert")]
    pub issuer_key: Option<PathBuf>,
    /// The issuing CA's certificate (DER or PEM).
    #[arg(long, requires = "issuer_key")]
    pub issuer_cert: Option<PathBuf>,
    /// A CA certificate (may issue certificates).
    #[arg(long)]
    pub ca: bool,
    /// Days of validity from now.
    #[arg(long, default_value_t = 1095)]
    pub days: u32,
    /// Serial number (default: from the clock).
    #[arg(long)]
    pub serial: Option<u64>,
    /// Output file (DER).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `seal make`.
#[derive(Args)]
pub struct SealMakeArgs {
    /// The seal maker's SM2 key.
    #[arg(long)]
    pub maker_key: PathBuf,
    /// The seal maker's certificate (DER or PEM).
    #[arg(long)]
    pub maker_cert: PathBuf,
    /// The seal's code (esID), e.g. 4403050000001.
    #[arg(long)]
    pub es_id: String,
    /// The seal's name.
    #[arg(long)]
    pub name: String,
    /// Seal type (1 organisation, 2 person).
    #[arg(long, default_value_t = 1)]
    pub seal_type: u8,
    /// The seal's picture (PNG).
    #[arg(long)]
    pub picture: PathBuf,
    /// Picture size in millimetres, WIDTHxHEIGHT.
    #[arg(long, default_value = "40x40")]
    pub size_mm: String,
    /// A signer certificate the seal admits (repeat for several).
    #[arg(long = "signer-cert", required = true)]
    pub signer_certs: Vec<PathBuf>,
    /// Days of validity from now.
    #[arg(long, default_value_t = 1095)]
    pub days: u32,
    /// Vendor id written in the seal header.
    #[arg(long, default_value = "Yinzheng")]
    pub vid: String,
    /// Output file (`.esl`, DER).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `seal sign`.
#[derive(Args)]
pub struct SealSignArgs {
    /// The OFD document.
    pub document: PathBuf,
    /// The seal (`.esl`).
    #[arg(long)]
    pub seal: PathBuf,
    /// The signer's SM2 key.
    #[arg(long)]
    pub key: PathBuf,
    /// The signer's certificate (DER or PEM), one the seal admits.
    #[arg(long)]
    pub cert: PathBuf,
    /// Where the stamp goes on the first page, millimetres "X,Y".
    #[arg(long, default_value = "120,200")]
    pub at: String,
    /// Output file (default: DOCUMENT with `.sealed.ofd`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `seal doc`.
#[derive(Args)]
pub struct SealDocArgs {
    /// The title (first line).
    #[arg(long)]
    pub title: String,
    /// A line of text (repeat).
    #[arg(long = "line")]
    pub lines: Vec<String>,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
}

//! Arguments of `yinzheng cert …`: national-form e-certificates (GB/T
//! 36901–36906, `docs/spec/ecert.md`).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::KeyArgs;

/// `cert` subcommands.
#[derive(Subcommand)]
pub enum CertCmd {
    /// Register a certificate type (a GB/T 36902 catalogue entry), signed by
    /// an admin key of its defining organisation.
    Type(CertTypeArgs),
    /// Build a national-form e-certificate OFD from metadata and a face
    /// picture, seal it, and anchor it.
    Issue(CertIssueArgs),
    /// Suspend a certificate, lift a suspension, or end it (national codes).
    Status(CertStatusArgs),
    /// Record a holder's authorisation for an organisation to use a
    /// certificate (授权用证); prints the authorisation's id.
    Authorise(CertAuthoriseArgs),
    /// Record one use of a certificate under an authorisation (用证留痕).
    Use(CertUseArgs),
    /// List every recorded use of a certificate, each verified with its proof.
    Uses(CertUsesArgs),
}

/// `yinzheng cert …`.
#[derive(Args)]
pub struct CertArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub cmd: CertCmd,
}

/// Where a record goes: the node and the chain.
#[derive(Args)]
pub struct NodeArgs {
    /// Node gRPC address.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub node: String,
    /// Genesis of the chain (default: the imported one).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
}

/// Arguments of `cert type`.
#[derive(Args)]
pub struct CertTypeArgs {
    /// 证照类型代码: the defining organisation's credit code and 3 digits.
    #[arg(long)]
    pub type_code: String,
    /// 证照类型名称.
    #[arg(long)]
    pub name: String,
    /// A metadata element every certificate of the type carries (repeat).
    #[arg(long = "require")]
    pub required: Vec<String>,
    /// 持证主体类别, e.g. 自然人 or 法人.
    #[arg(long, default_value = "")]
    pub holder_category: String,
    /// 关联事项代码.
    #[arg(long, default_value = "")]
    pub item_code: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: KeyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub to: NodeArgs,
}

/// Arguments of `cert issue`.
#[derive(Args)]
pub struct CertIssueArgs {
    /// The GB/T 36903 metadata: one `name = value` per line, in order
    /// (standard names or their short forms; `#` starts a comment).
    #[arg(long)]
    pub metadata: PathBuf,
    /// 流水号, when the metadata carries no certificateIdentifier: the
    /// identifier is then made (version 001, standard check character).
    #[arg(long)]
    pub serial: Option<String>,
    /// The certificate's face (PNG or JPEG), drawn on the page.
    #[arg(long)]
    pub face: Option<PathBuf>,
    /// The issuing office's seal (`.esl`).
    #[arg(long)]
    pub seal: PathBuf,
    /// The seal signer's SM2 key.
    #[arg(long)]
    pub seal_key: PathBuf,
    /// The seal signer's certificate (DER or PEM).
    #[arg(long)]
    pub seal_cert: PathBuf,
    /// Where the stamp goes, millimetres "X,Y".
    #[arg(long, default_value = "140,220")]
    pub at: String,
    /// 证照所属管辖属地编码 (GB/T 2260), e.g. 440305.
    #[arg(long)]
    pub region: String,
    /// The sealed certificate file to write.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: KeyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub to: NodeArgs,
}

/// A national status code.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    /// 01 有效: lifts a suspension.
    Valid,
    /// 02 暂扣.
    Suspended,
    /// 03 撤销.
    Revoked,
    /// 04 注销.
    Cancelled,
    /// 05 失效.
    Invalidated,
    /// 06 办理转出.
    TransferredOut,
    /// 07 吊销.
    Withdrawn,
    /// 99 其他.
    Other,
}

/// Arguments of `cert status`.
#[derive(Args)]
pub struct CertStatusArgs {
    /// The certificate's 标识.
    pub identifier: String,
    /// The new status.
    #[arg(long, value_enum)]
    pub status: StatusArg,
    /// Why, for people.
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: KeyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub to: NodeArgs,
}

/// Arguments of `cert authorise`.
#[derive(Args)]
pub struct CertAuthoriseArgs {
    /// The holder's certificate file (its identifier and holder commitment
    /// are read from it).
    pub certificate: PathBuf,
    /// Which holder authorises (1-based, in the metadata's order).
    #[arg(long, default_value_t = 1)]
    pub holder: usize,
    /// Credit code of the organisation authorised to use it.
    #[arg(long)]
    pub user_org: String,
    /// Days the authorisation lasts (0: no time bound).
    #[arg(long, default_value_t = 0)]
    pub days: u64,
    /// Uses it allows (0: no count bound).
    #[arg(long, default_value_t = 0)]
    pub max_uses: u32,
    /// The 用证码 handed to the holder (its SM3 digest is recorded).
    #[arg(long)]
    pub code: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: KeyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub to: NodeArgs,
}

/// Arguments of `cert use`.
#[derive(Args)]
pub struct CertUseArgs {
    /// The certificate's 标识.
    pub identifier: String,
    /// The authorisation relied on (its id, hex, from `cert authorise`).
    #[arg(long)]
    pub authorisation: String,
    /// 事项编码.
    #[arg(long)]
    pub item_code: String,
    /// 业务流水号.
    #[arg(long)]
    pub business_no: String,
    /// 用证事由.
    #[arg(long)]
    pub purpose: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: KeyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub to: NodeArgs,
}

/// Arguments of `cert uses`.
#[derive(Args)]
pub struct CertUsesArgs {
    /// The certificate's 标识.
    pub identifier: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub from: NodeArgs,
    /// Save each use's bundle (and the certificate's) in this directory.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

//! Arguments of `yinzheng audit`.

use clap::{Args, Subcommand, ValueEnum};

/// Arguments of `audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// Which list.
    #[command(subcommand)]
    pub cmd: AuditCmd,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub opts: AuditOpts,
}

/// The audit lists.
#[derive(Subcommand)]
pub enum AuditCmd {
    /// Certificates an issuer issued, superseded, revoked or changed.
    Certificates {
        /// Issuer's credit code.
        #[arg(long)]
        issuer: String,
        /// Certificate type code (default: every type).
        #[arg(long = "type")]
        type_code: Option<String>,
    },
    /// Seals an organisation registered or revoked, and its stampings.
    Seals {
        /// The organisation's credit code.
        #[arg(long)]
        org: String,
    },
    /// Data-sharing requests naming an organisation, each with its steps.
    Exchanges {
        /// The organisation's part.
        #[arg(long, value_enum)]
        role: PartyArg,
        /// Its credit code.
        #[arg(long)]
        org: String,
    },
    /// Everything naming one holder (谁用了我的数据): certificates issued to
    /// them, authorisations and uses, data-sharing requests. Give the
    /// commitment, or the salt and ID to compute it here (the ID never
    /// leaves this machine).
    Holder {
        /// The holder commitment, 64 hex digits.
        #[arg(long, conflicts_with_all = ["salt", "id"])]
        commitment: Option<String>,
        /// The holder's salt (32 hex digits, from the issuer).
        #[arg(long, requires = "id")]
        salt: Option<String>,
        /// Holder ID type code (111: 居民身份证).
        #[arg(long, default_value = "111")]
        id_type: String,
        /// The holder's ID number.
        #[arg(long, requires = "salt")]
        id: Option<String>,
    },
}

/// A party's part in an exchange.
#[derive(Clone, Copy, ValueEnum)]
pub enum PartyArg {
    /// 需求方.
    Requester,
    /// 提供方.
    Provider,
    /// 审批方.
    Approver,
}

/// Options every audit list takes.
#[derive(Args)]
pub struct AuditOpts {
    /// Node gRPC address.
    #[arg(long, global = true, default_value = "http://127.0.0.1:50051")]
    pub node: String,
    /// Genesis of the chain (default: the imported one).
    #[arg(long, global = true)]
    pub genesis: Option<std::path::PathBuf>,
    /// From this day (YYYY-MM-DD, China Standard Time) or millisecond time.
    #[arg(long, global = true)]
    pub from: Option<String>,
    /// Before this day (YYYY-MM-DD, exclusive) or millisecond time.
    #[arg(long, global = true)]
    pub to: Option<String>,
    /// Most entries listed (pages are fetched until this many).
    #[arg(long, global = true, default_value_t = 100)]
    pub limit: usize,
    /// Do not fetch and verify each entry's bundle (faster; the list is
    /// then the node's word alone).
    #[arg(long, global = true)]
    pub no_verify: bool,
    /// Print JSON.
    #[arg(long, global = true, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (UTF-8, a header row).
    #[arg(long, global = true)]
    pub csv: bool,
}

//! The record kinds `submit` and `record` build, and their arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// The key a record is signed with (for a stamp: the seal's key).
#[derive(Args)]
pub struct KeyArgs {
    /// Signing key (PKCS#8 / SEC1 PEM).
    #[arg(long)]
    pub key: PathBuf,
    /// Password environment variable of an encrypted key.
    #[arg(long)]
    pub password_env: Option<String>,
}

/// What `submit` sends.
#[derive(Subcommand)]
pub enum SubmitCmd {
    /// An envelope that is already signed (encoded `yinzheng.v1.Envelope`).
    Envelope(EnvelopeArgs),
    /// Issue a certificate for a document.
    Issue(IssueArgs),
    /// Revoke a certificate.
    Revoke(RevokeArgs),
    /// Stamp a document with a registered seal's key.
    Stamp(StampArgs),
    /// Replace a certificate by a new one (the old one becomes superseded).
    Supersede(SupersedeArgs),
    /// Register an organisation under its parent.
    RegisterOrg(RegisterOrgArgs),
    /// Rename, deactivate or reactivate an organisation.
    UpdateOrg(UpdateOrgArgs),
    /// Register a signing key for an organisation.
    RegisterKey(RegisterKeyArgs),
    /// Revoke a registered key.
    RevokeKey(RevokeKeyArgs),
    /// Grant an organisation an authority (the consortium committee signs).
    Grant(GrantArgs),
    /// Revoke a grant.
    RevokeGrant(GrantArgs),
    /// Replace the validator set (the consortium committee signs:
    /// build with `record`, gather signatures with `countersign`).
    ChangeValidators(ChangeValidatorsArgs),
    /// Admit a node's network identity (its Ed25519 key's libp2p peer id)
    /// to the members: an observer's, or a member's node. Signed by an
    /// admin of the organisation running it, or above.
    RegisterPeer(RegisterPeerArgs),
    /// End a network identity's admission; the members disconnect it.
    RemovePeer(RemovePeerArgs),
    /// Register an e-seal and its key.
    RegisterSeal(RegisterSealArgs),
    /// Register a national-format (GB/T 38540) seal from its `.esl` file;
    /// the seal's own id, name, type, picture and validity are registered.
    RegisterNationalSeal(RegisterNationalSealArgs),
    /// Anchor the national-seal stampings of a sealed OFD document (signed
    /// by a key of the seal's owner; one record per stamping).
    AnchorStamping(AnchorStampingArgs),
    /// Revoke an e-seal.
    RevokeSeal(RevokeSealArgs),
    /// Request data from another department.
    ShareRequest(ShareRequestArgs),
    /// Approve or refuse a data-sharing request.
    ShareDecision(ShareDecisionArgs),
    /// Deliver the requested data (its digest).
    ShareDelivery(ShareDeliveryArgs),
    /// Acknowledge a delivery (the digest of what was received).
    ShareReceipt(ShareReceiptArgs),
}

/// Arguments of `Envelope`.
#[derive(Args)]
pub struct EnvelopeArgs {
    /// The file.
    pub file: PathBuf,
}

/// Arguments of `Issue`.
#[derive(Args)]
pub struct IssueArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Certificate type code.
    #[arg(long)]
    pub type_code: String,
    /// Certificate number.
    #[arg(long)]
    pub cert_no: String,
    /// Issuing organisation (credit code).
    #[arg(long)]
    pub issuer: String,
    /// Division code where it applies.
    #[arg(long)]
    pub region: String,
    /// The certificate document; its hash is anchored.
    #[arg(long)]
    pub file: PathBuf,
    /// Holder identifier (e.g. an ID number), committed salted: never in
    /// the record in clear.
    #[arg(long)]
    pub holder: String,
    /// The identifier's GB/T 36903 type code: 111 公民身份号码, 001 统一社会信用代码, 414 普通护照 …
    #[arg(long, default_value = "111")]
    pub holder_type: String,
    /// The holder's salt, 32 hex digits; without it a fresh random one is
    /// made and printed, to hand to the holder with the certificate.
    #[arg(long)]
    pub salt: Option<String>,
    /// Validity in days from now.
    #[arg(long, default_value_t = 3650)]
    pub valid_days: u64,
    /// A display field, `NAME=VALUE` (repeat, at most 16): committed salted
    /// in the record, opened later only where the holder shows it.
    #[arg(long = "field", requires = "openings")]
    pub fields: Vec<String>,
    /// Where to write the fields' openings (JSON), for the holder.
    #[arg(long)]
    pub openings: Option<PathBuf>,
}

/// Arguments of `Revoke`.
#[derive(Args)]
pub struct RevokeArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Issuer's credit code (numbers are scoped by issuer).
    #[arg(long)]
    pub issuer: String,
    /// Certificate type code.
    #[arg(long)]
    pub type_code: String,
    /// Certificate number.
    #[arg(long)]
    pub cert_no: String,
    /// Reason number (1 issued in error, 2 holder request, 3 legal
    /// decision, 4 key compromise, 5 ceased).
    #[arg(long, default_value_t = 2)]
    pub reason: i32,
}

/// Arguments of `Stamp`.
#[derive(Args)]
pub struct StampArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Seal id.
    #[arg(long)]
    pub seal_id: String,
    /// The document.
    #[arg(long)]
    pub file: PathBuf,
}

/// Arguments of `Supersede`.
#[derive(Args)]
pub struct SupersedeArgs {
    /// Number of the certificate being replaced.
    #[arg(long)]
    pub old_cert_no: String,
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub replacement: IssueArgs,
}

/// An organisation's level.
#[derive(Clone, Copy, ValueEnum)]
pub enum LevelArg {
    /// 国家级.
    National,
    /// 省级.
    Province,
    /// 市级.
    City,
    /// 区县级.
    District,
}

/// Arguments of `RegisterOrg`.
#[derive(Args)]
pub struct RegisterOrgArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Its unified social credit code.
    #[arg(long)]
    pub credit_code: String,
    /// Its name.
    #[arg(long)]
    pub name: String,
    /// Its level.
    #[arg(long, value_enum)]
    pub level: LevelArg,
    /// Its administrative division code (GB/T 2260).
    #[arg(long)]
    pub division: String,
    /// The parent organisation's credit code (empty for the top).
    #[arg(long, default_value = "")]
    pub parent: String,
}

/// Arguments of `UpdateOrg`.
#[derive(Args)]
pub struct UpdateOrgArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The organisation's credit code.
    #[arg(long)]
    pub credit_code: String,
    /// A new name (empty: unchanged).
    #[arg(long, default_value = "")]
    pub name: String,
    /// Deactivate it (its keys stop signing).
    #[arg(long, conflicts_with = "reactivate")]
    pub deactivate: bool,
    /// Reactivate it.
    #[arg(long)]
    pub reactivate: bool,
}

/// A key's role.
#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Signs consortium records.
    Admin,
    /// Signs the organisation's business records.
    Operator,
}

/// Arguments of `RegisterKey`.
#[derive(Args)]
pub struct RegisterKeyArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The organisation the key signs for.
    #[arg(long)]
    pub org: String,
    /// The key: a public-key PEM file (`keygen`'s `.pub.pem`) or hex.
    #[arg(long)]
    pub public_key: String,
    /// Its role.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Its SM2 distinguishing ID (empty: the default).
    #[arg(long, default_value = "")]
    pub distid: String,
    /// Valid from (ms since the epoch; 0: now on).
    #[arg(long, default_value_t = 0)]
    pub not_before_ms: u64,
    /// Valid until (ms since the epoch; 0: no end).
    #[arg(long, default_value_t = 0)]
    pub not_after_ms: u64,
}

/// What a registered network identity runs.
#[derive(Clone, Copy, ValueEnum)]
pub enum PeerRoleArg {
    /// A node that follows the chain and serves reads; never votes.
    Observer,
    /// A member's node.
    Member,
}

/// Arguments of `RegisterPeer`.
#[derive(Args)]
pub struct RegisterPeerArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The organisation running the node.
    #[arg(long)]
    pub org: String,
    /// The node's network key: an Ed25519 public-key PEM file
    /// (`keygen --suite intl`'s `.pub.pem`) or hex.
    #[arg(long)]
    pub peer_key: String,
    /// What the node is.
    #[arg(long, value_enum, default_value = "observer")]
    pub role: PeerRoleArg,
}

/// Arguments of `RemovePeer`.
#[derive(Args)]
pub struct RemovePeerArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The node's network key: an Ed25519 public-key PEM file or hex.
    #[arg(long)]
    pub peer_key: String,
    /// Why (free text).
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// Arguments of `RevokeKey`.
#[derive(Args)]
pub struct RevokeKeyArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The key: a public-key PEM file or hex.
    #[arg(long)]
    pub public_key: String,
    /// Why (free text).
    #[arg(long)]
    pub reason: String,
}

/// An authority a grant gives.
#[derive(Clone, Copy, ValueEnum)]
pub enum AuthorityArg {
    /// Issue certificates of a type (scope: the type code).
    Certificate,
    /// Register seals.
    Seal,
    /// Approve data-sharing requests (scope: the data item).
    ShareApproval,
    /// Record holders' authorisations to use national certificates (scope:
    /// a type code, or empty for every type).
    UseAuthorisation,
}

/// Arguments of `Grant` and `RevokeGrant`.
#[derive(Args)]
pub struct GrantArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The organisation.
    #[arg(long)]
    pub org: String,
    /// The authority.
    #[arg(long, value_enum)]
    pub kind: AuthorityArg,
    /// Its scope (type code, data item; empty for seals).
    #[arg(long, default_value = "")]
    pub scope: String,
    /// The division where it applies.
    #[arg(long)]
    pub region: String,
}

/// Arguments of `ChangeValidators`.
#[derive(Args)]
pub struct ChangeValidatorsArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// A validator of the new set, `ORG=KEY` or `ORG=KEY:POWER` (KEY: a
    /// consensus public-key PEM file or hex; power 1 if omitted); repeat
    /// for each, in order.
    #[arg(long = "validator", required = true)]
    pub validators: Vec<String>,
}

/// Arguments of `RegisterSeal`.
#[derive(Args)]
pub struct RegisterSealArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Seal id.
    #[arg(long)]
    pub seal_id: String,
    /// The owning organisation's credit code.
    #[arg(long)]
    pub owner: String,
    /// Seal type (1 official seal, 2 contract seal, 3 finance seal, …).
    #[arg(long, default_value_t = 1)]
    pub seal_type: u32,
    /// The seal's name as engraved.
    #[arg(long)]
    pub name: String,
    /// The seal image; its hash is registered.
    #[arg(long)]
    pub image: PathBuf,
    /// The seal's key: a public-key PEM file or hex.
    #[arg(long)]
    pub seal_public_key: String,
    /// Validity in days from now (0: no end).
    #[arg(long, default_value_t = 0)]
    pub valid_days: u64,
}

/// Arguments of `RevokeSeal`.
#[derive(Args)]
pub struct RevokeSealArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Seal id.
    #[arg(long)]
    pub seal_id: String,
    /// Reason number (as for `revoke`).
    #[arg(long, default_value_t = 5)]
    pub reason: i32,
}

/// Arguments of `ShareRequest`.
#[derive(Args)]
pub struct ShareRequestArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Request id.
    #[arg(long)]
    pub request_id: String,
    /// Requesting organisation.
    #[arg(long)]
    pub requester: String,
    /// Providing organisation.
    #[arg(long)]
    pub provider: String,
    /// Approving organisation (holds the share-approval grant).
    #[arg(long)]
    pub approver: String,
    /// The data item.
    #[arg(long)]
    pub data_item: String,
    /// The legal basis.
    #[arg(long)]
    pub legal_basis: String,
    /// The citizen whose data it is, committed salted (optional).
    #[arg(long)]
    pub holder: Option<String>,
    /// The identifier's GB/T 36903 type code.
    #[arg(long, default_value = "111")]
    pub holder_type: String,
    /// The holder's salt, 32 hex digits (the one of their certificate); without
    /// it a fresh random one is made and printed.
    #[arg(long)]
    pub salt: Option<String>,
}

/// Arguments of `ShareDecision`.
#[derive(Args)]
pub struct ShareDecisionArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Request id.
    #[arg(long)]
    pub request_id: String,
    /// Approve (without it: refuse).
    #[arg(long)]
    pub approve: bool,
    /// Why (required when refusing).
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// Arguments of `ShareDelivery`.
#[derive(Args)]
pub struct ShareDeliveryArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Request id.
    #[arg(long)]
    pub request_id: String,
    /// The data delivered; its hash is anchored.
    #[arg(long)]
    pub file: PathBuf,
    /// How many items it holds.
    #[arg(long, default_value_t = 1)]
    pub item_count: u64,
}

/// Arguments of `ShareReceipt`.
#[derive(Args)]
pub struct ShareReceiptArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// Request id.
    #[arg(long)]
    pub request_id: String,
    /// The data received; its hash must equal the delivery's.
    #[arg(long)]
    pub file: PathBuf,
}

/// Arguments of `RegisterNationalSeal`.
#[derive(Args)]
pub struct RegisterNationalSealArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The seal (`.esl`, SESeal DER).
    #[arg(long)]
    pub seal: PathBuf,
    /// The owning organisation's credit code.
    #[arg(long)]
    pub owner: String,
}

/// Arguments of `AnchorStamping`.
#[derive(Args)]
pub struct AnchorStampingArgs {
    #[allow(missing_docs)] // described by its own type
    #[command(flatten)]
    pub signer: KeyArgs,
    /// The sealed OFD document.
    #[arg(long)]
    pub document: PathBuf,
    /// Only the stamping with this signature ID (default: every e-seal
    /// stamping of the document).
    #[arg(long)]
    pub signature: Option<String>,
}

//! National e-seal formats: GB/T 38540-2020 and GM/T 0031-2014 seals
//! (`SESeal`) and signatures (`SES_Signature`), and sealed OFD documents
//! (GB/T 33190), parsed and verified without I/O (this crate builds for
//! `wasm32-unknown-unknown`).
//!
//! Everything is read from the bytes as found: the spans a signature covers
//! are never re-encoded, lenient times keep their text, and signature values
//! in the non-standard forms real producers write are accepted where that is
//! safe and reported precisely where it is not. The checks, their order and
//! their codes are specified in `docs/spec/seals.md`.
//!
//! ```no_run
//! use yinzheng_seal::{TrustAnchors, verify_ofd};
//! let bytes = std::fs::read("licence.ofd").unwrap();
//! let report = verify_ofd(&bytes, &TrustAnchors::none()).unwrap();
//! for sig in &report.signatures {
//!     println!("{} genuine: {} changed: {:?}", sig.id, sig.genuine(), sig.changed_files());
//! }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod asn1;
mod cert;
mod issue;
mod make;
pub mod ofd;
mod report;
mod seal;
mod signature;
mod sigvalue;
pub mod time;
mod verify;

pub use asn1::Bits;
pub use cert::CertInfo;
pub use issue::{CertSpec, IssueError, issue_cert};
pub use make::{SealSpec, make_seal, make_signature};
pub use ofd::{
    DocumentReport, DocumentSignature, EntryKind, SealError, SealRequest, seal_ofd, verify_ofd,
};
pub use report::{Check, CheckCode, Outcome, Reason, SealSummary, SignatureReport};
pub use seal::{CertListEntry, ExtData, Seal, SealHeader, SealPicture, SealProperty, SealVersion};
pub use signature::{SesSignature, TimestampTagging};
pub use sigvalue::{SigEncoding, SigValueError, SignatureValue};
pub use verify::{TrustAnchors, verify_seal, verify_signature};

/// SM2 with SM3 (GB/T 33560).
pub const OID_SM2_WITH_SM3: &str = "1.2.156.10197.1.501";
/// The SM2 curve.
pub const OID_SM2_CURVE: &str = "1.2.156.10197.1.301";
/// `id-ecPublicKey`.
pub const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// A structure that does not parse: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {why}{}", tag.map(|t| format!(" (tag 0x{t:02X})")).unwrap_or_default())]
pub struct ParseError {
    /// The field (ASN.1 name).
    pub what: &'static str,
    /// What is wrong.
    pub why: &'static str,
    /// The tag found, when that is what is wrong.
    pub tag: Option<u8>,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, why: &'static str) -> Self {
        ParseError {
            what,
            why,
            tag: None,
        }
    }

    pub(crate) fn with_tag(mut self, tag: u8) -> Self {
        self.tag = Some(tag);
        self
    }
}

/// A document that cannot be verified at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfdError {
    /// Not a ZIP package.
    #[error("not an OFD package (ZIP): {0}")]
    NotZip(String),
    /// An entry cannot be read (encrypted, unsupported compression, damaged).
    #[error("package entry unreadable: {0}")]
    BadEntry(String),
    /// An entry name with `..`, a backslash or NUL.
    #[error("unsafe entry name in package: {0:?}")]
    UnsafeName(String),
    /// Two entries with one name.
    #[error("two package entries named {0}")]
    DuplicateEntry(String),
    /// Over the package limits.
    #[error("package too large: {0}")]
    TooLarge(String),
    /// A file the structure requires is missing.
    #[error("{0} is not in the package")]
    Missing(String),
    /// An XML file does not parse.
    #[error("{file}: {reason}")]
    Xml {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}

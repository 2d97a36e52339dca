//! OFD documents (GB/T 33190): the package, the signature XML files, and the
//! verification and sealing of documents.

mod compose;
mod package;
mod sign;
mod verify;
pub mod xml;

pub use compose::text_document;
pub use package::{Limits, Package, dir_of, resolve};
pub use sign::{SealError, SealRequest, seal_ofd};
pub use verify::{DocumentReport, DocumentSignature, EntryKind, verify_ofd};

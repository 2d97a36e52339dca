//! OFD documents (GB/T 33190): the package, the signature XML files, and the
//! verification and sealing of documents.

mod package;
mod verify;
pub mod xml;

pub use package::{Limits, Package, dir_of, resolve};
pub use verify::{DocumentReport, DocumentSignature, EntryKind, verify_ofd};

//! OFD documents (GB/T 33190): the package, the signature XML files, and the
//! verification and sealing of documents.

mod compose;
mod package;
mod sign;
mod verify;
pub mod xml;

pub use compose::{DocSpec, compose, text_document};
pub use package::{Limits, Package, dir_of, resolve};
pub use sign::{SealError, SealRequest, seal_ofd};
pub use verify::{DocumentReport, DocumentSignature, EntryKind, verify_ofd};

/// The `DocInfo/CustomDatas` entries of an OFD document's `OFD.xml` (read
/// under the default limits), `(Name, text)` in document order.
pub fn document_custom_datas(doc: &[u8]) -> Result<Vec<(String, String)>, crate::OfdError> {
    let pkg = Package::open(doc, Limits::default())?;
    let ofd = pkg
        .get("OFD.xml")
        .ok_or_else(|| crate::OfdError::Missing("OFD.xml".into()))?;
    xml::custom_datas("OFD.xml", ofd)
}

//! National-form e-certificates (`docs/spec/ecert.md`): the GB/T 36904
//! identifier, the GB/T 36903 metadata and its digest, typed holder
//! commitments, and the status codes. Pure: the OFD that carries the
//! metadata is read elsewhere.

mod id;
mod issue;
mod metadata;
mod status;

pub use crate::holder::{HOLDER_SALT_LEN, HolderSalt, holder_commitment};
pub use id::{
    CheckKind, ECERT_ID_ROOT, EcertId, EcertIdError, MAX_SERIAL, check_type_code,
    legacy_variant_check, mod37_36, parse_ecert_id,
};
pub use issue::{BuildError, BuiltCertificate, CertificateSpec, build_certificate};
pub use metadata::{
    Element, Holder, METADATA_DOMAIN, Metadata, MetadataError, REQUIRED_ELEMENTS, SALT_ELEMENT,
    canonical_name, parse_date, shanghai_midnight_ms, validity_from_dates,
};
pub use status::{status_code_text, status_from_code_text, status_name_en, status_name_zh};

//! Verifying many signatures at once, in parallel across cores.

use rayon::prelude::*;

use crate::CryptoError;
use crate::keys::{Verifier as _, VerifyingKey};
use crate::signature::Signature;

/// One (key, message, signature) triple to check.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    /// The key that should have signed.
    pub key: &'a VerifyingKey,
    /// The exact signed bytes.
    pub msg: &'a [u8],
    /// The signature.
    pub sig: &'a Signature,
}

/// Verify every item on rayon's pool; one result per item, in order.
///
/// Items are independent: one bad signature does not affect the others'
/// results. SM2 keys reuse their cached `Z_A`.
pub fn verify_batch(items: &[BatchItem<'_>]) -> Vec<Result<(), CryptoError>> {
    items
        .par_iter()
        .with_min_len(16)
        .map(|it| it.key.verify(it.msg, it.sig))
        .collect()
}

/// `true` if every item verifies (stops early on the first failure).
pub fn verify_all(items: &[BatchItem<'_>]) -> bool {
    items
        .par_iter()
        .all(|it| it.key.verify(it.msg, it.sig).is_ok())
}

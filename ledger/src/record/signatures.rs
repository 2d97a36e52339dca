//! Signature forms and verification, with a memo of signer keys.

use std::collections::HashMap;
use std::sync::Mutex;

use yinzheng_crypto::{DEFAULT_DISTID, Signature, Suite, Verifier, VerifyingKey};

use super::RecordSigner;
use crate::proto::RecordSignature;
use crate::rejection::{RejectCode, Rejection, reject};

/// The envelope rules that keep one signed body to one byte string
/// (`docs/spec/records.md` §1): signatures in strictly ascending order of
/// public key (so no signer twice), the default SM2 ID only as the empty
/// string, and no ID at all under a suite whose signatures take none. Checked
/// before any signature is verified: it costs nothing.
pub(super) fn check_signature_forms(
    suite: Suite,
    sigs: &[RecordSignature],
) -> Result<(), Rejection> {
    for (i, s) in sigs.iter().enumerate() {
        if s.distid == DEFAULT_DISTID {
            return reject(
                RejectCode::NonCanonical,
                format!("signature {i}: the default ID is written as empty, not spelled out"),
            );
        }
        if !s.distid.is_empty() && suite != Suite::Sm {
            return reject(
                RejectCode::NonCanonical,
                format!("signature {i}: this suite's signatures take no distinguishing ID"),
            );
        }
        if i > 0 {
            match sigs[i - 1].public_key.cmp(&s.public_key) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    return reject(
                        RejectCode::BadSignature,
                        format!("signature {i}: signer repeated"),
                    );
                }
                std::cmp::Ordering::Greater => {
                    return reject(
                        RejectCode::NonCanonical,
                        format!(
                            "signature {i}: signatures are not in ascending order of public key"
                        ),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Signer keys seen in valid signatures, with their precomputed `Z_A` and
/// verification tables: a few hundred issuer keys sign almost every record,
/// and rebuilding a key costs about half a verification. A memo only (the
/// same key is rebuilt identically when absent), bounded, in two generations:
/// a key used again moves to the young one, and the old one is dropped when
/// the young one fills, so a flood of one-off keys ages out without evicting
/// the issuers that sign all the time (threat model A5).
type MemoKey = (Suite, Vec<u8>, String);
#[derive(Default)]
struct KeyMemo {
    young: HashMap<MemoKey, VerifyingKey>,
    old: HashMap<MemoKey, VerifyingKey>,
}
static KEY_MEMO: Mutex<Option<KeyMemo>> = Mutex::new(None);
const KEY_MEMO_GENERATION: usize = 2048;

impl KeyMemo {
    fn insert(&mut self, k: MemoKey, v: VerifyingKey) {
        if self.young.len() >= KEY_MEMO_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(k, v);
    }
}

pub(super) fn signer_key(
    suite: Suite,
    public_key: &[u8],
    distid: &str,
) -> Result<(VerifyingKey, bool), yinzheng_crypto::CryptoError> {
    let k = (suite, public_key.to_vec(), distid.to_owned());
    let mut memo = KEY_MEMO.lock().unwrap_or_else(|e| e.into_inner());
    let m = memo.get_or_insert_with(KeyMemo::default);
    if let Some(v) = m.young.get(&k) {
        return Ok((v.clone(), true));
    }
    if let Some(v) = m.old.remove(&k) {
        m.insert(k, v.clone());
        return Ok((v, true));
    }
    drop(memo);
    Ok((
        VerifyingKey::from_bytes_with_id(suite, public_key, distid)?,
        false,
    ))
}

pub(super) fn remember_key(suite: Suite, distid: &str, key: &VerifyingKey) {
    let mut memo = KEY_MEMO.lock().unwrap_or_else(|e| e.into_inner());
    memo.get_or_insert_with(KeyMemo::default)
        .insert((suite, key.to_bytes(), distid.to_owned()), key.clone());
}

pub(super) fn verify_one(
    suite: Suite,
    msg: &[u8],
    s: &RecordSignature,
) -> Result<RecordSigner, yinzheng_crypto::CryptoError> {
    let distid = if s.distid.is_empty() {
        DEFAULT_DISTID
    } else {
        s.distid.as_str()
    };
    let (key, known) = signer_key(suite, &s.public_key, distid)?;
    if key.to_bytes() != s.public_key {
        return Err(yinzheng_crypto::CryptoError::PublicKey {
            reason: "public key must be in canonical (uncompressed) form",
        });
    }
    let sig = Signature::from_raw(suite, &s.signature)?;
    key.verify(msg, &sig)?;
    if !known {
        remember_key(suite, distid, &key);
    }
    Ok(RecordSigner {
        public_key: s.public_key.clone(),
        distid: distid.to_owned(),
        key,
    })
}

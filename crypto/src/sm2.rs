//! SM2 digital signatures: GM/T 0003.2 with the GM/T 0009 distinguishing ID.
//!
//! * `Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)` is computed once,
//!   when a verifying key is built, and cached in it.
//! * `e = SM3(Z_A ‖ M)`; the signature is `(r, s)` per GM/T 0003.2 §6.1 (A1–A7)
//!   and checked per §7.1 (B1–B7).
//! * Signing draws `k` from the operating system's generator (A3) and runs on the
//!   constant-time arithmetic of the `sm2` crate. The secret scalar lives in a
//!   `SecretKey`, which is zeroized on drop.

use core::fmt;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use sm2::elliptic_curve::Group as _;
use sm2::elliptic_curve::ff::PrimeField;
use sm2::elliptic_curve::ops::Reduce;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::elliptic_curve::sec1::ToSec1Point;
use sm2::{NonZeroScalar, ProjectivePoint, Scalar};
use sm3::Digest as _;
use zeroize::Zeroizing;

use crate::signature::Signature;
use crate::sm2_fast::{HotTable, KeyPath, KeyTable};
use crate::{CryptoError, Digest, Suite};

/// The GM/T 0009 default distinguishing ID, used unless a key declares another.
pub const DEFAULT_DISTID: &str = "1234567812345678";

/// Length of an uncompressed SM2 public key, `04‖X‖Y`.
pub const SM2_PUBLIC_KEY_LEN: usize = 65;

/// The curve coefficients and base point as they enter `Z_A` (GM/T 0003.5 §3).
const CURVE_A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const CURVE_B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
pub(crate) const GX: [u8; 32] =
    hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
pub(crate) const GY: [u8; 32] =
    hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

// Only evaluated in constant context on the literals above: a typo there is a
// compile error, never a runtime panic.
#[allow(clippy::panic)]
const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'F' => c - b'A' + 10,
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("not a hex digit"),
    }
}

/// `Z_A` for a distinguishing ID and an uncompressed public key (GM/T 0003.2 §5.5).
pub fn z_a(distid: &[u8], public_key: &[u8; SM2_PUBLIC_KEY_LEN]) -> Result<Digest, CryptoError> {
    let entl = distid
        .len()
        .checked_mul(8)
        .and_then(|bits| u16::try_from(bits).ok())
        .ok_or(CryptoError::DistIdTooLong { len: distid.len() })?;
    let mut h = sm3::Sm3::new();
    h.update(entl.to_be_bytes());
    h.update(distid);
    h.update(CURVE_A);
    h.update(CURVE_B);
    h.update(GX);
    h.update(GY);
    h.update(&public_key[1..]);
    Ok(Digest(h.finalize().into()))
}

/// Parse SEC1 bytes (65-byte uncompressed, or 33-byte compressed) into a point,
/// refusing the identity and points off the curve.
pub(crate) fn decode_point(bytes: &[u8]) -> Result<sm2::PublicKey, CryptoError> {
    match bytes.len() {
        65 if bytes[0] == 0x04 => {}
        33 if bytes[0] == 0x02 || bytes[0] == 0x03 => {}
        0 => return Err(CryptoError::PublicKey { reason: "empty" }),
        65 | 33 => {
            return Err(CryptoError::PublicKey {
                reason: "unknown SEC1 point tag",
            });
        }
        _ => {
            return Err(CryptoError::PublicKey {
                reason: "SM2 public key must be 65 bytes (04‖X‖Y) or 33 bytes compressed",
            });
        }
    }
    sm2::PublicKey::from_sec1_bytes(bytes).map_err(|_| CryptoError::PublicKey {
        reason: "point is not on the SM2 curve",
    })
}

fn encode_point(pk: &sm2::PublicKey) -> [u8; SM2_PUBLIC_KEY_LEN] {
    let enc = pk.as_affine().to_sec1_point(false);
    let mut out = [0u8; SM2_PUBLIC_KEY_LEN];
    // An uncompressed SEC1 encoding of a non-identity point is exactly 65 bytes.
    out.copy_from_slice(enc.as_bytes());
    out
}

/// Verifications with one key (its clones counted together) after which
/// its fixed-base table is built: the table costs about 25–30
/// verifications to build and saves about three quarters of each later one.
pub const HOT_AFTER: u32 = 64;
/// Most keys holding a fixed-base table at once in a process (each table is
/// 264 KiB: 17 MiB at most). Past it, further keys verify on the ordinary
/// path until a hot key is dropped; a flood of one-off keys can take the
/// places, never more memory (threat model A5).
pub const MAX_HOT_KEYS: usize = 64;
/// Keys holding a fixed-base table now.
static HOT_KEYS: AtomicUsize = AtomicUsize::new(0);

/// What a key's clones share: how often it has verified, and once it is
/// hot, its fixed-base table.
#[derive(Default)]
struct Hot {
    uses: AtomicU32,
    /// Who builds the table: [`UNCLAIMED`], [`PLACED`] (holds one of the
    /// [`MAX_HOT_KEYS`] places) or [`FORCED`] (outside them).
    claim: AtomicU8,
    table: OnceLock<HotTable>,
}

const UNCLAIMED: u8 = 0;
const PLACED: u8 = 1;
const FORCED: u8 = 2;

impl Hot {
    /// Claim the right to build the table: one of the places, or (`forced`)
    /// outside them. False if already claimed or no place is free.
    fn claim(&self, forced: bool) -> bool {
        let how = if forced { FORCED } else { PLACED };
        if self
            .claim
            .compare_exchange(UNCLAIMED, how, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        if forced {
            return true;
        }
        let placed = HOT_KEYS
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_HOT_KEYS).then_some(n + 1)
            })
            .is_ok();
        if !placed {
            self.claim.store(UNCLAIMED, Ordering::Release);
        }
        placed
    }
}

impl Drop for Hot {
    fn drop(&mut self) {
        if *self.claim.get_mut() == PLACED {
            HOT_KEYS.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// An SM2 public key with its distinguishing ID and cached `Z_A`.
#[derive(Clone)]
pub struct Sm2VerifyingKey {
    bytes: [u8; SM2_PUBLIC_KEY_LEN],
    distid: String,
    z: Digest,
    /// Odd multiples of the point for the fast path, built on first use.
    table: OnceLock<Option<Arc<KeyTable>>>,
    /// Use count and fixed-base table, shared by the key's clones.
    hot: Arc<Hot>,
    /// The `sm2` crate's key for the reference path (tests and benchmarks
    /// only), built on first use so that ordinary keys never pay for it.
    reference: OnceLock<Option<Arc<sm2::dsa::VerifyingKey>>>,
}

impl Sm2VerifyingKey {
    /// From SEC1 bytes with the default distinguishing ID.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, CryptoError> {
        Self::from_sec1_with_id(bytes, DEFAULT_DISTID)
    }

    /// From SEC1 bytes with an explicit distinguishing ID.
    pub fn from_sec1_with_id(bytes: &[u8], distid: &str) -> Result<Self, CryptoError> {
        let pk = decode_point(bytes)?;
        Self::from_public_key(pk, distid)
    }

    pub(crate) fn from_public_key(pk: sm2::PublicKey, distid: &str) -> Result<Self, CryptoError> {
        let bytes = encode_point(&pk);
        let z = z_a(distid.as_bytes(), &bytes)?;
        Ok(Sm2VerifyingKey {
            bytes,
            distid: distid.to_owned(),
            z,
            table: OnceLock::new(),
            hot: Arc::default(),
            reference: OnceLock::new(),
        })
    }

    /// The 65-byte uncompressed public key `04‖X‖Y`.
    pub fn to_bytes(&self) -> [u8; SM2_PUBLIC_KEY_LEN] {
        self.bytes
    }

    /// The distinguishing ID this key verifies under.
    pub fn distid(&self) -> &str {
        &self.distid
    }

    /// The cached `Z_A`.
    pub fn z_a(&self) -> Digest {
        self.z
    }

    /// `e = SM3(Z_A ‖ M)`.
    pub fn message_digest(&self, msg: &[u8]) -> Digest {
        let mut h = sm3::Sm3::new_with_prefix(self.z.0);
        h.update(msg);
        Digest(h.finalize().into())
    }

    /// Verify a signature over `msg` (GM/T 0003.2 §7.1).
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
        let e = self.message_digest(msg);
        self.verify_digest(&e, sig)
    }

    /// Verify against an already computed `e` (steps B4 onward), on the fast
    /// variable-time path (`sm2_fast`).
    pub fn verify_digest(&self, e: &Digest, sig: &Signature) -> Result<(), CryptoError> {
        if sig.suite() != Suite::Sm {
            return Err(CryptoError::SuiteMismatch {
                key: Suite::Sm,
                signature: sig.suite(),
            });
        }
        let path = match self.hot.table.get() {
            Some(h) => KeyPath::Hot(h),
            None => match self.key_table() {
                Some(t) => {
                    self.count_use(t);
                    KeyPath::Wnaf(t)
                }
                // Unreachable for a key that decoded; fall back to the reference path.
                None => return self.verify_digest_reference(e, sig),
            },
        };
        if crate::sm2_fast::verify_prehash(path, &e.0, sig.as_bytes()) {
            Ok(())
        } else {
            Err(CryptoError::SignatureMismatch)
        }
    }

    fn key_table(&self) -> Option<&KeyTable> {
        self.table
            .get_or_init(|| crate::sm2_fast::key_table(&self.bytes).map(Arc::new))
            .as_deref()
    }

    /// Count a verification on the ordinary path; the [`HOT_AFTER`]th
    /// builds the key's fixed-base table if a place is free.
    fn count_use(&self, t: &KeyTable) {
        let hot = &self.hot;
        if hot.uses.load(Ordering::Relaxed) < HOT_AFTER {
            hot.uses.fetch_add(1, Ordering::Relaxed);
        } else if hot.claim(false) {
            let _ = hot.table.set(HotTable::new(t));
        }
    }

    /// Whether this key verifies with its fixed-base table.
    pub fn is_hot(&self) -> bool {
        self.hot.table.get().is_some()
    }

    /// Build this key's fixed-base table now, whatever its use count and
    /// beyond [`MAX_HOT_KEYS`] (tests and benchmarks compare the paths).
    #[doc(hidden)]
    pub fn make_hot(&self) {
        if let Some(t) = self.key_table()
            && self.hot.claim(true)
        {
            let _ = self.hot.table.set(HotTable::new(t));
        }
    }

    /// Verify on the ordinary (wNAF) path even if the key is hot, without
    /// counting the use (tests compare the paths).
    #[doc(hidden)]
    pub fn verify_ordinary(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
        let e = self.message_digest(msg);
        match self.key_table() {
            Some(t) if crate::sm2_fast::verify_prehash(KeyPath::Wnaf(t), &e.0, sig.as_bytes()) => {
                Ok(())
            }
            Some(_) => Err(CryptoError::SignatureMismatch),
            None => self.verify_digest_reference(&e, sig),
        }
    }

    /// Verify on the reference path of the `sm2` crate (constant-time
    /// arithmetic, complete formulas). For differential testing and benchmarks.
    #[doc(hidden)]
    pub fn verify_reference(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
        self.verify_digest_reference(&self.message_digest(msg), sig)
    }

    fn verify_digest_reference(&self, e: &Digest, sig: &Signature) -> Result<(), CryptoError> {
        use sm2::dsa::signature::hazmat::PrehashVerifier;
        if sig.suite() != Suite::Sm {
            return Err(CryptoError::SuiteMismatch {
                key: Suite::Sm,
                signature: sig.suite(),
            });
        }
        // B1, B2 were checked when the `Signature` was decoded.
        let s = sm2::dsa::Signature::from_slice(sig.as_bytes())
            .map_err(|_| CryptoError::SignatureMismatch)?;
        let reference = self.reference.get_or_init(|| {
            let pk = decode_point(&self.bytes).ok()?;
            sm2::dsa::VerifyingKey::new(&self.distid, pk)
                .ok()
                .map(Arc::new)
        });
        let Some(key) = reference else {
            // The bytes decoded when this key was built; they decode again.
            return Err(CryptoError::PublicKey {
                reason: "point is not on the SM2 curve",
            });
        };
        key.verify_prehash(&e.0, &s)
            .map_err(|_| CryptoError::SignatureMismatch)
    }
}

impl fmt::Debug for Sm2VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sm2VerifyingKey(")?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        write!(f, ", id {:?})", self.distid())
    }
}

impl PartialEq for Sm2VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.distid() == other.distid()
    }
}

impl Eq for Sm2VerifyingKey {}

/// An SM2 private key with its distinguishing ID.
#[derive(Clone)]
pub struct Sm2SigningKey {
    secret: sm2::SecretKey,
    public: Sm2VerifyingKey,
}

impl Sm2SigningKey {
    /// A fresh key from the operating system's generator, default ID.
    pub fn generate() -> Result<Self, CryptoError> {
        let d = random_nonzero_scalar()?;
        Self::from_secret(sm2::SecretKey::from(*d), DEFAULT_DISTID)
    }

    /// From a 32-byte big-endian secret scalar `d` (`1 ≤ d < n − 1`).
    pub fn from_bytes(bytes: &[u8], distid: &str) -> Result<Self, CryptoError> {
        let secret = sm2::SecretKey::from_slice(bytes).map_err(|_| CryptoError::PrivateKey {
            reason: "not a scalar in [1, n-1]",
        })?;
        Self::from_secret(secret, distid)
    }

    pub(crate) fn from_secret(secret: sm2::SecretKey, distid: &str) -> Result<Self, CryptoError> {
        // GM/T 0003.2 §6.1 A6 divides by 1 + d, so d = n − 1 cannot sign.
        let d = Zeroizing::new(secret.to_nonzero_scalar());
        if bool::from((**d + Scalar::ONE).is_zero()) {
            return Err(CryptoError::PrivateKey {
                reason: "d = n - 1 cannot sign",
            });
        }
        let public = Sm2VerifyingKey::from_public_key(secret.public_key(), distid)?;
        Ok(Sm2SigningKey { secret, public })
    }

    /// The same key under another distinguishing ID.
    pub fn with_distid(&self, distid: &str) -> Result<Self, CryptoError> {
        Self::from_secret(self.secret.clone(), distid)
    }

    /// The public half.
    pub fn verifying_key(&self) -> &Sm2VerifyingKey {
        &self.public
    }

    /// The 32-byte secret scalar, in a buffer wiped on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes().into())
    }

    pub(crate) fn secret(&self) -> &sm2::SecretKey {
        &self.secret
    }

    /// Sign `msg` (GM/T 0003.2 §6.1).
    pub fn sign(&self, msg: &[u8]) -> Result<Signature, CryptoError> {
        let e = self.public.message_digest(msg);
        loop {
            let k = random_nonzero_scalar()?;
            if let Some(sig) = self.sign_digest_with_k(&e, &k) {
                return Ok(sig);
            }
        }
    }

    /// Steps A4–A7 with a caller-chosen `k`. `None` when `k` must be redrawn.
    ///
    /// Exposed for the GM/T 0003.5 annex vectors, which fix `k`; signing code
    /// must use [`Sm2SigningKey::sign`], which draws `k` freshly each time.
    #[doc(hidden)]
    pub fn sign_digest_with_k(&self, e: &Digest, k: &NonZeroScalar) -> Option<Signature> {
        let d = Zeroizing::new(self.secret.to_nonzero_scalar());
        let e = <Scalar as Reduce<sm2::U256>>::reduce(&sm2::U256::from_be_slice(&e.0));
        // A4: (x1, y1) = [k]G
        let point = (ProjectivePoint::mul_by_generator(&**k)).to_affine();
        // A5: r = (e + x1) mod n; redraw if r = 0 or r + k = n
        let r = e + <Scalar as Reduce<sm2::FieldBytes>>::reduce(&point.x());
        if bool::from(r.is_zero() | (r + **k).is_zero()) {
            return None;
        }
        // A6: s = ((1 + d)^-1 · (k − r·d)) mod n; redraw if s = 0
        let inv = Option::<Scalar>::from((**d + Scalar::ONE).invert())?;
        let s = inv * (**k - r * **d);
        if bool::from(s.is_zero()) {
            return None;
        }
        // A7
        let mut raw = [0u8; 64];
        raw[..32].copy_from_slice(&r.to_repr());
        raw[32..].copy_from_slice(&s.to_repr());
        Signature::from_raw(Suite::Sm, &raw).ok()
    }
}

impl fmt::Debug for Sm2SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sm2SigningKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A uniformly random scalar in `[1, n − 1]` by rejection sampling.
fn random_nonzero_scalar() -> Result<Zeroizing<NonZeroScalar>, CryptoError> {
    let mut buf = Zeroizing::new([0u8; 32]);
    loop {
        getrandom::fill(&mut buf[..]).map_err(|_| CryptoError::Rng)?;
        let repr = sm2::FieldBytes::from(*buf);
        if let Some(s) = Option::<NonZeroScalar>::from(NonZeroScalar::from_repr(repr)) {
            return Ok(Zeroizing::new(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only test in this binary that makes keys hot by use, so it
    /// owns the process's places.
    #[test]
    fn keys_turn_hot_after_their_uses_and_never_past_the_places() {
        let msg = b"hot";
        let keys: Vec<(Sm2SigningKey, Sm2VerifyingKey)> = (0..MAX_HOT_KEYS + 2)
            .map(|_| {
                let sk = Sm2SigningKey::generate().unwrap();
                let vk = sk.verifying_key().clone();
                (sk, vk)
            })
            .collect();
        let use_all = |n: u32| {
            for (sk, vk) in &keys {
                let sig = sk.sign(msg).unwrap();
                for _ in 0..n {
                    // A clone shares the count and the table.
                    vk.clone().verify(msg, &sig).unwrap();
                }
            }
        };
        use_all(HOT_AFTER);
        assert!(keys.iter().all(|(_, vk)| !vk.is_hot()));
        use_all(1);
        let hot = keys.iter().filter(|(_, vk)| vk.is_hot()).count();
        assert_eq!(hot, MAX_HOT_KEYS, "as many hot keys as places");
        assert_eq!(HOT_KEYS.load(Ordering::Acquire), MAX_HOT_KEYS);
        // A hot key verifies and refuses as before.
        let (sk, vk) = &keys[0];
        assert!(vk.is_hot());
        let sig = sk.sign(msg).unwrap();
        vk.verify(msg, &sig).unwrap();
        assert!(vk.verify(b"other", &sig).is_err());
        // Dropping a hot key (all its clones) frees its place for the next.
        let waiting: Vec<_> = keys
            .iter()
            .filter(|(_, vk)| !vk.is_hot())
            .cloned()
            .collect();
        drop(keys);
        assert_eq!(HOT_KEYS.load(Ordering::Acquire), 0);
        let (sk, vk) = &waiting[0];
        vk.verify(msg, &sk.sign(msg).unwrap()).unwrap();
        assert!(vk.is_hot());
        // A forced table takes no place.
        waiting[1].1.make_hot();
        assert!(waiting[1].1.is_hot());
        assert_eq!(HOT_KEYS.load(Ordering::Acquire), 1);
    }
}

//! Fast SM2 signature verification (GM/T 0003.2 §7.1, steps B5–B7).
//!
//! Verification touches only public data, so it may run in variable time:
//!
//! * `[s]G` from a fixed table of signed 8-bit windows (33 × 128 affine points,
//!   built once per process): 32–33 mixed additions and no doublings;
//! * `[t]P` by width-6 wNAF over 16 odd multiples of `P`, cached per key
//!   (about 256 doublings and 40 additions);
//! * for a *hot* key (one that has verified many signatures, see
//!   [`crate::Sm2VerifyingKey`]) `[t]P` from a table of `P` laid out like
//!   `G`'s: 32–33 mixed additions and no doublings, about a quarter of the
//!   wNAF's field operations;
//! * Jacobian coordinates with the `a = −3` formulas over Montgomery field
//!   arithmetic with the SM2 prime's `−p⁻¹ ≡ 1 (mod 2^64)` shortcut;
//! * no final inversion: `R = (e + x₁) mod n = r` is checked as
//!   `X = c·Z²` for the (at most two) `x₁ ∈ {c, c + n}` with `c = (r − e) mod n`.
//!
//! The reference (`sm2` crate) path stays available and the two are compared
//! on random and corrupted inputs (`crypto/tests/it/fast_verify.rs`, the fuzz
//! target `fuzz/fuzz_targets/sm2_verify_diff.rs`).

mod field;
mod point;

use std::sync::OnceLock;

use sm2::Scalar;
use sm2::elliptic_curve::ff::PrimeField;
use sm2::elliptic_curve::ops::Reduce;

use field::{Fe, P, add_limbs, be_to_limbs, lt};
use point::{Affine, Jacobian, batch_normalize};

/// wNAF width for the variable base.
const W: u32 = 6;
/// Odd multiples `P, 3P, …, (2^(W−1) − 1)·P`.
const KEY_TABLE: usize = 1 << (W - 2);
/// Signed 8-bit windows of a fixed-base product, one extra for the final carry.
const G_WINDOWS: usize = 33;
/// Points per window of a fixed-base table: `k·2^(8i)·B` for `k = 1..=128`.
const ROW: usize = 128;

/// The per-key precomputation: odd multiples of the public point, affine.
#[derive(Clone, Debug)]
pub(crate) struct KeyTable {
    odd: Vec<Affine>,
}

/// Build the table for an uncompressed public key already checked to be a
/// valid point (`04‖X‖Y`). `None` if the coordinates are not field elements.
pub(crate) fn key_table(pk: &[u8; 65]) -> Option<KeyTable> {
    let mut x = [0u8; 32];
    let mut y = [0u8; 32];
    x.copy_from_slice(&pk[1..33]);
    y.copy_from_slice(&pk[33..65]);
    let p = Affine {
        x: Fe::from_bytes(&x)?,
        y: Fe::from_bytes(&y)?,
    };
    Some(KeyTable {
        odd: odd_multiples(&p, KEY_TABLE),
    })
}

fn odd_multiples(p: &Affine, count: usize) -> Vec<Affine> {
    let twice = Jacobian::from_affine(p).double();
    if twice.is_identity() {
        // Impossible on a prime-order curve for a non-identity point.
        return vec![*p; count];
    }
    let two = batch_normalize(&[twice])[0];
    let mut jac = Vec::with_capacity(count);
    let mut acc = Jacobian::from_affine(p);
    jac.push(acc);
    for _ in 1..count {
        acc = acc.add_affine(&two);
        jac.push(acc);
    }
    batch_normalize(&jac)
}

/// The fixed-base table of `b`, flat: index `i·ROW + k − 1` holds
/// `k·2^(8i)·b`. For a point of prime order none of these is the identity.
fn fixed_base_rows(b: &Affine) -> Vec<Affine> {
    let mut rows: Vec<Jacobian> = Vec::with_capacity(G_WINDOWS * ROW);
    let mut base = *b;
    for _ in 0..G_WINDOWS {
        let mut acc = Jacobian::from_affine(&base);
        rows.push(acc);
        for _ in 1..ROW {
            acc = acc.add_affine(&base);
            rows.push(acc);
        }
        let mut next = Jacobian::from_affine(&base);
        for _ in 0..8 {
            next = next.double();
        }
        base = batch_normalize(&[next])[0];
    }
    batch_normalize(&rows)
}

fn g_table() -> &'static [Affine] {
    static TABLE: OnceLock<Vec<Affine>> = OnceLock::new();
    TABLE.get_or_init(|| {
        fixed_base_rows(&Affine {
            x: Fe::from_limbs_reduced(be_to_limbs(&crate::sm2::GX)),
            y: Fe::from_limbs_reduced(be_to_limbs(&crate::sm2::GY)),
        })
    })
}

/// A hot key's fixed-base table (33 × 128 affine points, 264 KiB), built
/// from its [`KeyTable`] in about 25 ordinary verifications' time.
pub(crate) struct HotTable {
    rows: Vec<Affine>,
}

impl HotTable {
    pub(crate) fn new(key: &KeyTable) -> HotTable {
        // odd[0] is the public point itself.
        HotTable {
            rows: fixed_base_rows(&key.odd[0]),
        }
    }
}

/// Where `[t]P` comes from.
#[derive(Clone, Copy)]
pub(crate) enum KeyPath<'a> {
    /// The key's odd multiples, by wNAF.
    Wnaf(&'a KeyTable),
    /// A hot key's fixed-base table.
    Hot(&'a HotTable),
}

/// Force the fixed-base table to be built now (it is otherwise built on the
/// first verification, taking a few milliseconds).
pub(crate) fn warm_up() {
    let _ = g_table();
}

/// Width-`W` non-adjacent form of a 256-bit scalar, least significant first.
fn wnaf(k: &[u64; 4]) -> [i8; 257] {
    let mut out = [0i8; 257];
    let mut v = [k[0], k[1], k[2], k[3], 0u64];
    let window = 1i64 << W;
    let half = window >> 1;
    let mut i = 0;
    while v != [0; 5] && i < out.len() {
        if v[0] & 1 == 1 {
            let mut d = (v[0] & (window as u64 - 1)) as i64;
            if d >= half {
                d -= window;
            }
            // v −= d
            if d > 0 {
                sub_small(&mut v, d as u64);
            } else {
                add_small(&mut v, (-d) as u64);
            }
            // |d| < 2^(W−1) = 32.
            out[i] = i8::try_from(d).unwrap_or(0);
        }
        shr1(&mut v);
        i += 1;
    }
    out
}

fn sub_small(v: &mut [u64; 5], d: u64) {
    let mut borrow = d;
    for limb in v.iter_mut() {
        let (r, b) = limb.overflowing_sub(borrow);
        *limb = r;
        borrow = u64::from(b);
        if borrow == 0 {
            break;
        }
    }
}

fn add_small(v: &mut [u64; 5], d: u64) {
    let mut carry = d;
    for limb in v.iter_mut() {
        let (r, c) = limb.overflowing_add(carry);
        *limb = r;
        carry = u64::from(c);
        if carry == 0 {
            break;
        }
    }
}

fn shr1(v: &mut [u64; 5]) {
    for i in 0..5 {
        v[i] = (v[i] >> 1) | if i + 1 < 5 { v[i + 1] << 63 } else { 0 };
    }
}

/// Signed 8-bit windows of a big-endian scalar: `k = Σ dᵢ·2^(8i)`, `dᵢ ∈ [−128, 127]`.
fn signed_bytes(k: &[u8; 32]) -> [i16; G_WINDOWS] {
    let mut out = [0i16; G_WINDOWS];
    let mut carry = 0i16;
    for i in 0..32 {
        let mut d = i16::from(k[31 - i]) + carry;
        if d >= 128 {
            d -= 256;
            carry = 1;
        } else {
            carry = 0;
        }
        out[i] = d;
    }
    out[32] = carry;
    out
}

#[inline(always)]
fn add_signed(q: &Jacobian, table: &[Affine], d: i32) -> Jacobian {
    if d > 0 {
        q.add_affine(&table[(d as usize - 1) / 2])
    } else {
        q.add_affine(&table[((-d) as usize - 1) / 2].neg())
    }
}

/// `q + [k]B` for a big-endian scalar `k` and `B`'s fixed-base table.
fn add_fixed_base(mut q: Jacobian, rows: &[Affine], k: &[u8; 32]) -> Jacobian {
    for (i, d) in signed_bytes(k).iter().enumerate() {
        if *d != 0 {
            let k = usize::from(d.unsigned_abs());
            let pt = rows[i * ROW + k - 1];
            q = q.add_affine(&if *d > 0 { pt } else { pt.neg() });
        }
    }
    q
}

/// `[k]P` by wNAF over `P`'s odd multiples.
fn mul_wnaf(key: &KeyTable, k: &[u8; 32]) -> Jacobian {
    let naf = wnaf(&be_to_limbs(k));
    let mut q = Jacobian::IDENTITY;
    let top = naf.iter().rposition(|&d| d != 0).unwrap_or(0);
    for i in (0..=top).rev() {
        q = q.double();
        let d = naf[i];
        if d != 0 {
            q = add_signed(&q, &key.odd, i32::from(d));
        }
    }
    q
}

/// Steps B4–B7 for a prehash `e`, a signature `r‖s` whose halves are already
/// known to lie in `[1, n − 1]`, and the key's table.
pub(crate) fn verify_prehash(key: KeyPath<'_>, e: &[u8; 32], rs: &[u8; 64]) -> bool {
    let mut rb = [0u8; 32];
    let mut sb = [0u8; 32];
    rb.copy_from_slice(&rs[..32]);
    sb.copy_from_slice(&rs[32..]);
    let (Some(r), Some(s)) = (
        Option::<Scalar>::from(Scalar::from_repr(rb.into())),
        Option::<Scalar>::from(Scalar::from_repr(sb.into())),
    ) else {
        return false;
    };
    if bool::from(r.is_zero() | s.is_zero()) {
        return false;
    }
    // B4, B5: e, t = r + s mod n ≠ 0.
    let e = <Scalar as Reduce<sm2::U256>>::reduce(&sm2::U256::from_be_slice(e));
    let t = r + s;
    if bool::from(t.is_zero()) {
        return false;
    }
    // B6: (x₁, y₁) = [s]G + [t]P.
    let mut tb = [0u8; 32];
    tb.copy_from_slice(&t.to_repr());
    let q = match key {
        KeyPath::Wnaf(k) => mul_wnaf(k, &tb),
        KeyPath::Hot(h) => add_fixed_base(Jacobian::IDENTITY, &h.rows, &tb),
    };
    let q = add_fixed_base(q, g_table(), &sb);
    if q.is_identity() {
        return false;
    }
    // B7: (e + x₁) mod n = r  ⇔  x₁ ∈ {c, c + n} with c = (r − e) mod n.
    let c = r - e;
    let mut cb = [0u8; 32];
    cb.copy_from_slice(&c.to_repr());
    let c = be_to_limbs(&cb);
    let z2 = q.z.square();
    if Fe::from_limbs_reduced(c).mul(&z2) == q.x {
        return true;
    }
    let (c_plus_n, carry) = add_limbs(&c, &crate::sm2_fast::N);
    carry == 0 && lt(&c_plus_n, &P) && Fe::from_limbs_reduced(c_plus_n).mul(&z2) == q.x
}

/// The group order `n`, little-endian limbs.
const N: [u64; 4] = [
    0x53bbf40939d54123,
    0x7203df6b21c6052b,
    0xffffffffffffffff,
    0xfffffffeffffffff,
];

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)] // test data derived from small seeds
mod tests {
    use super::*;

    /// Σ dᵢ·2^i mod n, to compare with the scalar.
    fn naf_value(naf: &[i8; 257]) -> Scalar {
        let mut acc = Scalar::ZERO;
        for d in naf.iter().rev() {
            acc = acc.double();
            let m = Scalar::from(u64::from(d.unsigned_abs()));
            acc = if *d >= 0 { acc + m } else { acc - m };
        }
        acc
    }

    #[test]
    fn wnaf_is_non_adjacent_and_exact() {
        for seed in 1u64..300 {
            let mut b = [0u8; 32];
            for (i, x) in b.iter_mut().enumerate() {
                *x = (seed
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .rotate_left(i as u32)
                    >> 7) as u8;
            }
            b[0] &= 0x7f; // below n
            let k = Option::<Scalar>::from(Scalar::from_repr(b.into())).unwrap();
            let naf = wnaf(&be_to_limbs(&b));
            assert_eq!(naf_value(&naf), k);
            let mut last: Option<usize> = None;
            for (i, d) in naf.iter().enumerate() {
                if *d != 0 {
                    assert!(d % 2 != 0 && i32::from(*d).abs() < (1 << (W - 1)));
                    assert!(last.is_none_or(|l| i - l >= W as usize));
                    last = Some(i);
                }
            }
        }
    }

    #[test]
    fn a_hot_table_is_264_kib() {
        assert_eq!(G_WINDOWS * ROW * std::mem::size_of::<Affine>(), 264 * 1024);
    }

    #[test]
    fn signed_bytes_recombine() {
        let k = [0xffu8; 32];
        let d = signed_bytes(&k);
        // Σ dᵢ 2^(8i) over i128 would overflow; check the carry chain instead.
        assert_eq!(d[0], -1);
        assert!(d[1..32].iter().all(|&x| x == 0));
        assert_eq!(d[32], 1);
    }
}

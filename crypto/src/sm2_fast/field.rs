// Limb arithmetic splits u128 products into their low and high 64-bit words:
// the truncating casts are the point.
#![allow(clippy::cast_possible_truncation)]

//! Arithmetic modulo the SM2 prime `p = 2^256 − 2^224 − 2^96 + 2^64 − 1`,
//! in Montgomery form with four 64-bit limbs (least significant first).
//!
//! Variable-time where that is faster: this module only ever handles public
//! data (public keys, signatures, message digests).

/// `p`, little-endian limbs.
pub(crate) const P: [u64; 4] = [
    0xffffffffffffffff,
    0xffffffff00000000,
    0xffffffffffffffff,
    0xfffffffeffffffff,
];
/// `R² mod p` with `R = 2^256`, to enter Montgomery form.
const R2: [u64; 4] = [
    0x0000000200000003,
    0x00000002ffffffff,
    0x0000000100000001,
    0x0000000400000002,
];
/// `R mod p`: one, in Montgomery form.
const R1: [u64; 4] = [
    0x0000000000000001,
    0x00000000ffffffff,
    0x0000000000000000,
    0x0000000100000000,
];

/// A field element in Montgomery form (`a·R mod p`), fully reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Fe(pub(crate) [u64; 4]);

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = u128::from(a).wrapping_sub(u128::from(b) + u128::from(borrow));
    (t as u64, (t >> 127) as u64)
}

#[inline(always)]
fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(acc) + u128::from(a) * u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `a − p` if `a ≥ p` (with an extra top bit `hi`), else `a`.
#[inline(always)]
fn reduce_once(a: [u64; 4], hi: u64) -> [u64; 4] {
    let (r0, b) = sbb(a[0], P[0], 0);
    let (r1, b) = sbb(a[1], P[1], b);
    let (r2, b) = sbb(a[2], P[2], b);
    let (r3, b) = sbb(a[3], P[3], b);
    let (_, b) = sbb(hi, 0, b);
    // Branch-free select (the branch would be mispredicted half the time):
    // keep `a` when the subtraction borrowed.
    let keep = 0u64.wrapping_sub(b);
    [
        (a[0] & keep) | (r0 & !keep),
        (a[1] & keep) | (r1 & !keep),
        (a[2] & keep) | (r2 & !keep),
        (a[3] & keep) | (r3 & !keep),
    ]
}

impl Fe {
    pub(crate) const ZERO: Fe = Fe([0; 4]);
    pub(crate) const ONE: Fe = Fe(R1);

    /// From 32 big-endian bytes; `None` if the value is not below `p`.
    pub(crate) fn from_bytes(b: &[u8; 32]) -> Option<Fe> {
        let l = be_to_limbs(b);
        if !lt(&l, &P) {
            return None;
        }
        Some(Fe(l).mul(&Fe(R2)))
    }

    /// From a value known to be below `2^256`, reduced mod `p` first.
    pub(crate) fn from_limbs_reduced(l: [u64; 4]) -> Fe {
        Fe(reduce_once(l, 0)).mul(&Fe(R2))
    }

    /// Out of Montgomery form, as little-endian limbs.
    #[cfg(test)]
    pub(crate) fn to_limbs(self) -> [u64; 4] {
        self.mul(&Fe([1, 0, 0, 0])).0
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    #[inline(always)]
    pub(crate) fn add(&self, o: &Fe) -> Fe {
        let (r0, c) = adc(self.0[0], o.0[0], 0);
        let (r1, c) = adc(self.0[1], o.0[1], c);
        let (r2, c) = adc(self.0[2], o.0[2], c);
        let (r3, c) = adc(self.0[3], o.0[3], c);
        Fe(reduce_once([r0, r1, r2, r3], c))
    }

    #[inline(always)]
    pub(crate) fn sub(&self, o: &Fe) -> Fe {
        let (r0, b) = sbb(self.0[0], o.0[0], 0);
        let (r1, b) = sbb(self.0[1], o.0[1], b);
        let (r2, b) = sbb(self.0[2], o.0[2], b);
        let (r3, b) = sbb(self.0[3], o.0[3], b);
        // Add p back when the subtraction borrowed, without a branch.
        let mask = 0u64.wrapping_sub(b);
        let (r0, c) = adc(r0, P[0] & mask, 0);
        let (r1, c) = adc(r1, P[1] & mask, c);
        let (r2, c) = adc(r2, P[2] & mask, c);
        let (r3, _) = adc(r3, P[3] & mask, c);
        Fe([r0, r1, r2, r3])
    }

    #[inline(always)]
    pub(crate) fn double(&self) -> Fe {
        self.add(self)
    }

    #[inline(always)]
    pub(crate) fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// Montgomery multiplication (CIOS). `−p⁻¹ mod 2^64 = 1` because the low
    /// limb of `p` is `2^64 − 1`, so each reduction factor is the low limb itself.
    #[inline(always)]
    pub(crate) fn mul(&self, o: &Fe) -> Fe {
        let a = &self.0;
        let b = &o.0;
        let mut t = [0u64; 6];
        for &ai in a {
            let (t0, c) = mac(t[0], ai, b[0], 0);
            let (t1, c) = mac(t[1], ai, b[1], c);
            let (t2, c) = mac(t[2], ai, b[2], c);
            let (t3, c) = mac(t[3], ai, b[3], c);
            let (t4, t5) = adc(t[4], c, 0);
            let m = t0;
            let (_, c) = mac(t0, m, P[0], 0);
            let (n0, c) = mac(t1, m, P[1], c);
            let (n1, c) = mac(t2, m, P[2], c);
            let (n2, c) = mac(t3, m, P[3], c);
            let (n3, c) = adc(t4, c, 0);
            t = [n0, n1, n2, n3, t5 + c, 0];
        }
        Fe(reduce_once([t[0], t[1], t[2], t[3]], t[4]))
    }

    /// Montgomery squaring: the 512-bit square from 6 cross products (doubled)
    /// and 4 squares, then four word-by-word reduction rounds.
    #[inline(always)]
    pub(crate) fn square(&self) -> Fe {
        let a = &self.0;
        let mut t = [0u64; 8];
        for i in 0..3 {
            let mut carry = 0u64;
            for j in (i + 1)..4 {
                let (lo, hi) = mac(t[i + j], a[i], a[j], carry);
                t[i + j] = lo;
                carry = hi;
            }
            t[i + 4] = carry;
        }
        let mut top = 0u64;
        for limb in t.iter_mut() {
            let next = *limb >> 63;
            *limb = (*limb << 1) | top;
            top = next;
        }
        let mut carry = 0u64;
        for i in 0..4 {
            let (lo, hi) = mac(t[2 * i], a[i], a[i], carry);
            t[2 * i] = lo;
            let (lo2, c2) = adc(t[2 * i + 1], hi, 0);
            t[2 * i + 1] = lo2;
            carry = c2;
        }
        // Reduction: m = t[i] (−p⁻¹ ≡ 1), t += m·p·2^(64i).
        let mut hi_carry = 0u64;
        for i in 0..4 {
            let m = t[i];
            let mut c = 0u64;
            for (j, pj) in P.iter().enumerate() {
                let (lo, hi) = mac(t[i + j], m, *pj, c);
                t[i + j] = lo;
                c = hi;
            }
            let (s1, c1) = adc(t[i + 4], c, hi_carry);
            t[i + 4] = s1;
            hi_carry = c1;
        }
        Fe(reduce_once([t[4], t[5], t[6], t[7]], hi_carry))
    }

    /// `a^(p−2)`: the inverse of a non-zero element (zero maps to zero).
    pub(crate) fn invert(&self) -> Fe {
        // p − 2, little-endian limbs.
        let e = [P[0] - 2, P[1], P[2], P[3]];
        let mut r = Fe::ONE;
        for limb in e.iter().rev() {
            for bit in (0..64).rev() {
                r = r.square();
                if (limb >> bit) & 1 == 1 {
                    r = r.mul(self);
                }
            }
        }
        r
    }
}

/// 32 big-endian bytes to little-endian limbs.
pub(crate) fn be_to_limbs(b: &[u8; 32]) -> [u64; 4] {
    let mut l = [0u64; 4];
    for (i, chunk) in b.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        l[3 - i] = u64::from_be_bytes(w);
    }
    l
}

/// `a < b` for little-endian limbs.
pub(crate) fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a + b` for little-endian limbs, with the carry.
pub(crate) fn add_limbs(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    let (r0, c) = adc(a[0], b[0], 0);
    let (r1, c) = adc(a[1], b[1], c);
    let (r2, c) = adc(a[2], b[2], c);
    let (r3, c) = adc(a[3], b[3], c);
    ([r0, r1, r2, r3], c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_round_trip_and_inverse() {
        let mut b = [0u8; 32];
        b[31] = 7;
        b[0] = 0x12;
        let x = Fe::from_bytes(&b).unwrap();
        assert_eq!(x.to_limbs(), be_to_limbs(&b));
        assert_eq!(x.mul(&x.invert()), Fe::ONE);
        assert_eq!(x.sub(&x), Fe::ZERO);
        assert_eq!(x.add(&x.neg()), Fe::ZERO);
        // p − 1 squared is 1.
        let mut pm1 = [0u8; 32];
        for (i, l) in P.iter().rev().enumerate() {
            pm1[i * 8..i * 8 + 8].copy_from_slice(&l.to_be_bytes());
        }
        pm1[31] -= 1;
        let m1 = Fe::from_bytes(&pm1).unwrap();
        assert_eq!(m1.square(), Fe::ONE);
        assert_eq!(m1, Fe::ONE.neg());
        let mut pb = pm1;
        pb[31] += 1;
        assert!(Fe::from_bytes(&pb).is_none());
    }
}

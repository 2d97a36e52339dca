//! Points of the SM2 curve `y² = x³ − 3x + b` in Jacobian coordinates
//! (`x = X/Z²`, `y = Y/Z³`), with the `a = −3` formulas of the Explicit-Formulas
//! Database: `dbl-2001-b` (3M + 5S) and `madd-2007-bl` (7M + 4S). Variable time:
//! public data only.

use super::field::Fe;

/// An affine point (never the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Affine {
    pub(crate) x: Fe,
    pub(crate) y: Fe,
}

impl Affine {
    pub(crate) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }
}

/// A Jacobian point; `Z = 0` is the identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jacobian {
    pub(crate) x: Fe,
    pub(crate) y: Fe,
    pub(crate) z: Fe,
}

impl Jacobian {
    pub(crate) const IDENTITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    pub(crate) fn from_affine(p: &Affine) -> Jacobian {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }

    pub(crate) fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// `2·self` (dbl-2001-b).
    pub(crate) fn double(&self) -> Jacobian {
        if self.is_identity() || self.y.is_zero() {
            return Jacobian::IDENTITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let g2 = gamma.square();
        let g8 = g2.double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&g8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for an affine `q` (madd-2007-bl), with the exceptional cases.
    pub(crate) fn add_affine(&self, q: &Affine) -> Jacobian {
        if self.is_identity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

/// Convert many Jacobian points (none the identity) to affine with one
/// inversion (Montgomery's trick).
pub(crate) fn batch_normalize(points: &[Jacobian]) -> Vec<Affine> {
    let n = points.len();
    let mut prefix = Vec::with_capacity(n);
    let mut acc = Fe::ONE;
    for p in points {
        prefix.push(acc);
        acc = acc.mul(&p.z);
    }
    let mut inv = acc.invert();
    let mut out = vec![
        Affine {
            x: Fe::ZERO,
            y: Fe::ZERO
        };
        n
    ];
    for i in (0..n).rev() {
        let zinv = inv.mul(&prefix[i]);
        inv = inv.mul(&points[i].z);
        let zinv2 = zinv.square();
        out[i] = Affine {
            x: points[i].x.mul(&zinv2),
            y: points[i].y.mul(&zinv2).mul(&zinv),
        };
    }
    out
}

//! SM3 (GB/T 32905) of many messages of one length at once: eight
//! messages' compressions run side by side, each step done on an array of
//! eight words, which the compiler turns into vector instructions on any
//! x86-64 or ARMv8 CPU (no CPU-specific build, no unsafe code).
//!
//! The digests are SM3's, byte for byte: the tests compare them with the
//! one-message path and the standard's own examples. What callers gain is
//! speed where they hash many short inputs that do not depend on each
//! other: the status map's interior nodes of one depth in a block
//! (`H(0x03 ‖ left ‖ right)`, 65 bytes, two compressions each).

const LANES: usize = 8;
type Lane = [u32; LANES];

const IV: [u32; 8] = [
    0x7380_166f,
    0x4914_b2b9,
    0x1724_42d7,
    0xda8a_0600,
    0xa96f_30bc,
    0x1631_38aa,
    0xe38d_ee4d,
    0xb0fb_0e4e,
];

/// `T_j <<< (j mod 32)`, the round constants as each round adds them.
const T: [u32; 64] = {
    let mut t = [0u32; 64];
    let mut j = 0u32;
    while j < 64 {
        let base: u32 = if j < 16 { 0x79cc_4519 } else { 0x7a87_9d8a };
        t[j as usize] = base.rotate_left(j % 32);
        j += 1;
    }
    t
};

// Every step below is a plain loop over the lanes, inlined into `lanes`:
// what `pulp` compiles for the CPU's vector instructions (a function left
// out of line would be compiled for the baseline CPU only).
macro_rules! each {
    (|$i:ident| $e:expr) => {{
        let mut r = [0u32; LANES];
        let mut $i = 0;
        while $i < LANES {
            r[$i] = $e;
            $i += 1;
        }
        r
    }};
}

#[inline(always)]
fn rol(a: Lane, n: u32) -> Lane {
    each!(|i| a[i].rotate_left(n))
}

#[inline(always)]
fn add(a: Lane, b: Lane) -> Lane {
    each!(|i| a[i].wrapping_add(b[i]))
}

#[inline(always)]
fn xor(a: Lane, b: Lane) -> Lane {
    each!(|i| a[i] ^ b[i])
}

#[inline(always)]
fn p0(x: Lane) -> Lane {
    each!(|i| x[i] ^ x[i].rotate_left(9) ^ x[i].rotate_left(17))
}

#[inline(always)]
fn p1(x: Lane) -> Lane {
    each!(|i| x[i] ^ x[i].rotate_left(15) ^ x[i].rotate_left(23))
}

/// One compression of eight lanes' states with eight lanes' blocks (`w[i]`
/// holds word `i` of each lane's block). Inlined into the caller `pulp`
/// compiles for the CPU's vector instructions.
#[inline(always)]
fn compress(v: &mut [Lane; 8], block: &[Lane; 16]) {
    let mut w = [[0u32; LANES]; 68];
    w[..16].copy_from_slice(block);
    for j in 16..68 {
        let x = xor(xor(w[j - 16], w[j - 9]), rol(w[j - 3], 15));
        w[j] = xor(xor(p1(x), rol(w[j - 13], 7)), w[j - 6]);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *v;
    for j in 0..64 {
        let a12 = rol(a, 12);
        let ss1 = rol(add(add(a12, e), [T[j]; LANES]), 7);
        let ss2 = xor(ss1, a12);
        let (ff, gg) = if j < 16 {
            (each!(|i| a[i] ^ b[i] ^ c[i]), each!(|i| e[i] ^ f[i] ^ g[i]))
        } else {
            (
                each!(|i| (a[i] & b[i]) | (a[i] & c[i]) | (b[i] & c[i])),
                each!(|i| ((f[i] ^ g[i]) & e[i]) ^ g[i]),
            )
        };
        let tt1 = add(add(ff, d), add(ss2, xor(w[j], w[j + 4])));
        let tt2 = add(add(gg, h), add(ss1, w[j]));
        d = c;
        c = rol(b, 9);
        b = a;
        a = tt1;
        h = g;
        g = rol(f, 19);
        f = e;
        e = p0(tt2);
    }
    for (s, x) in v.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = xor(*s, x);
    }
}

/// The SM3 digest of each message; all must have the same length (`None`
/// otherwise). Eight at a time side by side; a last group of fewer runs
/// with its lanes filled by copies of its first message.
pub fn sm3_same_length(msgs: &[&[u8]]) -> Option<Vec<[u8; 32]>> {
    let Some(first) = msgs.first() else {
        return Some(Vec::new());
    };
    let len = first.len();
    if msgs.iter().any(|m| m.len() != len) {
        return None;
    }
    // Each lane's padded message: the message, 0x80, zeros, its length in
    // bits (u64 BE), to whole blocks. Only the message changes from group
    // to group.
    let stride = (len + 9).div_ceil(64) * 64;
    let mut buf = vec![0u8; LANES * stride];
    for lane in buf.chunks_exact_mut(stride) {
        lane[len] = 0x80;
        lane[stride - 8..].copy_from_slice(&(len as u64).wrapping_mul(8).to_be_bytes());
    }
    let mut out = Vec::with_capacity(msgs.len());
    // The loop below compiled once per instruction set (AVX-512, AVX2, …)
    // and run with the best this CPU has, chosen at run time.
    pulp::Arch::new().dispatch(Lanes {
        msgs,
        len,
        stride,
        buf: &mut buf,
        out: &mut out,
    });
    Some(out)
}

/// The messages, their padded copies and the digests, for `pulp`.
struct Lanes<'a> {
    msgs: &'a [&'a [u8]],
    len: usize,
    stride: usize,
    buf: &'a mut [u8],
    out: &'a mut Vec<[u8; 32]>,
}

impl pulp::WithSimd for Lanes<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        lanes(self.msgs, self.len, self.stride, self.buf, self.out);
    }
}

#[inline(always)]
fn lanes(msgs: &[&[u8]], len: usize, stride: usize, buf: &mut [u8], out: &mut Vec<[u8; 32]>) {
    for group in msgs.chunks(LANES) {
        for (l, lane) in buf.chunks_exact_mut(stride).enumerate() {
            lane[..len].copy_from_slice(group.get(l).unwrap_or(&group[0]));
        }
        let mut v = [[0u32; LANES]; 8];
        for (s, iv) in v.iter_mut().zip(IV) {
            *s = [iv; LANES];
        }
        for k in (0..stride).step_by(64) {
            let mut block = [[0u32; LANES]; 16];
            for (i, word) in block.iter_mut().enumerate() {
                *word = each!(|l| {
                    let o = l * stride + k + i * 4;
                    u32::from_be_bytes([buf[o], buf[o + 1], buf[o + 2], buf[o + 3]])
                });
            }
            compress(&mut v, &block);
        }
        for l in 0..group.len() {
            let mut d = [0u8; 32];
            for (i, word) in v.iter().enumerate() {
                d[i * 4..i * 4 + 4].copy_from_slice(&word[l].to_be_bytes());
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm3::Digest as _;

    fn one(m: &[u8]) -> [u8; 32] {
        sm3::Sm3::digest(m).into()
    }

    /// GB/T 32905's two examples, in every lane.
    #[test]
    fn the_standards_examples() {
        let abc = hex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        let abcd = hex("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
        let m64: Vec<u8> = b"abcd".repeat(16);
        for n in [1, 3, 8, 9, 17] {
            let got = sm3_same_length(&vec![&b"abc"[..]; n]).unwrap();
            assert!(got.iter().all(|d| d[..] == abc[..]));
            let got = sm3_same_length(&vec![&m64[..]; n]).unwrap();
            assert!(got.iter().all(|d| d[..] == abcd[..]));
        }
    }

    /// Distinct messages of every length around the block edges give the
    /// one-message path's digests, in order, for any count of messages.
    #[test]
    fn equals_one_message_at_a_time() {
        for len in [0usize, 1, 54, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            for count in [1usize, 2, 7, 8, 9, 16, 23] {
                let msgs: Vec<Vec<u8>> = (0..count)
                    .map(|i| {
                        (0..len)
                            .map(|b| (b * 31 + i * 7 + len).to_be_bytes()[7])
                            .collect()
                    })
                    .collect();
                let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
                let got = sm3_same_length(&refs).unwrap();
                let want: Vec<[u8; 32]> = msgs.iter().map(|m| one(m)).collect();
                assert_eq!(got, want, "length {len}, {count} messages");
            }
        }
    }

    #[test]
    fn lengths_must_agree() {
        assert!(sm3_same_length(&[b"ab", b"abc"]).is_none());
        assert_eq!(sm3_same_length(&[]).unwrap().len(), 0);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}

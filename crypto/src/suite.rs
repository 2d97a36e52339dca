//! The two algorithm suites, their hash function, and the digest type.

use core::fmt;
use core::str::FromStr;

use sha2::Digest as _;

/// An algorithm suite, chosen once per chain in its genesis file.
///
/// No other crate names an algorithm: they hold a `Suite` and ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Suite {
    /// SM2 signatures (GM/T 0003, GM/T 0009 distinguishing ID) and SM3 hashes (GM/T 0004).
    Sm,
    /// Ed25519 signatures (RFC 8032) and SHA-256 hashes.
    Intl,
}

impl Suite {
    /// Every suite, in a stable order.
    pub const ALL: [Suite; 2] = [Suite::Sm, Suite::Intl];

    /// The suite's name as written in genesis files: `sm` or `intl`.
    pub const fn name(self) -> &'static str {
        match self {
            Suite::Sm => "sm",
            Suite::Intl => "intl",
        }
    }

    /// The one-byte code used inside binary formats (`0x01` sm, `0x02` intl).
    pub const fn code(self) -> u8 {
        match self {
            Suite::Sm => 1,
            Suite::Intl => 2,
        }
    }

    /// The suite for a binary code, if any.
    pub const fn from_code(code: u8) -> Option<Suite> {
        match code {
            1 => Some(Suite::Sm),
            2 => Some(Suite::Intl),
            _ => None,
        }
    }

    /// Hash one byte string with the suite's hash function.
    pub fn hash(self, data: &[u8]) -> Digest {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }

    /// Hash the concatenation of several byte strings.
    pub fn hash_parts(self, parts: &[&[u8]]) -> Digest {
        let mut h = self.hasher();
        for p in parts {
            h.update(p);
        }
        h.finalize()
    }

    /// Hash many byte strings of one length (`None` if their lengths
    /// differ), each on its own: the digests `hash` gives, in order. SM3
    /// hashes eight at a time side by side (faster for short inputs that do
    /// not depend on each other, such as one depth of a tree's nodes).
    pub fn hash_same_length(self, msgs: &[&[u8]]) -> Option<Vec<Digest>> {
        match self {
            Suite::Sm => Some(
                crate::sm3_lanes::sm3_same_length(msgs)?
                    .into_iter()
                    .map(Digest)
                    .collect(),
            ),
            Suite::Intl => {
                let len = msgs.first().map_or(0, |m| m.len());
                msgs.iter()
                    .map(|m| (m.len() == len).then(|| self.hash(m)))
                    .collect()
            }
        }
    }

    /// An incremental hasher for this suite.
    pub fn hasher(self) -> Hasher {
        match self {
            Suite::Sm => Hasher::Sm3(sm3::Sm3::new()),
            Suite::Intl => Hasher::Sha256(sha2::Sha256::new()),
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A suite name that is neither `sm` nor `intl`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown suite {0:?} (expected \"sm\" or \"intl\")")]
pub struct UnknownSuite(pub String);

impl FromStr for Suite {
    type Err = UnknownSuite;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sm" => Ok(Suite::Sm),
            "intl" => Ok(Suite::Intl),
            other => Err(UnknownSuite(other.to_owned())),
        }
    }
}

/// A 32-byte digest (SM3 or SHA-256 output).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// Size of a digest in bytes.
    pub const LEN: usize = 32;

    /// The digest as bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }

    /// Parse 64 hexadecimal characters (either case).
    pub fn from_hex(s: &str) -> Option<Digest> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            out[i] = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(Digest(out))
    }

    /// Copy from a slice that must be exactly 32 bytes.
    pub fn from_slice(s: &[u8]) -> Option<Digest> {
        <[u8; 32]>::try_from(s).ok().map(Digest)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// An incremental hasher of either suite.
#[derive(Clone)]
pub enum Hasher {
    /// SM3 (GM/T 0004).
    Sm3(sm3::Sm3),
    /// SHA-256 (FIPS 180-4).
    Sha256(sha2::Sha256),
}

impl Hasher {
    /// Absorb more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sm3(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
    }

    /// Finish and return the digest.
    pub fn finalize(self) -> Digest {
        let mut out = [0u8; 32];
        match self {
            Hasher::Sm3(h) => out.copy_from_slice(&h.finalize()),
            Hasher::Sha256(h) => out.copy_from_slice(&h.finalize()),
        }
        Digest(out)
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hasher::Sm3(_) => f.write_str("Hasher(sm3)"),
            Hasher::Sha256(_) => f.write_str("Hasher(sha256)"),
        }
    }
}

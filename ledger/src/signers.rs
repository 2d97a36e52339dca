//! Which validators signed a commit certificate.

use crate::block::CertError;

/// The `signers` field of a commit certificate: bit `i % 8` of byte `i / 8`
/// (least significant bit first) is set when the validator at index `i` of
/// the set signed; the signatures follow in ascending index order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignerBitmap(Vec<u8>);

impl SignerBitmap {
    /// The bitmap of these validator indices (any order, repeats ignored),
    /// with no trailing zero bytes.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut b: Vec<u8> = Vec::new();
        for i in indices {
            if b.len() <= i / 8 {
                b.resize(i / 8 + 1, 0);
            }
            b[i / 8] |= 1 << (i % 8);
        }
        SignerBitmap(b)
    }

    /// Read a certificate's bitmap for a set of `set_len` validators: not
    /// longer than the set needs (a bit beyond the set is caught when its
    /// signer is looked up).
    pub fn parse(bytes: &[u8], set_len: usize) -> Result<Self, CertError> {
        if bytes.len() > set_len.div_ceil(8) {
            return Err(CertError::Malformed {
                reason: "signer bitmap longer than the set".into(),
            });
        }
        Ok(SignerBitmap(bytes.to_vec()))
    }

    /// Whether validator `i` signed.
    pub fn contains(&self, i: usize) -> bool {
        self.0.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1)
    }

    /// The indices that signed, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.0.len() * 8).filter(|i| self.contains(*i))
    }

    /// How many signed.
    pub fn count(&self) -> usize {
        self.0.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The wire bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_minimal() {
        let b = SignerBitmap::from_indices([9, 0, 3, 9]);
        assert_eq!(b.clone().into_bytes(), vec![0b0000_1001, 0b0000_0010]);
        assert_eq!(b.indices().collect::<Vec<_>>(), [0, 3, 9]);
        assert_eq!(b.count(), 3);
        assert!(SignerBitmap::from_indices([]).into_bytes().is_empty());
        assert!(SignerBitmap::parse(&[1, 2], 8).is_err());
        assert!(SignerBitmap::parse(&[1, 2], 9).is_ok());
    }
}

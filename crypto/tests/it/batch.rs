//! The batch-verify API: one result per item, in order.

use yinzheng_crypto::{
    BatchItem, CryptoError, Signature, Signer, SigningKey, Suite, VerifyingKey, verify_all,
    verify_batch,
};

#[test]
fn batch_reports_each_item() {
    for suite in Suite::ALL {
        let keys: Vec<SigningKey> = (0..4)
            .map(|_| SigningKey::generate(suite).unwrap())
            .collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let msgs: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_le_bytes().repeat(3)).collect();
        let mut sigs: Vec<Signature> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % 4].sign(m).unwrap())
            .collect();
        // Damage every 7th signature by swapping it with its neighbour's.
        for i in (0..sigs.len() - 1).step_by(7) {
            sigs.swap(i, i + 1);
        }
        let items: Vec<BatchItem<'_>> = msgs
            .iter()
            .zip(&sigs)
            .enumerate()
            .map(|(i, (m, s))| BatchItem {
                key: &vks[i % 4],
                msg: m,
                sig: s,
            })
            .collect();
        let results = verify_batch(&items);
        assert_eq!(results.len(), items.len());
        for (i, r) in results.iter().enumerate() {
            let damaged = i % 7 <= 1;
            if damaged {
                assert_eq!(r, &Err(CryptoError::SignatureMismatch), "item {i}");
            } else {
                assert_eq!(r, &Ok(()), "item {i}");
            }
        }
        assert!(!verify_all(&items));
        assert!(verify_all(&items[2..7]));
        assert!(verify_batch(&[]).is_empty());
    }
}

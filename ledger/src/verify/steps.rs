//! Steps 0–4 of the checklist: decoding, the validator-set chain, the
//! commit certificates, the record's inclusion, its signatures.

use prost::Message;
use yinzheng_crypto::Digest;

use super::{BundleVerifier, R, Sets, VerifyCode, fail};
use crate::block::{
    TrustedValidators, header_bytes, state_digest, unpack_digests, validator_set_hash,
};
use crate::chain::{BUNDLE_VERSION, StatusRole};
use crate::history::SetEpoch;
use crate::merkle::{SmtProof as MapProof, SmtTerminal, root_from_inclusion, verify_inclusion};
use crate::params::ChainParams;
use crate::proto::{Bundle, Checkpoint, Header, KeyState, StateCommitments, StatusEntry};
use crate::record::{Record, RecordKind};
use crate::state::StateKey;
use crate::verdict::{Step, VerifyError};

/// A checkpoint with its header present.
pub(super) struct Parts<'a> {
    pub(super) header: &'a Header,
    pub(super) checkpoint: &'a Checkpoint,
}

/// The status evidence, once its state commitments are proven (step 3).
pub(super) struct StatusView<'a> {
    /// The status map's root at the status checkpoint.
    pub(super) root: Digest,
    /// The entries the bundle carries.
    pub(super) entries: &'a [StatusEntry],
}

pub(super) fn digest(step: Step, what: &str, b: &[u8]) -> R<Digest> {
    Digest::from_slice(b).ok_or_else(|| {
        VerifyError::new(
            step,
            VerifyCode::Malformed,
            format!("{what} is not 32 bytes"),
        )
    })
}

pub(super) fn digests(step: Step, what: &str, v: &[u8]) -> R<Vec<Digest>> {
    unpack_digests(v).ok_or_else(|| {
        VerifyError::new(
            step,
            VerifyCode::Malformed,
            format!("{what} is not a sequence of 32-byte hashes"),
        )
    })
}

pub(super) fn parts<'a>(step: Step, cp: Option<&'a Checkpoint>, what: &str) -> R<Parts<'a>> {
    let Some(checkpoint) = cp else {
        return fail(step, VerifyCode::Malformed, format!("{what} is missing"));
    };
    let Some(header) = checkpoint.header.as_ref() else {
        return fail(step, VerifyCode::Malformed, format!("{what} has no header"));
    };
    Ok(Parts { header, checkpoint })
}

/// Step 0: a version this verifier knows.
pub(super) fn version(b: &Bundle) -> R<()> {
    if b.version != BUNDLE_VERSION {
        return fail(
            Step::Decode,
            VerifyCode::Version,
            format!("bundle version {} is not supported", b.version),
        );
    }
    Ok(())
}

/// Step 4: the record decodes, is canonical, and its signatures verify.
pub(super) fn record(params: &ChainParams, bytes: &[u8]) -> R<Record> {
    Record::decode(params, bytes)
        .map_err(|r| VerifyError::new(Step::Signatures, VerifyCode::Record(r.code), r.message))
}

impl BundleVerifier {
    /// Step 0 for a compact anchor (§5.2): fill in the chain id and the
    /// genesis hash from genesis and the records root from the record and its path.
    pub(super) fn complete_anchor(
        &self,
        b: &Bundle,
        leaf: &Digest,
        path: &[Digest],
    ) -> R<Checkpoint> {
        let mut cp = b.anchor.clone().unwrap_or_default();
        if let Some(h) = cp.header.as_mut() {
            if h.chain_id.is_empty() {
                h.chain_id = self.params.chain_id.clone();
            }
            if h.genesis_hash.is_empty() {
                h.genesis_hash = self.params.genesis_hash.0.to_vec();
            }
            if h.records_root.is_empty() {
                let root = root_from_inclusion(
                    self.suite(),
                    leaf,
                    u64::from(b.record_index),
                    u64::from(h.record_count),
                    path,
                )
                .map_err(|e| {
                    VerifyError::new(Step::Inclusion, VerifyCode::InclusionProof, e.to_string())
                })?;
                h.records_root = root.0.to_vec();
            }
        }
        Ok(cp)
    }

    /// Step 1: each change is certified by the set before it, its block
    /// names the new set as next, and heights increase.
    pub(super) fn validator_sets(&self, b: &Bundle) -> R<Sets> {
        let mut sets = Sets::new(self.genesis_set.clone());
        for (i, ch) in b.validator_changes.iter().enumerate() {
            let p = parts(
                Step::ValidatorSets,
                ch.checkpoint.as_ref(),
                "validator change",
            )?;
            let h = p.header.height;
            if h < sets.last().since_height {
                return fail(
                    Step::ValidatorSets,
                    VerifyCode::ValidatorChain,
                    format!("change {i} is out of order"),
                );
            }
            self.not_superseded(&sets, h)?;
            self.check_checkpoint(sets.set_at(h), &p)
                .map_err(|e| VerifyError {
                    step: Step::ValidatorSets,
                    ..e
                })?;
            let (Some(state), Some(next)) = (&ch.state, &ch.validators) else {
                return fail(
                    Step::ValidatorSets,
                    VerifyCode::Malformed,
                    format!("change {i} is incomplete"),
                );
            };
            self.state_matches(Step::ValidatorSets, p.header, state)?;
            if state.next_validators_hash != validator_set_hash(self.suite(), next).0 {
                return fail(
                    Step::ValidatorSets,
                    VerifyCode::ValidatorChain,
                    format!("change {i}: block does not name this set"),
                );
            }
            let set = TrustedValidators::new(self.suite(), next.clone()).map_err(|e| {
                VerifyError::new(
                    Step::ValidatorSets,
                    VerifyCode::ValidatorChain,
                    e.to_string(),
                )
            })?;
            // Strictly newer: `h` is not below the newest since-height.
            let _ = sets.push(SetEpoch {
                since_height: h + 1,
                set,
            });
        }
        Ok(sets)
    }

    /// Step 2: the anchor's (and the status checkpoint's) certificate, by
    /// the set in force at its height; the status checkpoint not older.
    pub(super) fn certificates(
        &self,
        sets: &Sets,
        anchor: &Parts<'_>,
        status: Option<&Parts<'_>>,
    ) -> R<()> {
        self.not_superseded(sets, anchor.header.height)?;
        if let Some(s) = status {
            self.not_superseded(sets, s.header.height)?;
        }
        self.check_checkpoint(sets.set_at(anchor.header.height), anchor)?;
        if let Some(s) = status {
            if s.header.height < anchor.header.height {
                return fail(
                    Step::CommitCertificate,
                    VerifyCode::StatusBeforeAnchor,
                    "status checkpoint precedes the record's block",
                );
            }
            self.check_checkpoint(sets.set_at(s.header.height), s)?;
        }
        Ok(())
    }

    /// One checkpoint with one set, through the cache.
    fn check_checkpoint(&self, set: &TrustedValidators, p: &Parts<'_>) -> R<()> {
        let suite = self.suite();
        if p.header.chain_id != self.params.chain_id {
            return fail(
                Step::CommitCertificate,
                VerifyCode::WrongChain,
                format!(
                    "checkpoint is for chain {:?}, trusted genesis is {:?}",
                    p.header.chain_id, self.params.chain_id
                ),
            );
        }
        if p.header.genesis_hash != self.params.genesis_hash.0 {
            return fail(
                Step::CommitCertificate,
                VerifyCode::WrongChain,
                "checkpoint is for another genesis of this chain id",
            );
        }
        let Some(cert) = p.checkpoint.certificate.as_ref() else {
            return fail(
                Step::CommitCertificate,
                VerifyCode::Malformed,
                "checkpoint has no certificate",
            );
        };
        let hb = header_bytes(suite, p.header).map_err(|e| {
            VerifyError::new(
                Step::CommitCertificate,
                VerifyCode::Malformed,
                e.to_string(),
            )
        })?;
        let key = suite.hash_parts(&[&set.hash().0, &hb, &cert.encode_to_vec()]);
        if self.verified.read().is_ok_and(|c| c.contains(&key)) {
            return Ok(());
        }
        set.verify_commit(p.header, cert).map_err(|e| {
            VerifyError::new(
                Step::CommitCertificate,
                VerifyCode::CommitCertificate,
                e.to_string(),
            )
        })?;
        if let Ok(mut c) = self.verified.write() {
            c.insert(key);
        }
        Ok(())
    }

    /// Step 3: the record in its block's records root; with status
    /// evidence, its state commitments and the record in that log.
    pub(super) fn inclusion<'b>(
        &self,
        b: &'b Bundle,
        anchor: &Parts<'_>,
        status: Option<&Parts<'_>>,
        leaf: &Digest,
        path: &[Digest],
    ) -> R<Option<StatusView<'b>>> {
        let suite = self.suite();
        let root = digest(Step::Inclusion, "records_root", &anchor.header.records_root)?;
        let index = u64::from(b.record_index);
        verify_inclusion(
            suite,
            leaf,
            index,
            u64::from(anchor.header.record_count),
            path,
            &root,
        )
        .map_err(|e| {
            VerifyError::new(Step::Inclusion, VerifyCode::InclusionProof, e.to_string())
        })?;
        let (Some(ev), Some(s)) = (&b.status, status) else {
            return Ok(None);
        };
        let Some(state) = &ev.state else {
            return fail(
                Step::Inclusion,
                VerifyCode::Malformed,
                "status evidence has no state commitments",
            );
        };
        self.state_matches(Step::Inclusion, s.header, state)?;
        let log_root = digest(Step::Inclusion, "log_root", &state.log_root)?;
        let log_path = digests(Step::Inclusion, "log path", &ev.log_path)?;
        verify_inclusion(
            suite,
            leaf,
            ev.log_index,
            state.log_size,
            &log_path,
            &log_root,
        )
        .map_err(|e| {
            VerifyError::new(
                Step::Inclusion,
                VerifyCode::LogInclusionProof,
                e.to_string(),
            )
        })?;
        Ok(Some(StatusView {
            root: digest(Step::Status, "status_root", &state.status_root)?,
            entries: &ev.entries,
        }))
    }

    /// Step 4, with status evidence: every signer key registered. A stamp's
    /// signer is the seal's key instead, checked against the seal (step 5).
    pub(super) fn signer_keys(&self, record: &Record, status: Option<&StatusView<'_>>) -> R<()> {
        let Some(status) = status else { return Ok(()) };
        if record.kind() == RecordKind::Stamp {
            return Ok(());
        }
        for s in record.signers() {
            let key = StateKey::Key(s.public_key.clone());
            let Some(v) = self.proven(Step::Signatures, status, StatusRole::SignerKey, &key)?
            else {
                return fail(
                    Step::Signatures,
                    VerifyCode::UnknownKey,
                    "a signer key is not registered",
                );
            };
            KeyState::decode(v.as_slice()).map_err(|e| {
                VerifyError::new(Step::Signatures, VerifyCode::Malformed, e.to_string())
            })?;
        }
        Ok(())
    }

    pub(super) fn state_matches(
        &self,
        step: Step,
        header: &Header,
        state: &StateCommitments,
    ) -> R<()> {
        let d = state_digest(self.suite(), state)
            .map_err(|e| VerifyError::new(step, VerifyCode::Malformed, e.to_string()))?;
        if header.state_digest != d.0 {
            return fail(
                step,
                VerifyCode::StateCommitments,
                "state commitments do not match the header",
            );
        }
        Ok(())
    }

    /// Find the entry with `role` whose proof for `key` verifies against
    /// the status root: the proven value, or `None` for a proven absence.
    pub(super) fn proven(
        &self,
        step: Step,
        status: &StatusView<'_>,
        role: StatusRole,
        key: &StateKey,
    ) -> R<Option<Vec<u8>>> {
        let suite = self.suite();
        let kd = key.digest(suite);
        for e in status.entries.iter().filter(|e| e.role == role.code()) {
            let Some(p) = &e.proof else { continue };
            let terminal = if p.leaf_key.is_empty() {
                SmtTerminal::Empty
            } else {
                SmtTerminal::Leaf {
                    key: digest(step, "leaf key", &p.leaf_key)?,
                    value_hash: digest(step, "leaf value hash", &p.leaf_value_hash)?,
                }
            };
            // Entries for other keys of the same role (several signers) are skipped.
            if matches!(terminal, SmtTerminal::Leaf { key: k, .. } if k != kd && !e.value.is_empty())
            {
                continue;
            }
            let proof = MapProof {
                siblings: digests(step, "sibling", &p.siblings)?,
                terminal,
            };
            let value = (!e.value.is_empty()).then_some(e.value.as_slice());
            if proof.verify(suite, &status.root, &kd, value).is_ok() {
                return Ok(value.map(<[u8]>::to_vec));
            }
        }
        fail(
            step,
            VerifyCode::StatusProof,
            "no valid status proof for a required entry",
        )
    }
}

/// Step 8: each opened display field matches its commitment in the issuing
/// record (`docs/spec/records.md` §3.2): an index in range and opened once, a
/// 16-byte salt, bounded name and value. A record that commits to no fields
/// takes no openings.
pub(super) fn fields(
    record: &Record,
    openings: &[crate::proto::FieldOpening],
) -> R<Vec<crate::verdict::ProvenField>> {
    use crate::holder::{
        HolderSalt, MAX_FIELD_NAME, MAX_FIELD_VALUE, MAX_FIELDS, field_commitment,
    };
    use crate::proto::record_body::Kind;
    if openings.is_empty() {
        return Ok(Vec::new());
    }
    let bad = |m: String| fail(Step::Fields, VerifyCode::FieldOpening, m);
    let commitments = match record.payload() {
        Some(Kind::IssueCertificate(c)) => &c.field_commitments,
        Some(Kind::SupersedeCertificate(s)) => match &s.replacement {
            Some(c) => &c.field_commitments,
            None => return bad("no replacement".into()),
        },
        _ => return bad("this kind of record commits to no display fields".into()),
    };
    if openings.len() > MAX_FIELDS {
        return bad(format!("more than {MAX_FIELDS} fields opened"));
    }
    let mut out: Vec<crate::verdict::ProvenField> = Vec::new();
    for o in openings {
        let Some(want) = usize::try_from(o.index)
            .ok()
            .and_then(|i| commitments.get(i))
        else {
            return bad(format!(
                "field {} is not among the record's {}",
                o.index,
                commitments.len()
            ));
        };
        if out.iter().any(|f| f.index == o.index) {
            return bad(format!("field {} opened twice", o.index));
        }
        if o.name.is_empty() || o.name.len() > MAX_FIELD_NAME || o.value.len() > MAX_FIELD_VALUE {
            return bad(format!("field {}: name or value out of bounds", o.index));
        }
        let Ok(salt) = HolderSalt::from_bytes(&o.salt) else {
            return bad(format!(
                "field {}: the salt is not 16 chosen bytes",
                o.index
            ));
        };
        if field_commitment(&salt, &o.name, &o.value).0 != want.as_slice() {
            return bad(format!(
                "field {} ({}) is not what the issuer committed to",
                o.index, o.name
            ));
        }
        out.push(crate::verdict::ProvenField {
            index: o.index,
            name: o.name.clone(),
            value: o.value.clone(),
        });
    }
    Ok(out)
}

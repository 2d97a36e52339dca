//! The offline verifier: the numbered checklist of `docs/spec/bundle.md` §6.
//!
//! Trusts nothing but the genesis file, and what it has learned since from
//! bundles it verified (a [`TrustedHistory`] of validator sets, §6.1).
//! Checkpoint verifications are cached, so many bundles that share checkpoints
//! cost one certificate check each.

use std::collections::HashSet;
use std::sync::RwLock;

use prost::Message;
use yinzheng_crypto::{Digest, Suite};

use crate::block::{
    TrustedValidators, header_bytes, state_digest, unpack_digests, validator_set_hash,
};
use crate::genesis::{Genesis, GenesisError};
use crate::merkle::{
    SmtProof as MapProof, SmtTerminal, leaf_hash, root_from_inclusion, verify_inclusion,
};
use crate::params::ChainParams;
use crate::proto::{
    Bundle, CertificateState, Checkpoint, Header, KeyState, RevocationReason, SealState,
    ShareState, StateCommitments, StatusEntry, SubjectStatus, record_body::Kind,
};
use crate::record::Record;
use crate::subject::subject_key;
use crate::trust::TrustedHistory;
use crate::verdict::{Step, Subject, Verdict, VerdictStatus, VerifyError};

/// Largest bundle the verifier reads, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;

/// How far past the newest checkpoint a verifier has confirmed it judges a
/// bundle's checkpoints without calling them unconfirmed (bundle.md §6.1):
/// 180 days.
pub const DEFAULT_TRUSTING_PERIOD_MS: u64 = 180 * 24 * 3600 * 1000;

/// Verifies bundles of one chain against its genesis.
pub struct BundleVerifier {
    params: ChainParams,
    genesis_set: TrustedValidators,
    verified: RwLock<HashSet<Digest>>,
    history: RwLock<TrustedHistory>,
    trusting_period_ms: u64,
}

type R<T> = Result<T, VerifyError>;

fn fail<T>(step: Step, code: &'static str, msg: impl Into<String>) -> R<T> {
    Err(VerifyError::new(step, code, msg))
}

fn digest(step: Step, what: &str, b: &[u8]) -> R<Digest> {
    Digest::from_slice(b)
        .ok_or_else(|| VerifyError::new(step, "MALFORMED", format!("{what} is not 32 bytes")))
}

fn digests(step: Step, what: &str, v: &[u8]) -> R<Vec<Digest>> {
    unpack_digests(v).ok_or_else(|| {
        VerifyError::new(
            step,
            "MALFORMED",
            format!("{what} is not a sequence of 32-byte hashes"),
        )
    })
}

struct Parts<'a> {
    header: &'a Header,
    checkpoint: &'a Checkpoint,
}

fn parts<'a>(step: Step, cp: Option<&'a Checkpoint>, what: &str) -> R<Parts<'a>> {
    let Some(checkpoint) = cp else {
        return fail(step, "MALFORMED", format!("{what} is missing"));
    };
    let Some(header) = checkpoint.header.as_ref() else {
        return fail(step, "MALFORMED", format!("{what} has no header"));
    };
    Ok(Parts { header, checkpoint })
}

impl BundleVerifier {
    /// A verifier trusting this genesis.
    pub fn new(genesis: &Genesis) -> Result<Self, GenesisError> {
        let params = genesis.params()?;
        let genesis_set = TrustedValidators::new(params.suite, genesis.validator_set()?)
            .map_err(|e| GenesisError(e.to_string()))?;
        Ok(BundleVerifier {
            params,
            genesis_set,
            verified: RwLock::new(HashSet::new()),
            history: RwLock::new(TrustedHistory::from_genesis(genesis)?),
            trusting_period_ms: DEFAULT_TRUSTING_PERIOD_MS,
        })
    }

    /// A verifier trusting this genesis and the history it learned before
    /// (which must have grown from the same genesis).
    pub fn with_history(genesis: &Genesis, history: TrustedHistory) -> Result<Self, GenesisError> {
        let v = BundleVerifier::new(genesis)?;
        let mut h = v.history.write().unwrap_or_else(|e| e.into_inner());
        history.check_grew_from(&h)?;
        *h = history;
        drop(h);
        Ok(v)
    }

    /// Set the trusting period (§6.1).
    pub fn set_trusting_period(&mut self, ms: u64) {
        self.trusting_period_ms = ms;
    }

    /// What this verifier has learned so far (to keep for the next run).
    pub fn history(&self) -> TrustedHistory {
        self.history
            .read()
            .map(|h| h.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// §6.1: the set `sets` says certifies `height` must not be one the
    /// history knows was replaced at or below it, nor conflict with the set
    /// the history knows for the same heights.
    fn not_superseded(&self, sets: &[(u64, TrustedValidators)], height: u64) -> R<()> {
        let (since, set) = since_for(sets, height);
        // A poisoned lock still holds a consistent history (every update is
        // one assignment): read it rather than skip the check.
        let known = self
            .history
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .known_at(self.suite(), height);
        match known {
            Some((k, _)) if k > since => fail(
                Step::ValidatorSets,
                "SUPERSEDED_SET",
                format!(
                    "height {height} is certified by the set of height {since}, which this verifier knows was replaced at height {k}"
                ),
            ),
            Some((k, hash)) if k == since && hash != set.hash() => fail(
                Step::ValidatorSets,
                "VALIDATOR_CHAIN",
                format!("the set from height {since} differs from the one this verifier learned"),
            ),
            _ => Ok(()),
        }
    }

    /// The chain parameters from genesis.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    fn suite(&self) -> Suite {
        self.params.suite
    }

    /// Verify a bundle's bytes, optionally against the file it certifies.
    pub fn verify_bytes(&self, bytes: &[u8], file: Option<&[u8]>) -> Verdict {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Verdict::invalid(VerifyError::new(
                Step::Decode,
                "OVERSIZE",
                format!(
                    "bundle is {} bytes, the limit is {MAX_BUNDLE_BYTES}",
                    bytes.len()
                ),
            ));
        }
        match Bundle::decode(bytes) {
            Ok(b) => self.verify(&b, file),
            Err(e) => Verdict::invalid(VerifyError::new(
                Step::Decode,
                "MALFORMED",
                format!("not a Yinzheng bundle: {e}"),
            )),
        }
    }

    /// Verify a decoded bundle.
    pub fn verify(&self, b: &Bundle, file: Option<&[u8]>) -> Verdict {
        match self.run(b, file) {
            Ok(v) => v,
            Err(e) => Verdict::invalid(e),
        }
    }

    /// Check one checkpoint with a set, through the cache.
    fn check_checkpoint(&self, set: &TrustedValidators, p: &Parts<'_>) -> R<()> {
        let suite = self.suite();
        if p.header.chain_id != self.params.chain_id {
            return fail(
                Step::CommitCertificate,
                "WRONG_CHAIN",
                format!(
                    "checkpoint is for chain {:?}, trusted genesis is {:?}",
                    p.header.chain_id, self.params.chain_id
                ),
            );
        }
        let Some(cert) = p.checkpoint.certificate.as_ref() else {
            return fail(
                Step::CommitCertificate,
                "MALFORMED",
                "checkpoint has no certificate",
            );
        };
        let hb = header_bytes(suite, p.header)
            .map_err(|e| VerifyError::new(Step::CommitCertificate, "MALFORMED", e.to_string()))?;
        let key = suite.hash_parts(&[&set.hash().0, &hb, &cert.encode_to_vec()]);
        if self.verified.read().is_ok_and(|c| c.contains(&key)) {
            return Ok(());
        }
        set.verify_commit(p.header, cert).map_err(|e| {
            VerifyError::new(Step::CommitCertificate, "COMMIT_CERTIFICATE", e.to_string())
        })?;
        if let Ok(mut c) = self.verified.write() {
            c.insert(key);
        }
        Ok(())
    }

    fn run(&self, b: &Bundle, file: Option<&[u8]>) -> R<Verdict> {
        let suite = self.suite();
        if b.version != crate::chain::BUNDLE_VERSION {
            return fail(
                Step::Decode,
                "VERSION",
                format!("bundle version {} is not supported", b.version),
            );
        }
        // A compact anchor leaves out what the verifier recomputes (spec §5.2).
        let mut anchor_cp = b.anchor.clone().unwrap_or_default();
        let leaf = leaf_hash(suite, &b.record);
        let path = digests(Step::Inclusion, "records path", &b.records_path)?;
        if let Some(h) = anchor_cp.header.as_mut() {
            if h.chain_id.is_empty() {
                h.chain_id = self.params.chain_id.clone();
            }
            if h.records_root.is_empty() {
                let root = root_from_inclusion(
                    suite,
                    &leaf,
                    u64::from(b.record_index),
                    u64::from(h.record_count),
                    &path,
                )
                .map_err(|e| VerifyError::new(Step::Inclusion, "INCLUSION_PROOF", e.to_string()))?;
                h.records_root = root.0.to_vec();
            }
        }
        let anchor = parts(
            Step::Decode,
            b.anchor.as_ref().map(|_| &anchor_cp),
            "anchor checkpoint",
        )?;
        let status_cp = match &b.status {
            Some(s) => Some(parts(
                Step::Decode,
                s.checkpoint.as_ref(),
                "status checkpoint",
            )?),
            None => None,
        };

        // 1. The validator-set chain from the trusted genesis.
        let mut sets: Vec<(u64, TrustedValidators)> = vec![(1, self.genesis_set.clone())];
        for (i, ch) in b.validator_changes.iter().enumerate() {
            let p = parts(
                Step::ValidatorSets,
                ch.checkpoint.as_ref(),
                "validator change",
            )?;
            let h = p.header.height;
            let current = set_for(&sets, h);
            let last_since = sets.last().map_or(1, |s| s.0);
            if h < last_since {
                return fail(
                    Step::ValidatorSets,
                    "VALIDATOR_CHAIN",
                    format!("change {i} is out of order"),
                );
            }
            self.not_superseded(&sets, h)?;
            self.check_checkpoint(current, &p)
                .map_err(|e| restep(e, Step::ValidatorSets))?;
            let (Some(state), Some(next)) = (&ch.state, &ch.validators) else {
                return fail(
                    Step::ValidatorSets,
                    "MALFORMED",
                    format!("change {i} is incomplete"),
                );
            };
            self.state_matches(Step::ValidatorSets, p.header, state)?;
            let next_hash = validator_set_hash(suite, next);
            if state.next_validators_hash != next_hash.0 {
                return fail(
                    Step::ValidatorSets,
                    "VALIDATOR_CHAIN",
                    format!("change {i}: block does not name this set"),
                );
            }
            let set = TrustedValidators::new(suite, next.clone()).map_err(|e| {
                VerifyError::new(Step::ValidatorSets, "VALIDATOR_CHAIN", e.to_string())
            })?;
            sets.push((h + 1, set));
        }

        // 2. The commit certificates (by sets not known to be superseded, §6.1).
        self.not_superseded(&sets, anchor.header.height)?;
        if let Some(s) = &status_cp {
            self.not_superseded(&sets, s.header.height)?;
        }
        self.check_checkpoint(set_for(&sets, anchor.header.height), &anchor)?;
        if let Some(s) = &status_cp {
            if s.header.height < anchor.header.height {
                return fail(
                    Step::CommitCertificate,
                    "STATUS_BEFORE_ANCHOR",
                    "status checkpoint precedes the record's block",
                );
            }
            self.check_checkpoint(set_for(&sets, s.header.height), s)?;
        }

        // 3. The record's inclusion: in its block, and in the status checkpoint's log.
        let root = digest(Step::Inclusion, "records_root", &anchor.header.records_root)?;
        verify_inclusion(
            suite,
            &leaf,
            u64::from(b.record_index),
            u64::from(anchor.header.record_count),
            &path,
            &root,
        )
        .map_err(|e| VerifyError::new(Step::Inclusion, "INCLUSION_PROOF", e.to_string()))?;
        let mut status_state: Option<&StateCommitments> = None;
        if let (Some(ev), Some(s)) = (&b.status, &status_cp) {
            let Some(state) = &ev.state else {
                return fail(
                    Step::Inclusion,
                    "MALFORMED",
                    "status evidence has no state commitments",
                );
            };
            self.state_matches(Step::Inclusion, s.header, state)?;
            let log_root = digest(Step::Inclusion, "log_root", &state.log_root)?;
            let log_path = digests(Step::Inclusion, "log path", &ev.log_path)?;
            verify_inclusion(
                suite,
                &leaf,
                ev.log_index,
                state.log_size,
                &log_path,
                &log_root,
            )
            .map_err(|e| VerifyError::new(Step::Inclusion, "LOG_INCLUSION_PROOF", e.to_string()))?;
            status_state = Some(state);
        }

        // 4. The record's signatures (and, with status evidence, its signers' registration).
        let record = Record::decode(&self.params, &b.record)
            .map_err(|r| VerifyError::new(Step::Signatures, r.code.as_str(), r.message))?;
        let status_root = match status_state {
            Some(s) => Some(digest(Step::Status, "status_root", &s.status_root)?),
            None => None,
        };
        let entries: &[StatusEntry] = b.status.as_ref().map_or(&[], |s| s.entries.as_slice());
        let is_stamp = matches!(record.payload(), Some(Kind::Stamp(_)));
        if let (Some(root), false) = (&status_root, is_stamp) {
            {
                for s in record.signers() {
                    let key = crate::state::StateKey::Key(s.public_key.clone());
                    let v = self.proven(Step::Signatures, root, entries, 2, &key)?;
                    let Some(v) = v else {
                        return fail(
                            Step::Signatures,
                            "UNKNOWN_KEY",
                            "a signer key is not registered",
                        );
                    };
                    KeyState::decode(v.as_slice()).map_err(|e| {
                        VerifyError::new(Step::Signatures, "MALFORMED", e.to_string())
                    })?;
                }
            }
        }

        // 5. The subject's status, 6. validity windows, 7. the file.
        let mut v = Verdict::empty(VerdictStatus::Valid);
        v.record_id = Some(record.id().to_hex());
        v.anchored_height = Some(anchor.header.height);
        v.anchored_time_ms = Some(anchor.header.time_ms);
        let (sh, st) = match &status_cp {
            Some(s) => (s.header.height, s.header.time_ms),
            None => (anchor.header.height, anchor.header.time_ms),
        };
        v.status_height = Some(sh);
        v.status_time_ms = Some(st);
        v.status_proven = status_root.is_some();
        let subject_value = match (&status_root, subject_key(&record)) {
            (Some(root), Some(key)) => self.proven(Step::Status, root, entries, 1, &key)?,
            _ => None,
        };
        let kind = record.kind().name().to_owned();
        let file_digest = file.map(|f| suite.hash(f));
        let check_file = |want: &[u8], v: &mut Verdict| -> R<()> {
            if let Some(d) = file_digest {
                if d.0 != want {
                    return fail(
                        Step::FileDigest,
                        "FILE_MISMATCH",
                        "the file is not the one this record certifies",
                    );
                }
                v.file_checked = true;
            }
            Ok(())
        };
        match record.payload() {
            Some(Kind::IssueCertificate(_) | Kind::SupersedeCertificate(_)) => {
                // The certificate issued: directly, or as a supersession's replacement.
                let issued = match record.payload() {
                    Some(Kind::IssueCertificate(c)) => Some(c),
                    Some(Kind::SupersedeCertificate(s)) => s.replacement.as_ref(),
                    _ => None,
                };
                let Some(c) = issued else {
                    return fail(Step::Status, "MALFORMED", "supersede without replacement");
                };
                self.certificate(
                    &mut v,
                    &record.id(),
                    subject_value.as_deref(),
                    c.valid_from_ms,
                    c.valid_until_ms,
                    st,
                )?;
                v.subject = Some(Subject {
                    kind,
                    id: format!("{}/{}", c.type_code, c.cert_no),
                    issuer: c.issuer.clone(),
                });
                check_file(&c.file_digest, &mut v)?;
            }
            Some(Kind::RevokeCertificate(c)) => {
                // A revocation record proves the certificate revoked from its block on.
                v.status = VerdictStatus::Revoked;
                v.revocation_reason = Some(reason_name(c.reason));
                v.changed_at_height = Some(anchor.header.height);
                v.changed_at_ms = Some(anchor.header.time_ms);
                v.subject = Some(Subject {
                    kind,
                    id: format!("{}/{}", c.type_code, c.cert_no),
                    issuer: c.issuer.clone(),
                });
                no_file(file)?;
            }
            Some(Kind::Stamp(s)) => {
                if let Some(val) = &subject_value {
                    let seal = SealState::decode(val.as_slice())
                        .map_err(|e| VerifyError::new(Step::Status, "MALFORMED", e.to_string()))?;
                    if record.signers().first().map(|x| &x.public_key)
                        != Some(&seal.seal_public_key)
                    {
                        return fail(
                            Step::Signatures,
                            "UNAUTHORISED",
                            "the stamp is not signed by the seal's key",
                        );
                    }
                    let t = anchor.header.time_ms;
                    if t < seal.valid_from_ms
                        || (seal.valid_until_ms != 0 && t >= seal.valid_until_ms)
                    {
                        return fail(
                            Step::Validity,
                            "OUTSIDE_VALIDITY",
                            "the seal was not valid when stamped",
                        );
                    }
                    v.valid_from_ms = Some(seal.valid_from_ms);
                    v.valid_until_ms = Some(seal.valid_until_ms);
                    if seal.status == SubjectStatus::Revoked as i32 {
                        // Stamped while active (execution checked it); revoked since.
                        v.revocation_reason = Some(reason_name(seal.reason));
                        v.changed_at_height = Some(seal.changed_at_height);
                        v.changed_at_ms = Some(seal.changed_at_ms);
                    }
                    v.subject = Some(Subject {
                        kind,
                        id: s.seal_id.clone(),
                        issuer: seal.owner,
                    });
                } else {
                    v.subject = Some(Subject {
                        kind,
                        id: s.seal_id.clone(),
                        issuer: String::new(),
                    });
                }
                check_file(&s.document_digest, &mut v)?;
            }
            Some(Kind::RegisterSeal(s)) => {
                self.subject_status(&mut v, subject_value.as_deref(), |b| {
                    SealState::decode(b)
                        .map(|x| (x.status, x.reason, x.changed_at_height, x.changed_at_ms))
                })?;
                window(&mut v, s.valid_from_ms, s.valid_until_ms, st);
                v.subject = Some(Subject {
                    kind,
                    id: s.seal_id.clone(),
                    issuer: s.owner.clone(),
                });
                no_file(file)?;
            }
            Some(Kind::ShareDelivery(d)) => {
                if let Some(val) = &subject_value {
                    let sh = ShareState::decode(val.as_slice())
                        .map_err(|e| VerifyError::new(Step::Status, "MALFORMED", e.to_string()))?;
                    v.subject = Some(Subject {
                        kind,
                        id: d.request_id.clone(),
                        issuer: sh.provider,
                    });
                } else {
                    v.subject = Some(Subject {
                        kind,
                        id: d.request_id.clone(),
                        issuer: String::new(),
                    });
                }
                check_file(&d.payload_digest, &mut v)?;
            }
            Some(_) => {
                let id = match subject_key(&record) {
                    Some(crate::state::StateKey::Share(id)) => id,
                    Some(crate::state::StateKey::Org(id)) => id,
                    Some(crate::state::StateKey::Seal(id)) => id,
                    _ => String::new(),
                };
                v.subject = Some(Subject {
                    kind,
                    id,
                    issuer: String::new(),
                });
                no_file(file)?;
            }
            None => return fail(Step::Signatures, "MALFORMED", "record has no kind"),
        }
        // §6.1: judge the newest checkpoint against the trusting period, and
        // learn from the bundle only when it is within it.
        let (top_height, top_time) = (sh, st);
        let mut h = self.history.write().unwrap_or_else(|e| e.into_inner());
        if top_time > h.confirmed_time_ms.saturating_add(self.trusting_period_ms) {
            v.unconfirmed_set = true;
        } else {
            for (since, set) in sets.iter().skip(1) {
                h.learn_set(*since, set.set());
            }
            h.confirm(top_height, top_time);
        }
        drop(h);
        Ok(v)
    }

    fn state_matches(&self, step: Step, header: &Header, state: &StateCommitments) -> R<()> {
        let d = state_digest(self.suite(), state)
            .map_err(|e| VerifyError::new(step, "MALFORMED", e.to_string()))?;
        if header.state_digest != d.0 {
            return fail(
                step,
                "STATE_COMMITMENTS",
                "state commitments do not match the header",
            );
        }
        Ok(())
    }

    /// Find the entry with `role`, check its proof for `key` against `root`;
    /// the proven value, or `None` for a proven absence.
    fn proven(
        &self,
        step: Step,
        root: &Digest,
        entries: &[StatusEntry],
        role: u32,
        key: &crate::state::StateKey,
    ) -> R<Option<Vec<u8>>> {
        let suite = self.suite();
        let kd = key.digest(suite);
        for e in entries.iter().filter(|e| e.role == role) {
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
            let value = if e.value.is_empty() {
                None
            } else {
                Some(e.value.as_slice())
            };
            if proof.verify(suite, root, &kd, value).is_ok() {
                return Ok(value.map(<[u8]>::to_vec));
            }
        }
        fail(
            step,
            "STATUS_PROOF",
            "no valid status proof for a required entry",
        )
    }

    fn subject_status(
        &self,
        v: &mut Verdict,
        value: Option<&[u8]>,
        decode: impl FnOnce(&[u8]) -> Result<(i32, i32, u64, u64), prost::DecodeError>,
    ) -> R<()> {
        let Some(val) = value else { return Ok(()) };
        let (status, reason, h, t) =
            decode(val).map_err(|e| VerifyError::new(Step::Status, "MALFORMED", e.to_string()))?;
        mark_status(v, status, reason, h, t);
        Ok(())
    }

    fn certificate(
        &self,
        v: &mut Verdict,
        record_id: &Digest,
        value: Option<&[u8]>,
        from: u64,
        until: u64,
        at: u64,
    ) -> R<()> {
        if let Some(val) = value {
            let c = CertificateState::decode(val)
                .map_err(|e| VerifyError::new(Step::Status, "MALFORMED", e.to_string()))?;
            if c.record_id != record_id.0 {
                return fail(
                    Step::Status,
                    "STATUS_MISMATCH",
                    "the status entry belongs to another record",
                );
            }
            mark_status(v, c.status, c.reason, c.changed_at_height, c.changed_at_ms);
            if c.status == SubjectStatus::Superseded as i32 {
                v.superseded_by = Some(c.superseded_by);
            }
        }
        window(v, from, until, at);
        Ok(())
    }
}

/// Record a proven revocation or supersession (any other status leaves the
/// verdict as it is).
fn mark_status(v: &mut Verdict, status: i32, reason: i32, height: u64, time_ms: u64) {
    if status == SubjectStatus::Revoked as i32 {
        v.status = VerdictStatus::Revoked;
        v.revocation_reason = Some(reason_name(reason));
    } else if status == SubjectStatus::Superseded as i32 {
        v.status = VerdictStatus::Superseded;
    } else {
        return;
    }
    v.changed_at_height = Some(height);
    v.changed_at_ms = Some(time_ms);
}

fn window(v: &mut Verdict, from: u64, until: u64, at: u64) {
    v.valid_from_ms = Some(from);
    v.valid_until_ms = Some(until);
    v.judge_window_at(at);
}

fn reason_name(r: i32) -> String {
    RevocationReason::try_from(r)
        .map(|x| {
            x.as_str_name()
                .trim_start_matches("REVOCATION_REASON_")
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|_| format!("code_{r}"))
}

fn restep(mut e: VerifyError, step: Step) -> VerifyError {
    e.step = step;
    e
}

/// Step 7 for a kind that certifies no file: a file given is an error, not
/// silently left unchecked.
fn no_file(file: Option<&[u8]>) -> R<()> {
    match file {
        Some(_) => fail(
            Step::FileDigest,
            "NO_FILE_DIGEST",
            "this kind of record certifies no file",
        ),
        None => Ok(()),
    }
}

fn since_for(sets: &[(u64, TrustedValidators)], height: u64) -> (u64, &TrustedValidators) {
    let mut cur = (sets[0].0, &sets[0].1);
    for (since, s) in sets {
        if *since <= height {
            cur = (*since, s);
        }
    }
    cur
}

fn set_for(sets: &[(u64, TrustedValidators)], height: u64) -> &TrustedValidators {
    since_for(sets, height).1
}

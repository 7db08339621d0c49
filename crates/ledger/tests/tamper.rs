//! Tampering with an export: a changed byte, a deleted entry, two entries
//! swapped, a truncated and re-appended log. Each is caught at the right
//! index, by the export alone or by the state kept from an earlier run when
//! the operator re-signed the forged log with the real key.

mod common;

use caisson_ledger::export::{verify_with_state, ExportEntry, MemoryLedger};
use caisson_ledger::{verify_against_state, verify_export, FullEntry, LedgerKey, VerifierState};
use common::{key, sample_leaf, sample_ledger, time};

fn export(ledger: &MemoryLedger) -> String {
    ledger.export(|e| e.index % 4 != 3, time(1000))
}

/// The state a verifier kept after checking the untouched log.
fn kept_state(ledger: &MemoryLedger) -> VerifierState {
    let public = key().public();
    let summary = verify_export(&export(ledger), &public).expect("untouched log verifies");
    verify_against_state(&summary, &VerifierState::new(&public), &public).expect("first state")
}

/// Re-signs a forged list of entries as a dishonest operator holding the
/// key would: fresh indices, leaf hashes recomputed, a new checkpoint.
fn resigned(entries: Vec<FullEntry>) -> String {
    let mut forged = MemoryLedger::new(key());
    for entry in entries {
        forged.append(&entry.leaf()).expect("append");
    }
    export(&forged)
}

fn failing_index(
    result: Result<impl std::fmt::Debug, caisson_ledger::VerifyFailure>,
) -> Option<u64> {
    match result {
        Ok(ok) => panic!("verification passed: {ok:?}"),
        Err(failure) => failure.index,
    }
}

#[test]
fn the_untouched_log_verifies_with_and_without_state() {
    let ledger = sample_ledger(10);
    let public = key().public();
    let summary = verify_export(&export(&ledger), &public).expect("verifies");
    assert_eq!(summary.size, 10);
    assert_eq!((summary.full_entries, summary.public_entries), (8, 2));
    let state = kept_state(&ledger);
    // The same log again, then a longer one, are consistent with the state.
    let (_, state) = verify_with_state(&export(&ledger), &public, &state).expect("again");
    let mut longer = sample_ledger(10);
    longer.append(&sample_leaf(10)).expect("append");
    // sample_ledger draws fresh salts: extend the original instead.
    let mut extended = MemoryLedger::new(key());
    for e in ledger.entries() {
        extended.append(&e.leaf()).expect("append");
    }
    extended.append(&sample_leaf(10)).expect("append");
    let (summary, state) =
        verify_with_state(&export(&extended), &public, &state).expect("extended");
    assert_eq!(summary.size, 11);
    assert_eq!(state.checkpoints.len(), 2);
    // A log from another series (other salts) is not consistent with it.
    assert!(verify_with_state(&export(&longer), &public, &state).is_err());
}

#[test]
fn a_checkpoint_signed_by_another_key_fails_even_when_it_names_the_pinned_key() {
    let ledger = sample_ledger(4);
    let text = export(&ledger);
    let other = LedgerKey::from_seed([9; 32]);
    assert_eq!(failing_index(verify_export(&text, &other.public())), None);
    let mut forged = MemoryLedger::new(LedgerKey::from_seed([9; 32]));
    for e in ledger.entries() {
        forged.append(&e.leaf()).expect("append");
    }
    let forged_text = export(&forged).replace(&other.public().to_hex(), &key().public().to_hex());
    let failure = verify_export(&forged_text, &key().public()).expect_err("forged");
    assert_eq!(failure.index, None);
    assert!(failure.why.contains("signature"), "{failure}");
}

#[test]
fn one_changed_byte_of_content_fails_at_its_index() {
    let ledger = sample_ledger(10);
    let text = export(&ledger);
    // Change Czechia's consignee in entry 4's content, leaving the leaf hash.
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 4 {
                l.replacen("\"CZE\"", "\"CZF\"", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    assert_ne!(lines.join("\n"), text.trim_end());
    let failure = verify_export(&lines.join("\n"), &key().public()).expect_err("tampered");
    assert_eq!(failure.index, Some(4));
    assert!(failure.why.contains("does not match the leaf"), "{failure}");
    // The operator also recomputes the leaf hash and re-signs: only the
    // state kept before catches it, at the same index.
    let state = kept_state(&ledger);
    let mut entries = ledger.entries().to_vec();
    entries[4].content["consignee"] = serde_json::json!("CZF");
    let forged = resigned(entries);
    verify_export(&forged, &key().public()).expect("a re-signed forgery is self-consistent");
    assert_eq!(
        failing_index(verify_with_state(&forged, &key().public(), &state)),
        Some(4)
    );
}

#[test]
fn a_deleted_entry_fails_at_its_index() {
    let ledger = sample_ledger(10);
    let text = export(&ledger);
    let lines: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 6)
        .map(|(_, l)| l)
        .collect();
    assert_eq!(
        failing_index(verify_export(&lines.join("\n"), &key().public())),
        Some(6)
    );
    let state = kept_state(&ledger);
    let mut entries = ledger.entries().to_vec();
    entries.remove(6);
    let forged = resigned(entries);
    assert_eq!(
        failing_index(verify_with_state(&forged, &key().public(), &state)),
        Some(6)
    );
}

#[test]
fn two_swapped_entries_fail_at_the_first() {
    let ledger = sample_ledger(10);
    let text = export(&ledger);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(2, 5);
    assert_eq!(
        failing_index(verify_export(&lines.join("\n"), &key().public())),
        Some(2)
    );
    // Re-signed with fresh indices, the times go backwards at 3, but the
    // first index that differs from the kept log is 2.
    let state = kept_state(&ledger);
    let mut entries = ledger.entries().to_vec();
    entries.swap(2, 5);
    let mut forged = MemoryLedger::new(key());
    for (i, entry) in entries.iter().enumerate() {
        let mut leaf = entry.leaf();
        // Keep times non-decreasing so that the forgery's only flaw is the order.
        leaf.time = time(i as u64);
        forged.append(&leaf).expect("append");
    }
    let forged = export(&forged);
    verify_export(&forged, &key().public()).expect("self-consistent forgery");
    assert_eq!(
        failing_index(verify_with_state(&forged, &key().public(), &state)),
        Some(2)
    );
    // Without touching the times, the forgery still fails at 2, not later.
    let plain = resigned_keeping_times(&entries);
    assert_eq!(
        failing_index(verify_with_state(&plain, &key().public(), &state)),
        Some(2)
    );
}

fn resigned_keeping_times(entries: &[FullEntry]) -> String {
    // MemoryLedger refuses decreasing times, as a server must: write the
    // lines by hand as a forger would.
    let mut store = caisson_ledger::merkle::MemoryStore::new();
    let lines: Vec<ExportEntry> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let full = FullEntry::new(i as u64, &e.leaf()).expect("leaf");
            store.push(full.leaf_hash);
            ExportEntry::Full(full)
        })
        .collect();
    let checkpoint = key().checkpoint(
        entries.len() as u64,
        caisson_ledger::merkle::root_of(store.leaves()),
        time(1000),
    );
    caisson_ledger::export::write_export(&lines, &checkpoint)
}

#[test]
fn a_truncated_and_re_appended_log_fails_where_it_was_cut() {
    let ledger = sample_ledger(10);
    let state = kept_state(&ledger);
    // Cut after 7 entries and append 5 new ones: size 12 > 10, re-signed.
    let mut entries = ledger.entries()[..7].to_vec();
    let mut longer = MemoryLedger::new(key());
    for e in &entries {
        longer.append(&e.leaf()).expect("append");
    }
    for n in 20..25 {
        longer.append(&sample_leaf(n)).expect("append");
    }
    entries = longer.entries().to_vec();
    let forged = resigned(entries);
    verify_export(&forged, &key().public()).expect("self-consistent forgery");
    assert_eq!(
        failing_index(verify_with_state(&forged, &key().public(), &state)),
        Some(7)
    );
    // Truncated only: fewer entries than a checkpoint seen before.
    let short = resigned(ledger.entries()[..7].to_vec());
    let failure = verify_with_state(&short, &key().public(), &state).expect_err("truncated");
    assert_eq!(failure.index, Some(7));
    assert!(failure.why.contains("fewer than"), "{failure}");
}

#[test]
fn an_export_cut_before_its_checkpoint_fails() {
    let ledger = sample_ledger(5);
    let text = export(&ledger);
    let lines: Vec<&str> = text.lines().collect();
    // The checkpoint line removed: the last entry is not a checkpoint.
    assert_eq!(
        failing_index(verify_export(&lines[..5].join("\n"), &key().public())),
        None
    );
    // An entry dropped from the end: the checkpoint covers one more.
    let mut dropped = lines.clone();
    dropped.remove(4);
    assert_eq!(
        failing_index(verify_export(&dropped.join("\n"), &key().public())),
        Some(4)
    );
}

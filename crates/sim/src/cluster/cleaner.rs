//! The log cleaner (compaction), one per broker, as Kafka's `LogCleaner` / `LogCleanerManager`:
//! every `log.cleaner.backoff.ms` it looks at the logs of topics with `cleanup.policy` compact (or
//! compact,delete) it holds, leader and follower replicas alike, and cleans those whose dirty
//! section is large enough (`min.cleanable.dirty.ratio`) or whose oldest dirty record has waited
//! longer than `max.compaction.lag.ms`.
//!
//! A log is clean up to its cleaner checkpoint (`Log::clean_end`); after it is the dirty section,
//! which ends at the first uncleanable offset: the active segment's base offset, the first
//! unstable offset (an open transaction) and the high watermark, and the first segment holding a
//! record newer than `min.compaction.lag.ms`. A pass keeps, below that offset, the latest record of
//! each key; the others become gaps (offsets are never reused: readers skip them). A tombstone
//! (null value) survives its first pass and is removed by a later one once `delete.retention.ms`
//! has passed since (KIP-534's delete horizon); records of aborted transactions are removed, and a
//! transaction marker goes once no record of its transaction is left and its delete horizon has
//! passed. Records without a key are kept. A log is due also when a tombstone's delete horizon
//! has passed (KIP-534), so that it goes without new data.
//!
//! The internal topics (`__consumer_offsets`, `__transaction_state`) are compacted topics and
//! cleaned the same way. Their record keys are what the coordinators write: an offset commit's
//! key is its group, topic and partition (`CleanKey::Commit`), a transaction state's its
//! transactional id. A group's deletion is one record in the model (`Value::GroupTombstone`,
//! where Kafka writes a tombstone per committed offset and one for the group): it supersedes
//! every commit of its group before it, and goes itself after `delete.retention.ms`, as a
//! tombstone does. Their segments are 100 MiB (`offsets.topic.segment.bytes`,
//! `transaction.state.log.segment.bytes`) and roll after 7 days, so, as in Kafka, nothing of
//! theirs is cleaned in a session until a segment rolls (lower their `segment.ms` to see it).

use crate::cluster::broker::Ctx;
use crate::cluster::journal::SimEvent;
use crate::cluster::net::Timer;
use crate::cluster::sim::Sim;
use crate::model::*;
use std::collections::BTreeMap;

/// `log.cleaner.backoff.ms`: how long a cleaner sleeps between passes when there is nothing to do.
pub const CLEANER_BACKOFF_MS: Millis = 15_000;

/// What one pass over one log did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cleaned {
    pub from: u64,
    pub to: u64,
    pub removed: usize,
}

/// The first offset the cleaner may not touch (`LogCleanerManager.cleanableOffsets`).
pub fn first_uncleanable(log: &Log, c: &TopicConfig, now: Millis) -> u64 {
    let active = log.active_segment().map_or(log.leo(), |s| s.base_offset);
    let mut limit = active.min(log.lso()).min(log.hw);
    if c.min_compaction_lag_ms > 0 {
        // The first segment with a record newer than the lag is uncleanable, with all after it.
        if let Some(s) =
            log.segments.iter().find(|s| s.bytes > 0 && now.saturating_sub(s.max_ms) < c.min_compaction_lag_ms)
        {
            limit = limit.min(s.base_offset);
        }
    }
    limit.max(log.log_start)
}

/// Whether the log is due for cleaning, and up to where: the dirty ratio (dirty bytes over the
/// bytes below the first uncleanable offset) at least `min.cleanable.dirty.ratio`, or a dirty
/// record older than `max.compaction.lag.ms`.
pub fn cleanable(log: &Log, c: &TopicConfig, now: Millis) -> Option<u64> {
    let end = first_uncleanable(log, c, now);
    let start = log.clean_end.max(log.log_start);
    // KIP-534: a tombstone (or marker) whose delete horizon has passed makes the log due too.
    let horizon_due = log.tombstones.iter().any(|(&o, &h)| h <= now && o < end);
    if end <= start {
        return horizon_due.then_some(end);
    }
    let dirty = log.bytes_between(start, end);
    // The bytes below the first uncleanable offset: the segments before it (it is a segment's
    // base offset, or the HW / LSO inside one, whose part is measured).
    let whole: u64 = log.segments.iter().take_while(|s| s.base_offset < end).map(|s| s.bytes).sum();
    let partial = log.segments.iter().rfind(|s| s.base_offset < end).map_or(0, |s| {
        let seg_end = log.segments.iter().find(|n| n.base_offset > s.base_offset).map_or(log.leo(), |n| n.base_offset);
        if seg_end > end {
            log.bytes_between(end, seg_end)
        } else {
            0
        }
    });
    let total = whole.saturating_sub(partial);
    let ratio_ok = total > 0 && dirty as u128 * 1_000_000 >= c.min_cleanable_dirty_ratio_ppm as u128 * total as u128;
    let lag_breached = c.max_compaction_lag_ms < i64::MAX as u64
        && log
            .iter_from(start)
            .next()
            .is_some_and(|r| r.offset < end && now.saturating_sub(r.append_ms) > c.max_compaction_lag_ms);
    (ratio_ok || lag_breached || horizon_due).then_some(end)
}

/// What the cleaner keeps the latest record of: a record's key, or, in `__consumer_offsets`, an
/// offset commit's group, topic and partition (Kafka's `OffsetKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CleanKey {
    Key(Sym),
    Commit(Sym, Tp),
}

/// The key the cleaner reads from a record (`None`: kept as it is; markers are decided apart).
pub fn clean_key(r: &Record) -> Option<CleanKey> {
    match r.value {
        Value::Marker { .. } => None,
        Value::OffsetCommit { group, tp, .. } => Some(CleanKey::Commit(group, tp)),
        _ => r.key.map(CleanKey::Key),
    }
}

/// A record that deletes its key once cleaned and then goes itself after `delete.retention.ms`: a
/// null value, or a group's deletion in `__consumer_offsets`.
pub fn is_tombstone(r: &Record) -> bool {
    matches!(r.value, Value::Null | Value::GroupTombstone { .. })
}

/// The cleaner's offset map (Kafka's `SkimpyOffsetMap`, exact here): the latest offset of each key
/// over some records, and the latest deletion of each group. Records of aborted transactions are
/// left out, as `buildOffsetMap` skips them: an aborted value never supersedes a committed one.
#[derive(Clone, Debug, Default)]
pub struct OffsetMap {
    latest: BTreeMap<CleanKey, u64>,
    group_deleted: BTreeMap<Sym, u64>,
}

impl OffsetMap {
    pub fn of<'a>(log: &Log, records: impl Iterator<Item = &'a Record>) -> OffsetMap {
        let mut map = OffsetMap::default();
        for r in records {
            if r.txn && log.aborted_txns.iter().any(|a| a.covers(r)) {
                continue;
            }
            let Some(k) = clean_key(r) else { continue };
            map.latest.insert(k, r.offset);
            if let Value::GroupTombstone { group } = r.value {
                map.group_deleted.insert(group, r.offset);
            }
        }
        map
    }

    /// The offset of the later record that makes `r` obsolete: a newer record of its key, or, for
    /// an offset commit, a later deletion of its group.
    pub fn superseded(&self, r: &Record) -> Option<u64> {
        let k = clean_key(r)?;
        let newer = self.latest.get(&k).copied().filter(|&l| l > r.offset);
        let deleted = match k {
            CleanKey::Commit(group, _) => self.group_deleted.get(&group).copied().filter(|&d| d > r.offset),
            CleanKey::Key(_) => None,
        };
        newer.or(deleted)
    }
}

/// One cleaning pass over `log` up to `end` (exclusive): keeps the latest record of each key,
/// removes tombstones and markers whose delete horizon has passed and aborted transactions' data.
pub fn clean(log: &mut Log, end: u64, c: &TopicConfig, now: Millis) -> Cleaned {
    let start = log.log_start.max(log.records.head());
    // The offset map: the latest offset of each key in the dirty section (`clean_end .. end`), as
    // Kafka's covers only that. Below it the log is clean: the latest of each key there, unless
    // the dirty section has a newer one (in the map).
    let map = OffsetMap::of(log, log.iter_from(log.clean_end).take_while(|r| r.offset < end));
    let aborted = log.aborted_txns.clone();
    let mut removed = Vec::new();
    let mut new_tombstones = Vec::new();
    for r in log.iter().take_while(|r| r.offset < end) {
        let gone = if aborted.iter().any(|a| a.covers(r)) {
            true
        } else if matches!(r.value, Value::Marker { .. }) {
            false // decided below, once its transaction's data is known to be gone
        } else if clean_key(r).is_some() {
            if map.superseded(r).is_some() {
                true
            } else if is_tombstone(r) {
                match log.tombstones.get(&r.offset) {
                    Some(&horizon) => now >= horizon,
                    None => {
                        new_tombstones.push(r.offset);
                        false
                    }
                }
            } else {
                false
            }
        } else {
            false
        };
        if gone {
            removed.push(r.offset);
        }
    }
    for o in new_tombstones {
        log.tombstones.insert(o, now + c.delete_retention_ms);
    }
    for &o in &removed {
        log.clean_slot(o);
        log.tombstones.remove(&o);
    }
    // Markers: once no record of their transaction is left below them, they get a delete
    // horizon; a later pass past it removes them. One forward pass: a transaction's data comes
    // before its marker, so per producer id it is enough to know whether any data is left since
    // its previous marker.
    let mut data_left: BTreeMap<u64, bool> = BTreeMap::new();
    let mut markers: Vec<(u64, bool)> = Vec::new();
    for r in log.iter().take_while(|r| r.offset < end) {
        let (true, Some(pid)) = (r.txn, r.producer_id) else { continue };
        if matches!(r.value, Value::Marker { .. }) {
            markers.push((r.offset, data_left.insert(pid, false).unwrap_or(false)));
        } else {
            data_left.insert(pid, true);
        }
    }
    let mut more = 0;
    for (o, left) in markers {
        if left {
            continue;
        }
        match log.tombstones.get(&o) {
            Some(&h) if now >= h => {
                log.clean_slot(o);
                log.tombstones.remove(&o);
                more += 1;
            }
            Some(_) => {}
            None => {
                log.tombstones.insert(o, now + c.delete_retention_ms);
            }
        }
    }
    log.clean_end = end;
    log.after_cleaning();
    Cleaned { from: start, to: end, removed: removed.len() + more }
}

impl Sim {
    /// The cleaner's timer on broker `b`: clean every due log of a compacted topic it holds.
    pub(crate) fn on_log_cleaner(&mut self, b: BrokerId, incarnation: u64) {
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        if br.incarnation != incarnation || !br.is_running() {
            return;
        }
        let now = cx.net.now;
        run_cleaner(br, &mut cx, now);
        cx.net.timer(CLEANER_BACKOFF_MS, Timer::LogCleaner { broker: b, incarnation });
    }
}

fn run_cleaner(br: &mut crate::cluster::broker::Broker, cx: &mut Ctx, now: Millis) {
    let b = br.id;
    for (&tp, r) in br.replicas.iter_mut() {
        let topic = &cx.topics[tp.topic as usize];
        if !topic.config.compacts() {
            continue;
        }
        let Some(end) = cleanable(&r.log, &topic.config, now) else { continue };
        let done = clean(&mut r.log, end, &topic.config, now);
        if r.is_leader(b) && done.removed > 0 {
            cx.journal.push(crate::cluster::journal::JournalEntry {
                at_ms: now,
                event: SimEvent::LogCompacted { broker: b, tp, from: done.from, to: done.to, removed: done.removed },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transaction marker stays while data of its own transaction is left, and gets its delete
    /// horizon once that data is cleaned (a newer value of its key).
    #[test]
    fn a_marker_waits_for_its_own_transactions_data() {
        let c = TopicConfig { cleanup_policy: "compact".into(), delete_retention_ms: 5000, ..TopicConfig::default() };
        let txn = |o: u64, key: u32, value: Value| Record { txn: true, producer_id: Some(7), ..rec(o, key, value, 0) };
        let mut log = Log::default();
        log.append_batch(&[txn(0, 0, Value::Numbered(0))], 0, &c);
        log.append_batch(&[txn(1, 0, Value::Marker { commit: true })], 0, &c);
        log.roll(0);
        log.hw = log.leo();
        clean(&mut log, 2, &c, 0);
        assert!(log.get(0).is_some() && !log.tombstones.contains_key(&1), "its data is left: no horizon");
        log.append_batch(&[rec(2, 0, Value::Numbered(2), 0)], 0, &c);
        log.roll(0);
        log.hw = log.leo();
        clean(&mut log, 3, &c, 0);
        assert!(log.get(0).is_none(), "superseded by offset 2");
        assert_eq!(log.tombstones.get(&1), Some(&5000), "no data left: the marker's horizon is set");
        clean(&mut log, 3, &c, 5000);
        assert!(log.get(1).is_none(), "removed after its horizon");
    }

    fn rec(offset: u64, key: u32, value: Value, at: Millis) -> Record {
        Record {
            offset,
            epoch: 0,
            key: Some(Sym(key)),
            value,
            id: RecordId(offset),
            producer_id: None,
            producer_epoch: 0,
            sequence: 0,
            last_in_batch: true,
            append_ms: at,
            txn: false,
            size: 20,
            cleaned: false,
        }
    }

    /// The latest value of each key survives, offsets keep their gaps, the active segment is not
    /// touched, and a tombstone goes on the first pass after its delete horizon.
    #[test]
    fn keeps_the_latest_per_key_and_tombstones_expire() {
        let c = TopicConfig {
            cleanup_policy: "compact".into(),
            segment_bytes: 1 << 20,
            segment_ms: 1000,
            delete_retention_ms: 5000,
            ..TopicConfig::default()
        };
        let mut log = Log::default();
        let vals = [(0, Value::Numbered(0)), (1, Value::Numbered(1)), (0, Value::Numbered(2)), (1, Value::Null)];
        for (o, (k, v)) in vals.into_iter().enumerate() {
            log.append_batch(&[rec(o as u64, k, v, 0)], 0, &c);
        }
        // Roll: the next append is more than segment.ms later.
        log.append_batch(&[rec(4, 0, Value::Numbered(4), 2000)], 2000, &c);
        log.hw = log.leo();
        assert_eq!(log.segments.len(), 2);
        let end = cleanable(&log, &c, 2000).expect("all dirty");
        assert_eq!(end, 4, "the active segment starts at 4 and is never cleaned");
        let done = clean(&mut log, end, &c, 2000);
        assert_eq!(done.removed, 2, "offsets 0 and 1 are superseded");
        assert_eq!(log.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(log.is_cleaned(0) && log.get(0).is_none() && log.leo() == 5);
        assert_eq!(log.read(0, 10).iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2, 3, 4], "reads skip gaps");
        // The tombstone stays until delete.retention.ms after its first cleaning.
        log.clean_end = 0;
        clean(&mut log, end, &c, 6000);
        assert!(log.get(3).is_some(), "horizon 7000 not reached");
        clean(&mut log, end, &c, 7000);
        assert!(log.get(3).is_none(), "the tombstone is gone after its horizon");
        assert!(log.get(2).is_some(), "key 0's latest value below the active segment survives");
        assert_eq!(log.active_segment().unwrap().base_offset, 4);
    }

    fn commit(o: u64, group: u32, partition: u32, offset: u64) -> Record {
        let tp = Tp { topic: 0, partition };
        Record { id: INTERNAL_RECORD, ..rec(o, group, Value::OffsetCommit { group: Sym(group), tp, offset }, 0) }
    }

    fn offsets_config() -> TopicConfig {
        TopicConfig { cleanup_policy: "compact".into(), delete_retention_ms: 5000, ..TopicConfig::default() }
    }

    /// Appends `recs` one batch each, then rolls, so that all of them may be cleaned.
    fn log_of(recs: &[Record], c: &TopicConfig) -> Log {
        let mut log = Log::default();
        for r in recs {
            log.append_batch(std::slice::from_ref(r), 0, c);
        }
        log.roll(0);
        log.hw = log.leo();
        log
    }

    fn loaded(log: &Log, group: u32) -> BTreeMap<Tp, u64> {
        let mut out = BTreeMap::new();
        crate::coordinators::group::read_commits(log, Some(Sym(group)), &mut out);
        out
    }

    /// In `__consumer_offsets` the key is the group and partition: the last commit of each stays,
    /// whatever the record key (the group) says, and a coordinator loads the same offsets after.
    #[test]
    fn offset_commits_keep_the_latest_per_group_and_partition() {
        let c = offsets_config();
        let recs = [commit(0, 1, 0, 5), commit(1, 1, 1, 7), commit(2, 2, 0, 3), commit(3, 1, 0, 9), commit(4, 1, 1, 7)];
        let mut log = log_of(&recs, &c);
        let before = (loaded(&log, 1), loaded(&log, 2));
        let done = {
            let end = log.leo();
            clean(&mut log, end, &c, 0)
        };
        assert_eq!(done.removed, 2, "g1's first commits of p0 and p1 are superseded");
        assert_eq!(log.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!((loaded(&log, 1), loaded(&log, 2)), before, "the coordinator loads the same offsets");
    }

    /// A group's deletion supersedes its own earlier commits (not another group's, not a later
    /// one), and goes itself on the first pass after `delete.retention.ms`.
    #[test]
    fn a_group_deletion_removes_its_commits_then_itself() {
        let c = offsets_config();
        let tomb = Record { id: INTERNAL_RECORD, ..rec(2, 1, Value::GroupTombstone { group: Sym(1) }, 0) };
        let recs = [commit(0, 1, 0, 5), commit(1, 2, 0, 4), tomb, commit(3, 1, 1, 8)];
        let mut log = log_of(&recs, &c);
        {
            let end = log.leo();
            clean(&mut log, end, &c, 1000)
        };
        assert_eq!(log.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![1, 2, 3], "g1's commit before it is gone");
        assert_eq!(log.tombstones.get(&2), Some(&6000), "the deletion waits for its delete horizon");
        assert_eq!(loaded(&log, 1), BTreeMap::from([(Tp { topic: 0, partition: 1 }, 8)]));
        {
            let end = log.leo();
            clean(&mut log, end, &c, 6000)
        };
        assert_eq!(log.iter().map(|r| r.offset).collect::<Vec<_>>(), vec![1, 3], "the deletion is gone after it");
        assert_eq!(loaded(&log, 2), BTreeMap::from([(Tp { topic: 0, partition: 0 }, 4)]), "g2 is untouched");
    }

    /// An aborted transaction's record never supersedes a committed value of its key (Kafka's
    /// `buildOffsetMap` skips aborted batches): both would otherwise be removed and the key lost.
    #[test]
    fn aborted_data_does_not_supersede_committed_values() {
        let c = offsets_config();
        let txn = |o: u64, value: Value| Record { txn: true, producer_id: Some(7), ..rec(o, 0, value, 0) };
        let recs =
            [rec(0, 0, Value::Numbered(0), 0), txn(1, Value::Numbered(1)), txn(2, Value::Marker { commit: false })];
        let mut log = Log::default();
        for r in &recs {
            log.append_batch(std::slice::from_ref(r), 0, &c);
        }
        log.roll(0);
        log.hw = log.leo();
        assert!(!log.aborted_txns.is_empty(), "the ABORT marker is recorded");
        {
            let end = log.leo();
            clean(&mut log, end, &c, 0)
        };
        assert!(log.get(0).is_some(), "the committed value of key 0 stays");
        assert!(log.get(1).is_none(), "the aborted record goes");
    }
}

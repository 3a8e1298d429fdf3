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
//! passed. Records without a key are kept. The internal topics (`__consumer_offsets`,
//! `__transaction_state`) still use the stand-in `Log::compaction_point` (their keys are the
//! group and partition of a commit, or the transactional id, not a record key). A log is due
//! also when a tombstone's delete horizon has passed (KIP-534), so that it goes without new data.

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

/// One cleaning pass over `log` up to `end` (exclusive): keeps the latest record of each key,
/// removes tombstones and markers whose delete horizon has passed and aborted transactions' data.
pub fn clean(log: &mut Log, end: u64, c: &TopicConfig, now: Millis) -> Cleaned {
    let start = log.log_start.max(log.records.head());
    // The offset map: the latest offset of each key in the dirty section (`clean_end .. end`), as
    // Kafka's covers only that. Below it the log is clean: the latest of each key there, unless
    // the dirty section has a newer one (in the map).
    let mut latest: BTreeMap<Sym, u64> = BTreeMap::new();
    for r in log.iter_from(log.clean_end).take_while(|r| r.offset < end) {
        if let (Some(k), false) = (r.key, matches!(r.value, Value::Marker { .. })) {
            latest.insert(k, r.offset);
        }
    }
    let aborted = log.aborted_txns.clone();
    let mut removed = Vec::new();
    let mut new_tombstones = Vec::new();
    for r in log.iter().take_while(|r| r.offset < end) {
        let gone = if aborted.iter().any(|a| a.covers(r)) {
            true
        } else if matches!(r.value, Value::Marker { .. }) {
            false // decided below, once its transaction's data is known to be gone
        } else if let Some(k) = r.key {
            if latest.get(&k).is_some_and(|&l| l != r.offset) {
                true
            } else if r.value == Value::Null {
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
        if !topic.config.compacts() || crate::cluster::sim::is_internal_topic(&topic.name) {
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
}

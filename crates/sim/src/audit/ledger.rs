//! The ledger: every record a producer was asked to send, and what became of it. The loss and
//! duplicate counters come from comparing it with the logs (`Sim::audit`).

use crate::chunked::Chunked;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Not yet acknowledged (queued, in flight, or being retried).
    Pending,
    /// The producer got an ack: with the offset, or without one for acks=0 (offset -1).
    Acked { offset: Option<u64> },
    /// The producer gave up (retries or `delivery.timeout.ms` exhausted, or a fatal error).
    Failed(ErrorCode),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub producer: ProducerIdx,
    pub tp: Tp,
    pub key: Option<Sym>,
    pub value: Value,
    pub created_ms: Millis,
    pub state: Delivery,
}

/// Every record producers were asked to send, by `RecordId`, with what became of it. Entries that
/// can no longer matter to any audit are summarized away (`Sim::summarize_history`): those of
/// records that are in no log, message or client buffer any more and either failed or were
/// deleted by retention (or with their topic). The counters keep counting them; entries of records
/// the audit counts as lost are kept (in `kept`) as long as they are lost.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// Entries of ids `base ..`, in id order, in shared chunks (snapshots share them).
    entries: Chunked<LedgerEntry>,
    base: u64,
    /// Entries of ids below `base` that still matter (acked records that no log holds).
    kept: BTreeMap<u64, LedgerEntry>,
    pub acked: u64,
    pub failed: u64,
    /// Ids at or after this are not summarized (a `produce --wait` reads them back).
    pinned: Option<u64>,
}

impl Ledger {
    pub fn next_id(&self) -> RecordId {
        RecordId(self.base + self.entries.len() as u64)
    }

    pub fn push(&mut self, e: LedgerEntry) -> RecordId {
        let id = self.next_id();
        self.entries.push_back(e);
        id
    }

    /// The entry of a record, unless it was summarized away.
    pub fn get(&self, id: RecordId) -> Option<&LedgerEntry> {
        match id.0.checked_sub(self.base) {
            Some(i) => self.entries.get(i as usize),
            None => self.kept.get(&id.0),
        }
    }

    /// Every entry still held, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (RecordId, &LedgerEntry)> {
        let base = self.base;
        let kept = self.kept.iter().map(|(&id, e)| (RecordId(id), e));
        kept.chain(self.entries.iter().enumerate().map(move |(i, e)| (RecordId(base + i as u64), e)))
    }

    /// Entries from `first` on (recent ones: `pin` keeps them).
    pub fn since(&self, first: RecordId) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter_from(first.0.saturating_sub(self.base) as usize)
    }

    /// Keeps entries from `first` on from being summarized until `unpin`.
    pub fn pin(&mut self, first: RecordId) {
        self.pinned = Some(first.0);
    }

    pub fn unpin(&mut self) {
        self.pinned = None;
    }

    /// How many entries are held: (in id order from `base`, kept from below it).
    pub fn held(&self) -> (usize, usize) {
        (self.entries.len(), self.kept.len())
    }

    /// The first id not yet summarized: entries below it are in `kept` or gone.
    pub fn base(&self) -> RecordId {
        RecordId(self.base)
    }

    /// The first pending entry's id (or the next id).
    pub fn first_pending(&self) -> RecordId {
        let i = self.entries.iter().position(|e| e.state == Delivery::Pending).unwrap_or(self.entries.len());
        RecordId(self.base + i as u64)
    }

    /// Summarizes the entries below `upto` (which must not pass a pending entry or `pinned`):
    /// each is kept only if `matters` says so; kept ones that no longer matter go too.
    pub(crate) fn summarize(&mut self, upto: RecordId, matters: impl Fn(&LedgerEntry) -> bool) {
        let upto = upto.0.min(self.pinned.unwrap_or(u64::MAX)).min(self.next_id().0);
        self.kept.retain(|_, e| matters(e));
        if upto <= self.base {
            return;
        }
        for (i, e) in self.entries.iter().take((upto - self.base) as usize).enumerate() {
            debug_assert!(e.state != Delivery::Pending, "pending entries are never summarized");
            if matters(e) {
                self.kept.insert(self.base + i as u64, *e);
            }
        }
        self.entries.drop_front((upto - self.base) as usize);
        self.base = upto;
    }

    pub fn resolve(&mut self, id: RecordId, state: Delivery) {
        let e = match id.0.checked_sub(self.base) {
            Some(i) => self.entries.get_mut(i as usize),
            None => self.kept.get_mut(&id.0),
        };
        let Some(e) = e else { return };
        if e.state != Delivery::Pending {
            return; // the first outcome the producer saw stands
        }
        e.state = state;
        match state {
            Delivery::Acked { .. } => self.acked += 1,
            Delivery::Failed(_) => self.failed += 1,
            Delivery::Pending => {}
        }
    }
}

/// How many times each consumer group processed each record (the delivery-semantics ledger), by
/// `RecordId`, for the records that may still be in a log: counts of records that can never be read
/// again are summarized away with the ledger's. A count stops at 255: the audit only tells once
/// from more than once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Deliveries {
    /// Per group, the count of ids `base ..` (in shared chunks).
    groups: BTreeMap<Sym, Chunked<u8>>,
    base: u64,
}

impl Deliveries {
    pub fn count(&self, group: Sym, id: RecordId) -> u32 {
        let Some(i) = id.0.checked_sub(self.base) else { return 0 };
        self.groups.get(&group).and_then(|c| c.get(i as usize)).map_or(0, |&n| n as u32)
    }

    /// `group` processed record `id` once more.
    pub fn add(&mut self, group: Sym, id: RecordId) {
        let Some(i) = id.0.checked_sub(self.base) else { return }; // in no log any more
        let base = self.base;
        let c = self.groups.entry(group).or_insert_with(|| Chunked::starting_at(base));
        while c.len() <= i as usize {
            c.push_back(0);
        }
        if let Some(n) = c.get_mut(i as usize) {
            *n = n.saturating_add(1);
        }
    }

    pub fn remove_group(&mut self, group: Sym) {
        self.groups.remove(&group);
    }

    /// Forgets the counts of ids below `upto`.
    pub(crate) fn summarize(&mut self, upto: RecordId) {
        if upto.0 <= self.base {
            return;
        }
        let n = (upto.0 - self.base) as usize;
        for c in self.groups.values_mut() {
            if c.len() <= n {
                *c = Chunked::starting_at(upto.0);
            } else {
                c.drop_front(n);
            }
        }
        self.base = upto.0;
    }
}

/// What the logs say about the ledger at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub acked: u64,
    pub failed: u64,
    pub pending: u64,
    /// Acked records that are in no log that can serve them (truncated away, or on a leader-less
    /// partition's dead replicas only); deletion by retention or delete-records is not loss, nor
    /// is compaction of an older value of the key (`compacted`).
    pub lost: Vec<RecordId>,
    /// Acked records lost in a power loss (`broker kill --power-loss`): every replica that had
    /// them lost power before they reached its disk (a power cut covered their offset after they
    /// were sent). Counted apart from `lost`: with acks=all, only this can lose an acked record.
    #[serde(default)]
    pub power_lost: Vec<RecordId>,
    /// Acked records the log cleaner removed (superseded by a newer value of their key, an expired
    /// tombstone, aborted data): not lost.
    #[serde(default)]
    pub compacted: u64,
    /// Acked records that retention or kafka-delete-records removed (below the log start): not
    /// lost, deleted as configured.
    #[serde(default)]
    pub removed: u64,
    /// Records present more than once in the serving log (a retried batch that landed twice).
    pub duplicated: Vec<RecordId>,
    /// Per consumer group: how often it processed the records of the topics it reads.
    pub groups: Vec<GroupDelivery>,
}

/// Delivery accounting for one consumer group, over the committed records of its topics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDelivery {
    pub group: String,
    pub once: u64,
    /// Processed two or more times (at-least-once after a crash or rebalance).
    pub more_than_once: Vec<RecordId>,
    /// Of those, how many more have since left the logs (their ids summarized away).
    #[serde(default)]
    pub removed_twice: u64,
    /// Never processed although the group committed past them (at-most-once after a crash).
    pub skipped: Vec<RecordId>,
    /// Never read because they came before the group's start: with no committed offset,
    /// `auto.offset.reset` (latest, the default) put it at the log end. Not a loss.
    #[serde(default)]
    pub before_start: u64,
    /// Not processed yet (at or above the committed offset).
    pub pending: u64,
    /// Removed from the log (retention, kafka-delete-records, compaction of an older value)
    /// before the group read them: Kafka deletes by time, size or key, never waiting for
    /// consumers. Not a loss of the cluster's; the group fell behind.
    #[serde(default)]
    pub removed_unread: u64,
}

impl GroupDelivery {
    /// Records processed two or more times, those that left the logs included.
    pub fn twice(&self) -> u64 {
        self.more_than_once.len() as u64 + self.removed_twice
    }
}

/// What a group did with a record that has since left the log (`Sim::removed_delivery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovedDelivery {
    BeforeStart,
    Unread,
    Once,
    Twice,
}

/// The delivery counts, per group, of records whose ledger entries were summarized away after
/// they left the logs (`Sim::removed_deliveries`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedTally {
    pub once: u64,
    pub more_than_once: u64,
    pub before_start: u64,
    pub unread: u64,
}

/// Acked records whose ledger entries were summarized away after they left the logs
/// (`Sim::removed_acked`): the audit keeps counting them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedAcked {
    /// Below the log start: retention or `kafka-delete-records`.
    pub by_retention: u64,
    /// Removed by the log cleaner (compaction).
    pub by_compaction: u64,
}

impl crate::cluster::sim::Sim {
    /// Forgets per-record state that can no longer matter, so that memory follows what the logs
    /// hold rather than everything ever sent (run after each retention check; the same in every
    /// replay). A record matters while a copy of it may still be read: in a replica log, a message
    /// in flight, a client buffer, or pending in its producer. Below the first id that may (`upto`),
    /// delivery counts go, and ledger entries go unless the audit would still count them: an acked
    /// record at or above the log start of some replica of its partition (it is lost), or an acks=0
    /// record younger than its topic's `retention.ms`. The counters (acked, failed) are unchanged.
    pub(crate) fn summarize_history(&mut self) {
        let upto = std::cell::Cell::new(self.ledger.first_pending().0);
        let see_id = |id: &RecordId| upto.set(upto.get().min(id.0));
        let mut see = |rec: &Record| {
            if rec.id != INTERNAL_RECORD {
                see_id(&rec.id);
            }
            if let Value::Derived(src) = rec.value {
                see_id(&src); // an output's text names its input
            }
        };
        let mut log_start: BTreeMap<Tp, u64> = BTreeMap::new();
        for b in self.brokers.values() {
            for (&tp, r) in &b.replicas {
                r.log.iter().for_each(&mut see);
                let s = log_start.entry(tp).or_insert(u64::MAX);
                *s = (*s).min(r.log.log_start);
            }
        }
        for m in self.net.messages.values().chain(self.net.dropped.iter().map(|d| &d.message)) {
            m.payload.records().iter().for_each(&mut see);
        }
        for c in &self.consumers {
            c.buffer.iter().for_each(&mut see);
            c.batch.iter().for_each(|(_, r)| see(r));
            if let Some(app) = &c.app {
                app.batch_outputs.iter().for_each(see_id);
            }
        }
        for p in &self.producers {
            p.queues.values().flatten().flat_map(|b| &b.records).for_each(&mut see);
            if let Some(t) = &p.txn {
                t.records.iter().for_each(see_id);
            }
        }
        let now = self.net.now;
        let topics = &self.topics;
        let brokers = &self.brokers;
        // Compacted away (an older value of its key) on every replica: not a loss, nothing to keep.
        let compacted = |tp: Tp, o: u64| {
            let mut logs = brokers.values().filter_map(|b| b.replicas.get(&tp)).map(|r| &r.log).peekable();
            logs.peek().is_some() && logs.all(|l| l.is_cleaned(o) || o < l.log_start)
        };
        let matters = |e: &LedgerEntry| {
            let topic = &topics[e.tp.topic as usize];
            match e.state {
                _ if topic.deleted => false,
                Delivery::Pending => true,
                Delivery::Failed(_) => false,
                Delivery::Acked { offset: Some(o) } => {
                    log_start.get(&e.tp).is_none_or(|&s| o >= s) && !compacted(e.tp, o)
                }
                Delivery::Acked { offset: None } => !out_of_retention(topic, e.created_ms, now),
            }
        };
        let upto = RecordId(upto.get());
        // The groups' counts of what is summarized away now are kept as tallies.
        let mut tallies: Vec<(Sym, RemovedTally)> = Vec::new();
        for (sym, tps) in self.group_reads() {
            let mut t = RemovedTally::default();
            for (id, e) in self.ledger.iter().take_while(|(id, _)| *id < upto) {
                let (Delivery::Acked { offset: Some(o) }, true) = (e.state, tps.contains(&e.tp.topic)) else {
                    continue;
                };
                if matters(e) || topics[e.tp.topic as usize].deleted {
                    continue;
                }
                match self.removed_delivery(sym, e.tp, id, o) {
                    RemovedDelivery::BeforeStart => t.before_start += 1,
                    RemovedDelivery::Unread => t.unread += 1,
                    RemovedDelivery::Once => t.once += 1,
                    RemovedDelivery::Twice => t.more_than_once += 1,
                }
            }
            if t != RemovedTally::default() {
                tallies.push((sym, t));
            }
        }
        let gone = self
            .ledger
            .iter()
            .take_while(|(id, _)| *id < upto)
            .filter(|(_, e)| !matters(e) && !topics[e.tp.topic as usize].deleted)
            .map(|(_, e)| match e.state {
                Delivery::Acked { offset: Some(o) } if log_start.get(&e.tp).is_some_and(|&s| o < s) => (1, 0),
                Delivery::Acked { offset: Some(_) } => (0, 1),
                _ => (0, 0),
            });
        for (r, c) in gone {
            self.removed_acked.by_retention += r;
            self.removed_acked.by_compaction += c;
        }
        self.ledger.summarize(upto, matters);
        for (sym, t) in tallies {
            let x = self.removed_deliveries.entry(sym).or_default();
            x.once += t.once;
            x.more_than_once += t.more_than_once;
            x.before_start += t.before_start;
            x.unread += t.unread;
        }
        self.deliveries.summarize(upto.min(self.ledger.base()));
        self.summarize_txn_log();
    }
}

/// Whether a record created at `created_ms` is older than its topic's `retention.ms`: had it been
/// written, retention would have deleted it by `now` (how the audit judges acks=0 records, whose
/// offset the producer never learns).
pub fn out_of_retention(topic: &crate::cluster::sim::Topic, created_ms: Millis, now: Millis) -> bool {
    topic.config.retention_ms >= 0 && created_ms.saturating_add(topic.config.retention_ms as u64) < now
}

//! The nouns of the model: ids, records, logs, configuration. No behaviour beyond what keeps a log
//! consistent with itself; the protocols live in `broker`, `controller` and `producer`.

use crate::chunked::Chunked;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Virtual time in milliseconds since the session started.
pub type Millis = u64;
pub type BrokerId = u32;
/// Index into `Sim::topics`.
pub type TopicId = u32;
/// Index into `Sim::producers`.
pub type ProducerIdx = u32;
/// Index into `Sim::consumers`.
pub type ConsumerIdx = u32;

/// A topic partition. Ordered by topic index then partition, which is creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tp {
    pub topic: TopicId,
    pub partition: u32,
}

/// An endpoint of a network message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Node {
    /// A KRaft controller (a voter of the metadata quorum), by node id.
    Controller(u32),
    Broker(BrokerId),
    Producer(ProducerIdx),
    Consumer(ConsumerIdx),
}

/// An interned string (keys and values), so records stay `Copy` and cheap to snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Sym(pub u32);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Interner {
    strings: Vec<String>,
    index: BTreeMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&i) = self.index.get(s) {
            return Sym(i);
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        Sym(i)
    }

    pub fn find(&self, s: &str) -> Option<Sym> {
        self.index.get(s).map(|&i| Sym(i))
    }

    pub fn get(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }
}

/// A record's value: text the user typed, or the generated `msg-N` of a rate-driven producer
/// (kept as a number so millions of records need no strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Value {
    Text(Sym),
    Numbered(u64),
    /// An offset commit in `__consumer_offsets`: group (interned), partition, next offset to read.
    OffsetCommit {
        group: Sym,
        tp: Tp,
        offset: u64,
    },
    /// A control record (transaction marker): COMMIT or ABORT for the batch's producer id. Takes
    /// one offset; never returned to applications (section 5.3).
    Marker {
        commit: bool,
    },
    /// What a read-process-write app wrote for input record `from` (its output, derived from it).
    Derived(RecordId),
    /// A transaction coordinator's state record in `__transaction_state`: entry `entry` of
    /// `Sim::txn_log` (its state, producer id and epoch, partitions) for transactional id `tid`.
    TxnState {
        tid: Sym,
        entry: u32,
    },
    /// `kafka-consumer-groups --delete`: the group's offsets end here (Kafka writes a tombstone
    /// per offset and one for the group metadata; modelled as one record that clears them all).
    GroupTombstone {
        group: Sym,
    },
    /// A null value: a tombstone (`produce --tombstone`), which deletes its key from a compacted
    /// topic once the log cleaner passes over it.
    Null,
}

/// Identity of one record the user or a producer created, across retries and copies (the ledger key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordId(pub u64);

/// The id of records no producer sent (offset commits): outside the ledger.
pub const INTERNAL_RECORD: RecordId = RecordId(u64::MAX);

/// A record as stored in a replica's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub offset: u64,
    /// Leader epoch of the batch that wrote it.
    pub epoch: u32,
    pub key: Option<Sym>,
    pub value: Value,
    pub id: RecordId,
    /// Idempotent producer id and the record's sequence number, when the producer is idempotent.
    pub producer_id: Option<u64>,
    pub producer_epoch: u16,
    pub sequence: i32,
    /// Whether this record closes its producer batch (batch boundaries matter for deduplication).
    pub last_in_batch: bool,
    /// When the leader appended it (LogAppendTime), for time-based retention.
    pub append_ms: Millis,
    /// Written by a transactional producer (data) or a transaction coordinator (a marker).
    pub txn: bool,
    /// The record's body in bytes as Kafka's v2 format encodes it, without its offset delta and
    /// length (`record_body_bytes`); the log adds those and the batch header (`Log::batch_bytes`).
    #[serde(default)]
    pub size: u16,
    /// Removed by the log cleaner (compaction): the offset stays taken, a gap that readers skip.
    #[serde(default)]
    pub cleaned: bool,
}

impl Record {
    /// An offset the log cleaner emptied (a gap readers skip): what a follower takes for offsets
    /// its leader had cleaned before it fetched them.
    pub fn gap(offset: u64, epoch: u32) -> Record {
        Record {
            offset,
            epoch,
            key: None,
            value: Value::Null,
            id: INTERNAL_RECORD,
            producer_id: None,
            producer_epoch: 0,
            sequence: 0,
            last_in_batch: true,
            append_ms: 0,
            txn: false,
            size: 0,
            cleaned: true,
        }
    }
}

/// Kafka's record-batch header (v2, `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`): base offset 8,
/// length 4, partition leader epoch 4, magic 1, CRC 4, attributes 2, last offset delta 4, base
/// timestamp 8, max timestamp 8, producer id 8, producer epoch 2, base sequence 4, record count 4.
pub const BATCH_HEADER_BYTES: u64 = 61;

/// Bytes of `v` as a zig-zag varint (Kafka's `ByteUtils.sizeOfVarint`).
pub fn varint_bytes(v: i64) -> u64 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// A record's body as Kafka's v2 format (`DefaultRecord.sizeInBytes`) encodes it, without the
/// offset delta and the length prefix, which depend on its place in its batch: attributes (1),
/// timestamp delta (a varint; 0 here, 1 byte: the model stamps a batch with one time), key length
/// (varint, -1 for null) and key, value length (varint, -1 for null) and value, header count (1:
/// no headers). Saturates at 65535.
pub fn record_body_bytes(key: Option<usize>, value: Option<usize>) -> u16 {
    let field = |n: Option<usize>| n.map_or(1, |n| varint_bytes(n as i64) + n as u64);
    (1 + 1 + field(key) + field(value) + 1).min(u16::MAX as u64) as u16
}

/// One record's whole size in its batch: the length varint, the body and the offset delta
/// (`DefaultRecord.sizeInBytes`). A batch is `BATCH_HEADER_BYTES` plus its records' sizes: the one
/// size the model uses for segments, `retention.bytes`, `kafka-log-dirs` and `kafka-dump-log`.
pub fn record_bytes(body: u16, offset_delta: u64) -> u64 {
    let len = body as u64 + varint_bytes(offset_delta as i64);
    varint_bytes(len as i64) + len
}

/// One segment of a replica's log (a `.log` file with its indexes): its base offset, size in bytes,
/// and the append times of its first record (what `segment.ms` counts from) and its newest
/// (the largest timestamp, what `retention.ms` compares). The records are the log's own; a segment
/// is metadata over them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub base_offset: u64,
    pub bytes: u64,
    pub first_ms: Millis,
    pub max_ms: Millis,
}

impl Segment {
    /// Kafka's file name: the base offset in 20 digits.
    pub fn file_name(&self) -> String {
        format!("{:020}.log", self.base_offset)
    }
}

/// One entry of the producer-state cache that the broker keeps per producer id (section 5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMeta {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: u64,
    pub last_offset: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerStateEntry {
    pub epoch: u16,
    /// The last `NUM_BATCHES_TO_RETAIN` (5) batches, oldest first.
    pub batches: VecDeque<BatchMeta>,
}

pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// An append-only log with its offsets. `records` holds offsets `log_start .. leo()` contiguously,
/// in shared chunks (`Chunked`), so a snapshot of the log shares them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Log {
    pub records: Chunked<Record>,
    pub log_start: u64,
    pub hw: u64,
    /// Leader-epoch cache: (epoch, start offset), increasing in both.
    pub epochs: Vec<(u32, u64)>,
    pub producers: BTreeMap<u64, ProducerStateEntry>,
    /// Transactions (section 5.3): open ones by producer id, with their first offset.
    pub open_txns: BTreeMap<u64, u64>,
    /// Decided transactions (first offset, marker offset) whose marker may not yet be below the HW.
    pub decided_txns: Vec<(u64, u64)>,
    /// The aborted-transaction index, sent with read_committed fetches.
    pub aborted_txns: Vec<AbortedTxn>,
    /// The segments, oldest first; the last is the active one (appends go there). Empty only
    /// before the first append.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// The log cleaner's checkpoint: offsets below it are clean (compacted), after it dirty.
    #[serde(default)]
    pub clean_end: u64,
    /// Tombstones and transaction markers the cleaner has passed, by offset, with their delete
    /// horizon (first cleaning + `delete.retention.ms`, KIP-534): a pass after it removes them.
    #[serde(default)]
    pub tombstones: BTreeMap<u64, Millis>,
    /// The recovery point: offsets below it are on disk (flushed); the rest is only in the page
    /// cache, which a power loss takes (`lose_page_cache`). Kept lazily: a flush that fell due
    /// between two appends is applied at the next append or when asked (`durable_offset`).
    #[serde(default)]
    pub recovery_point: u64,
    /// When Kafka last flushed this log (`lastFlushedTime`), what `flush.ms` counts from.
    #[serde(default)]
    pub last_flush_ms: Millis,
    /// When the log's pages went from clean to dirty (the first append after a flush): the OS
    /// writes them back `OS_DIRTY_EXPIRE_MS` later. `None` while everything is on disk.
    #[serde(default)]
    pub dirty_since: Option<Millis>,
}

/// The model's stand-in for the OS's writeback with Kafka's default flush settings (leave it to
/// the OS): Linux's `vm.dirty_expire_centisecs` = 3000, dirty pages older than 30 s reach disk.
pub const OS_DIRTY_EXPIRE_MS: Millis = 30_000;

/// One aborted transaction in a partition: its producer id, first offset and ABORT marker offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortedTxn {
    pub producer_id: u64,
    pub first_offset: u64,
    pub last_offset: u64,
}

impl AbortedTxn {
    /// Whether `rec` belongs to this aborted transaction (filtered by read_committed consumers).
    pub fn covers(&self, rec: &Record) -> bool {
        rec.txn
            && rec.producer_id == Some(self.producer_id)
            && (self.first_offset..self.last_offset).contains(&rec.offset)
    }
}

impl Log {
    /// The log end offset: the offset the next record gets.
    pub fn leo(&self) -> u64 {
        self.records.end()
    }

    pub fn latest_epoch(&self) -> Option<u32> {
        self.epochs.last().map(|&(e, _)| e)
    }

    /// Index in `records` of `offset` (held: at or after the storage's first position).
    fn index(&self, offset: u64) -> usize {
        (offset - self.records.head()) as usize
    }

    /// The records a reader sees, oldest first: every stored one but the slots the log cleaner
    /// emptied (compaction's gaps).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Record> + '_ {
        self.records.iter().filter(|r| !r.cleaned)
    }

    /// `iter` from `offset` on.
    pub fn iter_from(&self, offset: u64) -> impl Iterator<Item = &Record> + '_ {
        let i = offset.saturating_sub(self.records.head()) as usize;
        self.records.iter_from(i).filter(|r| !r.cleaned)
    }

    /// How many records a reader sees (`iter().count()`).
    pub fn live_count(&self) -> usize {
        self.iter().count()
    }

    /// Records `from .. leo`, at most `max` of them (compaction's gaps skipped).
    pub fn read(&self, from: u64, max: usize) -> Vec<Record> {
        if from < self.log_start || from >= self.leo() {
            return Vec::new();
        }
        let start = from.max(self.records.head());
        let mut out: Vec<Record> = Vec::with_capacity(max.max(1).min(self.records.len()) + 8);
        let mut it = self.records.iter_from(self.index(start));
        let mut last: Option<Record> = None;
        for r in it.by_ref() {
            last = Some(*r);
            if !r.cleaned {
                out.push(*r);
                if out.len() >= max.max(1) {
                    break;
                }
            }
        }
        // Never split a producer batch: Kafka returns whole batches.
        if last.is_some_and(|r| !r.last_in_batch) {
            for r in it {
                if !r.cleaned {
                    out.push(*r);
                }
                if r.last_in_batch {
                    break;
                }
            }
        }
        out
    }

    /// The record at `offset`, unless it is below the log start or the cleaner removed it.
    pub fn get(&self, offset: u64) -> Option<&Record> {
        if offset < self.log_start || offset < self.records.head() {
            return None;
        }
        self.records.get(self.index(offset)).filter(|r| !r.cleaned)
    }

    /// Whether the log cleaner removed the record at `offset` (a gap), as opposed to retention
    /// or truncation.
    pub fn is_cleaned(&self, offset: u64) -> bool {
        offset >= self.log_start
            && offset < self.leo()
            && (offset < self.records.head() || self.records.get(self.index(offset)).is_some_and(|r| r.cleaned))
    }

    /// The active segment (where appends go), if any record was ever appended.
    pub fn active_segment(&self) -> Option<&Segment> {
        self.segments.last()
    }

    /// Bytes of the log on disk: the sum of its segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    /// Bytes of a batch of these records (offset deltas from the first; a cleaned batch keeps them).
    pub fn batch_bytes(records: &[Record]) -> u64 {
        let base = records.first().map_or(0, |r| r.offset);
        BATCH_HEADER_BYTES + records.iter().map(|r| record_bytes(r.size, r.offset - base)).sum::<u64>()
    }

    /// The bytes and the largest timestamp of the records at offsets `from .. to` as they are
    /// stored now: each batch with a record left costs its header, each record its size (a
    /// cleaned batch keeps its offset deltas).
    fn measure(&self, from: u64, to: u64) -> (u64, Millis) {
        let (mut bytes, mut max_ms) = (0, 0);
        let mut batch_first: Option<u64> = None;
        let mut counted = false;
        let i = from.saturating_sub(self.records.head()) as usize;
        for r in self.records.iter_from(i).take_while(|r| r.offset < to) {
            let first = *batch_first.get_or_insert(r.offset);
            if !r.cleaned {
                if !counted {
                    bytes += BATCH_HEADER_BYTES;
                    counted = true;
                }
                bytes += record_bytes(r.size, r.offset - first);
                max_ms = max_ms.max(r.append_ms);
            }
            if r.last_in_batch {
                batch_first = None;
                counted = false;
            }
        }
        (bytes, max_ms)
    }

    /// Bytes the records at offsets `from .. to` take as stored now (batch headers included).
    pub fn bytes_between(&self, from: u64, to: u64) -> u64 {
        self.measure(from, to).0
    }

    /// The cleaner removes the record at `offset`: its slot stays, emptied (a gap).
    pub fn clean_slot(&mut self, offset: u64) {
        if offset < self.records.head() {
            return;
        }
        let i = self.index(offset);
        if let Some(r) = self.records.get_mut(i) {
            r.cleaned = true;
        }
    }

    /// After a cleaning pass: the segments below the checkpoint are measured again, and a leading
    /// run of gaps leaves storage (the offsets stay taken: `is_cleaned`, `get` and `read` know).
    pub fn after_cleaning(&mut self) {
        for i in 0..self.segments.len() {
            if self.segments[i].base_offset < self.clean_end {
                self.remeasure(i);
            }
        }
        let gaps = self.records.iter().take_while(|r| r.cleaned).count();
        if gaps > 0 && gaps < self.records.len() {
            self.records.drop_front(gaps);
        }
    }

    /// Measures segment `i` again from its records (after truncation or cleaning).
    fn remeasure(&mut self, i: usize) {
        let to = self.segments.get(i + 1).map_or(self.leo(), |s| s.base_offset);
        let (bytes, max_ms) = self.measure(self.segments[i].base_offset, to);
        let s = &mut self.segments[i];
        s.bytes = bytes;
        s.max_ms = if bytes == 0 { s.first_ms } else { max_ms };
    }

    /// Rolls a new, empty active segment at the log end (Kafka's `UnifiedLog.roll`), unless the
    /// active one is empty already.
    pub fn roll(&mut self, now: Millis) {
        if self.segments.last().is_some_and(|s| s.bytes == 0 && s.base_offset == self.leo()) {
            return;
        }
        self.segments.push(Segment { base_offset: self.leo(), bytes: 0, first_ms: now, max_ms: now });
    }

    /// Takes offsets up to `offset` as a gap (a follower fetching what its leader's cleaner had
    /// already emptied): cleaned slots, so that offsets stay positions.
    pub fn append_gap(&mut self, offset: u64) {
        while self.leo() < offset {
            let gap = Record::gap(self.leo(), self.latest_epoch().unwrap_or(0));
            self.records.push_back(gap);
        }
    }

    /// When the pending flush of the dirty pages falls due, and whether it is Kafka's (`flush.ms`,
    /// LogManager's flusher: `now - lastFlushedTime >= flush.ms`) rather than the OS's writeback
    /// (`OS_DIRTY_EXPIRE_MS` after the pages went dirty). `None` while everything is on disk.
    fn next_flush(&self, c: &TopicConfig) -> Option<(Millis, bool)> {
        let since = self.dirty_since?;
        let os = since.saturating_add(OS_DIRTY_EXPIRE_MS);
        let kafka = if c.flush_ms < i64::MAX as u64 {
            self.last_flush_ms.saturating_add(c.flush_ms).max(since)
        } else {
            u64::MAX
        };
        Some(if kafka <= os { (kafka, true) } else { (os, false) })
    }

    /// Applies the flush that fell due by `now`, if any: it wrote everything appended before it
    /// (every append first settles the flushes due, so nothing appended after it is in the log).
    fn settle_flushes(&mut self, now: Millis, c: &TopicConfig) {
        if let Some((at, kafka)) = self.next_flush(c).filter(|&(at, _)| at <= now) {
            self.recovery_point = self.leo();
            self.dirty_since = None;
            if kafka {
                self.last_flush_ms = at;
            }
        }
    }

    /// Kafka flushes the whole log (`UnifiedLog.flush`): a clean shutdown, a segment roll,
    /// `flush.messages` reached.
    pub fn flush(&mut self, now: Millis) {
        if self.recovery_point < self.leo() {
            self.recovery_point = self.leo();
            self.last_flush_ms = now;
        }
        self.dirty_since = None;
    }

    /// The first offset not yet on disk at `now` (the recovery point with the flushes due by
    /// then): what a power loss at `now` would keep the log up to.
    pub fn durable_offset(&self, now: Millis, c: &TopicConfig) -> u64 {
        let flushed = self.next_flush(c).is_some_and(|(at, _)| at <= now);
        let rp = if flushed { self.leo() } else { self.recovery_point };
        rp.max(self.log_start).min(self.leo())
    }

    /// A power loss at `now`: the page cache is gone, the log keeps what reached disk. Recovery
    /// rebuilds it from there as Kafka's log recovery does (segments, epoch cache, producer
    /// state, the HW checkpoint no higher than the new LEO: `truncate_to`). Returns the records
    /// lost and the offset they started at.
    pub fn lose_page_cache(&mut self, now: Millis, c: &TopicConfig) -> (u64, Vec<Record>) {
        let durable = self.durable_offset(now, c);
        let removed = if durable < self.leo() { self.truncate_to(durable) } else { Vec::new() };
        self.recovery_point = self.leo();
        self.dirty_since = None;
        (durable, removed)
    }

    /// Appends a record that already carries its offset and epoch, as a batch of its own (tests
    /// and one-record writers; see `append_batch`).
    pub fn append(&mut self, rec: Record) {
        self.append_batch(&[rec], rec.append_ms, &TopicConfig::default());
    }

    /// Appends one batch of records that already carry their offsets and epochs, rolling a new
    /// segment first as Kafka's `LogSegment.shouldRoll` does: when the active segment is not empty
    /// and the batch would take it past `segment.bytes`, or when more than `segment.ms` has passed
    /// (at `now`) since its first record's timestamp. A batch never spans two segments. Keeps the
    /// epoch cache and the transaction index in step, on leaders and followers alike (each rolls
    /// its own segments from what it appends).
    pub fn append_batch(&mut self, recs: &[Record], now: Millis, config: &TopicConfig) {
        let Some(first) = recs.first() else { return };
        self.settle_flushes(now, config);
        let bytes = Self::batch_bytes(recs);
        let roll = match self.segments.last() {
            None => true,
            Some(a) => {
                a.bytes > 0
                    && (a.bytes + bytes > config.segment_bytes || now.saturating_sub(a.first_ms) > config.segment_ms)
            }
        };
        if roll {
            // Kafka flushes the old segments when it rolls (up to the new segment's base offset).
            self.flush(now);
            self.segments.push(Segment {
                base_offset: first.offset,
                bytes: 0,
                first_ms: first.append_ms,
                max_ms: first.append_ms,
            });
        }
        for rec in recs {
            // A follower fetching a batch the leader's cleaner thinned takes the gaps too.
            self.append_gap(rec.offset);
            assert_eq!(rec.offset, self.leo(), "offsets are contiguous");
            if self.latest_epoch().is_none_or(|e| rec.epoch > e) {
                self.epochs.push((rec.epoch, rec.offset));
            }
            self.records.push_back(*rec);
            self.note_txn(rec);
        }
        let a = self.segments.last_mut().expect("an active segment");
        if a.bytes == 0 {
            a.first_ms = first.append_ms;
        }
        a.bytes += bytes;
        a.max_ms = recs.iter().map(|r| r.append_ms).fold(a.max_ms, Millis::max);
        // Into the page cache; `flush.messages` unflushed messages make `UnifiedLog.append` flush,
        // and a `flush.ms` already due flushes at once.
        self.dirty_since.get_or_insert(now);
        if self.leo().saturating_sub(self.recovery_point) >= config.flush_messages {
            self.flush(now);
        }
        self.settle_flushes(now, config);
    }

    /// Keeps the transaction index in step with an appended record.
    fn note_txn(&mut self, rec: &Record) {
        let (true, Some(pid)) = (rec.txn, rec.producer_id) else { return };
        match rec.value {
            Value::Marker { commit } => {
                // The marker carries the (possibly bumped) epoch: older epochs are fenced from here.
                let entry = self.producers.entry(pid).or_default();
                if rec.producer_epoch > entry.epoch {
                    entry.epoch = rec.producer_epoch;
                    entry.batches.clear();
                }
                if let Some(first) = self.open_txns.remove(&pid) {
                    let hw = self.hw;
                    self.decided_txns.retain(|&(_, m)| m >= hw);
                    self.decided_txns.push((first, rec.offset));
                    if !commit {
                        self.aborted_txns.push(AbortedTxn {
                            producer_id: pid,
                            first_offset: first,
                            last_offset: rec.offset,
                        });
                    }
                }
            }
            _ => {
                self.open_txns.entry(pid).or_insert(rec.offset);
            }
        }
    }

    /// The first offset of the earliest open transaction (`firstUndecidedOffset`).
    pub fn first_undecided_offset(&self) -> Option<u64> {
        self.open_txns.values().min().copied()
    }

    /// `firstUnstableOffset`: the earliest open transaction, or decided one whose marker is not yet
    /// below the HW.
    pub fn first_unstable_offset(&self) -> Option<u64> {
        let decided = self.decided_txns.iter().filter(|&&(_, m)| m >= self.hw).map(|&(f, _)| f);
        self.open_txns.values().copied().chain(decided).min()
    }

    /// The last stable offset: what read_committed consumers may read up to (section 5.3).
    pub fn lso(&self) -> u64 {
        self.first_unstable_offset().map_or(self.hw, |f| f.min(self.hw))
    }

    /// Aborted transactions that overlap offsets `from ..= to` (what a fetch returns with its data).
    pub fn aborted_in(&self, from: u64, to: u64) -> Vec<AbortedTxn> {
        self.aborted_txns.iter().filter(|a| a.first_offset <= to && a.last_offset >= from).copied().collect()
    }

    /// Records a batch in the producer-state cache (called once per appended batch).
    pub fn note_batch(&mut self, pid: u64, epoch: u16, meta: BatchMeta) {
        let entry = self.producers.entry(pid).or_default();
        if entry.epoch != epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        entry.batches.push_back(meta);
        while entry.batches.len() > NUM_BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
    }

    /// Removes every record at or above `offset`, the epochs that started there and the producer
    /// state they built; the HW never stays above the LEO.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<Record> {
        let offset = offset.max(self.log_start);
        if offset >= self.leo() {
            // Nothing to cut, but epochs that start at the end hold no records: drop them too.
            if offset == self.leo() {
                self.epochs.retain(|&(_, start)| start < offset);
            }
            return Vec::new();
        }
        let keep = offset.saturating_sub(self.records.head()) as usize;
        let mut removed: Vec<Record> = self.records.truncate(keep);
        if offset < self.records.head() {
            // The cut falls in a run of gaps storage had already let go.
            self.records = Chunked::starting_at(offset);
        }
        self.clean_end = self.clean_end.min(offset);
        self.tombstones.retain(|&o, _| o < offset);
        removed.retain(|r| !r.cleaned);
        self.epochs.retain(|&(_, start)| start < offset);
        self.hw = self.hw.min(offset);
        self.recovery_point = self.recovery_point.min(offset);
        if self.recovery_point >= offset {
            self.dirty_since = None;
        }
        // Segments that start at or after the cut go; the one it cuts into shrinks.
        while self.segments.len() > 1 && self.segments.last().is_some_and(|s| s.base_offset >= offset) {
            self.segments.pop();
        }
        if let Some(last) = self.segments.len().checked_sub(1) {
            self.remeasure(last);
        }
        self.rebuild_producer_state();
        removed
    }

    fn rebuild_producer_state(&mut self) {
        self.producers.clear();
        self.open_txns.clear();
        self.decided_txns.clear();
        self.aborted_txns.clear();
        let mut i = 0;
        let recs: Vec<Record> = self.iter().copied().collect();
        while i < recs.len() {
            let r = recs[i];
            self.note_txn(&r);
            let Some(pid) = r.producer_id.filter(|_| !matches!(r.value, Value::Marker { .. })) else {
                i += 1;
                continue;
            };
            for later in &recs[i + 1..=batch_end(&recs, i)] {
                self.note_txn(later);
            }
            let j = batch_end(&recs, i);
            let meta = BatchMeta {
                first_seq: r.sequence,
                last_seq: recs[j].sequence,
                first_offset: r.offset,
                last_offset: recs[j].offset,
            };
            self.note_batch(pid, r.producer_epoch, meta);
            i = j + 1;
        }
    }

    /// Records that `epoch` starts at `start` (a new leader stamps its epoch at its LEO). Entries at
    /// or after `start` hold no records and are replaced, as Kafka's `LeaderEpochFileCache.assign`.
    pub fn assign_epoch(&mut self, epoch: u32, start: u64) {
        if self.latest_epoch().is_some_and(|e| e >= epoch) {
            return;
        }
        while self.epochs.last().is_some_and(|&(_, s)| s >= start) {
            self.epochs.pop();
        }
        self.epochs.push((epoch, start));
    }

    /// Kafka's `LeaderEpochFileCache.endOffsetFor`: the largest epoch ≤ `epoch` and the start offset
    /// of the next higher epoch (the LEO when `epoch` is the latest). `None` is Kafka's
    /// UNDEFINED_EPOCH_OFFSET: no higher epoch is known. When `epoch` is older than every cached
    /// epoch, the answer is `epoch` itself with the first cached start offset.
    pub fn end_offset_for_epoch(&self, epoch: u32) -> Option<(u32, u64)> {
        if self.latest_epoch() == Some(epoch) {
            return Some((epoch, self.leo()));
        }
        let &(_, higher_start) = self.epochs.iter().find(|&&(e, _)| e > epoch)?;
        match self.epochs.iter().rev().find(|&&(e, _)| e <= epoch) {
            None => Some((epoch, higher_start)),
            Some(&(floor, _)) => Some((floor, higher_start)),
        }
    }

    /// Empties the log and starts it again at `offset` (a follower whose whole log is older than its
    /// leader's log start).
    pub fn restart_at(&mut self, offset: u64) {
        self.truncate_to(self.log_start);
        self.records.restart_at(offset);
        self.segments.clear();
        self.log_start = offset;
        self.recovery_point = offset;
        self.dirty_since = None;
    }

    /// Deletes records from the front (retention) up to `new_start`, never past the HW.
    pub fn delete_before(&mut self, new_start: u64) -> usize {
        let new_start = new_start.min(self.hw).min(self.leo());
        if new_start <= self.log_start {
            return 0;
        }
        let n = (new_start - self.log_start) as usize;
        self.records.drop_front(new_start.saturating_sub(self.records.head()) as usize);
        self.log_start = new_start;
        // `UnifiedLog.updateLogStartOffset`: the recovery point is never below the log start.
        self.recovery_point = self.recovery_point.max(new_start);
        if self.recovery_point >= self.leo() {
            self.dirty_since = None;
        }
        // Segments wholly below the new start are deleted (`deleteLogStartOffsetBreachedSegments`);
        // the one it falls in stays, its file unchanged, read from the log start on.
        while self.segments.len() > 1 && self.segments[1].base_offset <= new_start {
            self.segments.remove(0);
        }
        self.aborted_txns.retain(|a| a.last_offset >= new_start);
        // Keep the epoch that covers the new start.
        while self.epochs.len() >= 2 && self.epochs[1].1 <= new_start {
            self.epochs.remove(0);
        }
        n
    }
}

/// Index of the last record of the batch that starts at `records[i]`.
pub fn batch_end(records: &[Record], i: usize) -> usize {
    let mut j = i;
    while !records[j].last_in_batch && j + 1 < records.len() {
        j += 1;
    }
    j
}

/// `acks`: 0, 1 or all (-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acks {
    Zero,
    One,
    All,
}

impl Acks {
    pub fn name(self) -> &'static str {
        match self {
            Acks::Zero => "0",
            Acks::One => "1",
            Acks::All => "all",
        }
    }
}

/// Topic-level configuration (Kafka's names and defaults).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicConfig {
    pub min_insync_replicas: u32,
    pub unclean_leader_election_enable: bool,
    /// `retention.ms`; -1 keeps forever.
    pub retention_ms: i64,
    /// `retention.bytes` per partition; -1 means no size limit. Compared with the segments' sizes
    /// (`Log::size_bytes`: records in Kafka's v2 batch format, `record_bytes`).
    pub retention_bytes: i64,
    /// `cleanup.policy`: `delete`, `compact` or `compact,delete`.
    pub cleanup_policy: String,
    /// `segment.bytes`: the active segment rolls before it would pass this size.
    #[serde(default = "segment_bytes_default")]
    pub segment_bytes: u64,
    /// `segment.ms`: the active segment rolls on the first append after this long.
    #[serde(default = "week")]
    pub segment_ms: Millis,
    /// `min.cleanable.dirty.ratio`, in millionths (0.5 is 500000).
    #[serde(default = "half")]
    pub min_cleanable_dirty_ratio_ppm: u32,
    /// `min.compaction.lag.ms` and `max.compaction.lag.ms` (i64::MAX: no limit).
    #[serde(default)]
    pub min_compaction_lag_ms: u64,
    #[serde(default = "no_limit")]
    pub max_compaction_lag_ms: u64,
    /// `delete.retention.ms`: how long a cleaned tombstone (and an emptied transaction's marker)
    /// stays readable.
    #[serde(default = "day")]
    pub delete_retention_ms: u64,
    /// `flush.messages`: `UnifiedLog.append` flushes when this many messages are unflushed
    /// (i64::MAX, the default: leave it to the OS).
    #[serde(default = "no_limit")]
    pub flush_messages: u64,
    /// `flush.ms`: LogManager's flusher flushes a log this long after its last flush (i64::MAX:
    /// leave it to the OS).
    #[serde(default = "no_limit")]
    pub flush_ms: u64,
}

fn segment_bytes_default() -> u64 {
    1 << 30
}
fn week() -> Millis {
    604_800_000
}
fn half() -> u32 {
    500_000
}
fn no_limit() -> u64 {
    i64::MAX as u64
}
fn day() -> u64 {
    86_400_000
}

impl TopicConfig {
    /// Whether `cleanup.policy` includes `delete` (retention) / `compact` (the log cleaner).
    pub fn deletes(&self) -> bool {
        self.cleanup_policy.split(',').any(|p| p == "delete")
    }
    pub fn compacts(&self) -> bool {
        self.cleanup_policy.split(',').any(|p| p == "compact")
    }
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            retention_ms: 604_800_000,
            retention_bytes: -1,
            cleanup_policy: "delete".into(),
            segment_bytes: segment_bytes_default(),
            segment_ms: week(),
            min_cleanable_dirty_ratio_ppm: half(),
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: no_limit(),
            delete_retention_ms: day(),
            flush_messages: no_limit(),
            flush_ms: no_limit(),
        }
    }
}

/// Broker and controller settings that the model uses (Kafka's names and defaults).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    pub broker_heartbeat_interval_ms: Millis,
    pub broker_session_timeout_ms: Millis,
    pub replica_lag_time_max_ms: Millis,
    pub replica_fetch_wait_max_ms: Millis,
    pub replica_fetch_backoff_ms: Millis,
    /// `replica.socket.timeout.ms`: a follower re-sends a fetch that got no answer in this time.
    pub replica_socket_timeout_ms: Millis,
    /// Records a follower fetch or a produce batch carries at most (stands in for byte limits).
    pub max_records_per_fetch: usize,
    /// Simulator knob: one-way network latency and its jitter.
    pub network_latency_ms: Millis,
    pub network_jitter_ms: Millis,
    pub auto_leader_rebalance_enable: bool,
    pub leader_imbalance_check_interval_ms: Millis,
    pub leader_imbalance_per_broker_percentage: u32,
    /// How often brokers apply retention (`log.retention.check.interval.ms`, default 5 minutes).
    pub log_retention_check_interval_ms: Millis,
    /// `kafka-configs --alter --entity-type brokers --entity-default`: the cluster-wide dynamic
    /// broker configs, as given (`DYNAMIC_DEFAULT_BROKER_CONFIG`).
    #[serde(default)]
    pub dynamic_default: BTreeMap<String, String>,
    /// `--entity-name B`: one broker's dynamic configs (`DYNAMIC_BROKER_CONFIG`).
    #[serde(default)]
    pub dynamic_per_broker: BTreeMap<BrokerId, BTreeMap<String, String>>,
    /// `kafka-reassign-partitions --execute --throttle B`: bytes per second each leader may send
    /// to the replicas a reassignment adds (cleared by `--verify` once no reassignment runs, and
    /// by `--cancel`). Kafka keeps it in the brokers' `leader.replication.throttled.rate`; the
    /// model keeps it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassignment_throttle_bps: Option<u64>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            broker_heartbeat_interval_ms: 2000,
            broker_session_timeout_ms: 9000,
            replica_lag_time_max_ms: 30000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1000,
            replica_socket_timeout_ms: 30_000,
            max_records_per_fetch: 1000,
            network_latency_ms: 10,
            network_jitter_ms: 2,
            log_retention_check_interval_ms: 300_000,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_ms: 300_000,
            leader_imbalance_per_broker_percentage: 10,
            dynamic_default: BTreeMap::new(),
            dynamic_per_broker: BTreeMap::new(),
            reassignment_throttle_bps: None,
        }
    }
}

/// Producer settings (Kafka's names and defaults, section 5.1; `configs::client::PRODUCER` has
/// every config). The fields are the ones the model acts on; `props` keeps every property as
/// given, for `producer describe`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub enable_idempotence: bool,
    pub max_in_flight: u32,
    pub retries: u32,
    pub retry_backoff_ms: Millis,
    pub delivery_timeout_ms: Millis,
    pub request_timeout_ms: Millis,
    pub linger_ms: Millis,
    pub batch_size: u32,
    /// `transactional.id`: makes the producer transactional (and idempotent).
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms`: the coordinator aborts a transaction open longer than this.
    pub transaction_timeout_ms: Millis,
    /// `partitioner.ignore.keys`: keyed records use the sticky partitioner too.
    #[serde(default)]
    pub partitioner_ignore_keys: bool,
    /// `partitioner.adaptive.partitioning.enable`: the sticky partitioner avoids long queues.
    #[serde(default = "yes")]
    pub partitioner_adaptive: bool,
    /// `max.block.ms`: how long initTransactions() and commitTransaction() block.
    #[serde(default = "max_block_default")]
    pub max_block_ms: Millis,
    /// Every `--producer-property` as given (Kafka's `originals()`).
    #[serde(default)]
    pub props: Vec<(String, String)>,
}

fn yes() -> bool {
    true
}

fn max_block_default() -> Millis {
    60_000
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            enable_idempotence: true,
            max_in_flight: 5,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            // Kafka 4.0 (KIP-1030): 5 ms; it was 0 before.
            linger_ms: 5,
            batch_size: 16384,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            partitioner_ignore_keys: false,
            partitioner_adaptive: true,
            max_block_ms: 60_000,
            props: Vec::new(),
        }
    }
}

/// Kafka error codes the model can return, by Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ErrorCode {
    NotLeaderOrFollower,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    RequestTimedOut,
    NetworkException,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    UnknownTopicOrPartition,
    InvalidUpdateVersion,
    IneligibleReplica,
    StaleBrokerEpoch,
    NotCoordinator,
    CoordinatorNotAvailable,
    UnknownMemberId,
    IllegalGeneration,
    RebalanceInProgress,
    OffsetOutOfRange,
    /// The transaction coordinator saw a newer epoch for this transactional.id (fatal).
    ProducerFenced,
    /// The coordinator is still finishing the previous transaction: retry.
    ConcurrentTransactions,
    InvalidTxnState,
    /// The transaction was aborted (records not sent before an abort fail with this).
    TransactionAborted,
    CoordinatorLoadInProgress,
    /// Offsets of an undecided transaction are pending for the partition (KIP-447): retry.
    UnstableOffsetCommit,
}

impl ErrorCode {
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::NetworkException => "NETWORK_EXCEPTION",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ErrorCode::IneligibleReplica => "INELIGIBLE_REPLICA",
            ErrorCode::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::ProducerFenced => "PRODUCER_FENCED",
            ErrorCode::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            ErrorCode::InvalidTxnState => "INVALID_TXN_STATE",
            ErrorCode::TransactionAborted => "TRANSACTION_ABORTED",
            ErrorCode::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            ErrorCode::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
        }
    }

    /// Whether a producer retries on this error (Kafka's RetriableException subclasses).
    pub fn retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::NotEnoughReplicasAfterAppend
                | ErrorCode::RequestTimedOut
                | ErrorCode::NetworkException
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnknownTopicOrPartition
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(offset: u64, epoch: u32) -> Record {
        Record {
            offset,
            epoch,
            key: None,
            value: Value::Numbered(offset),
            id: RecordId(offset),
            producer_id: None,
            producer_epoch: 0,
            sequence: 0,
            last_in_batch: true,
            append_ms: 0,
            txn: false,
            size: 10,
            cleaned: false,
        }
    }

    #[test]
    fn epoch_cache_and_end_offsets() {
        let mut log = Log::default();
        for (o, e) in [(0, 0), (1, 2), (2, 4)] {
            log.append(rec(o, e));
        }
        assert_eq!(log.epochs, vec![(0, 0), (2, 1), (4, 2)]);
        assert_eq!(log.end_offset_for_epoch(4), Some((4, 3)));
        assert_eq!(log.end_offset_for_epoch(3), Some((2, 2)));
        assert_eq!(log.end_offset_for_epoch(1), Some((0, 1)));
        assert_eq!(log.end_offset_for_epoch(7), None, "no higher epoch: undefined");
        log.truncate_to(2);
        assert_eq!(log.leo(), 2);
        assert_eq!(log.latest_epoch(), Some(2));
    }

    fn at(offset: u64, ms: Millis) -> Record {
        Record { append_ms: ms, ..rec(offset, 0) }
    }

    /// With the defaults the OS writes pages back once they have been dirty for 30 s: a power
    /// loss keeps what was appended more than 30 s before the first unwritten append, and loses
    /// the rest.
    #[test]
    fn the_os_writes_back_dirty_pages_after_30_s() {
        let c = TopicConfig::default();
        let mut log = Log::default();
        for o in 0..5 {
            log.append_batch(&[at(o, 1000 + o * 1000)], 1000 + o * 1000, &c);
        }
        assert_eq!(log.durable_offset(30_999, &c), 0, "dirty since 1000: not yet written back");
        assert_eq!(log.durable_offset(31_000, &c), 5, "written back at 31000");
        // An append after the writeback makes the log dirty again from then.
        log.append_batch(&[at(5, 40_000)], 40_000, &c);
        assert_eq!(log.recovery_point, 5);
        assert_eq!(log.durable_offset(69_999, &c), 5);
        let (from, lost) = log.lose_page_cache(50_000, &c);
        assert_eq!((from, lost.len(), log.leo()), (5, 1, 5));
        assert_eq!(log.durable_offset(50_000, &c), 5);
    }

    /// `flush.messages`, `flush.ms`, a segment roll and truncation move the recovery point as
    /// Kafka's do.
    #[test]
    fn kafka_flushes_by_count_by_time_and_on_roll() {
        let every_two = TopicConfig { flush_messages: 2, ..TopicConfig::default() };
        let mut log = Log::default();
        log.append_batch(&[at(0, 0)], 0, &every_two);
        assert_eq!(log.recovery_point, 0);
        log.append_batch(&[at(1, 10)], 10, &every_two);
        assert_eq!(log.recovery_point, 2, "two unflushed messages: flushed");
        log.append_batch(&[at(2, 20)], 20, &every_two);
        assert_eq!(log.durable_offset(20, &every_two), 2);

        let timed = TopicConfig { flush_ms: 1000, ..TopicConfig::default() };
        let mut log = Log::default();
        log.append_batch(&[at(0, 100)], 100, &timed);
        log.append_batch(&[at(1, 500)], 500, &timed);
        assert_eq!(log.durable_offset(999, &timed), 0);
        assert_eq!(log.durable_offset(1000, &timed), 2, "1000 ms after the last flush (at 0)");
        log.append_batch(&[at(2, 1500)], 1500, &timed);
        assert_eq!((log.recovery_point, log.last_flush_ms), (2, 1000), "the flush at 1000 took 0 and 1 only");
        assert_eq!(log.durable_offset(1999, &timed), 2);
        assert_eq!(log.durable_offset(2000, &timed), 3);

        let rolling = TopicConfig { segment_ms: 1000, ..TopicConfig::default() };
        let mut log = Log::default();
        log.append_batch(&[at(0, 0)], 0, &rolling);
        log.append_batch(&[at(1, 2000)], 2000, &rolling);
        assert_eq!(log.segments.len(), 2);
        assert_eq!(log.recovery_point, 1, "the roll flushed the old segment");
        log.truncate_to(1);
        assert_eq!((log.recovery_point, log.dirty_since), (1, None));
        log.flush(3000);
        assert_eq!(log.durable_offset(3000, &rolling), 1);
    }

    #[test]
    fn retention_never_passes_the_high_watermark() {
        let mut log = Log::default();
        for o in 0..10 {
            log.append(rec(o, 0));
        }
        log.hw = 4;
        assert_eq!(log.delete_before(8), 4);
        assert_eq!(log.log_start, 4);
        assert_eq!(log.read(4, 2).iter().map(|r| r.offset).collect::<Vec<_>>(), vec![4, 5]);
        assert!(log.read(3, 2).is_empty());
    }
}

//! Transactions (section 5.3): the transaction coordinator on the brokers, transaction markers on
//! partition leaders, and the transactional producer's side (Kafka's `TransactionManager`).
//!
//! The coordinator of a `transactional.id` is the leader of `__transaction_state` partition
//! `abs(hashCode(transactional.id)) % 50`. Every state change is a record appended to that
//! partition; the coordinator acts on it (answers the producer, sends markers) only once the
//! record is below the HW, so a coordinator that fails over loads exactly what was replicated:
//! the new leader reads its own replica of the partition and finishes any PrepareCommit or
//! PrepareAbort it finds there.
//!
//! Flow: InitProducerId (bumps the epoch, fencing older instances and aborting their open
//! transaction) → AddPartitionsToTxn / AddOffsetsToTxn (Ongoing) → transactional produce →
//! EndTxn → PrepareCommit|PrepareAbort → WriteTxnMarkers to every partition leader (one control
//! record each) → CompleteCommit|CompleteAbort. `transaction.timeout.ms` aborts a hung
//! transaction with a bumped epoch, which fences the producer that left it open.

use crate::audit::ledger::Delivery;
use crate::clients::producer::record_body;
use crate::clients::producer::ClientStatus;
use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::sim::Sim;
use crate::model::*;
use crate::murmur::coordinator_partition;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const TXN_TOPIC: &str = "__transaction_state";
/// `transaction.state.log.num.partitions`.
pub const TXN_PARTITIONS: u32 = 50;
/// How often coordinators look for timed-out transactions and markers to resend (the model's
/// stand-in for `transaction.abort.timed.out.transaction.cleanup.interval.ms` and marker retries).
pub const TXN_CHECK_MS: Millis = 1000;
/// A state change not replicated within this time is given up (the producer retries).
const TXN_APPEND_TIMEOUT_MS: Millis = 5000;
/// `request.timeout.ms` of the coordinator's WriteTxnMarkers requests.
const MARKER_REQUEST_TIMEOUT_MS: Millis = 30_000;
/// The producer's retry backoff for CONCURRENT_TRANSACTIONS and coordinator errors.
const TXN_RETRY_MS: Millis = 100;

/// `TransactionMetadata` states (section 5.3's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

impl TxnState {
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
        }
    }

    /// `TransactionMetadata`'s allowed previous states (PrepareEpochFence is folded into the
    /// PrepareAbort that follows it).
    pub fn may_follow(self, prev: TxnState) -> bool {
        use TxnState::*;
        match self {
            Empty => matches!(prev, Empty | CompleteCommit | CompleteAbort),
            Ongoing => matches!(prev, Ongoing | Empty | CompleteCommit | CompleteAbort),
            PrepareCommit => prev == Ongoing,
            PrepareAbort => prev == Ongoing,
            CompleteCommit => prev == PrepareCommit,
            CompleteAbort => prev == PrepareAbort,
        }
    }
}

/// The transaction state records written so far, by index (what `Value::TxnState::entry` names),
/// in shared chunks. The ones below the first that a record, a message or a coordinator still
/// names are dropped (`Sim::summarize_txn_log`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TxnLog {
    entries: crate::chunked::Chunked<TxnEntry>,
    base: u32,
}

impl TxnLog {
    pub fn push(&mut self, e: TxnEntry) -> u32 {
        let idx = self.base + self.entries.len() as u32;
        self.entries.push_back(e);
        idx
    }

    pub fn get(&self, idx: usize) -> Option<&TxnEntry> {
        self.entries.get(idx.checked_sub(self.base as usize)?)
    }

    fn forget_below(&mut self, idx: u32) {
        let n = idx.saturating_sub(self.base).min(self.entries.len() as u32);
        self.entries.drop_front(n as usize);
        self.base += n;
    }
}

impl std::ops::Index<usize> for TxnLog {
    type Output = TxnEntry;
    fn index(&self, idx: usize) -> &TxnEntry {
        self.get(idx).expect("a transaction state record still referred to")
    }
}

/// One state record of `__transaction_state` (the value of `Value::TxnState`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnEntry {
    pub tid: Sym,
    pub producer_id: u64,
    pub epoch: u16,
    pub state: TxnState,
    pub partitions: Vec<Tp>,
    pub timeout_ms: Millis,
    /// When the transaction started (for `transaction.timeout.ms`).
    pub start_ms: Millis,
}

/// A state change appended to the log and waiting for the HW.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTxn {
    pub entry: u32,
    pub offset: u64,
    pub appended_ms: Millis,
    /// The producer request to answer when it is replicated.
    pub reply: Option<(Node, u64, TxnOp)>,
}

/// What a coordinator holds in memory for one transactional id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnMeta {
    /// The last replicated state.
    pub current: TxnEntry,
    pub pending: Option<PendingTxn>,
    /// PrepareCommit/PrepareAbort: partitions whose marker is not acknowledged yet.
    pub markers_pending: BTreeSet<Tp>,
    /// WriteTxnMarkers requests in flight, by partition, with when they were sent (one at a time
    /// per partition; resent after an error, or after the request timeout).
    pub markers_in_flight: BTreeMap<Tp, Millis>,
}

/// The transactional producer's state (`TransactionManager.State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnClientState {
    Initializing,
    Ready,
    InTransaction,
    Committing,
    Aborting,
    /// A send or commit failed: the transaction can only be aborted.
    AbortableError(ErrorCode),
    /// Fenced by a newer instance (or a timeout): this producer instance can do nothing more.
    Fatal(ErrorCode),
}

impl TxnClientState {
    /// Kafka's names, as its exceptions print them.
    pub fn name(self) -> &'static str {
        match self {
            TxnClientState::Initializing => "INITIALIZING",
            TxnClientState::Ready => "READY",
            TxnClientState::InTransaction => "IN_TRANSACTION",
            TxnClientState::Committing => "COMMITTING_TRANSACTION",
            TxnClientState::Aborting => "ABORTING_TRANSACTION",
            TxnClientState::AbortableError(_) => "ABORTABLE_ERROR",
            TxnClientState::Fatal(_) => "FATAL_ERROR",
        }
    }
}

/// sendOffsetsToTransaction(): the offsets, and how far they got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnOffsets {
    pub group: Sym,
    pub generation: i32,
    pub member_id: String,
    pub offsets: Vec<(Tp, u64)>,
    /// AddOffsetsToTxn acknowledged (the offsets partition is in the transaction).
    pub added: bool,
    /// TxnOffsetCommit in flight (its request id) and done.
    pub commit_req: Option<u64>,
    pub committed: bool,
}

/// The transactional side of a producer (`TransactionManager`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnClient {
    pub tid: Sym,
    pub state: TxnClientState,
    pub coordinator: Option<BrokerId>,
    pub finding: bool,
    /// The request id of the FindCoordinator in flight (it times out like any request).
    finding_req: u64,
    cursor: usize,
    /// The coordinator request in flight.
    pub in_flight: Option<(u64, TxnOp)>,
    /// Partitions the coordinator has added to the current transaction.
    pub partitions: BTreeSet<Tp>,
    pub offsets: Option<TxnOffsets>,
    pub group_coordinator: Option<BrokerId>,
    pub retry_at: Option<Millis>,
    /// Transactions this instance committed and aborted.
    pub committed: u64,
    pub aborted: u64,
    /// Records handed to the producer in the current transaction (their ledger ids).
    pub records: Vec<RecordId>,
    /// A send failed: sequence numbers may be out of step with the brokers, so after the abort
    /// the producer bumps its epoch with InitProducerId (KIP-360) and starts sequences afresh.
    pub epoch_bump_required: bool,
}

impl TxnClient {
    /// Whether request `req` is one this client still waits for (its timeout would act).
    pub(crate) fn awaits(&self, req: u64) -> bool {
        self.in_flight.as_ref().is_some_and(|(r, _)| *r == req)
            || (self.finding && self.finding_req == req)
            || self.offsets.as_ref().is_some_and(|o| o.commit_req == Some(req))
    }

    pub fn new(tid: Sym) -> TxnClient {
        TxnClient {
            tid,
            state: TxnClientState::Initializing,
            coordinator: None,
            finding: false,
            finding_req: 0,
            cursor: 0,
            in_flight: None,
            partitions: BTreeSet::new(),
            offsets: None,
            group_coordinator: None,
            retry_at: None,
            committed: 0,
            aborted: 0,
            records: Vec::new(),
            epoch_bump_required: false,
        }
    }
}

impl Sim {
    // ------------------------------------------------------------------------------------------
    // Coordinator side

    /// The `__transaction_state` partition of a transactional id, if the topic exists.
    pub fn txn_tp(&self, tid: &str) -> Option<Tp> {
        let topic = self.topic_by_name(TXN_TOPIC)?;
        Some(Tp { topic, partition: coordinator_partition(tid, TXN_PARTITIONS) })
    }

    /// The broker coordinating `tid` now, per the controller.
    pub fn txn_coordinator_of(&self, tid: &str) -> Option<BrokerId> {
        self.partition(self.txn_tp(tid)?)?.leader
    }

    /// The coordinator's view of a transactional id (for the view and `describe`).
    pub fn txn_meta(&self, tid: &str) -> Option<&TxnMeta> {
        let b = self.txn_coordinator_of(tid)?;
        let sym = self.interner.find(tid)?;
        self.brokers.get(&b)?.txns.get(&sym)
    }

    /// Creates `__transaction_state` on first use (as the first FindCoordinator does).
    pub(crate) fn ensure_txn_topic(&mut self) {
        if self.topic_by_name(TXN_TOPIC).is_some() {
            return;
        }
        let rf = (self.usable_broker_ids().len() as u32).clamp(1, 3);
        if self.usable_broker_ids().is_empty() {
            return;
        }
        let min_isr = rf.min(2).to_string();
        let segment = self.broker_value(None, "transaction.state.log.segment.bytes").as_int().unwrap_or(104_857_600);
        // The configs the transaction coordinator gives its topic (`transactionTopicConfigs`).
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        let configs = [
            kv("unclean.leader.election.enable", "false"),
            kv("compression.type", "uncompressed"),
            kv("cleanup.policy", "compact"),
            kv("min.insync.replicas", &min_isr),
            kv("segment.bytes", &segment.to_string()),
        ];
        if self.create_topic(TXN_TOPIC, Some(TXN_PARTITIONS), Some(rf), None, &configs).is_ok() {
            self.net.timer(TXN_CHECK_MS, Timer::TxnCheck);
        }
    }

    /// Whether broker `b` leads `tid`'s partition; loads the partition's state first if `b` has not
    /// since it became leader (a coordinator failover).
    fn txn_coordinates(&mut self, b: BrokerId, tid: Sym) -> Option<Tp> {
        let tp = self.txn_tp(self.interner.get(tid))?;
        if self.partition(tp)?.leader != Some(b) {
            return None; // as for groups: coordination follows the controller's leader
        }
        let epoch = self.brokers.get(&b)?.replicas.get(&tp).filter(|r| r.is_leader(b))?.leader_epoch;
        if self.brokers[&b].txn_loaded.get(&tp) != Some(&epoch) {
            self.load_txn_partition(b, tp, epoch);
        }
        Some(tp)
    }

    /// A new coordinator reads the state records of its replica of `tp` (the last one per id wins)
    /// and goes on from there: prepared transactions get their markers, open ones their timeout.
    fn load_txn_partition(&mut self, b: BrokerId, tp: Tp, epoch: u32) {
        let mut loaded: BTreeMap<Sym, TxnEntry> = BTreeMap::new();
        if let Some(log) = self.replica_log(b, tp) {
            for rec in log.iter() {
                if let Value::TxnState { tid, entry } = rec.value {
                    loaded.insert(tid, self.txn_log[entry as usize].clone());
                }
            }
        }
        let br = self.brokers.get_mut(&b).expect("checked by the caller");
        br.txn_loaded.insert(tp, epoch);
        br.txns.retain(|tid, _| !loaded.contains_key(tid));
        let mut prepared = Vec::new();
        for (tid, entry) in loaded {
            let markers_pending = match entry.state {
                TxnState::PrepareCommit | TxnState::PrepareAbort => {
                    prepared.push(tid);
                    entry.partitions.iter().copied().collect()
                }
                _ => BTreeSet::new(),
            };
            br.txns.insert(
                tid,
                TxnMeta { current: entry, pending: None, markers_pending, markers_in_flight: BTreeMap::new() },
            );
        }
        for tid in prepared {
            self.send_markers(b, tid);
        }
    }

    /// Appends a state change for `tid` to the coordinator's log; it takes effect when replicated.
    fn append_txn_entry(&mut self, b: BrokerId, tp: Tp, entry: TxnEntry, reply: Option<(Node, u64, TxnOp)>) {
        let tid = entry.tid;
        let idx = self.txn_log.push(entry.clone());
        let now = self.net.now;
        let size = record_body(Some(tid), &Value::TxnState { tid, entry: idx }, &self.interner, &self.topics);
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        let Some(r) = br.replicas.get_mut(&tp) else { return };
        let offset = r.log.leo();
        let rec = Record {
            offset,
            epoch: r.leader_epoch,
            key: Some(tid),
            value: Value::TxnState { tid, entry: idx },
            id: INTERNAL_RECORD,
            producer_id: None,
            producer_epoch: 0,
            sequence: 0,
            last_in_batch: true,
            append_ms: now,
            txn: false,
            size,
            cleaned: false,
        };
        r.log.append_batch(&[rec], now, &cx.topics[tp.topic as usize].config);
        let pending = PendingTxn { entry: idx, offset, appended_ms: now, reply };
        match br.txns.get_mut(&tid) {
            Some(m) => m.pending = Some(pending),
            None => {
                // A new id: its first state exists only once replicated.
                let current = TxnEntry { state: TxnState::Empty, partitions: Vec::new(), ..entry };
                br.txns.insert(
                    tid,
                    TxnMeta {
                        current,
                        pending: Some(pending),
                        markers_pending: BTreeSet::new(),
                        markers_in_flight: BTreeMap::new(),
                    },
                );
            }
        }
        br.after_append(tp, &mut cx);
    }

    pub(crate) fn txn_handle(&mut self, b: BrokerId, from: Node, payload: Payload) {
        match payload {
            Payload::FindTxnCoordinator { tid } => {
                self.ensure_txn_topic();
                let tp = self.txn_tp(self.interner.get(tid));
                let result = self.leader_in_metadata_of(b, tp);
                self.net.send(Node::Broker(b), from, Payload::FindTxnCoordinatorResponse { tid, result });
            }
            Payload::TxnRequest { tid, req, op } => self.on_txn_request(b, from, tid, req, op),
            Payload::WriteTxnMarker { tid, tp, producer_id, producer_epoch, commit } => {
                self.on_write_txn_marker(b, from, tid, tp, producer_id, producer_epoch, commit)
            }
            Payload::WriteTxnMarkerResponse { tid, tp, producer_id, result } => {
                self.on_marker_response(b, tid, tp, producer_id, result)
            }
            _ => {}
        }
    }

    fn on_txn_request(&mut self, b: BrokerId, from: Node, tid: Sym, req: u64, op: TxnOp) {
        let reply = |sim: &mut Sim, result: Result<(u64, u16), ErrorCode>, op: TxnOp| {
            sim.net.send(Node::Broker(b), from, Payload::TxnResponse { tid, req, op, result });
        };
        let Some(tp) = self.txn_coordinates(b, tid) else {
            return reply(self, Err(ErrorCode::NotCoordinator), op);
        };
        let now = self.net.now;
        let meta = self.brokers[&b].txns.get(&tid).cloned();
        if meta.as_ref().is_some_and(|m| m.pending.is_some()) {
            return reply(self, Err(ErrorCode::ConcurrentTransactions), op);
        }
        let answer = Some((from, req, op.clone()));
        match (&op, meta) {
            (TxnOp::InitProducerId { timeout_ms }, None) => {
                let producer_id = self.next_producer_id;
                self.next_producer_id += 1;
                let entry = TxnEntry {
                    tid,
                    producer_id,
                    epoch: 0,
                    state: TxnState::Empty,
                    partitions: Vec::new(),
                    timeout_ms: *timeout_ms,
                    start_ms: now,
                };
                self.append_txn_entry(b, tp, entry, answer);
            }
            (TxnOp::InitProducerId { timeout_ms }, Some(m)) => match m.current.state {
                TxnState::Ongoing => {
                    // A new instance while the old one's transaction is open: fence the old epoch
                    // and abort it; the new instance retries until the abort is complete.
                    self.fence_and_abort(b, tp, m.current, "a new instance called initTransactions()");
                    reply(self, Err(ErrorCode::ConcurrentTransactions), op);
                }
                TxnState::PrepareCommit | TxnState::PrepareAbort => {
                    reply(self, Err(ErrorCode::ConcurrentTransactions), op)
                }
                _ => {
                    let mut e = m.current;
                    let (producer_id, epoch) = if e.epoch >= u16::MAX - 1 {
                        self.next_producer_id += 1;
                        (self.next_producer_id - 1, 0)
                    } else {
                        (e.producer_id, e.epoch + 1)
                    };
                    e.producer_id = producer_id;
                    e.epoch = epoch;
                    e.state = TxnState::Empty;
                    e.partitions.clear();
                    e.timeout_ms = *timeout_ms;
                    self.append_txn_entry(b, tp, e, answer);
                }
            },
            (_, None) => reply(self, Err(ErrorCode::InvalidTxnState), op),
            (TxnOp::AddPartitions { producer_id, epoch, .. }, Some(m))
            | (TxnOp::AddOffsets { producer_id, epoch, .. }, Some(m))
            | (TxnOp::EndTxn { producer_id, epoch, .. }, Some(m))
                if *producer_id != m.current.producer_id || *epoch < m.current.epoch =>
            {
                reply(self, Err(ErrorCode::ProducerFenced), op)
            }
            (TxnOp::AddPartitions { tps, .. }, Some(m)) => self.add_to_txn(b, tp, m.current, tps.clone(), answer),
            (TxnOp::AddOffsets { group, .. }, Some(m)) => {
                self.ensure_offsets_topic();
                let name = self.interner.get(*group).to_string();
                match self.offsets_tp(&name) {
                    Some(otp) => self.add_to_txn(b, tp, m.current, vec![otp], answer),
                    None => reply(self, Err(ErrorCode::CoordinatorNotAvailable), op),
                }
            }
            (TxnOp::EndTxn { commit, .. }, Some(m)) => {
                let cur = m.current;
                let (ok, pid, epoch) = (Ok((cur.producer_id, cur.epoch)), cur.producer_id, cur.epoch);
                match (cur.state, *commit) {
                    (TxnState::Ongoing, _) => {
                        let state = if *commit { TxnState::PrepareCommit } else { TxnState::PrepareAbort };
                        self.append_txn_entry(b, tp, TxnEntry { state, ..cur }, answer);
                    }
                    // A retry of an EndTxn that already went through.
                    (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) => reply(self, ok, op),
                    (TxnState::PrepareCommit, true) | (TxnState::PrepareAbort, false) => {
                        reply(self, Err(ErrorCode::ConcurrentTransactions), op)
                    }
                    _ => {
                        let _ = (pid, epoch);
                        reply(self, Err(ErrorCode::InvalidTxnState), op)
                    }
                }
            }
        }
    }

    fn add_to_txn(&mut self, b: BrokerId, tp: Tp, cur: TxnEntry, tps: Vec<Tp>, answer: Option<(Node, u64, TxnOp)>) {
        let now = self.net.now;
        match cur.state {
            TxnState::PrepareCommit | TxnState::PrepareAbort => {
                let (from, req, op) = answer.expect("a request");
                let tid = cur.tid;
                let result = Err(ErrorCode::ConcurrentTransactions);
                self.net.send(Node::Broker(b), from, Payload::TxnResponse { tid, req, op, result });
            }
            _ if cur.state == TxnState::Ongoing && tps.iter().all(|t| cur.partitions.contains(t)) => {
                let (from, req, op) = answer.expect("a request");
                let (tid, result) = (cur.tid, Ok((cur.producer_id, cur.epoch)));
                self.net.send(Node::Broker(b), from, Payload::TxnResponse { tid, req, op, result });
            }
            _ => {
                let mut e = cur;
                if e.state != TxnState::Ongoing {
                    e.start_ms = now;
                    e.partitions.clear();
                }
                for t in tps {
                    if !e.partitions.contains(&t) {
                        e.partitions.push(t);
                    }
                }
                crate::sort::sort(&mut e.partitions);
                e.state = TxnState::Ongoing;
                self.append_txn_entry(b, tp, e, answer);
            }
        }
    }

    /// Bumps the epoch of an open transaction and aborts it (PrepareEpochFence → PrepareAbort).
    fn fence_and_abort(&mut self, b: BrokerId, tp: Tp, cur: TxnEntry, why: &str) {
        let name = self.interner.get(cur.tid).to_string();
        self.log_event(SimEvent::TxnFenced {
            tid: name,
            old_epoch: cur.epoch,
            new_epoch: cur.epoch.saturating_add(1),
            why: why.to_string(),
        });
        let e = TxnEntry { state: TxnState::PrepareAbort, epoch: cur.epoch.saturating_add(1), ..cur };
        self.append_txn_entry(b, tp, e, None);
    }

    /// Drops the transaction state records below the first one still named by a record in a
    /// replica log, a message, or a coordinator's pending change.
    pub(crate) fn summarize_txn_log(&mut self) {
        let mut first = u32::MAX;
        let mut see = |rec: &Record| {
            if let Value::TxnState { entry, .. } = rec.value {
                first = first.min(entry);
            }
        };
        for b in self.brokers.values() {
            for r in b.replicas.values() {
                r.log.iter().for_each(&mut see);
            }
        }
        for m in self.net.messages.values().chain(self.net.dropped.iter().map(|d| &d.message)) {
            m.payload.records().iter().for_each(&mut see);
        }
        for b in self.brokers.values() {
            first = b.txns.values().filter_map(|m| m.pending.as_ref()).fold(first, |f, p| f.min(p.entry));
        }
        self.txn_log.forget_below(first);
    }

    /// The HW of a `__transaction_state` partition moved on broker `b`: state changes below it
    /// take effect.
    pub(crate) fn on_txn_log_advanced(&mut self, b: BrokerId, tp: Tp) {
        let Some(r) = self.brokers.get(&b).and_then(|br| br.replicas.get(&tp)) else { return };
        if !r.is_leader(b) {
            return;
        }
        let hw = r.log.hw;
        let done: Vec<Sym> = self.brokers[&b]
            .txns
            .iter()
            .filter(|(tid, m)| {
                m.pending.as_ref().is_some_and(|p| p.offset < hw) && self.txn_tp(self.interner.get(**tid)) == Some(tp)
            })
            .map(|(tid, _)| *tid)
            .collect();
        for tid in done {
            self.complete_txn_transition(b, tid);
        }
    }

    fn complete_txn_transition(&mut self, b: BrokerId, tid: Sym) {
        let br = self.brokers.get_mut(&b).expect("a running coordinator");
        let m = br.txns.get_mut(&tid).expect("listed");
        let p = m.pending.take().expect("listed");
        let entry = self.txn_log[p.entry as usize].clone();
        m.current = entry.clone();
        if matches!(entry.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            m.markers_pending = entry.partitions.iter().copied().collect();
            m.markers_in_flight.clear();
        }
        if let Some((to, req, op)) = p.reply {
            let result = Ok((entry.producer_id, entry.epoch));
            self.net.send(Node::Broker(b), to, Payload::TxnResponse { tid, req, op, result });
        }
        let name = self.interner.get(tid).to_string();
        self.log_event(SimEvent::TxnStateChanged {
            tid: name,
            coordinator: b,
            state: entry.state,
            producer_id: entry.producer_id,
            epoch: entry.epoch,
            partitions: entry.partitions.clone(),
        });
        match entry.state {
            TxnState::PrepareCommit | TxnState::PrepareAbort => {
                if entry.partitions.is_empty() {
                    self.finish_txn(b, tid);
                } else {
                    self.send_markers(b, tid);
                }
            }
            _ => {}
        }
    }

    /// WriteTxnMarkers: one request per partition to its leader (as this broker's metadata says).
    fn send_markers(&mut self, b: BrokerId, tid: Sym) {
        let now = self.net.now;
        let Some(br) = self.brokers.get_mut(&b) else { return };
        let Some(m) = br.txns.get_mut(&tid) else { return };
        let commit = m.current.state == TxnState::PrepareCommit;
        let (producer_id, producer_epoch) = (m.current.producer_id, m.current.epoch);
        let sends: Vec<(Tp, BrokerId)> = m
            .markers_pending
            .iter()
            .filter(|tp| m.markers_in_flight.get(tp).is_none_or(|&t| now >= t + MARKER_REQUEST_TIMEOUT_MS))
            .filter_map(|tp| br.metadata.get(tp).and_then(|meta| meta.leader).map(|l| (*tp, l)))
            .collect();
        for &(tp, _) in &sends {
            m.markers_in_flight.insert(tp, now);
        }
        for (tp, leader) in sends {
            let payload = Payload::WriteTxnMarker { tid, tp, producer_id, producer_epoch, commit };
            self.net.send(Node::Broker(b), Node::Broker(leader), payload);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_write_txn_marker(
        &mut self,
        b: BrokerId,
        from: Node,
        tid: Sym,
        tp: Tp,
        producer_id: u64,
        producer_epoch: u16,
        commit: bool,
    ) {
        let now = self.net.now;
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        let me = Node::Broker(b);
        let error = |e| Payload::WriteTxnMarkerResponse { tid, tp, producer_id, result: Err(e) };
        let Some(r) = br.replicas.get_mut(&tp).filter(|r| r.is_leader(b)) else {
            cx.net.send(me, from, error(ErrorCode::NotLeaderOrFollower));
            return;
        };
        if r.log.producers.get(&producer_id).is_some_and(|e| e.epoch > producer_epoch) {
            cx.net.send(me, from, error(ErrorCode::InvalidProducerEpoch));
            return;
        }
        // A resent marker (the answer to the first was lost) that this log already has: answer
        // with it instead of writing a second one.
        let already = if r.log.open_txns.contains_key(&producer_id) {
            None
        } else {
            r.log
                .iter()
                .rev()
                .take(10_000)
                .find(|rec| rec.producer_id == Some(producer_id))
                .filter(|rec| rec.value == Value::Marker { commit } && rec.producer_epoch == producer_epoch)
                .map(|rec| rec.offset)
        };
        let offset = already.unwrap_or(r.log.leo());
        if already.is_none() {
            let rec = Record {
                offset,
                epoch: r.leader_epoch,
                key: None,
                value: Value::Marker { commit },
                id: INTERNAL_RECORD,
                producer_id: Some(producer_id),
                producer_epoch,
                sequence: -1,
                last_in_batch: true,
                append_ms: now,
                txn: true,
                size: record_body_bytes(Some(4), Some(6)),
                cleaned: false,
            };
            r.log.append_batch(&[rec], now, &cx.topics[tp.topic as usize].config);
        }
        let id = br.next_purgatory_id();
        br.purgatory.insert(
            id,
            crate::cluster::broker::PendingProduce {
                tp,
                producer: from,
                req: 0,
                base_offset: offset,
                required_hw: offset + 1,
                kind: crate::cluster::broker::PendingKind::Marker { tid, producer_id },
            },
        );
        let inc = br.incarnation;
        cx.net.timer(30_000, Timer::ProduceWait { broker: b, incarnation: inc, id });
        br.after_append(tp, &mut cx);
    }

    fn on_marker_response(&mut self, b: BrokerId, tid: Sym, tp: Tp, producer_id: u64, result: Result<u64, ErrorCode>) {
        let Some(m) = self.brokers.get_mut(&b).and_then(|br| br.txns.get_mut(&tid)) else { return };
        if m.current.producer_id != producer_id
            || !matches!(m.current.state, TxnState::PrepareCommit | TxnState::PrepareAbort)
        {
            return;
        }
        m.markers_in_flight.remove(&tp);
        // A stale epoch means a newer marker is already there: nothing left to write.
        if matches!(result, Ok(_) | Err(ErrorCode::InvalidProducerEpoch)) {
            m.markers_pending.remove(&tp);
            if m.markers_pending.is_empty() && m.pending.is_none() {
                self.finish_txn(b, tid);
            }
        }
    }

    /// Every marker is written: CompleteCommit or CompleteAbort.
    fn finish_txn(&mut self, b: BrokerId, tid: Sym) {
        let name = self.interner.get(tid).to_string();
        let Some(tp) = self.txn_tp(&name) else { return };
        let Some(m) = self.brokers.get(&b).and_then(|br| br.txns.get(&tid)) else { return };
        let cur = m.current.clone();
        let state =
            if cur.state == TxnState::PrepareCommit { TxnState::CompleteCommit } else { TxnState::CompleteAbort };
        self.append_txn_entry(b, tp, TxnEntry { state, partitions: Vec::new(), ..cur }, None);
    }

    /// The coordinators' periodic work: load partitions they newly lead, resend markers, give up on
    /// state changes that do not replicate, and abort transactions open past their timeout.
    pub(crate) fn on_txn_check(&mut self) {
        self.net.timer(TXN_CHECK_MS, Timer::TxnCheck);
        let Some(topic) = self.topic_by_name(TXN_TOPIC) else { return };
        let now = self.net.now;
        let ids: Vec<BrokerId> = self.brokers.iter().filter(|(_, br)| br.is_running()).map(|(&b, _)| b).collect();
        for b in ids {
            let led: Vec<(Tp, u32)> = self.brokers[&b]
                .replicas
                .iter()
                .filter(|(tp, r)| tp.topic == topic && r.is_leader(b))
                .map(|(tp, r)| (*tp, r.leader_epoch))
                .collect();
            for (tp, epoch) in led {
                if self.brokers[&b].txn_loaded.get(&tp) != Some(&epoch) {
                    self.load_txn_partition(b, tp, epoch);
                }
            }
            let tids: Vec<Sym> = self.brokers[&b].txns.keys().copied().collect();
            for tid in tids {
                let Some(tp) = self.txn_tp(self.interner.get(tid)) else { continue };
                if !self.brokers[&b].replicas.get(&tp).is_some_and(|r| r.is_leader(b)) {
                    continue;
                }
                let m = self.brokers[&b].txns[&tid].clone();
                if let Some(p) = &m.pending {
                    if now >= p.appended_ms + TXN_APPEND_TIMEOUT_MS {
                        // Not replicated in time (e.g. the ISR is below min.insync.replicas).
                        self.brokers.get_mut(&b).expect("running").txns.get_mut(&tid).expect("listed").pending = None;
                        if let Some((to, req, op)) = p.reply.clone() {
                            let result = Err(ErrorCode::NotEnoughReplicas);
                            self.net.send(Node::Broker(b), to, Payload::TxnResponse { tid, req, op, result });
                        }
                    }
                    continue;
                }
                match m.current.state {
                    TxnState::PrepareCommit | TxnState::PrepareAbort => {
                        if m.markers_pending.is_empty() {
                            self.finish_txn(b, tid);
                        } else {
                            self.send_markers(b, tid); // those not in flight (after an error)
                        }
                    }
                    TxnState::Ongoing if now >= m.current.start_ms + m.current.timeout_ms => {
                        let why =
                            format!("it was open longer than transaction.timeout.ms ({} ms)", m.current.timeout_ms);
                        self.fence_and_abort(b, tp, m.current, &why);
                    }
                    _ => {}
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Producer side (TransactionManager)

    fn txn_client(&mut self, idx: ProducerIdx) -> Option<&mut TxnClient> {
        self.producers[idx as usize].txn.as_mut()
    }

    /// `transaction begin` (beginTransaction()).
    pub fn begin_transaction(&mut self, idx: ProducerIdx) -> Result<(), String> {
        let p = &mut self.producers[idx as usize];
        let name = p.name.clone();
        let Some(t) = p.txn.as_mut() else {
            return Err(format!("Error: producer {name} has no transactional.id (start it with --producer-property transactional.id=...)."));
        };
        match t.state {
            TxnClientState::Ready => {
                t.state = TxnClientState::InTransaction;
                t.records.clear();
                Ok(())
            }
            TxnClientState::Fatal(e) => Err(fenced_text(self.interner.get(t.tid), e)),
            s => Err(format!(
                "Error: TransactionalId {}: Invalid transition attempted from state {} to state IN_TRANSACTION",
                self.interner.get(t.tid),
                s.name()
            )),
        }
    }

    /// `transaction commit|abort` (commitTransaction() / abortTransaction()): flushes, then EndTxn.
    pub fn end_transaction(&mut self, idx: ProducerIdx, commit: bool) -> Result<(), String> {
        let p = &mut self.producers[idx as usize];
        let name = p.name.clone();
        let Some(t) = p.txn.as_mut() else {
            return Err(format!("Error: producer {name} has no transactional.id."));
        };
        let target = if commit { "COMMITTING_TRANSACTION" } else { "ABORTING_TRANSACTION" };
        match (t.state, commit) {
            (TxnClientState::InTransaction, true) => t.state = TxnClientState::Committing,
            (TxnClientState::InTransaction | TxnClientState::AbortableError(_), false) => {
                t.state = TxnClientState::Aborting
            }
            (TxnClientState::AbortableError(e), true) => {
                return Err(format!(
                    "Error: Cannot commit transaction since a previous send failed with {}: abort it (transaction abort --producer {name}).",
                    e.name()
                ))
            }
            (TxnClientState::Fatal(e), _) => return Err(fenced_text(self.interner.get(t.tid), e)),
            (s, _) => {
                return Err(format!(
                    "Error: TransactionalId {}: Invalid transition attempted from state {} to state {target}",
                    self.interner.get(t.tid),
                    s.name()
                ))
            }
        }
        self.txn_pump(idx);
        Ok(())
    }

    /// sendOffsetsToTransaction(): the group's offsets commit with the transaction.
    pub(crate) fn send_offsets_to_transaction(
        &mut self,
        idx: ProducerIdx,
        group: Sym,
        generation: i32,
        member_id: String,
        offsets: Vec<(Tp, u64)>,
    ) {
        if let Some(t) = self.txn_client(idx) {
            if t.state == TxnClientState::InTransaction && !offsets.is_empty() {
                t.offsets = Some(TxnOffsets {
                    group,
                    generation,
                    member_id,
                    offsets,
                    added: false,
                    commit_req: None,
                    committed: false,
                });
            }
        }
    }

    /// Whether a transactional producer may send a batch of `tp` now.
    pub(crate) fn txn_may_send(&self, idx: ProducerIdx, tp: Tp) -> bool {
        match &self.producers[idx as usize].txn {
            None => true,
            Some(t) => {
                matches!(t.state, TxnClientState::InTransaction | TxnClientState::Committing)
                    && t.partitions.contains(&tp)
            }
        }
    }

    /// Drives the transactional producer: find the coordinator, init, add partitions, commit the
    /// offsets, end the transaction once everything sent is acknowledged.
    pub(crate) fn txn_pump(&mut self, idx: ProducerIdx) {
        let now = self.net.now;
        let p = &self.producers[idx as usize];
        let Some(t) = &p.txn else { return };
        if p.status == ClientStatus::Dead || t.in_flight.is_some() || matches!(t.state, TxnClientState::Fatal(_)) {
            return;
        }
        if let Some(at) = t.retry_at {
            if at > now {
                return;
            }
        }
        let tid = t.tid;
        if t.coordinator.is_none() {
            if !t.finding {
                let ids: Vec<BrokerId> = self.brokers.keys().copied().collect();
                if ids.is_empty() {
                    return;
                }
                let b = ids[t.cursor % ids.len()];
                self.send_find(idx, Node::Broker(b), Payload::FindTxnCoordinator { tid });
            }
            return;
        }
        let (pid, epoch) = (p.producer_id.unwrap_or(0), p.producer_epoch);
        let op = match t.state {
            TxnClientState::Initializing => Some(TxnOp::InitProducerId { timeout_ms: p.config.transaction_timeout_ms }),
            TxnClientState::InTransaction | TxnClientState::Committing => {
                let mut need: Vec<Tp> = p.queues.keys().copied().filter(|tp| !t.partitions.contains(tp)).collect();
                need.dedup();
                if !need.is_empty() {
                    Some(TxnOp::AddPartitions { producer_id: pid, epoch, tps: need })
                } else if let Some(o) = t.offsets.as_ref().filter(|o| !o.added && t.state == TxnClientState::Committing)
                {
                    Some(TxnOp::AddOffsets { producer_id: pid, epoch, group: o.group })
                } else if t.state == TxnClientState::Committing && p.outstanding() == 0 {
                    match &t.offsets {
                        Some(o) if !o.committed => {
                            if o.commit_req.is_none() {
                                self.send_txn_offset_commit(idx);
                            }
                            None
                        }
                        _ if t.partitions.is_empty() => {
                            self.txn_completed(idx, true);
                            None
                        }
                        _ => Some(TxnOp::EndTxn { producer_id: pid, epoch, commit: true }),
                    }
                } else {
                    None
                }
            }
            TxnClientState::Aborting => {
                // Records not sent yet are aborted with the transaction.
                let unsent: Vec<RecordId> =
                    p.queues.values().flatten().flat_map(|b| b.records.iter().map(|r| r.id)).collect();
                if !unsent.is_empty() {
                    for id in unsent {
                        self.ledger.resolve(id, Delivery::Failed(ErrorCode::TransactionAborted));
                    }
                    self.producers[idx as usize].queues.clear();
                }
                let p = &self.producers[idx as usize];
                let t = p.txn.as_ref().expect("transactional");
                if !p.in_flight.is_empty() {
                    None
                } else if t.partitions.is_empty() {
                    self.txn_completed(idx, false);
                    None
                } else {
                    Some(TxnOp::EndTxn { producer_id: pid, epoch, commit: false })
                }
            }
            _ => None,
        };
        let Some(op) = op else { return };
        let p = &mut self.producers[idx as usize];
        let req = p.next_request();
        let inc = p.incarnation;
        let timeout = p.config.request_timeout_ms;
        let t = p.txn.as_mut().expect("transactional");
        t.in_flight = Some((req, op.clone()));
        let coord = t.coordinator.expect("checked");
        self.net.send(Node::Producer(idx), Node::Broker(coord), Payload::TxnRequest { tid, req, op });
        self.net.timer(timeout, Timer::RequestTimeout { producer: idx, incarnation: inc, req });
    }

    /// FindCoordinator (for the transactional id, or the group of sendOffsetsToTransaction).
    fn send_find(&mut self, idx: ProducerIdx, to: Node, payload: Payload) {
        let p = &mut self.producers[idx as usize];
        let req = p.next_request();
        let (inc, timeout) = (p.incarnation, p.config.request_timeout_ms);
        let t = p.txn.as_mut().expect("transactional");
        t.finding = true;
        t.finding_req = req;
        self.net.send(Node::Producer(idx), to, payload);
        self.net.timer(timeout, Timer::RequestTimeout { producer: idx, incarnation: inc, req });
    }

    fn send_txn_offset_commit(&mut self, idx: ProducerIdx) {
        let p = &mut self.producers[idx as usize];
        let (pid, epoch) = (p.producer_id.unwrap_or(0), p.producer_epoch);
        let req = p.next_request();
        let t = p.txn.as_mut().expect("transactional");
        let Some(o) = t.offsets.as_mut() else { return };
        let group = o.group;
        match t.group_coordinator {
            None if t.finding => {}
            None => {
                // FindCoordinator for the group, then TxnOffsetCommit.
                let ids: Vec<BrokerId> = self.brokers.keys().copied().collect();
                if let Some(&b) = ids.get(t.cursor % ids.len().max(1)) {
                    self.send_find(idx, Node::Broker(b), Payload::FindCoordinator { group });
                }
            }
            Some(gc) => {
                o.commit_req = Some(req);
                let (inc, timeout) = (p.incarnation, p.config.request_timeout_ms);
                self.net.timer(timeout, Timer::RequestTimeout { producer: idx, incarnation: inc, req });
                let payload = Payload::TxnOffsetCommit {
                    group,
                    producer_id: pid,
                    producer_epoch: epoch,
                    generation: o.generation,
                    member_id: o.member_id.clone(),
                    req,
                    offsets: o.offsets.clone(),
                };
                self.net.send(Node::Producer(idx), Node::Broker(gc), payload);
            }
        }
    }

    /// Retry the coordinator exchange after a backoff (coordinator errors, CONCURRENT_TRANSACTIONS).
    fn txn_retry(&mut self, idx: ProducerIdx, lose_coordinator: bool) {
        let now = self.net.now;
        let Some(t) = self.txn_client(idx) else { return };
        t.in_flight = None;
        t.finding = false;
        if lose_coordinator {
            t.coordinator = None;
            t.cursor += 1;
        }
        t.retry_at = Some(now + TXN_RETRY_MS);
        self.schedule_wake(idx, now + TXN_RETRY_MS);
    }

    /// Answers to a transactional producer; `true` when the message was one.
    pub(crate) fn txn_producer_handle(&mut self, idx: ProducerIdx, payload: &Payload) -> bool {
        if self.producers[idx as usize].txn.is_none() {
            return false;
        }
        match payload {
            Payload::FindTxnCoordinatorResponse { result, .. } => {
                let t = self.txn_client(idx).expect("transactional");
                t.finding = false;
                match result {
                    Ok(b) => {
                        t.coordinator = Some(*b);
                        self.txn_pump(idx);
                    }
                    Err(_) => self.txn_retry(idx, true),
                }
            }
            Payload::FindCoordinatorResponse { result, .. } => {
                let t = self.txn_client(idx).expect("transactional");
                t.finding = false;
                match result {
                    Ok(b) => {
                        t.group_coordinator = Some(*b);
                        self.send_txn_offset_commit(idx);
                    }
                    Err(_) => {
                        t.cursor += 1;
                        self.txn_retry(idx, false);
                    }
                }
            }
            Payload::TxnOffsetCommitResponse { req, result, .. } => {
                let t = self.txn_client(idx).expect("transactional");
                let Some(o) = t.offsets.as_mut().filter(|o| o.commit_req == Some(*req)) else { return true };
                o.commit_req = None;
                match result {
                    Ok(()) => {
                        o.committed = true;
                        self.txn_pump(idx);
                    }
                    Err(ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable) => {
                        t.group_coordinator = None;
                        self.txn_retry(idx, false);
                    }
                    Err(ErrorCode::ProducerFenced) => self.txn_fatal(idx, ErrorCode::ProducerFenced),
                    // KIP-447: a member of an older generation (a zombie) may not commit.
                    Err(e) => self.txn_abortable(idx, *e),
                }
            }
            Payload::TxnResponse { req, op, result, .. } => {
                let t = self.txn_client(idx).expect("transactional");
                if t.in_flight.as_ref().map(|(r, _)| *r) != Some(*req) {
                    return true;
                }
                t.in_flight = None;
                t.retry_at = None;
                match result {
                    Ok((pid, epoch)) => match op {
                        TxnOp::InitProducerId { .. } => {
                            let p = &mut self.producers[idx as usize];
                            p.producer_id = Some(*pid);
                            p.producer_epoch = *epoch;
                            p.next_seq.clear();
                            let t = p.txn.as_mut().expect("transactional");
                            t.state = TxnClientState::Ready;
                            self.log_event(SimEvent::TxnProducerReady {
                                producer: idx,
                                producer_id: *pid,
                                epoch: *epoch,
                            });
                            self.app_notify(idx);
                        }
                        TxnOp::AddPartitions { tps, .. } => {
                            t.partitions.extend(tps.iter().copied());
                            self.drain(idx);
                            self.txn_pump(idx);
                        }
                        TxnOp::AddOffsets { group, .. } => {
                            if let Some(o) = t.offsets.as_mut() {
                                o.added = true;
                            }
                            let otp = self.offsets_tp(self.interner.get(*group));
                            let t = self.txn_client(idx).expect("transactional");
                            t.partitions.extend(otp);
                            self.txn_pump(idx);
                        }
                        TxnOp::EndTxn { commit, .. } => self.txn_completed(idx, *commit),
                    },
                    Err(
                        ErrorCode::NotCoordinator
                        | ErrorCode::CoordinatorNotAvailable
                        | ErrorCode::CoordinatorLoadInProgress,
                    ) => self.txn_retry(idx, true),
                    Err(ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch) => {
                        self.txn_fatal(idx, ErrorCode::ProducerFenced)
                    }
                    Err(ErrorCode::InvalidTxnState) => self.txn_abortable(idx, ErrorCode::InvalidTxnState),
                    Err(_) => self.txn_retry(idx, false),
                }
            }
            Payload::Disconnected { req: Some(req), tp: None } => {
                let t = self.txn_client(idx).expect("transactional");
                if t.in_flight.as_ref().is_some_and(|(r, _)| r == req) {
                    self.txn_retry(idx, true);
                } else if t.offsets.as_ref().is_some_and(|o| o.commit_req == Some(*req)) {
                    let t = self.txn_client(idx).expect("transactional");
                    t.group_coordinator = None;
                    if let Some(o) = t.offsets.as_mut() {
                        o.commit_req = None;
                    }
                    self.txn_retry(idx, false);
                } else {
                    return false;
                }
            }
            Payload::Disconnected { req: None, tp: None } => {
                // A FindCoordinator went to a dead broker: try the next one (the metadata path
                // handles its own refusals too).
                let t = self.txn_client(idx).expect("transactional");
                if t.finding {
                    t.finding = false;
                    t.cursor += 1;
                    self.txn_retry(idx, false);
                }
                return false;
            }
            _ => return false,
        }
        true
    }

    /// A coordinator request got no answer in `request.timeout.ms`.
    pub(crate) fn txn_request_timeout(&mut self, idx: ProducerIdx, req: u64) -> bool {
        let Some(t) = self.txn_client(idx) else { return false };
        if t.in_flight.as_ref().is_some_and(|(r, _)| *r == req) {
            self.txn_retry(idx, true);
            return true;
        }
        if t.finding && t.finding_req == req {
            t.cursor += 1;
            self.txn_retry(idx, false);
            return true;
        }
        if let Some(o) = t.offsets.as_mut().filter(|o| o.commit_req == Some(req)) {
            o.commit_req = None;
            t.group_coordinator = None;
            self.txn_retry(idx, false);
            return true;
        }
        false
    }

    fn txn_completed(&mut self, idx: ProducerIdx, commit: bool) {
        let t = self.txn_client(idx).expect("transactional");
        t.state = TxnClientState::Ready;
        t.partitions.clear();
        t.offsets = None;
        if commit {
            t.committed += 1;
        } else {
            t.aborted += 1;
            if std::mem::take(&mut t.epoch_bump_required) {
                t.state = TxnClientState::Initializing;
            }
        }
        let records = std::mem::take(&mut t.records).len() as u32;
        self.log_event(SimEvent::TxnProducerDone { producer: idx, committed: commit, records });
        self.txn_pump(idx); // re-initializes when an epoch bump is due
        self.app_notify(idx);
    }

    pub(crate) fn txn_abortable(&mut self, idx: ProducerIdx, e: ErrorCode) {
        let Some(t) = self.txn_client(idx) else { return };
        if !matches!(e, ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::RebalanceInProgress) {
            t.epoch_bump_required = true; // a produce failure
        }
        if matches!(t.state, TxnClientState::Fatal(_) | TxnClientState::AbortableError(_) | TxnClientState::Aborting) {
            return;
        }
        t.state = TxnClientState::AbortableError(e);
        self.log_event(SimEvent::TxnProducerError { producer: idx, error: e, fatal: false });
        self.app_notify(idx);
    }

    pub(crate) fn txn_fatal(&mut self, idx: ProducerIdx, e: ErrorCode) {
        let Some(t) = self.txn_client(idx) else { return };
        if matches!(t.state, TxnClientState::Fatal(_)) {
            return;
        }
        t.state = TxnClientState::Fatal(e);
        t.in_flight = None;
        let p = &mut self.producers[idx as usize];
        let unsent: Vec<RecordId> = p.queues.values().flatten().flat_map(|b| b.records.iter().map(|r| r.id)).collect();
        p.queues.clear();
        for id in unsent {
            self.ledger.resolve(id, Delivery::Failed(e));
        }
        self.log_event(SimEvent::TxnProducerError { producer: idx, error: e, fatal: true });
        self.app_notify(idx);
    }
}

/// Kafka's ProducerFencedException text.
pub fn fenced_text(tid: &str, e: ErrorCode) -> String {
    format!(
        "Error: ProducerFencedException ({}): there is a newer producer with the same transactionalId {tid}, or the coordinator aborted this instance's transaction; it must be closed.",
        e.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(offset: u64, pid: Option<u64>, value: Value) -> Record {
        Record {
            offset,
            epoch: 5,
            key: None,
            value,
            id: RecordId(offset),
            producer_id: pid,
            producer_epoch: 5,
            sequence: 0,
            last_in_batch: true,
            append_ms: 0,
            txn: pid.is_some(),
            size: 10,
            cleaned: false,
        }
    }

    /// `ProducerStateManagerTest.testFirstUnstableOffset`, as the reference's table gives it.
    #[test]
    fn first_unstable_offset_follows_kafka() {
        let mut log =
            Log { log_start: 99, hw: 99, records: crate::chunked::Chunked::starting_at(99), ..Log::default() };
        let data = |o, pid| rec(o, pid, Value::Numbered(o));
        log.append(data(99, Some(1)));
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (Some(99), Some(99)));
        for o in 100..105 {
            log.append(data(o, None));
        }
        log.append(data(105, Some(2)));
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (Some(99), Some(99)));
        for o in 106..109 {
            log.append(data(o, None));
        }
        log.append(rec(109, Some(1), Value::Marker { commit: true }));
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (Some(105), Some(99)));
        log.hw = 100;
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (Some(105), Some(99)));
        log.hw = 110;
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (Some(105), Some(105)));
        for o in 110..112 {
            log.append(data(o, None));
        }
        log.append(rec(112, Some(2), Value::Marker { commit: false }));
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (None, Some(105)));
        assert_eq!(log.lso(), 105);
        log.hw = 113;
        assert_eq!((log.first_undecided_offset(), log.first_unstable_offset()), (None, None));
        assert_eq!(log.lso(), 113, "LSO = HW once nothing is unstable");
        // The aborted index lists pid 2's transaction for read_committed fetches.
        assert_eq!(log.aborted_in(100, 120), vec![AbortedTxn { producer_id: 2, first_offset: 105, last_offset: 112 }]);
        assert!(log.aborted_txns[0].covers(&log.get(105).copied().unwrap()));
        assert!(!log.aborted_txns[0].covers(&log.get(106).copied().unwrap()), "non-transactional records stay");
    }

    #[test]
    fn truncation_rebuilds_the_transaction_index() {
        let mut log = Log::default();
        log.append(rec(0, Some(7), Value::Numbered(0)));
        log.append(rec(1, Some(7), Value::Marker { commit: false }));
        log.hw = 2;
        assert_eq!(log.aborted_txns.len(), 1);
        log.truncate_to(1);
        assert!(log.aborted_txns.is_empty());
        assert_eq!(log.first_undecided_offset(), Some(0), "the transaction is open again");
        assert_eq!(log.lso(), 0);
    }

    #[test]
    fn transaction_state_transitions_follow_kafka() {
        use TxnState::*;
        assert!(PrepareCommit.may_follow(Ongoing));
        assert!(!PrepareCommit.may_follow(Empty));
        assert!(CompleteAbort.may_follow(PrepareAbort));
        assert!(!CompleteCommit.may_follow(PrepareAbort));
        assert!(Ongoing.may_follow(CompleteCommit));
        assert!(!Empty.may_follow(Ongoing));
    }
}

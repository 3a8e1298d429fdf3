//! Brokers: replicas and their logs, the leader's side of replication (fetch handling, ISR changes,
//! the high watermark, produce purgatory) and the follower's (fetching, divergence, truncation).
//! Kafka's `Partition.scala`, `ReplicaManager` and `AbstractFetcherThread`, section 3 of the reference.

use crate::cluster::journal::{JournalEntry, SimEvent};
use crate::cluster::net::*;
use crate::cluster::sim::{Sim, Topic};
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerStatus {
    Running,
    /// Controlled shutdown requested; still serving until the controller answers.
    ShuttingDown,
    /// Crashed (`broker kill`).
    Dead,
    /// Shut down cleanly (`broker stop`).
    Stopped,
}

/// The leader's view of one follower (Kafka's `Replica` state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerState {
    /// The follower's LEO as of its last fetch; None until it fetches from this leader.
    pub leo: Option<u64>,
    pub last_fetch_ms: Millis,
    /// When the follower was last caught up (Kafka's `lastCaughtUpTimeMs`); None for never: a
    /// replica that was not in the ISR when this leader took over, or that a reassignment added.
    /// (Kafka starts it at 0, the epoch of its wall clock; virtual time starts at 0, so 0 would
    /// read as "just now" for the first replica.lag.time.max.ms of a session.)
    pub last_caught_up_ms: Option<Millis>,
    pub leader_leo_at_last_fetch: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Replica {
    pub log: Log,
    /// What this broker believes: the leader and its epoch, the ISR and partition epoch.
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub partition_epoch: u32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    /// False after a restart until the controller's metadata arrives.
    pub known: bool,
    /// Leader only: follower states, the ISR change in flight, where this epoch started.
    pub followers: BTreeMap<BrokerId, FollowerState>,
    pub pending_isr: Option<Vec<BrokerId>>,
    pub epoch_start_offset: u64,
    /// Follower only: the fetch in flight, as (leader, leader epoch), and its sequence number.
    pub fetch_to: Option<(BrokerId, u32)>,
    pub fetch_seq: u64,
    /// Leader only: when the ISR change in flight was proposed (it is re-proposed if lost).
    pub pending_isr_ms: Millis,
}

impl Replica {
    fn new() -> Replica {
        Replica {
            log: Log::default(),
            leader: None,
            leader_epoch: 0,
            partition_epoch: 0,
            replicas: Vec::new(),
            isr: Vec::new(),
            known: false,
            followers: BTreeMap::new(),
            pending_isr: None,
            epoch_start_offset: 0,
            fetch_to: None,
            fetch_seq: 0,
            pending_isr_ms: 0,
        }
    }

    /// After a restart nothing in memory survives but the log.
    pub fn become_unknown(&mut self) {
        self.known = false;
        self.leader = None;
        self.followers.clear();
        self.pending_isr = None;
        self.fetch_to = None;
    }

    pub fn is_leader(&self, me: BrokerId) -> bool {
        self.known && self.leader == Some(me)
    }

    /// ISR plus the additions in flight: Kafka's "maximal ISR".
    pub fn maximal_isr(&self) -> Vec<BrokerId> {
        let mut m = self.isr.clone();
        if let Some(p) = &self.pending_isr {
            for b in p {
                if !m.contains(b) {
                    m.push(*b);
                }
            }
        }
        m
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ParkedFetch {
    pub tp: Tp,
    pub follower: BrokerId,
    pub fetch_offset: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ParkedConsumerFetch {
    pub tp: Tp,
    pub consumer: Node,
    pub offset: u64,
    pub max_records: u32,
    pub read_committed: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingProduce {
    pub tp: Tp,
    pub producer: Node,
    pub req: u64,
    pub base_offset: u64,
    /// The HW that completes it: last offset + 1.
    pub required_hw: u64,
    /// What the waiting request was, which decides the answer.
    pub kind: PendingKind,
}

/// Requests that wait in a leader's purgatory until the HW covers what they appended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum PendingKind {
    Produce,
    /// An offset commit of the group coordinator.
    OffsetCommit(Sym, Vec<(Tp, u64)>),
    /// A transactional offset commit (TxnOffsetCommit).
    TxnOffsetCommit(Sym),
    /// A transaction marker written for a transaction coordinator (WriteTxnMarkers).
    Marker {
        tid: Sym,
        producer_id: u64,
    },
}

impl PendingProduce {
    /// The answer to send when it completes or fails.
    pub fn reply(&self, result: Result<u64, ErrorCode>) -> Payload {
        let coordinator_error = |e| if e == ErrorCode::NotLeaderOrFollower { ErrorCode::NotCoordinator } else { e };
        match &self.kind {
            PendingKind::Produce => Payload::ProduceResponse { req: self.req, tp: self.tp, result },
            PendingKind::OffsetCommit(group, offsets) => Payload::OffsetCommitResponse {
                group: *group,
                req: self.req,
                result: result.map(|_| offsets.clone()).map_err(coordinator_error),
            },
            PendingKind::TxnOffsetCommit(group) => Payload::TxnOffsetCommitResponse {
                group: *group,
                req: self.req,
                result: result.map(|_| ()).map_err(coordinator_error),
            },
            PendingKind::Marker { tid, producer_id } => {
                Payload::WriteTxnMarkerResponse { tid: *tid, tp: self.tp, producer_id: *producer_id, result }
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Broker {
    pub id: BrokerId,
    pub status: BrokerStatus,
    /// Bumped on every start and crash; timers of an earlier incarnation do nothing.
    pub incarnation: u64,
    /// Assigned by the controller at registration; 0 while unregistered.
    pub broker_epoch: u64,
    pub replicas: BTreeMap<Tp, Replica>,
    /// The metadata cache that answers clients' Metadata requests.
    pub metadata: BTreeMap<Tp, PartitionMeta>,
    /// Brokers the metadata says are fenced or shutting down: not eligible for the ISR.
    pub fenced_brokers: Vec<BrokerId>,
    /// The next offset of the metadata log it will apply (its metadata offset), and the epoch of
    /// the last record applied.
    pub metadata_offset: u64,
    pub metadata_epoch: u32,
    /// The controller it believes leads the quorum (where it fetches and heartbeats).
    #[serde(default)]
    pub quorum_leader: Option<u32>,
    /// The controller its metadata fetch in flight went to.
    #[serde(default)]
    pub metadata_fetch_to: Option<u32>,
    #[serde(default)]
    pub metadata_fetch_in_flight: bool,
    #[serde(default)]
    pub metadata_fetch_seq: u64,
    /// How many times it picked a controller to try (round robin over the voters).
    #[serde(default)]
    pub bootstrap_tries: u64,
    /// Brokers as its metadata says: (fenced, in controlled shutdown).
    #[serde(default)]
    pub registrations: BTreeMap<BrokerId, (bool, bool)>,
    /// Whether it has published its metadata to its replicas since it started: a (re)started
    /// broker replays the log into its cache but acts on none of it (leads nothing, serves
    /// nothing) until it has caught up past its own registration, as Kafka's broker waits for
    /// its initial catch-up before it publishes the first image.
    #[serde(default = "yes")]
    pub metadata_published: bool,
    pub parked_fetches: BTreeMap<u64, ParkedFetch>,
    /// Consumer fetches waiting (up to `fetch.max.wait.ms`) for records below the HW.
    pub parked_consumer_fetches: BTreeMap<u64, ParkedConsumerFetch>,
    pub purgatory: BTreeMap<u64, PendingProduce>,
    /// As transaction coordinator: the state of each transactional id of the partitions it leads,
    /// and the leader epoch each partition was loaded at (memory: lost in a crash).
    pub txns: BTreeMap<Sym, crate::coordinators::txn::TxnMeta>,
    pub txn_loaded: BTreeMap<Tp, u32>,
    next_id: u64,
    /// The reassignment throttle on this leader: when it may send to a throttled replica again.
    #[serde(default)]
    pub throttle_free_at: Millis,
    /// Rack (`broker.rack`), given by `cluster --racks` or `broker start B --rack R`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
}

fn yes() -> bool {
    true
}

impl Broker {
    /// Answers `code` to every produce waiting in purgatory on `tp` (its high watermark will not
    /// move here any more).
    fn fail_produces(&mut self, cx: &mut Ctx<'_>, tp: Tp, code: ErrorCode) {
        let failed: Vec<u64> = self.purgatory.iter().filter(|(_, p)| p.tp == tp).map(|(&id, _)| id).collect();
        for id in failed {
            let p = self.purgatory.remove(&id).expect("listed");
            cx.net.send(Node::Broker(self.id), p.producer, p.reply(Err(code)));
        }
    }

    /// The replica of `tp` goes from this broker: waiting produces and parked consumer fetches are
    /// answered `code`, parked follower fetches are dropped.
    fn fail_waiting(&mut self, cx: &mut Ctx<'_>, tp: Tp, code: ErrorCode) {
        self.fail_produces(cx, tp, code);
        self.parked_fetches.retain(|_, p| p.tp != tp);
        let parked: Vec<u64> =
            self.parked_consumer_fetches.iter().filter(|(_, p)| p.tp == tp).map(|(&id, _)| id).collect();
        for id in parked {
            let p = self.parked_consumer_fetches.remove(&id).expect("listed");
            let resp = Payload::ConsumerFetchResponse { tp, offset: p.offset, result: Err(code), aborted: Vec::new() };
            cx.net.send(Node::Broker(self.id), p.consumer, resp);
        }
    }

    pub fn new(id: BrokerId) -> Broker {
        Broker {
            id,
            status: BrokerStatus::Dead,
            incarnation: 0,
            broker_epoch: 0,
            replicas: BTreeMap::new(),
            metadata: BTreeMap::new(),
            fenced_brokers: Vec::new(),
            metadata_offset: 0,
            metadata_epoch: 0,
            quorum_leader: None,
            metadata_fetch_to: None,
            metadata_fetch_in_flight: false,
            metadata_fetch_seq: 0,
            bootstrap_tries: 0,
            registrations: BTreeMap::new(),
            metadata_published: false,
            parked_fetches: BTreeMap::new(),
            parked_consumer_fetches: BTreeMap::new(),
            purgatory: BTreeMap::new(),
            txns: BTreeMap::new(),
            txn_loaded: BTreeMap::new(),
            next_id: 0,
            throttle_free_at: 0,
            rack: None,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.status, BrokerStatus::Running | BrokerStatus::ShuttingDown)
    }

    pub(crate) fn next_purgatory_id(&mut self) -> u64 {
        self.next_id()
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// What broker handlers need besides the broker itself.
pub(crate) struct Ctx<'a> {
    pub net: &'a mut Net,
    pub cfg: &'a ClusterConfig,
    pub topics: &'a [Topic],
    pub journal: &'a mut crate::chunked::Chunked<JournalEntry>,
}

impl Ctx<'_> {
    fn log(&mut self, event: SimEvent) {
        self.journal.push(JournalEntry { at_ms: self.net.now, event });
    }

    fn effective_min_isr(&self, tp: Tp, replicas: usize) -> usize {
        (self.topics[tp.topic as usize].config.min_insync_replicas as usize).min(replicas)
    }
}

impl Broker {
    /// Sends the next fetch for a follower replica, unless one is in flight.
    fn send_fetch(&mut self, tp: Tp, cx: &mut Ctx) {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&tp) else {
            return;
        };
        let Some(leader) = r.leader else { return };
        if !r.known || leader == me || r.fetch_to.is_some() {
            return;
        }
        r.fetch_to = Some((leader, r.leader_epoch));
        r.fetch_seq += 1;
        let timeout = cx.cfg.replica_fetch_wait_max_ms + cx.cfg.replica_socket_timeout_ms;
        let timer = Timer::FetchTimeout { broker: me, incarnation: self.incarnation, tp, seq: r.fetch_seq };
        cx.net.timer(timeout, timer);
        let payload = Payload::Fetch {
            tp,
            fetch_offset: r.log.leo(),
            last_fetched_epoch: r.log.latest_epoch(),
            current_leader_epoch: r.leader_epoch,
        };
        cx.net.send(Node::Broker(me), Node::Broker(leader), payload);
    }

    /// Whether what this leader sends `follower` for `tp` counts against the reassignment
    /// throttle: a throttle is set and `follower` is a replica a reassignment adds.
    fn throttled(&self, tp: Tp, follower: BrokerId, cx: &Ctx) -> bool {
        cx.cfg.reassignment_throttle_bps.is_some()
            && self.metadata.get(&tp).is_some_and(|m| m.adding.contains(&follower))
    }

    /// The ms until this leader may send to a throttled replica again, or None when it may now.
    fn throttle_wait(&mut self, tp: Tp, follower: BrokerId, cx: &Ctx) -> Option<Millis> {
        if !self.throttled(tp, follower, cx) {
            return None;
        }
        (self.throttle_free_at > cx.net.now).then(|| self.throttle_free_at - cx.net.now)
    }

    /// A fetch response for a follower. To a throttled replica it carries at most a second's
    /// worth of the rate (whole batches, at least one), and the leader sends to throttled replicas
    /// again only once the rate has paid for it: the replication rate of the moving replicas stays
    /// at the throttle (`ReplicationQuotaManager`, modelled as a rate limit).
    fn fetch_response_to(&mut self, tp: Tp, follower: BrokerId, fetch_offset: u64, cx: &Ctx) -> Payload {
        let mut resp = self.fetch_response_for(tp, fetch_offset, cx);
        if !self.throttled(tp, follower, cx) {
            return resp;
        }
        let rate = cx.cfg.reassignment_throttle_bps.unwrap_or(u64::MAX).max(1);
        if let Payload::FetchResponse { result: Ok(data), .. } = &mut resp {
            let log = &self.replicas[&tp].log;
            let Some(first) = data.records.first().map(|r| r.offset) else { return resp };
            let mut keep = 0;
            for (i, r) in data.records.iter().enumerate() {
                if r.last_in_batch || i + 1 == data.records.len() {
                    if keep > 0 && log.bytes_between(first, r.offset + 1) > rate {
                        break;
                    }
                    keep = i + 1;
                }
            }
            data.records.truncate(keep.max(1));
            let last = data.records.last().map_or(first, |r| r.offset);
            let bytes = log.bytes_between(first, last + 1);
            self.throttle_free_at = self.throttle_free_at.max(cx.net.now) + (bytes * 1000).div_ceil(rate);
        }
        resp
    }

    fn fetch_response_for(&self, tp: Tp, fetch_offset: u64, cx: &Ctx) -> Payload {
        let r = &self.replicas[&tp];
        let records = r.log.read(fetch_offset, cx.cfg.max_records_per_fetch);
        Payload::FetchResponse {
            tp,
            leader_epoch: r.leader_epoch,
            result: Ok(FetchData { records, hw: r.log.hw, log_start: r.log.log_start, diverging: None }),
        }
    }

    /// Records for a consumer: from `offset`, below the HW (read_uncommitted) or the last stable
    /// offset (read_committed, with the aborted transactions of the range for the client to skip).
    pub(crate) fn consumer_fetch_response(
        &self,
        tp: Tp,
        offset: u64,
        max_records: u32,
        read_committed: bool,
    ) -> Payload {
        let r = &self.replicas[&tp];
        let limit = if read_committed { r.log.lso() } else { r.log.hw };
        let records: Vec<Record> =
            r.log.read(offset, max_records as usize).into_iter().take_while(|rec| rec.offset < limit).collect();
        let aborted = match (read_committed, records.last()) {
            (true, Some(last)) => r.log.aborted_in(offset, last.offset),
            _ => Vec::new(),
        };
        Payload::ConsumerFetchResponse { tp, offset, result: Ok(records), aborted }
    }

    /// Where a consumer fetch may read up to on this leader.
    pub(crate) fn consumer_fetch_limit(&self, tp: Tp, read_committed: bool) -> u64 {
        let log = &self.replicas[&tp].log;
        if read_committed {
            log.lso()
        } else {
            log.hw
        }
    }

    pub(crate) fn park_consumer_fetch(
        &mut self,
        tp: Tp,
        consumer: Node,
        offset: u64,
        max_records: u32,
        read_committed: bool,
        cx: &mut Ctx,
    ) {
        let id = self.next_id();
        self.parked_consumer_fetches
            .insert(id, ParkedConsumerFetch { tp, consumer, offset, max_records, read_committed });
        let inc = self.incarnation;
        cx.net.timer(
            crate::coordinators::group::FETCH_MAX_WAIT_MS,
            Timer::ConsumerFetchWait { broker: self.id, incarnation: inc, id },
        );
    }

    /// Consumers waiting on `tp` get what is now below the HW (or the LSO, for read_committed).
    fn wake_consumers(&mut self, tp: Tp, cx: &mut Ctx) {
        let ids: Vec<u64> = self
            .parked_consumer_fetches
            .iter()
            .filter(|(_, p)| p.tp == tp && p.offset < self.consumer_fetch_limit(tp, p.read_committed))
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            let p = self.parked_consumer_fetches.remove(&id).expect("listed above");
            let resp = self.consumer_fetch_response(tp, p.offset, p.max_records, p.read_committed);
            cx.net.send(Node::Broker(self.id), p.consumer, resp);
        }
    }

    /// After a leader appended to `tp`: followers may fetch it, and a single-replica ISR (or a
    /// duplicate already below the HW) can complete waiting requests at once.
    pub(crate) fn after_append(&mut self, tp: Tp, cx: &mut Ctx) {
        self.wake_parked(tp, cx);
        if !self.maybe_advance_hw(tp, cx) {
            complete_if_committed(self, tp, cx);
        }
    }

    /// Answers every parked fetch of `tp` (new data arrived, or the HW moved).
    fn wake_parked(&mut self, tp: Tp, cx: &mut Ctx) {
        let ids: Vec<u64> = self.parked_fetches.iter().filter(|(_, p)| p.tp == tp).map(|(&id, _)| id).collect();
        for id in ids {
            let follower = self.parked_fetches[&id].follower;
            if self.throttle_wait(tp, follower, cx).is_some() {
                continue; // over the throttle: it waits for its timer
            }
            let p = self.parked_fetches.remove(&id).expect("listed above");
            let resp = self.fetch_response_to(tp, p.follower, p.fetch_offset, cx);
            cx.net.send(Node::Broker(self.id), Node::Broker(p.follower), resp);
        }
    }

    /// Section 3.1: HW = min LEO over the maximal ISR (and caught-up followers), held while the ISR is
    /// below the effective min ISR. Completes acks=all produces and wakes parked fetches when it moves.
    fn maybe_advance_hw(&mut self, tp: Tp, cx: &mut Ctx) -> bool {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&tp) else {
            return false;
        };
        if !r.is_leader(me) {
            return false;
        }
        let min_isr = cx.effective_min_isr(tp, r.replicas.len());
        if r.isr.len() < min_isr {
            return false;
        }
        let now = cx.net.now;
        let lag = cx.cfg.replica_lag_time_max_ms;
        let leo = r.log.leo();
        let mut hw = leo;
        let maximal = r.maximal_isr();
        for (&f, st) in &r.followers {
            let caught_up = st.leo == Some(leo) || st.last_caught_up_ms.is_some_and(|t| now.saturating_sub(t) <= lag);
            let eligible = !self.fenced_brokers.contains(&f);
            let counts = maximal.contains(&f) || (caught_up && eligible && st.leo.is_some());
            if counts {
                hw = hw.min(st.leo.unwrap_or(0));
            }
        }
        if hw <= r.log.hw {
            return false;
        }
        r.log.hw = hw;
        let maximal_len = maximal.len();
        // Complete acks=all produces the HW now covers.
        let done: Vec<u64> =
            self.purgatory.iter().filter(|(_, p)| p.tp == tp && p.required_hw <= hw).map(|(&id, _)| id).collect();
        for id in done {
            let p = self.purgatory.remove(&id).expect("listed above");
            let result =
                if maximal_len >= min_isr { Ok(p.base_offset) } else { Err(ErrorCode::NotEnoughReplicasAfterAppend) };
            cx.net.send(Node::Broker(me), p.producer, p.reply(result));
        }
        self.wake_parked(tp, cx);
        self.wake_consumers(tp, cx);
        if cx.topics[tp.topic as usize].name == crate::coordinators::txn::TXN_TOPIC {
            // The transaction coordinator completes the state changes the HW now covers.
            cx.net.timer(0, Timer::TxnLogAdvanced { broker: me, tp });
        }
        true
    }

    /// Section 3.3: add a follower back once it reached the HW and this epoch's start offset.
    fn maybe_expand_isr(&mut self, tp: Tp, follower: BrokerId, cx: &mut Ctx) {
        let me = self.id;
        if self.fenced_brokers.contains(&follower) {
            return; // not ISR-eligible: the controller would answer INELIGIBLE_REPLICA
        }
        let r = self.replicas.get_mut(&tp).expect("leader has the replica");
        if r.pending_isr.is_some() && cx.net.now >= r.pending_isr_ms + ALTER_PARTITION_TIMEOUT_MS {
            r.pending_isr = None; // lost on the way: propose again
        }
        if r.isr.contains(&follower) || r.pending_isr.is_some() {
            return;
        }
        let Some(leo) = r.followers.get(&follower).and_then(|f| f.leo) else {
            return;
        };
        if leo >= r.log.hw && leo >= r.epoch_start_offset {
            let mut new_isr = r.isr.clone();
            new_isr.push(follower);
            let order = r.replicas.clone();
            crate::sort::sort_by_key(&mut new_isr, |b| order.iter().position(|x| x == b));
            r.pending_isr = Some(new_isr.clone());
            r.pending_isr_ms = cx.net.now;
            let payload = Payload::AlterPartition {
                tp,
                leader_epoch: r.leader_epoch,
                partition_epoch: r.partition_epoch,
                new_isr,
            };
            cx.net.send(Node::Broker(me), Node::Controller(self.quorum_leader.unwrap_or(0)), payload);
        }
    }
}

impl Sim {
    pub(crate) fn split_broker(&mut self, b: BrokerId) -> Option<(&mut Broker, Ctx<'_>)> {
        let Sim { brokers, net, config, topics, journal, .. } = self;
        let broker = brokers.get_mut(&b)?;
        Some((broker, Ctx { net, cfg: config, topics, journal }))
    }

    /// A heartbeat to the controller it believes active (or, knowing none, the next one).
    pub(crate) fn send_heartbeat(&mut self, b: BrokerId) {
        let voters = self.quorum.voters();
        let br = self.brokers.get_mut(&b).expect("a broker");
        let to = match br.quorum_leader.filter(|l| voters.contains(l)) {
            Some(l) => l,
            None if voters.is_empty() => return,
            None => {
                br.bootstrap_tries += 1;
                voters[(br.bootstrap_tries as usize + b as usize) % voters.len()]
            }
        };
        let payload = Payload::BrokerHeartbeat {
            broker_epoch: br.broker_epoch,
            incarnation: br.incarnation,
            metadata_offset: br.metadata_offset,
            want_shutdown: br.status == BrokerStatus::ShuttingDown,
        };
        self.net.send(Node::Broker(b), Node::Controller(to), payload);
    }

    pub(crate) fn on_heartbeat_timer(&mut self, b: BrokerId, incarnation: u64) {
        let Some(br) = self.brokers.get(&b) else {
            return;
        };
        if br.incarnation != incarnation || !br.is_running() {
            return;
        }
        self.send_heartbeat(b);
        self.net.timer(self.config.broker_heartbeat_interval_ms, Timer::BrokerHeartbeat { broker: b, incarnation });
    }

    pub(crate) fn broker_handle(&mut self, b: BrokerId, msg: Message) {
        let from = msg.from;
        match msg.payload {
            Payload::BrokerHeartbeatResponse { broker_epoch, should_shutdown, fenced } => {
                let br = self.brokers.get_mut(&b).expect("running broker");
                let Node::Controller(c) = from else { return };
                br.quorum_leader = Some(c);
                let learned = br.broker_epoch != broker_epoch;
                br.broker_epoch = broker_epoch;
                self.broker_publish_metadata(b);
                let br = self.brokers.get_mut(&b).expect("running broker");
                if learned && fenced && !should_shutdown && br.metadata_offset > broker_epoch {
                    // Registered, and already caught up past its registration: publish what it
                    // replayed and ask to be unfenced.
                    self.broker_publish_metadata(b);
                    self.send_heartbeat(b);
                    return;
                }
                let br = self.brokers.get_mut(&b).expect("running broker");
                if should_shutdown && br.status == BrokerStatus::ShuttingDown {
                    br.status = BrokerStatus::Stopped;
                    br.incarnation += 1;
                    // A clean shutdown flushes every log: nothing is left only in the page cache.
                    let now = self.net.now;
                    for r in br.replicas.values_mut() {
                        r.log.flush(now);
                    }
                    br.parked_fetches.clear();
                    br.parked_consumer_fetches.clear();
                    br.purgatory.clear();
                    self.log_event(SimEvent::BrokerStopped { broker: b });
                }
            }
            p @ (Payload::QuorumFetchResponse { .. } | Payload::NotController { .. }) => {
                self.on_broker_quorum_message(b, from, p)
            }
            p @ Payload::Disconnected { tp: None, .. } if matches!(from, Node::Controller(_)) => {
                self.on_broker_quorum_message(b, from, p)
            }
            Payload::AlterPartitionResponse { tp, result } => self.on_alter_partition_response(b, tp, result),
            Payload::Fetch { tp, fetch_offset, last_fetched_epoch, current_leader_epoch } => {
                let Node::Broker(follower) = from else { return };
                self.on_fetch(b, follower, tp, fetch_offset, last_fetched_epoch, current_leader_epoch)
            }
            Payload::FetchResponse { tp, leader_epoch, result } => {
                let Node::Broker(leader) = from else { return };
                self.on_fetch_response(b, leader, tp, leader_epoch, result)
            }
            Payload::Produce { req, tp, acks, timeout_ms, batch } => {
                self.on_produce(b, from, req, tp, acks, timeout_ms, batch)
            }
            Payload::Metadata => {
                let br = &self.brokers[&b];
                let leaders = br.metadata.iter().map(|(&tp, m)| (tp, m.leader, m.leader_epoch)).collect();
                self.net.send(Node::Broker(b), from, Payload::MetadataResponse { leaders });
            }
            Payload::Disconnected { tp: Some(tp), .. } => {
                // Our fetch hit a crashed leader: back off, then fetch again (metadata may have moved).
                let Some((br, cx)) = self.split_broker(b) else {
                    return;
                };
                let Node::Broker(dead) = from else { return };
                // Only if that fetch is still the one we wait for (we may have moved on).
                if let Some(r) = br.replicas.get_mut(&tp).filter(|r| r.fetch_to.is_some_and(|(l, _)| l == dead)) {
                    r.fetch_to = None;
                    let inc = br.incarnation;
                    cx.net
                        .timer(cx.cfg.replica_fetch_backoff_ms, Timer::FetchRetry { broker: b, incarnation: inc, tp });
                }
            }
            other => self.group_handle(b, from, other),
        }
    }

    pub(crate) fn on_consumer_fetch_wait(&mut self, b: BrokerId, incarnation: u64, id: u64) {
        let Some((br, cx)) = self.split_broker(b) else { return };
        if br.incarnation != incarnation {
            return;
        }
        if let Some(p) = br.parked_consumer_fetches.remove(&id) {
            let resp = if br.replicas.get(&p.tp).is_some_and(|r| r.is_leader(b)) {
                br.consumer_fetch_response(p.tp, p.offset, p.max_records, p.read_committed)
            } else {
                Payload::ConsumerFetchResponse {
                    tp: p.tp,
                    offset: p.offset,
                    result: Err(ErrorCode::NotLeaderOrFollower),
                    aborted: Vec::new(),
                }
            };
            cx.net.send(Node::Broker(b), p.consumer, resp);
        }
    }

    /// The partitions of a deleted topic: the replica and its log go; requests waiting on them
    /// are answered UNKNOWN_TOPIC_OR_PARTITION.
    pub(crate) fn on_partitions_deleted(&mut self, b: BrokerId, tps: &[Tp]) {
        if tps.is_empty() {
            return;
        }
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        for &tp in tps {
            br.metadata.remove(&tp);
            br.replicas.remove(&tp);
            br.fail_waiting(&mut cx, tp, ErrorCode::UnknownTopicOrPartition);
        }
    }

    pub(crate) fn on_metadata_update(&mut self, b: BrokerId, parts: Vec<(Tp, PartitionMeta)>) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        let now = cx.net.now;
        for (tp, meta) in parts {
            br.metadata.insert(tp, meta.clone());
            if !meta.replicas.contains(&b) {
                // No longer one of its replicas (a reassignment moved it away): StopReplica with
                // deletion. What waited on it there fails; the log goes.
                let current =
                    br.replicas.get(&tp).is_some_and(|r| !r.known || meta.partition_epoch >= r.partition_epoch);
                if current {
                    br.fail_waiting(&mut cx, tp, ErrorCode::NotLeaderOrFollower);
                    br.replicas.remove(&tp);
                    cx.log(SimEvent::ReplicaDeleted { broker: b, tp });
                }
                continue;
            }
            let r = br.replicas.entry(tp).or_insert_with(Replica::new);
            if r.known && meta.leader_epoch < r.leader_epoch {
                continue; // stale
            }
            let was_leader = r.is_leader(b);
            if meta.leader == Some(b) {
                if !was_leader || meta.leader_epoch > r.leader_epoch {
                    // Become leader: stamp the new epoch at our LEO; followers in the ISR count as
                    // caught up as of now (Replica.resetReplicaState).
                    r.known = true;
                    r.leader = Some(b);
                    r.leader_epoch = meta.leader_epoch;
                    r.partition_epoch = meta.partition_epoch;
                    r.replicas = meta.replicas.clone();
                    r.isr = meta.isr.clone();
                    r.pending_isr = None;
                    r.fetch_to = None;
                    let leo = r.log.leo();
                    r.log.assign_epoch(meta.leader_epoch, leo);
                    r.epoch_start_offset = leo;
                    r.followers = meta
                        .replicas
                        .iter()
                        .filter(|&&f| f != b)
                        .map(|&f| {
                            let caught_up = meta.isr.contains(&f).then_some(now);
                            (
                                f,
                                FollowerState {
                                    leo: None,
                                    last_fetch_ms: 0,
                                    last_caught_up_ms: caught_up,
                                    leader_leo_at_last_fetch: 0,
                                },
                            )
                        })
                        .collect();
                } else if meta.partition_epoch >= r.partition_epoch {
                    r.isr = meta.isr.clone();
                    r.partition_epoch = meta.partition_epoch;
                    if r.replicas != meta.replicas {
                        // A reassignment added or removed followers under the same leader.
                        r.replicas = meta.replicas.clone();
                        r.followers.retain(|f, _| meta.replicas.contains(f));
                        for &f in meta.replicas.iter().filter(|&&f| f != b) {
                            r.followers.entry(f).or_insert(FollowerState {
                                leo: None,
                                last_fetch_ms: 0,
                                last_caught_up_ms: None,
                                leader_leo_at_last_fetch: 0,
                            });
                        }
                    }
                    if r.pending_isr.as_ref() == Some(&meta.isr) {
                        r.pending_isr = None;
                    }
                }
                br.maybe_advance_hw(tp, &mut cx);
            } else {
                if was_leader {
                    // Learned that someone else leads: fail what waited on our HW.
                    br.fail_produces(&mut cx, tp, ErrorCode::NotLeaderOrFollower);
                    br.parked_fetches.retain(|_, p| p.tp != tp);
                    br.parked_consumer_fetches.retain(|_, p| p.tp != tp);
                    cx.log(SimEvent::LeaderDemoted {
                        broker: b,
                        tp,
                        new_leader: meta.leader,
                        epoch: meta.leader_epoch,
                    });
                }
                let r = br.replicas.get_mut(&tp).expect("inserted above");
                let leader_changed = r.leader != meta.leader || r.leader_epoch != meta.leader_epoch || !r.known;
                r.known = true;
                r.leader = meta.leader;
                r.leader_epoch = meta.leader_epoch;
                r.partition_epoch = meta.partition_epoch;
                r.replicas = meta.replicas.clone();
                r.isr = meta.isr.clone();
                r.followers.clear();
                r.pending_isr = None;
                if leader_changed {
                    r.fetch_to = None; // a response from the old leader will be ignored
                }
                br.send_fetch(tp, &mut cx);
            }
        }
    }

    fn on_alter_partition_response(&mut self, b: BrokerId, tp: Tp, result: Result<PartitionMeta, ErrorCode>) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        r.pending_isr = None;
        if let Ok(meta) = result {
            if meta.leader_epoch == r.leader_epoch && meta.partition_epoch > r.partition_epoch {
                r.isr = meta.isr;
                r.partition_epoch = meta.partition_epoch;
            }
        }
        br.maybe_advance_hw(tp, &mut cx);
    }

    fn on_fetch(
        &mut self,
        b: BrokerId,
        follower: BrokerId,
        tp: Tp,
        fetch_offset: u64,
        last_fetched_epoch: Option<u32>,
        current_leader_epoch: u32,
    ) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        let me = Node::Broker(b);
        let to = Node::Broker(follower);
        let error = |e: ErrorCode, epoch: u32| Payload::FetchResponse { tp, leader_epoch: epoch, result: Err(e) };
        let Some(r) = br.replicas.get_mut(&tp) else {
            cx.net.send(me, to, error(ErrorCode::NotLeaderOrFollower, current_leader_epoch));
            return;
        };
        if current_leader_epoch < r.leader_epoch {
            cx.net.send(me, to, error(ErrorCode::FencedLeaderEpoch, current_leader_epoch));
            return;
        }
        if current_leader_epoch > r.leader_epoch {
            cx.net.send(me, to, error(ErrorCode::UnknownLeaderEpoch, current_leader_epoch));
            return;
        }
        if !r.is_leader(b) {
            cx.net.send(me, to, error(ErrorCode::NotLeaderOrFollower, current_leader_epoch));
            return;
        }
        let leo = r.log.leo();
        let diverging = diverging_epoch(&r.log, r.leader_epoch, fetch_offset, last_fetched_epoch);
        if let Some(d) = diverging {
            let data = FetchData { records: Vec::new(), hw: r.log.hw, log_start: r.log.log_start, diverging: Some(d) };
            cx.net.send(me, to, Payload::FetchResponse { tp, leader_epoch: r.leader_epoch, result: Ok(data) });
            return;
        }
        // Replica.updateFetchStateOrThrow: track the follower's LEO and when it was last caught up.
        let now = cx.net.now;
        if let Some(st) = r.followers.get_mut(&follower) {
            if fetch_offset >= leo {
                st.last_caught_up_ms = Some(now);
            } else if st.leo.is_some() && fetch_offset >= st.leader_leo_at_last_fetch {
                // Caught up to where the leader's log ended at its previous fetch (the first
                // fetch has no previous one).
                st.last_caught_up_ms = st.last_caught_up_ms.max(Some(st.last_fetch_ms));
            }
            st.leo = Some(fetch_offset);
            st.last_fetch_ms = now;
            st.leader_leo_at_last_fetch = leo;
        }
        br.maybe_expand_isr(tp, follower, &mut cx);
        let hw_moved = br.maybe_advance_hw(tp, &mut cx);
        let r = &br.replicas[&tp];
        let has_data = fetch_offset < leo || fetch_offset < r.log.log_start || hw_moved;
        let throttle = br.throttle_wait(tp, follower, &cx);
        if has_data && throttle.is_none() {
            let resp = br.fetch_response_to(tp, follower, fetch_offset, &cx);
            cx.net.send(me, to, resp);
        } else {
            // Long poll: park until data arrives or replica.fetch.wait.max.ms passes (over the
            // reassignment throttle: until its budget refills).
            let id = br.next_id();
            br.parked_fetches.insert(id, ParkedFetch { tp, follower, fetch_offset });
            let inc = br.incarnation;
            cx.net.timer(
                throttle.unwrap_or(cx.cfg.replica_fetch_wait_max_ms),
                Timer::FetchWait { broker: b, incarnation: inc, tp, follower, id },
            );
        }
    }

    pub(crate) fn on_fetch_wait(&mut self, b: BrokerId, incarnation: u64, tp: Tp, follower: BrokerId, id: u64) {
        let Some((br, cx)) = self.split_broker(b) else {
            return;
        };
        if br.incarnation != incarnation {
            return;
        }
        if let Some(p) = br.parked_fetches.remove(&id) {
            let resp = br.fetch_response_to(tp, follower, p.fetch_offset, &cx);
            cx.net.send(Node::Broker(b), Node::Broker(follower), resp);
        }
    }

    fn on_fetch_response(
        &mut self,
        b: BrokerId,
        leader: BrokerId,
        tp: Tp,
        leader_epoch: u32,
        result: Result<FetchData, ErrorCode>,
    ) {
        let mut appended = None;
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        if r.fetch_to != Some((leader, leader_epoch)) {
            return; // an answer to a fetch we no longer care about
        }
        r.fetch_to = None;
        let data = match result {
            Ok(d) => d,
            Err(_) => {
                let inc = br.incarnation;
                cx.net.timer(cx.cfg.replica_fetch_backoff_ms, Timer::FetchRetry { broker: b, incarnation: inc, tp });
                return;
            }
        };
        if let Some(diverging) = data.diverging {
            let leo = r.log.leo();
            let target = truncation_offset(&r.log, diverging);
            let removed = r.log.truncate_to(target);
            if !removed.is_empty() {
                cx.log(SimEvent::Truncated {
                    broker: b,
                    tp,
                    from_leo: leo,
                    to: target,
                    lost: removed.iter().map(|rec| rec.id).collect(),
                });
            }
        } else if data.log_start > r.log.leo() {
            // Our whole log is older than the leader's log start: start over there.
            let leo = r.log.leo();
            let removed = r.log.truncate_to(r.log.log_start);
            r.log.restart_at(data.log_start);
            r.log.hw = data.log_start;
            r.log.epochs.clear();
            if !removed.is_empty() {
                cx.log(SimEvent::Truncated { broker: b, tp, from_leo: leo, to: data.log_start, lost: Vec::new() });
            }
        } else {
            appended = Some(r.log.leo());
            append_replicated(&mut r.log, &data.records, cx.net.now, &cx.topics[tp.topic as usize].config);
            // A follower takes min(leader HW, own LEO) (UnifiedLog.updateHighWatermark).
            r.log.hw = data.hw.min(r.log.leo()).max(r.log.log_start);
            if data.log_start > r.log.log_start {
                r.log.delete_before(data.log_start);
            }
        }
        br.send_fetch(tp, &mut cx);
        if let Some(from) = appended {
            self.share_with_leader(b, leader, tp, from);
        }
    }

    /// The follower's copy of what it just replicated becomes the leader's own chunks wherever they
    /// are equal (`Chunked::adopt`): memory only, nothing visible changes.
    fn share_with_leader(&mut self, b: BrokerId, leader: BrokerId, tp: Tp, from: u64) {
        let Some(r) = self.brokers.get_mut(&b).and_then(|f| f.replicas.get_mut(&tp)) else { return };
        let to = r.log.leo();
        if !crate::chunked::Chunked::<Record>::completes_chunk(from, to) {
            return;
        }
        let mut mine = std::mem::take(&mut r.log.records);
        if let Some(theirs) = self.brokers.get(&leader).and_then(|l| l.replicas.get(&tp)) {
            mine.adopt(&theirs.log.records, from, to);
        }
        if let Some(r) = self.brokers.get_mut(&b).and_then(|f| f.replicas.get_mut(&tp)) {
            r.log.records = mine;
        }
    }

    pub(crate) fn on_fetch_timeout(&mut self, b: BrokerId, incarnation: u64, tp: Tp, seq: u64) {
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        if br.incarnation != incarnation || !br.is_running() {
            return;
        }
        let Some(r) = br.replicas.get_mut(&tp) else { return };
        if r.fetch_to.is_some() && r.fetch_seq == seq {
            r.fetch_to = None; // the request or its answer was lost: ask again
            br.send_fetch(tp, &mut cx);
        }
    }

    pub(crate) fn on_fetch_retry(&mut self, b: BrokerId, incarnation: u64, tp: Tp) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        if br.incarnation == incarnation && br.is_running() {
            br.send_fetch(tp, &mut cx);
        }
    }

    pub(crate) fn on_isr_expiration(&mut self, b: BrokerId, incarnation: u64) {
        let Some((br, cx)) = self.split_broker(b) else {
            return;
        };
        if br.incarnation != incarnation || !br.is_running() {
            return;
        }
        let now = cx.net.now;
        let lag = cx.cfg.replica_lag_time_max_ms;
        for (&tp, r) in br.replicas.iter_mut() {
            if r.pending_isr.is_some() && now >= r.pending_isr_ms + ALTER_PARTITION_TIMEOUT_MS {
                r.pending_isr = None; // lost on the way: propose again
            }
            if !r.is_leader(b) || r.pending_isr.is_some() {
                continue;
            }
            let leo = r.log.leo();
            let out_of_sync: Vec<BrokerId> = r
                .isr
                .iter()
                .copied()
                .filter(|&f| f != b)
                .filter(|f| {
                    r.followers.get(f).is_some_and(|st| {
                        st.leo != Some(leo) && st.last_caught_up_ms.is_none_or(|t| now.saturating_sub(t) > lag)
                    })
                })
                .collect();
            if out_of_sync.is_empty() {
                continue;
            }
            let new_isr: Vec<BrokerId> = r.isr.iter().copied().filter(|f| !out_of_sync.contains(f)).collect();
            r.pending_isr = Some(new_isr.clone());
            r.pending_isr_ms = cx.net.now;
            let payload = Payload::AlterPartition {
                tp,
                leader_epoch: r.leader_epoch,
                partition_epoch: r.partition_epoch,
                new_isr,
            };
            cx.net.send(Node::Broker(b), Node::Controller(br.quorum_leader.unwrap_or(0)), payload);
        }
        cx.net.timer(lag / 2, Timer::IsrExpiration { broker: b, incarnation });
    }

    #[allow(clippy::too_many_arguments)]
    fn on_produce(
        &mut self,
        b: BrokerId,
        from: Node,
        req: u64,
        tp: Tp,
        acks: Acks,
        timeout_ms: Millis,
        batch: ProduceBatch,
    ) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        let me = Node::Broker(b);
        let reply = |cx: &mut Ctx, result: Result<u64, ErrorCode>| {
            if acks != Acks::Zero {
                cx.net.send(me, from, Payload::ProduceResponse { req, tp, result });
            }
        };
        let Some(r) = br.replicas.get_mut(&tp).filter(|r| r.is_leader(b)) else {
            let error = if br.metadata.contains_key(&tp) {
                ErrorCode::NotLeaderOrFollower
            } else {
                ErrorCode::UnknownTopicOrPartition
            };
            reply(&mut cx, Err(error));
            return;
        };
        let min_isr = cx.effective_min_isr(tp, r.replicas.len());
        if acks == Acks::All && r.isr.len() < min_isr {
            reply(&mut cx, Err(ErrorCode::NotEnoughReplicas));
            return;
        }
        let n = batch.records.len() as i32;
        let (base_offset, last_offset) = match check_producer_state(&r.log, &batch) {
            Err(e) => {
                reply(&mut cx, Err(e));
                return;
            }
            Ok(Some(dup)) => (dup.first_offset, dup.last_offset),
            Ok(None) => {
                let base = r.log.leo();
                let now = cx.net.now;
                let mut recs = batch.records.clone();
                for (i, rec) in recs.iter_mut().enumerate() {
                    rec.offset = base + i as u64;
                    rec.epoch = r.leader_epoch;
                    rec.append_ms = now;
                    rec.producer_id = batch.producer_id;
                    rec.producer_epoch = batch.producer_epoch;
                    rec.sequence = batch.base_sequence.wrapping_add(i as i32);
                    rec.last_in_batch = i as i32 == n - 1;
                    rec.txn = batch.transactional;
                    rec.cleaned = false;
                }
                r.log.append_batch(&recs, now, &cx.topics[tp.topic as usize].config);
                let last = base + n as u64 - 1;
                if let Some(pid) = batch.producer_id {
                    let meta = BatchMeta {
                        first_seq: batch.base_sequence,
                        last_seq: batch.base_sequence.wrapping_add(n - 1),
                        first_offset: base,
                        last_offset: last,
                    };
                    r.log.note_batch(pid, batch.producer_epoch, meta);
                }
                (base, last)
            }
        };
        match acks {
            Acks::Zero => {}
            Acks::One => reply(&mut cx, Ok(base_offset)),
            Acks::All => {
                let id = br.next_id();
                br.purgatory.insert(
                    id,
                    PendingProduce {
                        tp,
                        producer: from,
                        req,
                        base_offset,
                        required_hw: last_offset + 1,
                        kind: PendingKind::Produce,
                    },
                );
                let inc = br.incarnation;
                cx.net.timer(timeout_ms, Timer::ProduceWait { broker: b, incarnation: inc, id });
            }
        }
        br.after_append(tp, &mut cx);
    }

    pub(crate) fn on_produce_wait(&mut self, b: BrokerId, incarnation: u64, id: u64) {
        let Some((br, cx)) = self.split_broker(b) else {
            return;
        };
        if br.incarnation != incarnation {
            return;
        }
        if let Some(p) = br.purgatory.remove(&id) {
            let payload = p.reply(Err(ErrorCode::RequestTimedOut));
            cx.net.send(Node::Broker(b), p.producer, payload);
        }
    }

    pub(crate) fn on_retention_check(&mut self, b: BrokerId, incarnation: u64) {
        let Some((br, mut cx)) = self.split_broker(b) else {
            return;
        };
        if br.incarnation != incarnation || !br.is_running() {
            return;
        }
        let now = cx.net.now;
        for (&tp, r) in br.replicas.iter_mut() {
            let c = &cx.topics[tp.topic as usize].config;
            // Retention deletes only under `cleanup.policy` delete (compact alone keeps every
            // segment).
            if !c.deletes() {
                continue;
            }
            // Every replica applies retention to its own segments (followers roll their own);
            // the leader's is narrated.
            if let Some(n) = delete_retention_breached_segments(&mut r.log, c, now) {
                if r.is_leader(b) {
                    let start = r.log.log_start;
                    cx.log(SimEvent::RetentionDeleted { broker: b, tp, new_log_start: start, segments: n });
                }
            }
        }
        let every = cx.cfg.log_retention_check_interval_ms;
        cx.net.timer(every, Timer::RetentionCheck { broker: b, incarnation });
        self.summarize_history();
    }
}

impl Sim {
    /// DeleteRecords on `tp`'s leader (`kafka-delete-records`): the log start moves to `offset`
    /// (-1: the HW), never past the HW; followers follow with their next fetch. Returns the new
    /// low watermark (the leader's log start), or the error the admin client reports.
    pub fn delete_records(&mut self, tp: Tp, offset: i64) -> Result<u64, String> {
        let not_leader = "org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended only for the leader, this error indicates that the broker is not the current leader.";
        let leader = self.partition(tp).and_then(|m| m.leader).ok_or_else(|| not_leader.to_string())?;
        let Some((br, mut cx)) = self.split_broker(leader) else { return Err(not_leader.into()) };
        let Some(r) = br.replicas.get_mut(&tp).filter(|r| r.is_leader(leader)) else { return Err(not_leader.into()) };
        let target = if offset == -1 { r.log.hw } else { offset.max(0) as u64 };
        if offset < -1 || target > r.log.hw {
            return Err("org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.".into());
        }
        if target > r.log.log_start {
            r.log.delete_before(target);
            let start = r.log.log_start;
            cx.log(SimEvent::RecordsDeleted { broker: leader, tp, new_log_start: start });
        }
        Ok(r.log.log_start)
    }
}

/// How long a leader waits for the controller to answer an AlterPartition before proposing again
/// (the broker-to-controller request timeout).
const ALTER_PARTITION_TIMEOUT_MS: Millis = 5_000;

/// Kafka's `UnifiedLog.deleteRetentionMsBreachedSegments` and `deleteRetentionSizeBreachedSegments`
/// (in that order): whole segments go, oldest first, while the oldest one's largest timestamp is
/// more than `retention.ms` old, then while the log's size less the oldest segment's is still at
/// least `retention.bytes`. A segment is deletable only if the HW is at or past its end
/// (`deletableSegments`), so the log start never passes the HW. When every segment qualifies,
/// Kafka first rolls a new, empty active segment at the log end, so that the one it deletes is no
/// longer active: the active segment itself is never deleted. Returns how many segments went.
pub fn delete_retention_breached_segments(log: &mut Log, c: &TopicConfig, now: Millis) -> Option<usize> {
    // Segment `i` ends where the next begins (the last: at the log end).
    let end = |log: &Log, i: usize| log.segments.get(i + 1).map_or(log.leo(), |s| s.base_offset);
    let mut deletable = 0;
    if c.retention_ms >= 0 {
        while deletable < log.segments.len()
            && log.hw >= end(log, deletable)
            && log.segments[deletable].bytes > 0
            && now.saturating_sub(log.segments[deletable].max_ms) > c.retention_ms as u64
        {
            deletable += 1;
        }
    }
    if c.retention_bytes >= 0 {
        let size: u64 = log.size_bytes();
        let below: u64 = log.segments[..deletable].iter().map(|s| s.bytes).sum();
        let mut diff = size.saturating_sub(below) as i64 - c.retention_bytes;
        while diff >= 0
            && deletable < log.segments.len()
            && log.hw >= end(log, deletable)
            && log.segments[deletable].bytes > 0
            && diff - log.segments[deletable].bytes as i64 >= 0
        {
            diff -= log.segments[deletable].bytes as i64;
            deletable += 1;
        }
    }
    if deletable == 0 {
        return None;
    }
    if deletable == log.segments.len() {
        log.roll(now);
    }
    let new_start = end(log, deletable - 1).max(log.log_start);
    log.delete_before(new_start);
    Some(deletable)
}

/// Answers acks=all produces whose offsets are already below the HW (duplicates of committed data).
fn complete_if_committed(br: &mut Broker, tp: Tp, cx: &mut Ctx) {
    let hw = br.replicas[&tp].log.hw;
    let done: Vec<u64> =
        br.purgatory.iter().filter(|(_, p)| p.tp == tp && p.required_hw <= hw).map(|(&id, _)| id).collect();
    for id in done {
        let p = br.purgatory.remove(&id).expect("listed");
        let payload = p.reply(Ok(p.base_offset));
        cx.net.send(Node::Broker(br.id), p.producer, payload);
    }
}

/// Section 5.2, in Kafka's order: duplicate, epoch, sequence. `Ok(Some(batch))` is a duplicate of a
/// cached batch (nothing is appended; the original offsets are returned).
pub fn check_producer_state(log: &Log, batch: &ProduceBatch) -> Result<Option<BatchMeta>, ErrorCode> {
    let Some(pid) = batch.producer_id else {
        return Ok(None);
    };
    let Some(entry) = log.producers.get(&pid) else {
        return Ok(None);
    };
    let n = batch.records.len() as i32;
    let first = batch.base_sequence;
    let last = first.wrapping_add(n - 1);
    if entry.epoch == batch.producer_epoch {
        if let Some(dup) = entry.batches.iter().find(|m| m.first_seq == first && m.last_seq == last) {
            return Ok(Some(*dup));
        }
    }
    if batch.producer_epoch < entry.epoch {
        return Err(ErrorCode::InvalidProducerEpoch);
    }
    if batch.producer_epoch > entry.epoch {
        return if first == 0 { Ok(None) } else { Err(ErrorCode::OutOfOrderSequenceNumber) };
    }
    let Some(prev) = entry.batches.back() else {
        return Ok(None);
    };
    let expected = if prev.last_seq == i32::MAX { 0 } else { prev.last_seq + 1 };
    if first == expected {
        Ok(None)
    } else {
        Err(ErrorCode::OutOfOrderSequenceNumber)
    }
}

/// Section 3.4, the leader's side (`Partition.readRecords`): does a follower fetching at
/// `fetch_offset`, whose last record has `last_fetched_epoch`, diverge from this log? `Some(None)` is
/// a divergence with Kafka's UNDEFINED epoch and offset.
pub fn diverging_epoch(
    log: &Log,
    leader_epoch: u32,
    fetch_offset: u64,
    last_fetched_epoch: Option<u32>,
) -> Option<Option<(u32, u64)>> {
    match last_fetched_epoch {
        Some(lfe) => match log.end_offset_for_epoch(lfe) {
            None => Some(None),
            Some((e, end)) if e < lfe || end < fetch_offset => Some(Some((e, end))),
            Some(_) => None,
        },
        None if fetch_offset > log.leo() => Some(Some((leader_epoch, log.leo()))),
        None => None,
    }
}

/// Section 3.4, the follower's side (`AbstractFetcherThread.getOffsetTruncationState`): where to
/// cut the log after the leader reported a divergence.
pub fn truncation_offset(log: &Log, diverging: Option<(u32, u64)>) -> u64 {
    let leo = log.leo();
    match diverging {
        None => log.hw, // the leader knows no such epoch: fall back to our high watermark
        Some((epoch, end)) => match log.end_offset_for_epoch(epoch) {
            None => end.min(leo),
            // We don't know the leader's epoch: cut to where ours below it ends, and ask again.
            Some((fe, fend)) if fe != epoch => fend.min(leo),
            Some((_, fend)) => end.min(fend).min(leo),
        },
    }
}

/// A follower appends what the leader sent, keeping its producer-state cache as the leader does.
fn append_replicated(log: &mut Log, records: &[Record], now: Millis, config: &TopicConfig) {
    let mut i = 0;
    while i < records.len() {
        let first = records[i];
        if first.offset < log.leo() {
            // Overlap with what we have (cannot happen with one fetch in flight); skip safely.
            i += 1;
            continue;
        }
        // (Offsets the leader's cleaner emptied before we fetched them: `append_batch` takes the
        // gap too.)
        let j = batch_end(records, i);
        log.append_batch(&records[i..=j], now, config);
        if let Some(pid) = first.producer_id {
            let meta = BatchMeta {
                first_seq: first.sequence,
                last_seq: records[j].sequence,
                first_offset: first.offset,
                last_offset: records[j].offset,
            };
            log.note_batch(pid, first.producer_epoch, meta);
        }
        i = j + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(entries: &[(u32, &str)]) -> (Log, Interner) {
        let mut interner = Interner::default();
        let mut log = Log::default();
        for (i, &(epoch, v)) in entries.iter().enumerate() {
            log.append(Record {
                offset: i as u64,
                epoch,
                key: None,
                value: Value::Text(interner.intern(v)),
                id: RecordId(i as u64),
                producer_id: None,
                producer_epoch: 0,
                sequence: 0,
                last_in_batch: true,
                append_ms: 0,
                txn: false,
                size: 10,
                cleaned: false,
            });
        }
        (log, interner)
    }

    /// `AbstractFetcherThreadTest.testDivergingEpochs` (reference section 3.4).
    #[test]
    fn diverging_epochs_truncate_the_follower_then_it_converges() {
        let (mut follower, fi) = log_of(&[(0, "a"), (2, "b"), (4, "c")]);
        let (leader, li) = log_of(&[(0, "a"), (2, "b"), (5, "d")]);
        // Fetch at offset 3 with lastFetchedEpoch 4: the leader answers divergingEpoch (2, 2).
        let d = diverging_epoch(&leader, 5, follower.leo(), follower.latest_epoch());
        assert_eq!(d, Some(Some((2, 2))));
        let target = truncation_offset(&follower, d.unwrap());
        assert_eq!(target, 2);
        follower.truncate_to(target);
        assert_eq!(follower.leo(), 2, "\"c\" is removed");
        assert_eq!(follower.latest_epoch(), Some(2), "lastFetchedEpoch becomes 2");
        // The next fetch does not diverge and brings "d".
        assert_eq!(diverging_epoch(&leader, 5, follower.leo(), follower.latest_epoch()), None);
        append_replicated(&mut follower, &leader.read(2, 10), 0, &TopicConfig::default());
        assert_eq!(follower.latest_epoch(), Some(5));
        let values = |l: &Log, i: &Interner| {
            l.records
                .iter()
                .map(|r| match r.value {
                    Value::Text(s) => i.get(s).to_string(),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(values(&follower, &fi.clone()).len(), 3);
        assert_eq!(values(&leader, &li), vec!["a", "b", "d"]);
        assert_eq!(follower.records.iter().map(|r| r.epoch).collect::<Vec<_>>(), vec![0, 2, 5]);
    }

    /// `testTruncation`: follower at epochs 0/2/4, leader at 1/3/5; the follower converges.
    #[test]
    fn truncation_converges_across_disjoint_epochs() {
        let (mut follower, _) = log_of(&[(0, "a"), (2, "b"), (4, "c")]);
        let (leader, _) = log_of(&[(1, "x"), (3, "y"), (5, "z")]);
        for _ in 0..5 {
            match diverging_epoch(&leader, 5, follower.leo(), follower.latest_epoch()) {
                Some(d) => {
                    let t = truncation_offset(&follower, d);
                    follower.truncate_to(t);
                }
                None => {
                    let recs = leader.read(follower.leo(), 10);
                    if recs.is_empty() {
                        break;
                    }
                    append_replicated(&mut follower, &recs, 0, &TopicConfig::default());
                }
            }
        }
        assert_eq!(
            follower.records.iter().map(|r| (r.offset, r.epoch)).collect::<Vec<_>>(),
            vec![(0, 1), (1, 3), (2, 5)]
        );
    }

    fn batch(pid: u64, epoch: u16, first: i32, n: usize) -> ProduceBatch {
        let rec = Record {
            offset: 0,
            epoch: 0,
            key: None,
            value: Value::Numbered(0),
            id: RecordId(0),
            producer_id: Some(pid),
            producer_epoch: epoch,
            sequence: first,
            last_in_batch: false,
            append_ms: 0,
            txn: false,
            size: 10,
            cleaned: false,
        };
        ProduceBatch {
            records: vec![rec; n],
            producer_id: Some(pid),
            producer_epoch: epoch,
            base_sequence: first,
            transactional: false,
        }
    }

    /// Appends as the leader does after `check_producer_state` says "new".
    fn append(log: &mut Log, b: &ProduceBatch) -> Result<(u64, u64), ErrorCode> {
        if let Some(dup) = check_producer_state(log, b)? {
            return Ok((dup.first_offset, dup.last_offset));
        }
        let base = log.leo();
        let n = b.records.len();
        for (i, r) in b.records.iter().enumerate() {
            let mut r = *r;
            r.offset = base + i as u64;
            r.sequence = b.base_sequence + i as i32;
            r.last_in_batch = i + 1 == n;
            log.append(r);
        }
        let last = base + n as u64 - 1;
        let meta = BatchMeta {
            first_seq: b.base_sequence,
            last_seq: b.base_sequence + n as i32 - 1,
            first_offset: base,
            last_offset: last,
        };
        log.note_batch(b.producer_id.unwrap(), b.producer_epoch, meta);
        Ok((base, last))
    }

    /// `UnifiedLogTest.testDuplicateAppends` (reference section 5.2), step by step.
    #[test]
    fn duplicate_appends_follow_kafka() {
        let mut log = Log::default();
        for seq in 0..6 {
            assert_eq!(append(&mut log, &batch(1, 0, seq, 1)), Ok((seq as u64, seq as u64)));
        }
        assert_eq!(append(&mut log, &batch(1, 0, 6, 3)), Ok((6, 8)));
        assert_eq!(append(&mut log, &batch(1, 0, 6, 3)), Ok((6, 8)), "duplicate: original offsets, nothing appended");
        assert_eq!(log.leo(), 9);
        assert_eq!(append(&mut log, &batch(1, 0, 7, 2)), Err(ErrorCode::OutOfOrderSequenceNumber), "partial overlap");
        assert_eq!(append(&mut log, &batch(1, 0, 2, 1)), Ok((2, 2)), "among the last 5 batches");
        assert_eq!(
            append(&mut log, &batch(1, 0, 1, 1)),
            Err(ErrorCode::OutOfOrderSequenceNumber),
            "older than the last 5"
        );
        let first = append(&mut log, &batch(1, 0, 9, 1));
        assert_eq!(first, Ok((9, 9)));
        assert_eq!(append(&mut log, &batch(1, 0, 9, 1)), first);
        assert_eq!(log.leo(), 10);
    }

    /// `ProducerStateManagerTest.testBasicIdMapping` and the wrap-around cases.
    #[test]
    fn producer_epochs_and_sequences() {
        let mut log = Log::default();
        append(&mut log, &batch(7, 0, 0, 1)).unwrap();
        append(&mut log, &batch(7, 0, 1, 1)).unwrap();
        assert_eq!(append(&mut log, &batch(7, 0, 5, 1)), Err(ErrorCode::OutOfOrderSequenceNumber));
        assert_eq!(
            append(&mut log, &batch(7, 1, 3, 1)),
            Err(ErrorCode::OutOfOrderSequenceNumber),
            "new epoch starts at 0"
        );
        append(&mut log, &batch(7, 1, 0, 1)).unwrap();
        assert_eq!(append(&mut log, &batch(7, 0, 2, 1)), Err(ErrorCode::InvalidProducerEpoch));
        // Wrap-around: after i32::MAX the next sequence is 0.
        let mut log = Log::default();
        let mut b = batch(9, 0, i32::MAX, 1);
        b.records[0].sequence = i32::MAX;
        log.append(Record { offset: 0, last_in_batch: true, ..b.records[0] });
        log.note_batch(9, 0, BatchMeta { first_seq: i32::MAX, last_seq: i32::MAX, first_offset: 0, last_offset: 0 });
        assert_eq!(check_producer_state(&log, &batch(9, 0, 1, 1)), Err(ErrorCode::OutOfOrderSequenceNumber));
        assert_eq!(check_producer_state(&log, &batch(9, 0, 0, 1)), Ok(None));
    }
}

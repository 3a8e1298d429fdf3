//! The simulation: all state, the event loop, and the user-level actions (kill, start, create a
//! topic, produce) that commands map to. Protocol handlers live in `broker`, `controller` and
//! `producer` as further `impl Sim` blocks.

use crate::audit::ledger::Ledger;
use crate::clients::producer::Producer;
use crate::cluster::broker::{Broker, BrokerStatus};
use crate::cluster::controller::Controller;
use crate::cluster::journal::{JournalEntry, SimEvent};
use crate::cluster::net::*;
use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    /// Kafka's base64 topic id, drawn from the seeded RNG.
    pub topic_id: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub config: TopicConfig,
    /// Config keys set explicitly (printed by `--describe`).
    pub overrides: Vec<(String, String)>,
    /// Deleted by `kafka-topics --delete`. The entry stays so that `TopicId`s (indices) of other
    /// topics, old journal entries and old records keep their meaning; lookups by name skip it, so
    /// the name can be used again (a new topic, a new topic id). Its partitions are gone from the
    /// controller's metadata (`Sim::partition` answers None).
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sim {
    pub seed: u64,
    pub net: Net,
    pub config: ClusterConfig,
    /// The active controller's image of the metadata log (see `quorum.rs`).
    pub controller: Controller,
    /// The KRaft controller quorum.
    #[serde(default)]
    pub quorum: crate::cluster::quorum::Quorum,
    pub brokers: std::collections::BTreeMap<BrokerId, Broker>,
    pub topics: Vec<Topic>,
    pub producers: Vec<Producer>,
    pub interner: Interner,
    pub ledger: Ledger,
    /// Significant events in order (shared chunks: snapshots share them).
    pub journal: crate::chunked::Chunked<JournalEntry>,
    /// Next idempotent producer id (allocated by the cluster; modelled as a counter).
    pub next_producer_id: u64,
    pub consumers: Vec<crate::clients::consumer::Consumer>,
    /// Consumer groups as their coordinator knows them.
    pub groups: std::collections::BTreeMap<Sym, crate::coordinators::group::Group>,
    /// How many times each group processed each record (the delivery-semantics ledger).
    pub deliveries: crate::audit::ledger::Deliveries,
    /// Where each group first started reading a partition for which it had no committed offset
    /// (the offset `auto.offset.reset` found): the audit does not count records below it as
    /// skipped, since the group never meant to read them.
    #[serde(default)]
    pub group_starts: std::collections::BTreeMap<(Sym, Tp), u64>,
    /// Per group, the delivery counts of records that left the logs (retention, delete-records,
    /// compaction) and whose ledger entries were summarized away: the audit keeps counting them.
    #[serde(default)]
    pub removed_deliveries: std::collections::BTreeMap<Sym, crate::audit::ledger::RemovedTally>,
    /// Acked records summarized away after they left the logs, by retention and by compaction.
    #[serde(default)]
    pub removed_acked: crate::audit::ledger::RemovedAcked,
    /// The transaction state records (`Value::TxnState` points into it) that something still
    /// refers to.
    pub txn_log: crate::coordinators::txn::TxnLog,
    /// What power losses took from replica logs (`power_loss`): how the audit tells an acked
    /// record lost in a power loss apart from other losses.
    #[serde(default)]
    pub power_cuts: Vec<PowerCut>,
}

/// The records one power loss took from one replica's log: offsets `from .. to` were in the page
/// cache only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerCut {
    pub tp: Tp,
    pub broker: BrokerId,
    pub from: u64,
    pub to: u64,
    pub records: u64,
    pub at_ms: Millis,
}

/// `cluster` without `--controllers`: three KRaft controllers.
pub const DEFAULT_CONTROLLERS: u32 = 3;

/// The queue is swept for moot timers only once it holds at least this many.
const MIN_SWEEP_TIMERS: usize = 256;

/// Why a user action could not apply. The state is unchanged when one is returned.
pub type ActionResult<T = ()> = Result<T, String>;

impl Sim {
    /// An empty cluster: no brokers, no topics. Use `with_brokers` for the default 3-broker cluster.
    pub fn new(seed: u64) -> Sim {
        let config = ClusterConfig::default();
        let mut sim = Sim {
            seed,
            net: Net::new(seed, config.network_latency_ms, config.network_jitter_ms),
            config,
            controller: Controller::default(),
            quorum: Default::default(),
            brokers: Default::default(),
            topics: Vec::new(),
            producers: Vec::new(),
            interner: Interner::default(),
            ledger: Ledger::default(),
            journal: Default::default(),
            next_producer_id: 0,
            consumers: Vec::new(),
            groups: Default::default(),
            deliveries: Default::default(),
            group_starts: Default::default(),
            removed_deliveries: Default::default(),
            removed_acked: Default::default(),
            txn_log: Default::default(),
            power_cuts: Vec::new(),
        };
        let every = sim.config.leader_imbalance_check_interval_ms;
        sim.net.timer(every, Timer::LeaderImbalanceCheck);
        sim.bootstrap_quorum(DEFAULT_CONTROLLERS);
        sim
    }

    /// A cluster of brokers 1..=n that have registered with the controller (as after a cold start).
    pub fn with_brokers(seed: u64, n: u32) -> Sim {
        Sim::with_racks(seed, n, &[])
    }

    /// `cluster --brokers N --racks R1,R2,...`: broker b gets rack `racks[(b - 1) % len]`.
    pub fn with_racks(seed: u64, n: u32, racks: &[String]) -> Sim {
        Sim::with_quorum(seed, n, racks, DEFAULT_CONTROLLERS)
    }

    /// `cluster --brokers N --controllers C --racks ...`.
    pub fn with_quorum(seed: u64, n: u32, racks: &[String], controllers: u32) -> Sim {
        let mut sim = Sim::new(seed);
        if controllers != DEFAULT_CONTROLLERS {
            sim.bootstrap_quorum(controllers);
        }
        for b in 1..=n {
            let rack = (!racks.is_empty()).then(|| racks[(b as usize - 1) % racks.len()].as_str());
            sim.start_broker_on_rack(b, rack).expect("fresh broker ids start");
        }
        // Let registrations commit and brokers catch up and be unfenced, as in a running cluster.
        sim.run_for(200);
        sim
    }

    pub fn now(&self) -> Millis {
        self.net.now
    }

    pub(crate) fn log_event(&mut self, event: SimEvent) {
        self.journal.push(JournalEntry { at_ms: self.net.now, event });
    }

    // ----------------------------------------------------------------------------------------
    // The event loop

    /// Runs every event due up to and including `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while self.net.next_event_time().is_some_and(|at| at <= t) {
            self.step_one();
        }
        self.net.now = self.net.now.max(t);
        self.prune_dropped();
    }

    /// Replays to an exact point: every event due before `at`, then those due at `at` until
    /// `events` have been dispatched, then the clock to `at`. A recorded point always has every
    /// earlier event dispatched; a written one (a trace from a tool, a crafted link) whose count
    /// is too small still never leaves an earlier event behind the clock.
    pub fn run_to_point(&mut self, events: u64, at: Millis) {
        while self.net.next_event_time().is_some_and(|t| t < at || (t == at && self.net.processed < events)) {
            self.step_one();
        }
        self.net.now = self.net.now.max(at);
        self.prune_dropped();
    }

    pub fn run_for(&mut self, ms: Millis) {
        self.run_until(self.net.now + ms);
    }

    /// Runs the next event (the clock jumps to it). Returns its time, or None when nothing is queued.
    pub fn step(&mut self) -> Option<Millis> {
        let t = self.net.next_event_time()?;
        self.step_one();
        self.prune_dropped();
        Some(t)
    }

    fn step_one(&mut self) {
        let Some(((at, _), event)) = self.net.pop_next() else {
            return;
        };
        debug_assert!(at >= self.net.now, "time never goes backwards");
        self.net.now = at;
        self.net.processed += 1;
        match event {
            Event::Deliver(msg) => self.deliver(msg),
            Event::Timer(t) => self.on_timer(t),
        }
        if self.net.timers.len() >= self.net.sweep_at {
            self.drop_moot_timers();
        }
    }

    /// Removes the timers whose handler would do nothing when they fire, and can never again do
    /// anything: a fetch or request timeout whose answer came, a purgatory or parked-fetch wait
    /// already completed, a timer of a process that restarted or crashed since. Every fetch and
    /// every request sets one, so without this thousands would wait in the queue (and in every
    /// snapshot). Run when the queue has doubled since the last sweep: amortized O(1) per timer,
    /// and, depending only on the state, the same in every replay.
    pub(crate) fn drop_moot_timers(&mut self) {
        let broker_at = |b: &BrokerId, inc: &u64| self.brokers.get(b).filter(|br| br.incarnation == *inc);
        let live = |t: &Timer| match t {
            Timer::FetchTimeout { broker, incarnation, tp, seq } => broker_at(broker, incarnation)
                .filter(|br| br.is_running())
                .and_then(|br| br.replicas.get(tp))
                .is_some_and(|r| r.fetch_to.is_some() && r.fetch_seq == *seq),
            Timer::FetchWait { broker, incarnation, id, .. } => {
                broker_at(broker, incarnation).is_some_and(|br| br.parked_fetches.contains_key(id))
            }
            Timer::ConsumerFetchWait { broker, incarnation, id } => {
                broker_at(broker, incarnation).is_some_and(|br| br.parked_consumer_fetches.contains_key(id))
            }
            Timer::ProduceWait { broker, incarnation, id } => {
                broker_at(broker, incarnation).is_some_and(|br| br.purgatory.contains_key(id))
            }
            Timer::RequestTimeout { producer, incarnation, req } => self
                .producers
                .get(*producer as usize)
                .filter(|p| p.incarnation == *incarnation)
                .is_some_and(|p| p.in_flight.contains_key(req) || p.txn.as_ref().is_some_and(|t| t.awaits(*req))),
            _ => true,
        };
        let moot: Vec<(Millis, u64)> = self.net.timers.iter().filter(|(_, t)| !live(t)).map(|(&k, _)| k).collect();
        for k in moot {
            self.net.timers.remove(&k);
        }
        self.net.sweep_at = (self.net.timers.len() * 2).max(MIN_SWEEP_TIMERS);
    }

    fn prune_dropped(&mut self) {
        let now = self.net.now;
        let keep_ms = 2 * (self.net.latency_ms + self.net.jitter_ms).max(50);
        self.net.dropped.retain(|d| d.dropped_ms + keep_ms > now);
    }

    fn node_down(&self, node: Node) -> bool {
        match node {
            Node::Controller(c) => self.quorum.nodes.get(&c).is_none_or(|n| !n.is_running()),
            Node::Broker(b) => self.brokers.get(&b).is_none_or(|br| !br.is_running()),
            Node::Producer(p) => self.producers.get(p as usize).is_none_or(|pr| !pr.is_running()),
            Node::Consumer(c) => self.consumers.get(c as usize).is_none_or(|co| !co.is_alive()),
        }
    }

    fn deliver(&mut self, msg: Message) {
        // A client that crashed after sending: its connection closed and the request went nowhere.
        // (A client that closed cleanly still gets its last requests through: commit, LeaveGroup.)
        let crashed_client = match msg.from {
            Node::Producer(p) => self.producers.get(p as usize).is_none_or(|pr| !pr.is_running()),
            Node::Consumer(c) => self
                .consumers
                .get(c as usize)
                .is_none_or(|co| co.status == crate::clients::consumer::ConsumerStatus::Dead),
            _ => false,
        };
        if crashed_client {
            return;
        }
        if self.net.link_cut(msg.from, msg.to) {
            let now = self.net.now;
            self.net.dropped.push(Dropped { message: msg, dropped_ms: now });
            return;
        }
        if self.node_down(msg.to) {
            // A crashed process refuses connections: clients and followers learn at once.
            let bounce = match &msg.payload {
                Payload::Produce { req, tp, .. } => Some(Payload::Disconnected { req: Some(*req), tp: Some(*tp) }),
                Payload::Metadata => Some(Payload::Disconnected { req: None, tp: None }),
                Payload::Fetch { tp, .. } => Some(Payload::Disconnected { req: None, tp: Some(*tp) }),
                Payload::QuorumFetch { .. } => Some(Payload::Disconnected { req: None, tp: None }),
                // The coordinator learns at once that the leader is down and retries later.
                Payload::WriteTxnMarker { tid, tp, producer_id, .. } => Some(Payload::WriteTxnMarkerResponse {
                    tid: *tid,
                    tp: *tp,
                    producer_id: *producer_id,
                    result: Err(ErrorCode::NetworkException),
                }),
                Payload::TxnRequest { req, .. } | Payload::TxnOffsetCommit { req, .. }
                    if matches!(msg.from, Node::Producer(_)) =>
                {
                    Some(Payload::Disconnected { req: Some(*req), tp: None })
                }
                Payload::FindTxnCoordinator { .. } | Payload::FindCoordinator { .. }
                    if matches!(msg.from, Node::Producer(_)) =>
                {
                    Some(Payload::Disconnected { req: None, tp: None })
                }
                // A consumer's request: partition requests name the partition, group ones don't.
                p if matches!(msg.from, Node::Consumer(_)) => Some(Payload::Disconnected { req: None, tp: p.tp() }),
                _ => None,
            };
            if let Some(p) = bounce {
                if !self.node_down(msg.from) {
                    self.net.send(msg.to, msg.from, p);
                }
            }
            return;
        }
        match msg.to {
            Node::Controller(c) => self.quorum_handle(c, msg),
            Node::Broker(b) => self.broker_handle(b, msg),
            Node::Producer(p) => self.producer_handle(p, msg),
            Node::Consumer(c) => self.consumer_handle(c, msg),
        }
    }

    fn on_timer(&mut self, t: Timer) {
        match t {
            Timer::BrokerHeartbeat { broker, incarnation } => self.on_heartbeat_timer(broker, incarnation),
            Timer::SessionCheck { broker } => self.controller_session_check(broker),
            Timer::LeaderImbalanceCheck => self.controller_leader_imbalance_check(),
            Timer::QuorumElection { controller, incarnation, seq } => {
                self.on_quorum_election_timer(controller, incarnation, seq)
            }
            Timer::QuorumCheck { controller, incarnation, epoch } => {
                self.on_quorum_check(controller, incarnation, epoch)
            }
            Timer::QuorumFetchWait { controller, incarnation, from, seq } => {
                self.on_quorum_fetch_wait(controller, incarnation, from, seq)
            }
            Timer::QuorumFetchRetry { controller, incarnation, seq } => {
                self.on_quorum_fetch_retry(controller, incarnation, seq)
            }
            Timer::MetadataFetchTimeout { broker, incarnation, seq } => {
                self.on_metadata_fetch_timeout(broker, incarnation, seq)
            }
            Timer::FetchWait { broker, incarnation, tp, follower, id } => {
                self.on_fetch_wait(broker, incarnation, tp, follower, id)
            }
            Timer::IsrExpiration { broker, incarnation } => self.on_isr_expiration(broker, incarnation),
            Timer::FetchRetry { broker, incarnation, tp } => self.on_fetch_retry(broker, incarnation, tp),
            Timer::FetchTimeout { broker, incarnation, tp, seq } => self.on_fetch_timeout(broker, incarnation, tp, seq),
            Timer::ProduceWait { broker, incarnation, id } => self.on_produce_wait(broker, incarnation, id),
            Timer::RetentionCheck { broker, incarnation } => self.on_retention_check(broker, incarnation),
            Timer::LogCleaner { broker, incarnation } => self.on_log_cleaner(broker, incarnation),
            Timer::ProducerTick { producer, incarnation } => self.on_producer_tick(producer, incarnation),
            Timer::RequestTimeout { producer, incarnation, req } => self.on_request_timeout(producer, incarnation, req),
            Timer::ProducerWake { producer, incarnation } => self.on_producer_wake(producer, incarnation),
            Timer::GroupJoinDeadline { group, seq } => self.on_group_join_deadline(group, seq),
            Timer::MemberSession { group, member } => self.on_member_session(group, &member),
            Timer::ConsumerFetchWait { broker, incarnation, id } => {
                self.on_consumer_fetch_wait(broker, incarnation, id)
            }
            Timer::ConsumerHeartbeat { consumer, incarnation } => self.on_consumer_heartbeat(consumer, incarnation),
            Timer::ConsumerProcessed { consumer, incarnation } => self.on_consumer_processed(consumer, incarnation),
            Timer::ConsumerRetry { consumer, incarnation } => self.on_consumer_retry(consumer, incarnation),
            Timer::TxnCheck => self.on_txn_check(),
            Timer::TxnLogAdvanced { broker, tp } => self.on_txn_log_advanced(broker, tp),
        }
    }

    // ----------------------------------------------------------------------------------------
    // Lookups

    pub fn topic_by_name(&self, name: &str) -> Option<TopicId> {
        self.topics.iter().position(|t| t.name == name && !t.deleted).map(|i| i as TopicId)
    }

    /// Topics that exist now (not deleted), with their ids, in creation order.
    pub fn live_topics(&self) -> impl Iterator<Item = (TopicId, &Topic)> {
        self.topics.iter().enumerate().filter(|(_, t)| !t.deleted).map(|(i, t)| (i as TopicId, t))
    }

    pub fn topic(&self, id: TopicId) -> &Topic {
        &self.topics[id as usize]
    }

    pub fn tp_name(&self, tp: Tp) -> String {
        format!("{}-{}", self.topics[tp.topic as usize].name, tp.partition)
    }

    pub fn producer_by_name(&self, name: &str) -> Option<ProducerIdx> {
        self.producers.iter().position(|p| p.name == name).map(|i| i as ProducerIdx)
    }

    /// Partition metadata as the controller has it (the source of truth for `--describe`).
    pub fn partition(&self, tp: Tp) -> Option<&PartitionMeta> {
        self.controller.partitions.get(&tp)
    }

    /// The log of `tp` on broker `b`, if `b` hosts a replica.
    pub fn replica_log(&self, b: BrokerId, tp: Tp) -> Option<&Log> {
        self.brokers.get(&b)?.replicas.get(&tp).map(|r| &r.log)
    }

    pub fn live_broker_ids(&self) -> Vec<BrokerId> {
        self.brokers.values().filter(|b| b.is_running()).map(|b| b.id).collect()
    }

    /// The rack a broker registered with (`broker.rack`), if any.
    pub fn broker_rack(&self, b: BrokerId) -> Option<String> {
        self.controller.brokers.get(&b).and_then(|r| r.rack.clone()).or_else(|| self.brokers.get(&b)?.rack.clone())
    }

    /// Brokers the controller considers registered and unfenced: where new replicas may go.
    pub fn usable_broker_ids(&self) -> Vec<BrokerId> {
        self.controller.brokers.iter().filter(|(_, r)| !r.fenced).map(|(&b, _)| b).collect()
    }

    // ----------------------------------------------------------------------------------------
    // Broker actions

    /// Starts a broker: restarts a dead or stopped one (its logs survive), or adds a new one.
    pub fn start_broker(&mut self, id: BrokerId) -> ActionResult {
        self.start_broker_on_rack(id, None)
    }

    /// `broker start B --rack R`: as `start_broker`, with `broker.rack=R` (a restart with another
    /// rack registers with it; without one a broker keeps the rack it had).
    pub fn start_broker_on_rack(&mut self, id: BrokerId, rack: Option<&str>) -> ActionResult {
        if let Some(r) = rack {
            if r.is_empty() {
                return Err("Error: --rack takes a rack name.".into());
            }
        }
        if id == 0 {
            return Err("Error: broker ids start at 1 in kafkascope.".into());
        }
        if self.brokers.get(&id).is_some_and(|b| b.is_running()) {
            return Err(format!("Error: broker {id} is already running."));
        }
        let broker = self.brokers.entry(id).or_insert_with(|| Broker::new(id));
        if let Some(r) = rack {
            broker.rack = Some(r.to_string());
        }
        broker.status = BrokerStatus::Running;
        broker.incarnation += 1;
        broker.broker_epoch = 0;
        broker.parked_fetches.clear();
        broker.parked_consumer_fetches.clear();
        broker.purgatory.clear();
        broker.txns.clear();
        broker.txn_loaded.clear();
        // Its metadata cache is rebuilt by replaying the metadata log from the start.
        broker.metadata.clear();
        broker.registrations.clear();
        broker.fenced_brokers.clear();
        broker.metadata_offset = 0;
        broker.metadata_epoch = 0;
        broker.metadata_published = false;
        broker.metadata_fetch_in_flight = false;
        broker.quorum_leader = None;
        for r in broker.replicas.values_mut() {
            r.become_unknown();
        }
        let inc = broker.incarnation;
        self.log_event(SimEvent::BrokerStarted { broker: id });
        self.send_heartbeat(id);
        self.broker_metadata_fetch(id);
        let cfg = &self.config;
        self.net.timer(cfg.broker_heartbeat_interval_ms, Timer::BrokerHeartbeat { broker: id, incarnation: inc });
        self.net.timer(cfg.replica_lag_time_max_ms / 2, Timer::IsrExpiration { broker: id, incarnation: inc });
        self.net.timer(cfg.log_retention_check_interval_ms, Timer::RetentionCheck { broker: id, incarnation: inc });
        self.net.timer(crate::cluster::cleaner::CLEANER_BACKOFF_MS, Timer::LogCleaner { broker: id, incarnation: inc });
        Ok(())
    }

    /// Crashes a broker: no clean shutdown. The controller notices after `broker.session.timeout.ms`.
    /// A process crash: the machine's page cache survives, so its logs lose nothing.
    pub fn kill_broker(&mut self, id: BrokerId) -> ActionResult {
        let Some(b) = self.brokers.get(&id) else {
            return Err(format!("Error: broker {id} does not exist."));
        };
        if !b.is_running() {
            return Err(format!("Error: broker {id} is not running (start it with `broker start {id}`)."));
        }
        self.crash(id);
        self.log_event(SimEvent::BrokerKilled { broker: id });
        Ok(())
    }

    /// The racks brokers have (`broker.rack`), sorted.
    pub fn racks(&self) -> std::collections::BTreeSet<String> {
        self.brokers.keys().filter_map(|&b| self.broker_rack(b)).collect()
    }

    /// The brokers on rack `rack`, by id.
    pub fn rack_brokers(&self, rack: &str) -> Vec<BrokerId> {
        self.brokers.keys().copied().filter(|&b| self.broker_rack(b).as_deref() == Some(rack)).collect()
    }

    /// `rack_brokers`, or an error naming the racks there are.
    fn rack_members(&self, rack: &str) -> Result<Vec<BrokerId>, String> {
        let on = self.rack_brokers(rack);
        if on.is_empty() {
            let racks = self.racks();
            return Err(if racks.is_empty() {
                format!("Error: no broker is on rack {rack}: no broker has a broker.rack (`cluster --brokers N --racks a,b,c`).")
            } else {
                format!(
                    "Error: no broker is on rack {rack} (racks: {}).",
                    racks.into_iter().collect::<Vec<_>>().join(", ")
                )
            });
        }
        Ok(on)
    }

    /// `rack kill R`: the rack fails (its power or its switch): every running broker on it crashes
    /// at the same instant, as `broker kill` each. The journal says which partitions that had a
    /// leader are left with no running in-sync replica off the rack (rack-aware placement leaves
    /// none when RF ≥ the number of racks and the other racks are up).
    pub fn kill_rack(&mut self, rack: &str) -> ActionResult {
        let on = self.rack_members(rack)?;
        let running: Vec<BrokerId> = on.iter().copied().filter(|b| self.brokers[b].is_running()).collect();
        if running.is_empty() {
            return Err(format!("Error: no broker on rack {rack} is running (start them with `rack start {rack}`)."));
        }
        // Partitions that lead now and will have no in-sync replica running off this rack.
        let survives = |r: &BrokerId| !on.contains(r) && self.brokers.get(r).is_some_and(|b| b.is_running());
        let offline: Vec<Tp> = self
            .controller
            .partitions
            .iter()
            .filter(|(_, m)| m.leader.is_some() && !m.isr.iter().any(survives))
            .map(|(&tp, _)| tp)
            .collect();
        self.log_event(SimEvent::RackFailed { rack: rack.to_string(), brokers: running.clone(), offline });
        for b in running {
            self.kill_broker(b)?;
        }
        Ok(())
    }

    /// `rack start R`: every broker on rack R that is down starts again (as `broker start`).
    pub fn start_rack(&mut self, rack: &str) -> ActionResult {
        let down: Vec<BrokerId> =
            self.rack_members(rack)?.into_iter().filter(|b| !self.brokers[b].is_running()).collect();
        if down.is_empty() {
            return Err(format!("Error: every broker on rack {rack} is running."));
        }
        for b in down {
            self.start_broker(b)?;
        }
        Ok(())
    }

    /// `broker kill B --power-loss`: the machine loses power. The process dies as in `kill_broker`
    /// (a broker already down just loses its machine), and the page cache goes with it: each of
    /// its replicas keeps only what had reached disk (`Log::lose_page_cache`). Kafka's log
    /// recovery rebuilds the log from there when the broker starts again, and the broker rejoins
    /// as any restarted broker does (a follower truncates by leader epoch; if it is elected
    /// leader, what it lost is lost for every replica).
    pub fn power_loss(&mut self, id: BrokerId) -> ActionResult {
        let Some(b) = self.brokers.get(&id) else {
            return Err(format!("Error: broker {id} does not exist."));
        };
        let was_running = b.is_running();
        if was_running {
            self.crash(id);
        }
        let now = self.net.now;
        let topics = &self.topics;
        let b = self.brokers.get_mut(&id).expect("checked");
        let mut cuts = Vec::new();
        for (&tp, r) in b.replicas.iter_mut() {
            let leo = r.log.leo();
            let (from, removed) = r.log.lose_page_cache(now, &topics[tp.topic as usize].config);
            if from < leo {
                cuts.push(PowerCut { tp, broker: id, from, to: leo, records: removed.len() as u64, at_ms: now });
            }
        }
        let lost = cuts.iter().map(|c| c.records).sum();
        self.log_event(SimEvent::BrokerPowerLost { broker: id, was_running, records: lost });
        for c in &cuts {
            self.log_event(SimEvent::PowerLossTruncated { broker: id, tp: c.tp, from: c.from, records: c.records });
        }
        self.power_cuts.extend(cuts);
        Ok(())
    }

    /// The process of broker `id` dies (a crash or a power loss): no clean shutdown.
    fn crash(&mut self, id: BrokerId) {
        let b = self.brokers.get_mut(&id).expect("a broker");
        b.status = BrokerStatus::Dead;
        b.incarnation += 1;
        b.parked_fetches.clear();
        b.parked_consumer_fetches.clear();
        b.purgatory.clear();
        // The machine is gone: what it was still sending never arrives.
        let now = self.net.now;
        let lost: Vec<(Millis, u64)> =
            self.net.messages.iter().filter(|(_, m)| m.from == Node::Broker(id)).map(|(&k, _)| k).collect();
        for k in lost {
            if let Some(message) = self.net.messages.remove(&k) {
                self.net.dropped.push(Dropped { message, dropped_ms: now });
            }
        }
    }

    /// Controlled shutdown: the broker asks the controller to move its leaderships away, then stops.
    pub fn stop_broker(&mut self, id: BrokerId) -> ActionResult {
        let Some(b) = self.brokers.get_mut(&id) else {
            return Err(format!("Error: broker {id} does not exist."));
        };
        if b.status != BrokerStatus::Running {
            return Err(format!("Error: broker {id} is not running."));
        }
        b.status = BrokerStatus::ShuttingDown;
        self.log_event(SimEvent::BrokerShutdownRequested { broker: id });
        // KRaft: the request rides on the heartbeat, repeated every interval until answered.
        self.send_heartbeat(id);
        Ok(())
    }

    pub fn isolate_broker(&mut self, id: BrokerId) -> ActionResult {
        if !self.brokers.contains_key(&id) {
            return Err(format!("Error: broker {id} does not exist."));
        }
        if !self.net.isolated.insert(id) {
            return Err(format!("Error: broker {id} is already isolated."));
        }
        self.log_event(SimEvent::BrokerIsolated { broker: id });
        Ok(())
    }

    pub fn heal_broker(&mut self, id: BrokerId) -> ActionResult {
        if !self.net.isolated.remove(&id) {
            return Err(format!("Error: broker {id} is not isolated."));
        }
        self.log_event(SimEvent::BrokerHealed { broker: id });
        Ok(())
    }

    // ----------------------------------------------------------------------------------------
    // Topics

    /// `kafka-topics --create`: the topic's configs checked as `LogConfig.validate`, then the
    /// controller's checks and replica placement (`ReplicationControlManager.createTopic`).
    /// `partitions` / `replication_factor` None take the brokers' `num.partitions` /
    /// `default.replication.factor`; `assignment` overrides Kafka's replica placement. The error is
    /// the exception's message, as `kafka-topics` prints it after `Error while executing topic
    /// command : `.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        assignment: Option<Vec<Vec<BrokerId>>>,
        configs: &[(String, String)],
    ) -> ActionResult {
        self.require_active_controller()?;
        crate::cluster::configs::validate_topic_configs(configs)?;
        validate_topic_name(name)?;
        let collision = |n: &str| n.replace('.', "_");
        if let Some((_, other)) =
            self.live_topics().find(|(_, t)| t.name != name && collision(&t.name) == collision(name))
        {
            return Err(format!("Topic '{name}' collides with existing topic: {}", other.name));
        }
        if self.topic_by_name(name).is_some() {
            return Err(format!("Topic '{name}' already exists."));
        }
        let (default_partitions, default_rf) = self.topic_defaults();
        let assignment = match assignment {
            Some(a) => {
                for (p, replicas) in a.iter().enumerate() {
                    if replicas.is_empty() {
                        return Err("The manual partition assignment includes an empty replica list.".into());
                    }
                    let mut sorted = replicas.clone();
                    crate::sort::sort(&mut sorted);
                    for (i, b) in sorted.iter().enumerate() {
                        if !self.controller.brokers.contains_key(b) {
                            return Err(format!(
                                "The manual partition assignment includes broker {b}, but no such broker is registered."
                            ));
                        }
                        if i > 0 && sorted[i - 1] == *b {
                            return Err(format!(
                                "The manual partition assignment includes the broker {b} more than once."
                            ));
                        }
                    }
                    if p > 0 && replicas.len() != a[0].len() {
                        return Err(format!(
                            "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {} replica(s).",
                            replicas.len(),
                            a[0].len()
                        ));
                    }
                    if !replicas.iter().any(|&b| self.acceptable(b)) {
                        return Err(format!(
                            "All brokers specified in the manual partition assignment for partition {p} are fenced or in controlled shutdown."
                        ));
                    }
                }
                a
            }
            None => {
                let partitions = partitions.unwrap_or(default_partitions);
                let rf = replication_factor.unwrap_or(default_rf);
                if rf == 0 {
                    return Err("The replication factor must be between 1 and 32767 inclusive".into());
                }
                if partitions == 0 {
                    return Err("The partitions must be greater than 0".into());
                }
                self.place_replicas(partitions, rf, 0)?
            }
        };
        let mut overrides = configs.to_vec();
        // Kafka keeps the last value given for a name.
        let mut seen = std::collections::BTreeSet::new();
        overrides.reverse();
        overrides.retain(|(k, _)| seen.insert(k.clone()));
        overrides.reverse();
        let config = self.effective_topic_config(&overrides);
        let topic_id = self.net.rng.uuid_like();
        let id = self.topics.len() as TopicId;
        self.topics.push(Topic {
            name: name.to_string(),
            topic_id,
            partitions: assignment.len() as u32,
            replication_factor: assignment[0].len() as u32,
            config,
            overrides,
            deleted: false,
        });
        // The journal says "created" when its TopicRecord commits (Quorum::narrated_to).
        self.controller_create_partitions(id, 0, assignment);
        if !self.await_metadata_commit() {
            return Err(format!(
                "org.apache.kafka.common.errors.TimeoutException: The controller did not commit the records of topic '{name}' within controller.quorum.request.timeout.ms ({REQ} ms): no majority of the controllers acknowledged them. The topic exists only if a later commit includes them.",
                REQ = crate::cluster::quorum::REQUEST_TIMEOUT_MS
            ));
        }
        self.resubscribe(name, id);
        Ok(())
    }

    /// The KRaft controller's placement checks (`StripedReplicaPlacer`): a replication factor no
    /// larger than the registered brokers (not in controlled shutdown), at least one unfenced.
    /// Replicas go to unfenced brokers (Kafka's rack-unaware round robin); fenced ones are used
    /// only when the factor needs them, last, as the striped placer does.
    fn place_replicas(&mut self, partitions: u32, rf: u32, first: u32) -> ActionResult<Vec<Vec<BrokerId>>> {
        let registered: Vec<BrokerId> =
            self.controller.brokers.iter().filter(|(_, r)| !r.in_controlled_shutdown).map(|(&b, _)| b).collect();
        let usable = self.usable_broker_ids();
        if rf as usize > registered.len() {
            return Err(format!(
                "Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {} broker(s) are registered.",
                registered.len()
            ));
        }
        if usable.is_empty() {
            return Err(format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced."));
        }
        let on_unfenced = (rf as usize).min(usable.len()) as u32;
        let racks: Vec<Option<String>> = usable.iter().map(|b| self.broker_rack(*b)).collect();
        let mut all = if racks.iter().any(Option::is_some) {
            // Rack-aware (KIP-36); a broker without a rack counts as a rack of its own kind.
            let on: Vec<(BrokerId, String)> =
                usable.iter().zip(racks).map(|(&b, r)| (b, r.unwrap_or_default())).collect();
            assign_replicas_rack_aware(&on, first + partitions, on_unfenced, &mut self.net.rng)
        } else {
            assign_replicas(&usable, first + partitions, on_unfenced, &mut self.net.rng)
        };
        let fenced: Vec<BrokerId> = registered.iter().copied().filter(|b| !usable.contains(b)).collect();
        for (p, replicas) in all.iter_mut().enumerate() {
            for k in 0..(rf - on_unfenced) as usize {
                replicas.push(fenced[(p + k) % fenced.len()]);
            }
        }
        Ok(all.into_iter().skip(first as usize).collect())
    }
    /// Clients name topics, not topic ids: producers and consumers still pointing at a deleted
    /// topic of this name now use the new one (as their next metadata refresh would find it).
    fn resubscribe(&mut self, name: &str, id: TopicId) {
        let old: Vec<TopicId> = self
            .topics
            .iter()
            .enumerate()
            .filter(|(_, t)| t.deleted && t.name == name)
            .map(|(i, _)| i as TopicId)
            .collect();
        if old.is_empty() {
            return;
        }
        for p in &mut self.producers {
            if p.topic.is_some_and(|t| old.contains(&t)) {
                p.topic = Some(id);
            }
        }
        for c in &mut self.consumers {
            for t in &mut c.topics {
                if old.contains(t) {
                    *t = id;
                }
            }
            if let Some(app) = c.app.as_mut().filter(|a| old.contains(&a.output)) {
                app.output = id;
            }
        }
    }

    /// `kafka-topics --delete`: the controller removes the topic's partitions from the metadata;
    /// brokers delete their replicas when they apply it (a broker that is down deletes its stray
    /// copies when it comes back and gets the metadata image). The groups reading it rebalance once
    /// their leader's metadata refresh sees it gone (`Consumer::assignment_snapshot`),
    /// their committed offsets for it are gone, and its records leave the ledger's audit (deleted
    /// on purpose, not lost). Producers still sending to it fail with UNKNOWN_TOPIC_OR_PARTITION
    /// once `delivery.timeout.ms` runs out.
    pub fn delete_topic(&mut self, topic: TopicId) -> ActionResult {
        self.require_active_controller()?;
        let t = &self.topics[topic as usize];
        if t.deleted {
            return Err(format!("Topic 'Optional[{}]' does not exist as expected", t.name));
        }
        if is_internal_topic(&t.name) {
            // Kafka 4.0 deletes it (and every group's offsets or every transaction's state with
            // it); the model does not.
            return Err(format!("kafkascope does not model deleting the internal topic {}.", t.name));
        }
        self.topics[topic as usize].deleted = true;
        // The journal says "deleted" when its RemoveTopicRecord commits (Quorum::narrated_to).
        self.controller_delete_topic(topic);
        if !self.await_metadata_commit() {
            let name = &self.topics[topic as usize].name;
            return Err(format!(
                "org.apache.kafka.common.errors.TimeoutException: The controller did not commit the deletion of topic '{name}' within controller.quorum.request.timeout.ms ({} ms): no majority of the controllers acknowledged it. The topic is gone only if a later commit includes it.",
                crate::cluster::quorum::REQUEST_TIMEOUT_MS
            ));
        }
        Ok(())
    }

    /// `broker remove B`: unregisters a broker that is down and holds no replica (as
    /// `kafka-cluster unregister` does in KRaft), and takes it off the picture. A broker that still
    /// holds replicas is refused with the reassignment that moves them away (`emptying_json`).
    pub fn remove_broker(&mut self, id: BrokerId) -> ActionResult {
        self.require_active_controller()?;
        let Some(br) = self.brokers.get(&id) else {
            return Err(format!("Error: broker {id} does not exist."));
        };
        if br.is_running() {
            return Err(format!("Error: broker {id} is running; stop it first (broker stop {id})."));
        }
        let held: Vec<String> = self
            .controller
            .partitions
            .iter()
            .filter(|(_, m)| m.replicas.contains(&id))
            .map(|(&tp, _)| self.tp_name(tp))
            .collect();
        if !held.is_empty() {
            let shown: Vec<&str> = held.iter().take(3).map(String::as_str).collect();
            let more = if held.len() > 3 { format!(" and {} more", held.len() - 3) } else { String::new() };
            let how = match crate::session::reassign::emptying_json(self, id) {
                Some(json) => format!(
                    "Move them to other brokers first, then remove it: kafka-reassign-partitions --execute --reassignment-json '{json}'"
                ),
                None => "No other broker can take them all now (start one, then move them with kafka-reassign-partitions).".to_string(),
            };
            return Err(format!("Error: broker {id} still holds replicas of {}{more}. {how}", shown.join(", ")));
        }
        self.brokers.remove(&id);
        self.controller_unregister(id);
        self.await_metadata_commit();
        self.net.isolated.remove(&id);
        self.net.link_latency.retain(|(a, b), _| *a != Node::Broker(id) && *b != Node::Broker(id));
        self.log_event(SimEvent::BrokerRemoved { broker: id });
        Ok(())
    }

    /// `kafka-topics --alter --partitions N` (`ReplicationControlManager.createPartitions`).
    pub fn add_partitions(&mut self, topic: TopicId, new_count: u32) -> ActionResult {
        self.require_active_controller()?;
        let t = &self.topics[topic as usize];
        if new_count < t.partitions {
            return Err(format!(
                "The topic {} currently has {} partition(s); {new_count} would not be an increase.",
                t.name, t.partitions
            ));
        }
        if new_count == t.partitions {
            return Err(format!("Topic already has {} partition(s).", t.partitions));
        }
        let rf = t.replication_factor;
        let from = t.partitions;
        let added = self.place_replicas(new_count - from, rf, from)?;
        self.topics[topic as usize].partitions = new_count;
        self.log_event(SimEvent::PartitionsAdded { topic, from, to: new_count });
        self.controller_create_partitions(topic, from, added);
        self.await_metadata_commit();
        Ok(())
    }

    pub fn set_link_latency(&mut self, a: Node, b: Node, latency_ms: Millis, jitter_ms: Millis) -> ActionResult {
        for n in [a, b] {
            if let Node::Broker(id) = n {
                if !self.brokers.contains_key(&id) {
                    return Err(format!("Error: broker {id} does not exist."));
                }
            }
        }
        let key = if a <= b { (a, b) } else { (b, a) };
        self.net.link_latency.insert(key, (latency_ms, jitter_ms));
        let name = |n: Node| match n {
            Node::Broker(id) => format!("broker {id}"),
            Node::Controller(c) => format!("controller {c}"),
            Node::Producer(p) => format!("producer {p}"),
            Node::Consumer(c) => format!("consumer {c}"),
        };
        self.log_event(SimEvent::ConfigChanged {
            what: format!("latency between {} and {} {latency_ms} ms ± {jitter_ms} ms", name(a), name(b)),
        });
        Ok(())
    }

    pub fn set_network_latency(&mut self, latency_ms: Millis, jitter_ms: Millis) {
        self.config.network_latency_ms = latency_ms;
        self.config.network_jitter_ms = jitter_ms;
        self.net.latency_ms = latency_ms;
        self.net.jitter_ms = jitter_ms;
        self.log_event(SimEvent::ConfigChanged { what: format!("network latency {latency_ms} ms ± {jitter_ms} ms") });
    }
}

/// Kafka's topic-name rule (`Topic.validate`), with the controller's message.
fn validate_topic_name(name: &str) -> Result<(), String> {
    let why = if name.is_empty() {
        "the empty string is not allowed".to_string()
    } else if name == "." {
        "'.' is not allowed".to_string()
    } else if name == ".." {
        "'..' is not allowed".to_string()
    } else if name.chars().count() > 249 {
        format!("the length of '{name}' is longer than the max allowed length 249")
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        format!("'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")
    } else {
        return Ok(());
    };
    Err(format!("Topic name is invalid: {why}"))
}

/// `Topic.hasCollisionChars`: a `.` or a `_` in the name.
/// Kafka's internal topics (`Topic.isInternal`): the group coordinators' `__consumer_offsets` and
/// the transaction coordinators' `__transaction_state`.
pub fn is_internal_topic(name: &str) -> bool {
    name == crate::coordinators::group::OFFSETS_TOPIC || name == crate::coordinators::txn::TXN_TOPIC
}

pub fn has_collision_chars(name: &str) -> bool {
    name.contains('.') || name.contains('_')
}

/// Kafka's rack-unaware replica placement (`AdminUtils.assignReplicasToBrokersRackUnaware`), with
/// the random start index and replica shift drawn from the seeded RNG.
pub fn assign_replicas(
    brokers: &[BrokerId],
    partitions: u32,
    rf: u32,
    rng: &mut crate::rng::Rng,
) -> Vec<Vec<BrokerId>> {
    let n = brokers.len();
    assert!(n > 0 && rf as usize <= n);
    placement_rounds(n, partitions, rng)
        .map(|(first, shift)| {
            let mut replicas = vec![brokers[first]];
            replicas.extend((0..rf as usize - 1).map(|j| brokers[replica_index(first, shift, j, n)]));
            replicas
        })
        .collect()
}

/// Per partition, the index of its first replica and the shift of the others: a random start
/// and shift, the shift growing by one after each round over the `n` brokers (both placements
/// of `AdminUtils`).
fn placement_rounds(n: usize, partitions: u32, rng: &mut crate::rng::Rng) -> impl Iterator<Item = (usize, usize)> {
    let start_index = rng.below(n as u64) as usize;
    let next_replica_shift = rng.below(n as u64) as usize;
    (0..partitions as usize).map(move |p| ((p + start_index) % n, next_replica_shift + p / n))
}

/// `AdminUtils.replicaIndex`: the broker index of the `j`th replica after the first.
fn replica_index(first: usize, second_shift: usize, j: usize, n: usize) -> usize {
    let shift = 1 + (second_shift + j) % (n - 1).max(1);
    (first + shift) % n
}

/// Kafka's rack-aware replica placement (`AdminUtils.assignReplicasToBrokersRackAware`, KIP-36):
/// brokers listed alternating by rack (racks sorted, brokers by id within each), a random start
/// and shift as in the rack-unaware placement, and each further replica on the next broker whose
/// rack (and broker) holds no replica yet, until every rack (every broker) has one.
pub fn assign_replicas_rack_aware(
    brokers: &[(BrokerId, String)],
    partitions: u32,
    rf: u32,
    rng: &mut crate::rng::Rng,
) -> Vec<Vec<BrokerId>> {
    let mut by_rack: std::collections::BTreeMap<&str, Vec<BrokerId>> = Default::default();
    for (b, r) in brokers {
        by_rack.entry(r.as_str()).or_default().push(*b);
    }
    for ids in by_rack.values_mut() {
        crate::sort::sort(ids);
    }
    let racks: Vec<&str> = by_rack.keys().copied().collect();
    let num_racks = racks.len();
    let mut cursor = vec![0usize; num_racks];
    let mut arranged: Vec<BrokerId> = Vec::with_capacity(brokers.len());
    let mut i = 0;
    while arranged.len() < brokers.len() {
        let ids = &by_rack[racks[i]];
        if cursor[i] < ids.len() {
            arranged.push(ids[cursor[i]]);
            cursor[i] += 1;
        }
        i = (i + 1) % num_racks;
    }
    let rack_of = |b: BrokerId| brokers.iter().find(|(x, _)| *x == b).map(|(_, r)| r.as_str()).unwrap_or("");
    let n = arranged.len();
    assert!(n > 0 && rf as usize <= n);
    let mut out = Vec::with_capacity(partitions as usize);
    for (first, next_replica_shift) in placement_rounds(n, partitions, rng) {
        let leader = arranged[first];
        let mut replicas = vec![leader];
        let mut racks_with: Vec<&str> = vec![rack_of(leader)];
        let mut k = 0;
        for _ in 0..rf.saturating_sub(1) {
            loop {
                let b = arranged[replica_index(first, next_replica_shift * num_racks, k, n)];
                let rack = rack_of(b);
                k += 1;
                let rack_ok = !racks_with.contains(&rack) || racks_with.len() == num_racks;
                let broker_ok = !replicas.contains(&b) || replicas.len() == n;
                if rack_ok && broker_ok {
                    replicas.push(b);
                    if !racks_with.contains(&rack) {
                        racks_with.push(rack);
                    }
                    break;
                }
            }
        }
        out.push(replicas);
    }
    out
}

//! Consumers: the classic group protocol's client side (find the coordinator, join, sync,
//! heartbeat, leave), eager and cooperative rebalances, the poll loop with `max.poll.records` and a
//! processing time per record, offset commits (auto, or manual before/after processing), and
//! `auto.offset.reset`. Every processed record is counted per group, so the model can say which
//! records were processed once, twice or never (section 4 of the reference).

use crate::clients::assignor::{
    assign, cooperative_assign, rebalance_protocol, MemberSub, RebalanceProtocol, Strategy, DEFAULT_STRATEGIES,
};
use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::sim::{ActionResult, Sim};
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// When offsets are committed (the delivery-semantics demos).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitMode {
    /// `enable.auto.commit=true`: the position is committed every `auto.commit.interval.ms` during
    /// poll(), before a rebalance and on close.
    Auto,
    /// commitSync() right after poll(), then process: at-most-once.
    BeforeProcessing,
    /// process, then commitSync(): at-least-once.
    AfterProcessing,
}

impl CommitMode {
    pub fn name(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::BeforeProcessing => "before",
            CommitMode::AfterProcessing => "after",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerConfig {
    pub strategies: Vec<Strategy>,
    pub group_instance_id: Option<String>,
    pub auto_commit_interval_ms: Millis,
    pub auto_offset_reset: OffsetReset,
    pub session_timeout_ms: Millis,
    pub heartbeat_interval_ms: Millis,
    pub max_poll_interval_ms: Millis,
    pub max_poll_records: u32,
    pub retry_backoff_ms: Millis,
    pub request_timeout_ms: Millis,
    /// Simulator knobs: time to process one record, and when to commit.
    pub processing_ms: Millis,
    pub commit: CommitMode,
    /// `isolation.level=read_committed`: read below the last stable offset, skip aborted records.
    pub read_committed: bool,
    /// `metadata.max.age.ms`: how often the client refreshes its metadata (a group leader that
    /// sees a subscribed topic change then rejoins).
    #[serde(default = "metadata_max_age_default")]
    pub metadata_max_age_ms: Millis,
    /// Every `--consumer-property` as given (Kafka's `originals()`), for `consumer describe`.
    #[serde(default)]
    pub props: Vec<(String, String)>,
}

fn metadata_max_age_default() -> Millis {
    300_000
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            strategies: DEFAULT_STRATEGIES.to_vec(),
            group_instance_id: None,
            auto_commit_interval_ms: 5000,
            auto_offset_reset: OffsetReset::Latest,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            processing_ms: 0,
            commit: CommitMode::Auto,
            read_committed: false,
            metadata_max_age_ms: 300_000,
            props: Vec::new(),
        }
    }
}

/// What `new KafkaConsumer(…)` throws when a check inside its constructor fails (the cause follows).
const CONSTRUCT: &str = "org.apache.kafka.common.KafkaException: Failed to construct kafka consumer";

/// Builds a consumer config from `--consumer-property K=V` pairs exactly as `ConsumerConfig`
/// does: every value parsed and validated by its definition (`configs::client::CONSUMER`);
/// unknown names are accepted, as Kafka does (it only logs them). `partition.assignment.strategy`
/// takes Kafka's class names, or kafkascope's short names (`range`, `roundrobin`, `sticky`,
/// `cooperative-sticky`). The checks Kafka makes later (the heartbeat thread, the broker's
/// JoinGroup limits) refuse here with the exception the client would throw.
pub fn consumer_config(props: &[(String, String)]) -> Result<ConsumerConfig, String> {
    use crate::configs::{client::CONSUMER, find, Value};
    let ce = |m: String| format!("org.apache.kafka.common.config.ConfigException: {m}");
    let mut c = ConsumerConfig { props: props.to_vec(), ..ConsumerConfig::default() };
    let mut auto_commit = true;
    for (k, v) in props {
        let Some(key) = find(CONSUMER, k) else { continue };
        let value = key.parse(v).map_err(ce)?;
        let int = || value.as_int().unwrap_or(0).max(0) as u64;
        match k.as_str() {
            "partition.assignment.strategy" => {
                let Value::List(names) = &value else { continue };
                let mut list = Vec::new();
                for name in names {
                    list.push(Strategy::from_name(name).ok_or_else(|| {
                        format!(
                            "{CONSTRUCT}\nCaused by: org.apache.kafka.common.KafkaException: {name} ClassNotFoundException exception occurred"
                        )
                    })?);
                }
                if list.is_empty() {
                    return Err("java.lang.IllegalStateException: User configured partition.assignment.strategy to empty while trying to subscribe for group protocol to auto assign partitions".into());
                }
                c.strategies = list;
            }
            "group.instance.id" => c.group_instance_id = value.as_str().map(String::from),
            "enable.auto.commit" => auto_commit = value.as_bool().unwrap_or(true),
            "auto.commit.interval.ms" => c.auto_commit_interval_ms = int().max(1),
            "auto.offset.reset" => {
                c.auto_offset_reset = match value.as_str() {
                    Some("earliest") => OffsetReset::Earliest,
                    Some("none") => OffsetReset::None,
                    _ => OffsetReset::Latest,
                }
            }
            "session.timeout.ms" => c.session_timeout_ms = int(),
            "heartbeat.interval.ms" => c.heartbeat_interval_ms = int().max(1),
            "max.poll.interval.ms" => c.max_poll_interval_ms = int().max(1),
            "max.poll.records" => c.max_poll_records = (int() as u32).max(1),
            "request.timeout.ms" => c.request_timeout_ms = int().max(1),
            "retry.backoff.ms" => c.retry_backoff_ms = int(),
            "metadata.max.age.ms" => c.metadata_max_age_ms = int(),
            "isolation.level" => c.read_committed = value.as_str() == Some("read_committed"),
            _ => {}
        }
    }
    if props.iter().any(|(k, v)| k == "group.remote.assignor" && !v.trim().is_empty())
        && !props.iter().any(|(k, v)| k == "group.protocol" && v.trim().eq_ignore_ascii_case("consumer"))
    {
        return Err(ce("group.remote.assignor cannot be set when group.protocol=CLASSIC".into()));
    }
    if c.heartbeat_interval_ms >= c.session_timeout_ms {
        return Err(format!("{CONSTRUCT}\nCaused by: java.lang.IllegalArgumentException: Heartbeat must be set lower than the session timeout"));
    }
    if !(6000..=1_800_000).contains(&c.session_timeout_ms) {
        return Err("org.apache.kafka.common.errors.InvalidSessionTimeoutException: The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).".into());
    }
    if !auto_commit && c.commit == CommitMode::Auto {
        c.commit = CommitMode::AfterProcessing;
    }
    Ok(c)
}

/// The "ConsumerConfig values:" block the client logs when it starts: every config, given or
/// default, with the group and client id it was started with.
pub fn consumer_values(sim: &Sim, c: &Consumer) -> Vec<String> {
    use crate::configs::{client::CONSUMER, find, values, values_block, Value};
    let cfg = &c.config;
    let mut given: Vec<(String, Value)> =
        cfg.props.iter().filter_map(|(k, v)| Some((k.clone(), find(CONSUMER, k)?.parse(v).ok()?))).collect();
    // kafkascope's short strategy names stand for Kafka's class names.
    if cfg.props.iter().any(|(k, _)| k == "partition.assignment.strategy") {
        let classes = cfg.strategies.iter().map(|s| s.class_name().to_string()).collect();
        given.push(("partition.assignment.strategy".into(), Value::List(classes)));
    }
    let servers: Vec<String> = sim.brokers.keys().map(|b| format!("broker{b}:9092")).collect();
    given.push(("bootstrap.servers".into(), Value::List(servers)));
    given.push(("group.id".into(), Value::Str(c.group_name.clone())));
    given.push(("client.id".into(), Value::Str(c.client_id.clone())));
    given.push(("enable.auto.commit".into(), Value::Bool(cfg.commit == CommitMode::Auto)));
    let deserializer = "org.apache.kafka.common.serialization.StringDeserializer";
    for k in ["key.deserializer", "value.deserializer"] {
        if !cfg.props.iter().any(|(p, _)| p == k) {
            given.push((k.into(), Value::Class(deserializer.into())));
        }
    }
    values_block("ConsumerConfig", &values(CONSUMER, &given))
}

/// A member's owned partitions in the order the group leader's assignor reads them: the consumer
/// protocol sorts `ownedPartitions` by topic and partition (`cooperative-sticky`); the eager
/// `sticky` assignor's userData groups them by topic in the order of a `HashMap` of topic names.
fn claim_order(strategy: Strategy, mut owned: Vec<(String, u32)>) -> Vec<(String, u32)> {
    match strategy {
        Strategy::Sticky => {
            let mut names: Vec<&str> = Vec::new();
            for (t, _) in &owned {
                if !names.contains(&t.as_str()) {
                    names.push(t);
                }
            }
            let order = crate::clients::assignor::jdk_hash_map_order(&names);
            let mut grouped = Vec::with_capacity(owned.len());
            for t in order {
                grouped.extend(owned.iter().filter(|(x, _)| x == t).cloned());
            }
            grouped
        }
        _ => {
            crate::sort::sort_by(&mut owned, |a, b| {
                crate::clients::assignor::java_string_cmp(&a.0, &b.0).then(a.1.cmp(&b.1))
            });
            owned
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsumerStatus {
    Running,
    /// `consumer pause`: the application stopped calling poll() (heartbeats go on).
    Paused,
    Stopped,
    Dead,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberState {
    /// Looking for the group coordinator.
    FindingCoordinator,
    Joining,
    Syncing,
    Stable,
    /// Left the group (max.poll.interval.ms exceeded while not polling); rejoins on the next poll.
    Left,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            MemberState::FindingCoordinator => "finding coordinator",
            MemberState::Joining => "joining",
            MemberState::Syncing => "syncing",
            MemberState::Stable => "stable",
            MemberState::Left => "left the group",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Consumer {
    pub client_id: String,
    pub group: Sym,
    pub group_name: String,
    pub topics: Vec<TopicId>,
    pub config: ConsumerConfig,
    pub status: ConsumerStatus,
    pub incarnation: u64,
    pub state: MemberState,
    pub coordinator: Option<BrokerId>,
    pub member_id: Option<String>,
    pub generation: i32,
    /// Partitions assigned (owned) now.
    pub assigned: Vec<Tp>,
    /// What the last generation assigned, kept across an eager revoke: the eager `sticky`
    /// assignor sends it in the subscription's userData so assignments stay sticky.
    pub previous: Vec<Tp>,
    pub previous_generation: i32,
    /// Next offset to return from poll(), per owned partition (None until known).
    pub positions: BTreeMap<Tp, u64>,
    /// What this consumer last committed successfully, per partition.
    pub committed: BTreeMap<Tp, u64>,
    /// Records fetched but not yet returned by poll().
    pub buffer: VecDeque<Record>,
    pub buffered_tp: VecDeque<Tp>,
    /// The batch poll() returned, being processed one record at a time.
    pub batch: VecDeque<(Tp, Record)>,
    pub processing_until: Option<Millis>,
    /// Partitions with a fetch (or ListOffsets) in flight, and when it was sent.
    pub fetching: BTreeMap<Tp, Millis>,
    pub leaders: BTreeMap<Tp, BrokerId>,
    /// When the application last called poll() (for max.poll.interval.ms).
    pub last_poll_ms: Millis,
    pub next_auto_commit_ms: Millis,
    /// A commit in flight: request id and whether the poll loop waits for it (commitSync).
    pub commit_in_flight: Option<(u64, bool)>,
    /// When the commit in flight was sent (it is given up after `request.timeout.ms`).
    pub commit_sent_ms: Millis,
    /// A commitSync that failed on a coordinator error: sent again once the coordinator is found
    /// (commitSync retries retriable errors).
    pub recommit: bool,
    pub needs_rejoin: bool,
    /// The last offset processed per partition since it was assigned (ordering invariant).
    pub last_processed: BTreeMap<Tp, u64>,
    next_req: u64,
    bootstrap_cursor: usize,
    retry_scheduled: bool,
    /// A read-process-write app: the producer its outputs go through.
    pub app: Option<crate::clients::processor::AppLink>,
    /// Partitions whose `auto.offset.reset` lookup (ListOffsets) failed: looked up again on retry.
    pub reset_pending: Vec<Tp>,
    /// Partitions whose committed offset is being fetched (OffsetFetch); fetched again on retry
    /// when the answer was an error (coordinator moved, UNSTABLE_OFFSET_COMMIT).
    pub offsets_fetching: Vec<Tp>,
    /// When the last FindCoordinator / JoinGroup went out (their answers can be lost with a
    /// crashed broker: they are sent again after `request.timeout.ms` / the rebalance timeout).
    pub find_sent_ms: Millis,
    pub join_sent_ms: Millis,
    /// A JoinGroup is out and unanswered: a retry does not send a second one (two JoinGroups in
    /// flight would keep restarting each other's rebalance).
    #[serde(default)]
    pub join_pending: bool,
    /// Taken off the picture (`consumer remove`, or its group was deleted); starting it again
    /// brings it back.
    #[serde(default)]
    pub removed: bool,
    /// The metadata the leader computed the group's assignment from (`assignmentSnapshot`; None
    /// on other members): when a refresh differs from it, the leader rejoins.
    #[serde(default)]
    pub assignment_snapshot: Option<BTreeMap<String, (TopicId, u32)>>,
    /// The topics the client keeps metadata for.
    #[serde(default)]
    pub watched: Vec<String>,
    /// When the metadata was last refreshed, and whether an error asked for a refresh sooner.
    #[serde(default)]
    pub metadata_ms: Millis,
    #[serde(default)]
    pub metadata_stale: bool,
}

impl Consumer {
    pub fn is_alive(&self) -> bool {
        !matches!(self.status, ConsumerStatus::Dead | ConsumerStatus::Stopped)
    }

    fn protocol(&self) -> RebalanceProtocol {
        rebalance_protocol(&self.config.strategies).unwrap_or(RebalanceProtocol::Eager)
    }
}

impl Sim {
    pub fn consumer_by_id(&self, client_id: &str) -> Option<ConsumerIdx> {
        self.consumers.iter().position(|c| c.client_id == client_id).map(|i| i as ConsumerIdx)
    }

    /// `consumer remove CLIENT_ID`: close() it if it runs (commit, LeaveGroup), then take it off
    /// the picture.
    pub fn remove_consumer(&mut self, idx: ConsumerIdx) -> ActionResult {
        let c = &self.consumers[idx as usize];
        if c.removed {
            return Err(format!("Error: no consumer with client id {}.", c.client_id));
        }
        if c.app.is_some() {
            return Err(format!("Error: consumer {} belongs to a processor; use `processor remove`.", c.client_id));
        }
        if c.is_alive() {
            self.stop_consumer(idx, false)?;
        }
        let c = &mut self.consumers[idx as usize];
        c.removed = true;
        let what = format!("Consumer {}", c.client_id);
        self.log_event(SimEvent::ClientRemoved { what });
        Ok(())
    }

    /// `consumer start CLIENT_ID --group G --topic T`.
    pub fn start_consumer(
        &mut self,
        client_id: &str,
        group: &str,
        topics: &[TopicId],
        config: ConsumerConfig,
    ) -> ActionResult<ConsumerIdx> {
        if let Some(i) = self.consumer_by_id(client_id) {
            if self.consumers[i as usize].is_alive() {
                return Err(format!("Error: consumer {client_id} is already running."));
            }
        }
        if let Some(other) = self.consumers.iter().find(|c| {
            c.is_alive()
                && c.group_name == group
                && c.config.group_instance_id.is_some()
                && c.config.group_instance_id == config.group_instance_id
        }) {
            return Err(format!(
                "Error: group.instance.id {} is already used by consumer {} in group {group} (FENCED_INSTANCE_ID).",
                config.group_instance_id.as_deref().unwrap_or(""),
                other.client_id
            ));
        }
        let sym = self.interner.intern(group);
        let now = self.net.now;
        let consumer = Consumer {
            client_id: client_id.to_string(),
            group: sym,
            group_name: group.to_string(),
            topics: topics.to_vec(),
            config,
            status: ConsumerStatus::Running,
            incarnation: 1,
            state: MemberState::FindingCoordinator,
            coordinator: None,
            member_id: None,
            generation: -1,
            assigned: Vec::new(),
            previous: Vec::new(),
            previous_generation: -1,
            positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            buffer: VecDeque::new(),
            buffered_tp: VecDeque::new(),
            batch: VecDeque::new(),
            processing_until: None,
            fetching: BTreeMap::new(),
            leaders: BTreeMap::new(),
            last_poll_ms: now,
            next_auto_commit_ms: now,
            commit_in_flight: None,
            commit_sent_ms: 0,
            recommit: false,
            needs_rejoin: false,
            last_processed: BTreeMap::new(),
            next_req: 0,
            bootstrap_cursor: 0,
            retry_scheduled: false,
            app: None,
            reset_pending: Vec::new(),
            offsets_fetching: Vec::new(),
            find_sent_ms: now,
            join_sent_ms: now,
            join_pending: false,
            removed: false,
            assignment_snapshot: None,
            watched: topics.iter().map(|&t| self.topics[t as usize].name.clone()).collect(),
            metadata_ms: now,
            metadata_stale: false,
        };
        let idx = match self.consumer_by_id(client_id) {
            Some(i) => {
                let inc = self.consumers[i as usize].incarnation + 1;
                self.consumers[i as usize] = Consumer { incarnation: inc, ..consumer };
                i
            }
            None => {
                self.consumers.push(consumer);
                (self.consumers.len() - 1) as ConsumerIdx
            }
        };
        self.log_event(SimEvent::ConsumerStarted { consumer: idx });
        self.find_coordinator(idx);
        let c = &self.consumers[idx as usize];
        let (inc, every) = (c.incarnation, c.config.heartbeat_interval_ms);
        self.net.timer(every, Timer::ConsumerHeartbeat { consumer: idx, incarnation: inc });
        Ok(idx)
    }

    /// `consumer stop` (close(): commit if auto-commit, then LeaveGroup) and `consumer kill` (crash).
    pub fn stop_consumer(&mut self, idx: ConsumerIdx, kill: bool) -> ActionResult {
        let c = &self.consumers[idx as usize];
        if !c.is_alive() {
            return Err(format!("Error: consumer {} is not running.", c.client_id));
        }
        if !kill {
            if c.config.commit == CommitMode::Auto {
                self.commit_positions(idx, false);
            }
            let c = &self.consumers[idx as usize];
            // Static members do not send LeaveGroup on close: the group waits session.timeout.ms
            // for them to come back (KIP-345).
            if let (Some(coord), Some(member), None) = (c.coordinator, c.member_id.clone(), &c.config.group_instance_id)
            {
                let group = c.group;
                self.net.send(
                    Node::Consumer(idx),
                    Node::Broker(coord),
                    Payload::LeaveGroup { group, member_id: member },
                );
            }
        }
        let c = &mut self.consumers[idx as usize];
        c.status = if kill { ConsumerStatus::Dead } else { ConsumerStatus::Stopped };
        c.incarnation += 1;
        c.batch.clear();
        c.buffer.clear();
        c.buffered_tp.clear();
        c.processing_until = None;
        self.log_event(SimEvent::ConsumerStopped { consumer: idx, killed: kill });
        Ok(())
    }

    pub fn pause_consumer(&mut self, idx: ConsumerIdx, pause: bool) -> ActionResult {
        let c = &mut self.consumers[idx as usize];
        match (c.status, pause) {
            (ConsumerStatus::Running, true) => c.status = ConsumerStatus::Paused,
            (ConsumerStatus::Paused, false) => c.status = ConsumerStatus::Running,
            (ConsumerStatus::Paused, true) => {
                return Err(format!("Error: consumer {} is already paused.", c.client_id))
            }
            (ConsumerStatus::Running, false) => return Err(format!("Error: consumer {} is not paused.", c.client_id)),
            _ => return Err(format!("Error: consumer {} is not running.", c.client_id)),
        }
        self.log_event(SimEvent::ConsumerPaused { consumer: idx, paused: pause });
        if !pause {
            self.poll(idx);
        }
        Ok(())
    }

    pub(crate) fn send_to_coordinator(&mut self, idx: ConsumerIdx, payload: Payload) {
        match self.consumers[idx as usize].coordinator {
            Some(b) => self.net.send(Node::Consumer(idx), Node::Broker(b), payload),
            None => self.find_coordinator(idx),
        }
    }

    fn find_coordinator(&mut self, idx: ConsumerIdx) {
        let ids: Vec<BrokerId> = self.brokers.keys().copied().collect();
        let c = &mut self.consumers[idx as usize];
        if !c.is_alive() || ids.is_empty() {
            return;
        }
        c.coordinator = None;
        c.join_pending = false;
        // A stable member keeps its generation and goes on with the new coordinator; others rejoin.
        if !matches!(c.state, MemberState::Left | MemberState::Stable) {
            c.state = MemberState::FindingCoordinator;
        }
        let b = ids[c.bootstrap_cursor % ids.len()];
        let group = c.group;
        c.find_sent_ms = self.net.now;
        self.net.send(Node::Consumer(idx), Node::Broker(b), Payload::FindCoordinator { group });
    }

    fn retry_later(&mut self, idx: ConsumerIdx) {
        let c = &mut self.consumers[idx as usize];
        if c.retry_scheduled || !c.is_alive() {
            return;
        }
        c.retry_scheduled = true;
        let (inc, backoff) = (c.incarnation, c.config.retry_backoff_ms.max(100));
        self.net.timer(backoff, Timer::ConsumerRetry { consumer: idx, incarnation: inc });
    }

    pub(crate) fn on_consumer_retry(&mut self, idx: ConsumerIdx, incarnation: u64) {
        let c = &mut self.consumers[idx as usize];
        if c.incarnation != incarnation || !c.is_alive() {
            return;
        }
        c.retry_scheduled = false;
        if c.coordinator.is_none() && c.state != MemberState::Left {
            self.find_coordinator(idx);
            return;
        }
        match c.state {
            MemberState::FindingCoordinator => self.find_coordinator(idx),
            MemberState::Joining if !c.join_pending => self.join(idx),
            MemberState::Joining => {}
            _ => {
                let refetch: Vec<Tp> = std::mem::take(&mut c.offsets_fetching)
                    .into_iter()
                    .filter(|tp| c.assigned.contains(tp) && !c.positions.contains_key(tp))
                    .collect();
                if !refetch.is_empty() {
                    self.fetch_committed(idx, refetch);
                }
                let c = &mut self.consumers[idx as usize];
                let redo = std::mem::take(&mut c.reset_pending);
                for tp in redo {
                    let c = &self.consumers[idx as usize];
                    if c.assigned.contains(&tp) && !c.positions.contains_key(&tp) && !c.fetching.contains_key(&tp) {
                        self.reset_offset(idx, tp);
                    }
                }
                self.poll(idx)
            }
        }
    }

    fn join(&mut self, idx: ConsumerIdx) {
        let c = &mut self.consumers[idx as usize];
        if !c.is_alive() {
            return;
        }
        c.state = MemberState::Joining;
        c.join_pending = true;
        c.needs_rejoin = false;
        c.join_sent_ms = self.net.now;
        let (owned, owned_generation) = if c.protocol() == RebalanceProtocol::Eager {
            (c.previous.clone(), c.previous_generation)
        } else {
            (c.assigned.clone(), if c.assigned.is_empty() { -1 } else { c.generation })
        };
        let join = JoinRequest {
            member_id: c.member_id.clone(),
            client: idx,
            client_id: c.client_id.clone(),
            instance_id: c.config.group_instance_id.clone(),
            strategies: c.config.strategies.clone(),
            topics: c.topics.clone(),
            owned_generation,
            owned,
            session_timeout_ms: c.config.session_timeout_ms,
            rebalance_timeout_ms: c.config.max_poll_interval_ms,
        };
        let group = c.group;
        self.send_to_coordinator(idx, Payload::JoinGroup { group, join });
    }

    /// Before rejoining: eager consumers give up everything (committing first with auto-commit);
    /// cooperative ones keep their partitions.
    /// The consumer's metadata no longer matches what the group was assigned from (a topic it
    /// reads was deleted or created again): it rejoins now, or at its next poll() if the
    /// application is busy or paused.
    pub(crate) fn consumer_metadata_changed(&mut self, idx: ConsumerIdx) {
        let c = &mut self.consumers[idx as usize];
        c.needs_rejoin = true;
        if c.status == ConsumerStatus::Running && matches!(c.state, MemberState::Stable | MemberState::Syncing) {
            self.prepare_rejoin(idx);
        }
    }

    /// The cluster's metadata of these topics, as a metadata answer gives it (deleted topics left
    /// out). The model reads the controller's view: it stands for the answer of any broker.
    fn metadata_of(&self, topics: &[String]) -> BTreeMap<String, (TopicId, u32)> {
        topics
            .iter()
            .filter_map(|name| {
                self.topic_by_name(name).map(|t| (name.clone(), (t, self.topics[t as usize].partitions)))
            })
            .collect()
    }

    /// The client's metadata refresh (`metadata.max.age.ms`, or sooner after a fetch error), then
    /// `ConsumerCoordinator.rejoinNeededOrPending`: a leader whose refreshed metadata differs from
    /// what it assigned from rejoins. Checked at poll() and at every heartbeat tick.
    pub(crate) fn consumer_check_metadata(&mut self, idx: ConsumerIdx) {
        let now = self.net.now;
        let c = &self.consumers[idx as usize];
        // Due at metadata.max.age.ms; while a watched topic is missing, again after
        // retry.backoff.ms (Kafka's metadata backoff), not at every poll and heartbeat.
        let due = if c.metadata_stale { c.config.retry_backoff_ms } else { c.config.metadata_max_age_ms };
        if now < c.metadata_ms + due {
            return;
        }
        let snapshot = self.metadata_of(&c.watched);
        let c = &mut self.consumers[idx as usize];
        c.metadata_ms = now;
        // A subscribed topic the cluster does not know keeps the client asking (Kafka's consumer
        // re-requests metadata while a topic answers UNKNOWN_TOPIC_OR_PARTITION).
        c.metadata_stale = c.watched.iter().any(|t| !snapshot.contains_key(t));
        let Some(assigned_from) = c.assignment_snapshot.take() else { return };
        if assigned_from == snapshot {
            c.assignment_snapshot = Some(assigned_from);
            return;
        }
        let mut changes = Vec::new();
        for (name, &(t, n)) in &snapshot {
            match assigned_from.get(name) {
                None => changes.push(format!("{name} appeared ({n} partitions)")),
                Some(&(old_t, _)) if old_t != t => changes.push(format!("{name} was created again ({n} partitions)")),
                Some(&(_, old_n)) if old_n != n => changes.push(format!("{name} now has {n} partitions (was {old_n})")),
                _ => {}
            }
        }
        for name in assigned_from.keys().filter(|n| !snapshot.contains_key(*n)) {
            changes.push(format!("{name} was deleted"));
        }
        c.assignment_snapshot = None;
        self.log_event(SimEvent::MetadataChanged { consumer: idx, what: changes.join(", ") });
        self.consumer_metadata_changed(idx);
    }

    fn prepare_rejoin(&mut self, idx: ConsumerIdx) {
        let c = &self.consumers[idx as usize];
        if c.protocol() == RebalanceProtocol::Eager && !c.assigned.is_empty() {
            if c.config.commit == CommitMode::Auto {
                self.commit_positions(idx, false);
            }
            let revoked = self.consumers[idx as usize].assigned.clone();
            self.revoke(idx, &revoked);
        }
        self.join(idx);
    }

    fn revoke(&mut self, idx: ConsumerIdx, tps: &[Tp]) {
        if tps.is_empty() {
            return;
        }
        let c = &mut self.consumers[idx as usize];
        c.assigned.retain(|tp| !tps.contains(tp));
        for tp in tps {
            c.positions.remove(tp);
            c.fetching.remove(tp);
            c.last_processed.remove(tp);
        }
        // Records of revoked partitions still buffered are dropped (they will be fetched by the
        // new owner from the committed offset).
        let keep: Vec<(Record, Tp)> =
            c.buffer.drain(..).zip(c.buffered_tp.drain(..)).filter(|(_, tp)| !tps.contains(tp)).collect();
        for (r, tp) in keep {
            c.buffer.push_back(r);
            c.buffered_tp.push_back(tp);
        }
        // The application stops work on revoked partitions (as an onPartitionsRevoked listener
        // would): their unprocessed records go to the new owner from the committed offset.
        c.batch.retain(|(tp, _)| !tps.contains(tp));
        let revoked = tps.to_vec();
        self.log_event(SimEvent::PartitionsRevoked { consumer: idx, tps: revoked });
        self.app_revoked(idx);
    }

    pub(crate) fn consumer_handle(&mut self, idx: ConsumerIdx, msg: Message) {
        let from = msg.from;
        if !self.consumers[idx as usize].is_alive() {
            return;
        }
        match msg.payload {
            Payload::FindCoordinatorResponse { result, .. } => match result {
                Ok(b) => {
                    let c = &mut self.consumers[idx as usize];
                    c.coordinator = Some(b);
                    let refetch: Vec<Tp> = c
                        .offsets_fetching
                        .iter()
                        .copied()
                        .filter(|tp| c.assigned.contains(tp) && !c.positions.contains_key(tp))
                        .collect();
                    if !refetch.is_empty() {
                        self.fetch_committed(idx, refetch); // the OffsetFetch found no coordinator
                    }
                    let c = &mut self.consumers[idx as usize];
                    if std::mem::take(&mut c.recommit) {
                        self.commit_positions(idx, true);
                        if self.consumers[idx as usize].commit_in_flight.is_none() {
                            self.poll(idx);
                        }
                    }
                    let c = &mut self.consumers[idx as usize];
                    if c.state == MemberState::Left {
                        return;
                    }
                    // One JoinGroup at a time (Kafka's single join future): with two FindCoordinator
                    // requests in flight, the second answer finds the join already sent, and a
                    // second join would start another rebalance for each one that completes.
                    let rejoin = c.state != MemberState::Stable || c.member_id.is_none() || c.generation < 0;
                    if rejoin && !c.join_pending {
                        self.join(idx);
                    }
                    // A stable member carries on heartbeating to the new coordinator.
                }
                Err(_) => {
                    self.consumers[idx as usize].bootstrap_cursor += 1;
                    self.consumers[idx as usize].state = MemberState::FindingCoordinator;
                    self.retry_later(idx);
                }
            },
            Payload::JoinGroupResponse { result, .. } => self.on_join_response(idx, result),
            Payload::SyncGroupResponse { generation, result, .. } => self.on_sync_response(idx, generation, result),
            Payload::HeartbeatResponse { error, .. } => self.on_group_error(idx, error),
            Payload::OffsetCommitResponse { req, result, .. } => {
                let c = &mut self.consumers[idx as usize];
                let waited = match c.commit_in_flight {
                    Some((r, sync)) if r == req => {
                        c.commit_in_flight = None;
                        sync
                    }
                    _ => false,
                };
                match result {
                    Ok(offsets) => {
                        for (tp, o) in offsets {
                            c.committed.insert(tp, o);
                        }
                    }
                    Err(
                        e @ (ErrorCode::NotCoordinator
                        | ErrorCode::CoordinatorNotAvailable
                        | ErrorCode::RequestTimedOut),
                    ) if waited => {
                        // commitSync retries: find the coordinator, then commit again (Kafka's
                        // OffsetCommitResponseHandler marks the coordinator unknown for all three).
                        c.recommit = true;
                        let e = if e == ErrorCode::RequestTimedOut { ErrorCode::NotCoordinator } else { e };
                        self.on_group_error(idx, Some(e));
                        return;
                    }
                    Err(e) => {
                        let e = Some(e);
                        self.on_group_error(idx, e);
                    }
                }
                if waited {
                    self.poll(idx);
                }
            }
            Payload::OffsetFetchResponse { result, .. } => match result {
                Ok(offsets) => {
                    self.consumers[idx as usize].offsets_fetching.clear();
                    let mut missing = Vec::new();
                    let c = &mut self.consumers[idx as usize];
                    for (tp, o) in offsets {
                        if !c.assigned.contains(&tp) || c.positions.contains_key(&tp) {
                            continue;
                        }
                        match o {
                            Some(o) => {
                                c.positions.insert(tp, o);
                                c.committed.insert(tp, o);
                            }
                            None => missing.push(tp),
                        }
                    }
                    for tp in missing {
                        self.reset_offset(idx, tp);
                    }
                    self.poll(idx);
                }
                Err(e) => {
                    // Asked again on retry (KIP-447: a read_committed consumer waits while the
                    // previous owner's transaction is undecided).
                    self.on_group_error(idx, Some(e));
                    self.retry_later(idx);
                }
            },
            Payload::ListOffsetsResponse { tp, result } => {
                let c = &mut self.consumers[idx as usize];
                c.fetching.remove(&tp);
                match result {
                    Ok(o) if c.assigned.contains(&tp) => {
                        c.positions.entry(tp).or_insert(o);
                        if !c.committed.contains_key(&tp) {
                            // The group had no committed offset here: auto.offset.reset chose where
                            // it starts, and records below that were never meant for it.
                            self.group_starts.entry((c.group, tp)).or_insert(o);
                        }
                        self.poll(idx);
                    }
                    Ok(_) => {}
                    Err(_) => {
                        c.leaders.remove(&tp);
                        c.reset_pending.push(tp);
                        self.retry_later(idx);
                    }
                }
            }
            Payload::ConsumerFetchResponse { tp, offset, result, aborted } => {
                let c = &mut self.consumers[idx as usize];
                c.fetching.remove(&tp);
                match result {
                    Ok(records) => {
                        if c.assigned.contains(&tp) && c.positions.get(&tp) == Some(&offset) {
                            let fetched_to = records.last().map(|r| r.offset + 1);
                            let already: u64 = c.buffered_tp.iter().filter(|t| **t == tp).count() as u64;
                            if already == 0 {
                                // Control records (markers) never reach the application, nor do
                                // aborted transactions' records under read_committed.
                                let wanted: Vec<Record> = records
                                    .into_iter()
                                    .filter(|r| !matches!(r.value, Value::Marker { .. }))
                                    .filter(|r| !aborted.iter().any(|a| a.covers(r)))
                                    .collect();
                                if wanted.is_empty() {
                                    if let Some(to) = fetched_to {
                                        c.positions.insert(tp, to);
                                    }
                                }
                                for r in wanted {
                                    c.buffer.push_back(r);
                                    c.buffered_tp.push_back(tp);
                                }
                            }
                        }
                        self.poll(idx);
                    }
                    Err(ErrorCode::OffsetOutOfRange) => {
                        c.positions.remove(&tp);
                        let reset = match c.config.auto_offset_reset {
                            OffsetReset::Earliest => "earliest",
                            OffsetReset::Latest => "latest",
                            OffsetReset::None => "none",
                        };
                        // The fetch response carries the leader's log start offset.
                        let (log_start, log_end) =
                            crate::session::exec::serving_log(self, tp).map_or((0, 0), |l| (l.log_start, l.leo()));
                        self.log_event(SimEvent::OffsetOutOfRange {
                            consumer: idx,
                            tp,
                            position: offset,
                            log_start,
                            log_end,
                            reset: reset.into(),
                        });
                        self.reset_offset(idx, tp);
                    }
                    Err(e) => {
                        c.leaders.remove(&tp);
                        // The client asks for fresh metadata after these (Fetcher: requestUpdate).
                        if matches!(e, ErrorCode::UnknownTopicOrPartition | ErrorCode::NotLeaderOrFollower) {
                            c.metadata_stale = true;
                        }
                        self.retry_later(idx);
                    }
                }
            }
            Payload::Disconnected { tp: Some(tp), .. } => {
                let c = &mut self.consumers[idx as usize];
                c.fetching.remove(&tp);
                c.leaders.remove(&tp);
                if !c.positions.contains_key(&tp) {
                    c.reset_pending.push(tp); // it was the ListOffsets of auto.offset.reset
                }
                self.retry_later(idx);
            }
            Payload::Disconnected { tp: None, .. } => {
                // The coordinator (or a bootstrap broker) is down: look for it again.
                let c = &mut self.consumers[idx as usize];
                if from == c.coordinator.map_or(Node::Controller(0), Node::Broker) || c.coordinator.is_none() {
                    if let Some((_, sync)) = c.commit_in_flight.take() {
                        c.recommit |= sync; // the commit bounced off a dead coordinator
                    }
                    c.bootstrap_cursor += 1;
                    if matches!(c.state, MemberState::Joining | MemberState::Syncing) {
                        c.state = MemberState::FindingCoordinator;
                    }
                    c.coordinator = None;
                    self.retry_later(idx);
                }
            }
            _ => {}
        }
    }

    /// Errors from the coordinator: rejoin, or find it again.
    fn on_group_error(&mut self, idx: ConsumerIdx, error: Option<ErrorCode>) {
        let Some(e) = error else { return };
        let c = &mut self.consumers[idx as usize];
        match e {
            ErrorCode::RebalanceInProgress => {
                if matches!(c.state, MemberState::Stable | MemberState::Syncing) {
                    self.prepare_rejoin(idx);
                }
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => {
                // We were removed (session timeout, poll timeout): lose the partitions, join anew.
                let c = &mut self.consumers[idx as usize];
                if e == ErrorCode::UnknownMemberId {
                    c.member_id = None;
                }
                c.generation = -1;
                let all = c.assigned.clone();
                self.revoke(idx, &all);
                if self.consumers[idx as usize].state != MemberState::Left {
                    self.join(idx);
                }
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => {
                c.bootstrap_cursor += 1;
                c.coordinator = None;
                self.retry_later(idx);
            }
            _ => {}
        }
    }

    fn on_join_response(&mut self, idx: ConsumerIdx, result: Result<JoinResult, ErrorCode>) {
        self.consumers[idx as usize].join_pending = false;
        let jr = match result {
            Ok(jr) => jr,
            Err(ErrorCode::UnknownMemberId) => {
                self.consumers[idx as usize].member_id = None;
                self.join(idx);
                return;
            }
            Err(e) => {
                self.on_group_error(idx, Some(e));
                if self.consumers[idx as usize].state == MemberState::Joining {
                    self.retry_later(idx);
                }
                return;
            }
        };
        let c = &mut self.consumers[idx as usize];
        c.member_id = Some(jr.member_id.clone());
        c.generation = jr.generation;
        c.state = MemberState::Syncing;
        let group = c.group;
        let mut assignments = Vec::new();
        if jr.member_id != jr.leader {
            // Only the leader watches for metadata changes.
            c.assignment_snapshot = None;
        }
        if jr.member_id == jr.leader {
            // The leader computes the assignment with the group's strategy.
            let mut ppt = BTreeMap::new();
            let mut subs = Vec::new();
            // Subscriptions are topic names, resolved against the metadata now: a deleted topic
            // is skipped (Kafka skips subscribed topics without metadata), one created again
            // under the same name is the new topic; partitions owned of a deleted one are dropped.
            let live = |t: TopicId| !self.topics[t as usize].deleted;
            for (member_id, instance_id, topics, owned, owned_generation) in &jr.members {
                let mut names = Vec::new();
                for t in topics {
                    let name = &self.topics[*t as usize].name;
                    if let Some(now) = self.topic_by_name(name) {
                        names.push(name.clone());
                        ppt.insert(name.clone(), self.topics[now as usize].partitions);
                    }
                }
                let owned: Vec<(String, u32)> = owned
                    .iter()
                    .filter(|tp| live(tp.topic))
                    .map(|tp| (self.topics[tp.topic as usize].name.clone(), tp.partition))
                    .collect();
                subs.push(MemberSub {
                    member_id: member_id.clone(),
                    group_instance_id: instance_id.clone(),
                    topics: names,
                    owned: claim_order(jr.strategy, owned),
                    generation: *owned_generation,
                });
            }
            let result = match jr.strategy {
                Strategy::CooperativeSticky => cooperative_assign(&ppt, &subs).0,
                s => assign(s, &ppt, &subs),
            };
            // The leader watches every topic of the group from now on (`assignmentSnapshot`).
            let mut watched: Vec<String> = subs.iter().flat_map(|m| m.topics.iter().cloned()).collect();
            for (_, _, topics, _, _) in &jr.members {
                watched.extend(topics.iter().map(|t| self.topics[*t as usize].name.clone()));
            }
            crate::sort::sort(&mut watched);
            watched.dedup();
            let snapshot = self.metadata_of(&watched);
            let now = self.net.now;
            let c = &mut self.consumers[idx as usize];
            // A subscribed topic missing from the metadata keeps the client asking.
            c.metadata_stale = watched.iter().any(|t| !snapshot.contains_key(t));
            c.watched = watched;
            c.metadata_ms = now;
            c.assignment_snapshot = Some(snapshot);
            for (member, parts) in result {
                let tps = parts
                    .iter()
                    .filter_map(|(t, p)| self.topic_by_name(t).map(|topic| Tp { topic, partition: *p }))
                    .collect();
                assignments.push((member, tps));
            }
        }
        let payload = Payload::SyncGroup { group, generation: jr.generation, member_id: jr.member_id, assignments };
        self.send_to_coordinator(idx, payload);
    }

    fn on_sync_response(&mut self, idx: ConsumerIdx, generation: i32, result: Result<Vec<Tp>, ErrorCode>) {
        if generation != self.consumers[idx as usize].generation {
            return; // the answer to an earlier generation's SyncGroup: this member has moved on
        }
        let assignment = match result {
            Ok(a) => a,
            Err(e) => {
                self.on_group_error(idx, Some(e));
                return;
            }
        };
        let c = &mut self.consumers[idx as usize];
        if c.state == MemberState::Stable && assignment == c.assigned {
            return; // stale, or a repeat of what we already have
        }
        let revoked: Vec<Tp> = c.assigned.iter().copied().filter(|tp| !assignment.contains(tp)).collect();
        let added: Vec<Tp> = assignment.iter().copied().filter(|tp| !c.assigned.contains(tp)).collect();
        c.state = MemberState::Stable;
        self.revoke(idx, &revoked);
        let c = &mut self.consumers[idx as usize];
        for tp in &added {
            c.assigned.push(*tp);
        }
        crate::sort::sort(&mut c.assigned);
        c.previous = c.assigned.clone();
        c.previous_generation = generation;
        let assigned = c.assigned.clone();
        self.log_event(SimEvent::PartitionsAssigned { consumer: idx, generation, tps: assigned, added: added.clone() });
        let c = &self.consumers[idx as usize];
        // Cooperative: partitions given up mean another rebalance to hand them over.
        if c.protocol() == RebalanceProtocol::Cooperative && !revoked.is_empty() {
            self.join(idx);
        }
        if !added.is_empty() {
            self.fetch_committed(idx, added);
        }
        self.poll(idx);
    }

    /// OffsetFetch: where to start on newly owned partitions.
    pub(crate) fn fetch_committed(&mut self, idx: ConsumerIdx, tps: Vec<Tp>) {
        let c = &mut self.consumers[idx as usize];
        c.offsets_fetching = tps.clone();
        let (group, require_stable) = (c.group, c.config.read_committed);
        self.send_to_coordinator(idx, Payload::OffsetFetch { group, tps, require_stable });
    }

    fn reset_offset(&mut self, idx: ConsumerIdx, tp: Tp) {
        let c = &self.consumers[idx as usize];
        let earliest = match c.config.auto_offset_reset {
            OffsetReset::Earliest => true,
            OffsetReset::Latest => false,
            OffsetReset::None => {
                // NoOffsetForPartitionException: the application sees an error; nothing is read.
                self.log_event(SimEvent::ConsumerError {
                    consumer: idx,
                    error: format!(
                        "NoOffsetForPartitionException: undefined offset with no reset policy for {}",
                        self.tp_name(tp)
                    ),
                });
                return;
            }
        };
        let Some(leader) = self.partition(tp).and_then(|m| m.leader) else {
            self.retry_later(idx);
            return;
        };
        let c = &mut self.consumers[idx as usize];
        c.fetching.insert(tp, self.net.now);
        self.net.send(Node::Consumer(idx), Node::Broker(leader), Payload::ListOffsets { tp, earliest });
    }

    /// One turn of the application's poll loop: hand out a batch, commit as configured, fetch more.
    pub(crate) fn poll(&mut self, idx: ConsumerIdx) {
        let now = self.net.now;
        let c = &mut self.consumers[idx as usize];
        if c.status != ConsumerStatus::Running {
            return;
        }
        if c.state == MemberState::Stable {
            self.consumer_check_metadata(idx);
        }
        let c = &mut self.consumers[idx as usize];
        if c.state == MemberState::Left {
            // poll() after leaving: join the group again.
            c.last_poll_ms = now;
            c.generation = -1;
            c.state = MemberState::FindingCoordinator;
            self.find_coordinator(idx);
            return;
        }
        if !c.batch.is_empty() || c.commit_in_flight.is_some_and(|(_, sync)| sync) || c.recommit {
            // Busy with the last batch, or blocked in commitSync (also while it looks for the
            // coordinator to retry: commitSync returns only once the commit is done).
            return;
        }
        c.last_poll_ms = now;
        if !self.app_may_poll(idx) {
            return; // a read-process-write app waits for its producer (commit, abort, init)
        }
        let c = &mut self.consumers[idx as usize];
        if c.needs_rejoin && c.state == MemberState::Stable {
            self.prepare_rejoin(idx); // the metadata changed while this leader was not polling
            return;
        }
        let c = &mut self.consumers[idx as usize];
        // Auto-commit happens inside poll(), for what previous polls returned.
        if c.config.commit == CommitMode::Auto && now >= c.next_auto_commit_ms && c.state == MemberState::Stable {
            c.next_auto_commit_ms = now + c.config.auto_commit_interval_ms;
            self.commit_positions(idx, false);
        }
        let c = &mut self.consumers[idx as usize];
        if c.state == MemberState::Stable && !c.buffer.is_empty() {
            let n = (c.config.max_poll_records as usize).min(c.buffer.len());
            for _ in 0..n {
                let rec = c.buffer.pop_front().expect("n ≤ len");
                let tp = c.buffered_tp.pop_front().expect("same length");
                // Offsets may skip (markers, aborted records): take what is at or past the position.
                if c.positions.get(&tp).is_some_and(|&p| rec.offset >= p) {
                    c.positions.insert(tp, rec.offset + 1);
                    c.batch.push_back((tp, rec));
                }
            }
            if !c.batch.is_empty() {
                self.app_batch_started(idx);
                let c = &self.consumers[idx as usize];
                let commit = c.config.commit;
                if commit == CommitMode::BeforeProcessing {
                    self.commit_positions(idx, false);
                }
                self.process_next(idx);
            }
        }
        self.send_fetches(idx);
    }

    fn process_next(&mut self, idx: ConsumerIdx) {
        let c = &mut self.consumers[idx as usize];
        if c.batch.is_empty() {
            return;
        }
        let (ms, inc) = (c.config.processing_ms, c.incarnation);
        c.processing_until = Some(self.net.now + ms);
        self.net.timer(ms, Timer::ConsumerProcessed { consumer: idx, incarnation: inc });
    }

    pub(crate) fn on_consumer_processed(&mut self, idx: ConsumerIdx, incarnation: u64) {
        let c = &mut self.consumers[idx as usize];
        if c.incarnation != incarnation || !c.is_alive() {
            return;
        }
        let Some((tp, rec)) = c.batch.pop_front() else { return };
        c.processing_until = None;
        // Ordering invariant: within one partition a consumer processes records in offset order.
        let last = c.last_processed.insert(tp, rec.offset);
        assert!(
            last.is_none_or(|l| rec.offset > l),
            "consumer {} processed {tp:?} offset {} after {last:?}",
            c.client_id,
            rec.offset
        );
        let group = c.group;
        if rec.id != INTERNAL_RECORD {
            self.deliveries.add(group, rec.id);
        }
        self.app_processed(idx, &rec);
        let c = &self.consumers[idx as usize];
        if !c.batch.is_empty() {
            self.process_next(idx);
            return;
        }
        // Batch done.
        if self.app_batch_done(idx) {
            return; // the app commits through its producer; poll() resumes when it is done
        }
        let c = &self.consumers[idx as usize];
        if c.config.commit == CommitMode::AfterProcessing && c.state == MemberState::Left {
            self.log_event(SimEvent::ConsumerError {
                consumer: idx,
                error: "CommitFailedException: Offset commit cannot be completed since the consumer is not part of an \
                        active group for auto partition assignment; it is likely that the consumer was kicked out of the group"
                    .into(),
            });
        } else if c.config.commit == CommitMode::AfterProcessing {
            self.commit_positions(idx, true);
            if self.consumers[idx as usize].commit_in_flight.is_some() {
                return; // commitSync: poll again when it answers
            }
        }
        self.poll(idx);
    }

    /// Commits the current positions (what poll() has returned so far).
    pub(crate) fn commit_positions(&mut self, idx: ConsumerIdx, sync: bool) {
        let c = &mut self.consumers[idx as usize];
        let offsets: Vec<(Tp, u64)> = c
            .positions
            .iter()
            .filter(|(tp, o)| c.assigned.contains(tp) && c.committed.get(tp) != Some(o))
            .map(|(tp, o)| (*tp, *o))
            .collect();
        let (Some(member_id), true) = (c.member_id.clone(), !offsets.is_empty()) else { return };
        c.next_req += 1;
        let req = c.next_req;
        c.commit_in_flight = Some((req, sync));
        c.commit_sent_ms = self.net.now;
        let (group, generation) = (c.group, c.generation);
        self.send_to_coordinator(idx, Payload::OffsetCommit { group, generation, member_id, req, offsets });
    }

    fn send_fetches(&mut self, idx: ConsumerIdx) {
        let c = &self.consumers[idx as usize];
        if c.state != MemberState::Stable || c.buffer.len() >= c.config.max_poll_records as usize {
            return;
        }
        let wanted: Vec<(Tp, u64)> = c
            .assigned
            .iter()
            .filter(|tp| !c.fetching.contains_key(tp) && !c.buffered_tp.contains(tp))
            .filter_map(|tp| c.positions.get(tp).map(|o| (*tp, *o)))
            .collect();
        let max = c.config.max_poll_records;
        let read_committed = c.config.read_committed;
        for (tp, offset) in wanted {
            let Some(meta) = self.partition(tp) else {
                // Gone from the metadata (its topic was deleted): the fetch would fail with
                // UNKNOWN_TOPIC_OR_PARTITION and the client refresh its metadata.
                self.consumers[idx as usize].metadata_stale = true;
                continue;
            };
            let Some(leader) = meta.leader else { continue };
            let now = self.net.now;
            self.consumers[idx as usize].fetching.insert(tp, now);
            self.net.send(
                Node::Consumer(idx),
                Node::Broker(leader),
                Payload::ConsumerFetch { tp, offset, max_records: max, read_committed },
            );
        }
    }

    /// The heartbeat thread: heartbeats while a member, and leaves the group when the application
    /// has not called poll() for `max.poll.interval.ms`.
    pub(crate) fn on_consumer_heartbeat(&mut self, idx: ConsumerIdx, incarnation: u64) {
        let now = self.net.now;
        let c = &mut self.consumers[idx as usize];
        if c.incarnation != incarnation || !c.is_alive() {
            return;
        }
        let every = c.config.heartbeat_interval_ms;
        self.net.timer(every, Timer::ConsumerHeartbeat { consumer: idx, incarnation });
        if self.consumers[idx as usize].state == MemberState::Stable {
            self.consumer_check_metadata(idx);
        }
        let c = &mut self.consumers[idx as usize];
        let blocked = c.status == ConsumerStatus::Paused || !c.batch.is_empty();
        if blocked && c.state != MemberState::Left && now >= c.last_poll_ms + c.config.max_poll_interval_ms {
            // "consumer poll timeout has expired": leave so the group can move on.
            let (group, member) = (c.group, c.member_id.clone());
            c.state = MemberState::Left;
            c.generation = -1;
            let all = c.assigned.clone();
            if let (Some(coord), Some(member_id)) = (c.coordinator, member) {
                self.net.send(Node::Consumer(idx), Node::Broker(coord), Payload::LeaveGroup { group, member_id });
            }
            self.log_event(SimEvent::ConsumerLeftOnPollTimeout { consumer: idx });
            self.revoke(idx, &all);
            return;
        }
        if c.state == MemberState::Stable || c.state == MemberState::Syncing {
            if let Some(member_id) = c.member_id.clone() {
                let (group, generation) = (c.group, c.generation);
                self.send_to_coordinator(idx, Payload::Heartbeat { group, generation, member_id });
            }
        }
        // request.timeout.ms: a fetch that got no answer (its broker's machine died) is given up.
        let c = &mut self.consumers[idx as usize];
        let timeout = c.config.request_timeout_ms;
        // A FindCoordinator or JoinGroup whose answer never came (its broker crashed): again.
        let lost_find = c.coordinator.is_none()
            && c.state == MemberState::FindingCoordinator
            && !c.retry_scheduled
            && now >= c.find_sent_ms + timeout;
        let lost_join = c.state == MemberState::Joining && now >= c.join_sent_ms + c.config.max_poll_interval_ms + 5000;
        if lost_find || lost_join {
            c.bootstrap_cursor += 1;
            c.state = MemberState::FindingCoordinator;
            self.find_coordinator(idx);
            return;
        }
        let c = &mut self.consumers[idx as usize];
        if c.commit_in_flight.is_some() && now >= c.commit_sent_ms + timeout {
            // No answer to the commit (its coordinator's machine died): find it and try again.
            let (_, sync) = c.commit_in_flight.take().expect("checked");
            c.recommit |= sync;
            c.coordinator = None;
            c.bootstrap_cursor += 1;
            self.find_coordinator(idx);
        }
        let c = &mut self.consumers[idx as usize];
        let stale: Vec<Tp> = c.fetching.iter().filter(|(_, &t)| now >= t + timeout).map(|(tp, _)| *tp).collect();
        for tp in stale {
            c.fetching.remove(&tp);
            c.leaders.remove(&tp);
            if !c.positions.contains_key(&tp) {
                c.reset_pending.push(tp);
            }
        }
        if !self.consumers[idx as usize].reset_pending.is_empty() {
            self.retry_later(idx);
        }
        // A consumer whose fetches failed retries here too.
        let c = &self.consumers[idx as usize];
        if c.status == ConsumerStatus::Running && c.batch.is_empty() {
            self.poll(idx);
        }
    }
}

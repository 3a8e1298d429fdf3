//! The KRaft controller quorum (KIP-595, KIP-996): dedicated controllers that elect a Raft leader
//! by votes with epochs and replicate the metadata log (`__cluster_metadata`) by fetching it.
//!
//! Each controller keeps only what it was told: its role, epoch, vote, its copy of the log and
//! the high watermark it learned. The leader (the *active controller*) runs the controller logic
//! of `controller.rs` on an image of the log; every change it decides is appended as records, and
//! takes effect for brokers only once a majority of voters has it (the high watermark passed it).
//! Brokers are observers: they fetch committed records from the leader and apply them.
//!
//! The states, as in `KafkaRaftClient`: a follower whose fetches get no answer for
//! `controller.quorum.fetch.timeout.ms` (2 s) becomes *prospective* and asks for pre-votes (a
//! voter that still hears from a leader refuses). With a majority it becomes a *candidate*:
//! epoch + 1, a vote for itself, Vote requests; a majority of votes makes it leader, which appends
//! a LeaderChange record and tells the voters (BeginQuorumEpoch). An election that finds no
//! majority is retried after a random `controller.quorum.election.timeout.ms` .. 2× that. A voter
//! grants one vote per epoch, to a candidate whose log is at least as up to date as its own (last
//! epoch, then end offset). Followers fetch with their end offset and last epoch; a leader whose
//! log differs answers with the diverging epoch and the follower truncates. The high watermark is
//! the end offset a majority of voters has reached, once a record of the leader's own epoch is
//! among them. A leader that has not heard from a majority for 1.5× the fetch timeout resigns.
//!
//! Simplifications (said in `help`): the voter set is fixed (no KIP-853 add/remove-controller);
//! no snapshots (the log is replayed from offset 0); no append linger; a deposed leader that has
//! not yet learned of its successor makes no metadata changes (in Kafka it could append some that
//! would never commit); a broker restarts with an empty metadata cache and replays the log.

use crate::chunked::Chunked;
use crate::cluster::controller::Controller;
use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::sim::{ActionResult, Sim};
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub type ControllerId = u32;

/// Controllers are numbered from here (`node.id`s apart from the brokers' 1, 2, 3, ...).
pub const FIRST_CONTROLLER_ID: ControllerId = 100;
/// `controller.quorum.election.timeout.ms`.
pub const ELECTION_TIMEOUT_MS: Millis = 1000;
/// `controller.quorum.fetch.timeout.ms`.
pub const FETCH_TIMEOUT_MS: Millis = 2000;
/// `controller.quorum.request.timeout.ms`.
pub const REQUEST_TIMEOUT_MS: Millis = 2000;
/// How long a leader holds a fetch that has nothing new (the Raft client's fetch max wait).
pub const FETCH_MAX_WAIT_MS: Millis = 500;
/// After a failed connection, the next try (the network client's reconnect backoff, simplified).
pub const RECONNECT_BACKOFF_MS: Millis = 500;
/// `controller.quorum.election.backoff.max.ms`: how long a later preferred successor waits.
pub const ELECTION_BACKOFF_MAX_MS: Millis = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Knows no leader for its epoch (after a restart, or after seeing a higher epoch).
    Unattached,
    /// Asking for pre-votes (KIP-996) before it disturbs anyone with a new epoch.
    Prospective,
    Candidate,
    Leader,
    Follower,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Unattached => "unattached",
            Role::Prospective => "prospective",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
            Role::Follower => "follower",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControllerStatus {
    Running,
    /// Crashed (`controller kill`): its log and quorum state survive on disk.
    Dead,
    /// Shut down cleanly (`controller stop`).
    Stopped,
}

/// One record of the metadata log, by Kafka's record type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaRecord {
    /// `LeaderChangeMessage`: the first record of every leader's epoch.
    LeaderChange {
        leader: ControllerId,
        voters: Vec<ControllerId>,
    },
    /// A broker registered; its broker epoch is this record's offset. It starts fenced.
    RegisterBroker {
        broker: BrokerId,
        broker_epoch: u64,
        /// The registering process (RegisterBrokerRecord's incarnationId).
        #[serde(default)]
        incarnation: u64,
        rack: Option<String>,
    },
    UnregisterBroker {
        broker: BrokerId,
        broker_epoch: u64,
    },
    FenceBroker {
        broker: BrokerId,
        broker_epoch: u64,
    },
    UnfenceBroker {
        broker: BrokerId,
        broker_epoch: u64,
    },
    /// `BrokerRegistrationChangeRecord` with `InControlledShutdown`.
    BrokerShuttingDown {
        broker: BrokerId,
        broker_epoch: u64,
    },
    /// `TopicRecord`.
    Topic {
        topic: TopicId,
        name: String,
    },
    /// `PartitionRecord` (`new`) or `PartitionChangeRecord`: modelled as the partition's whole
    /// new state (Kafka's change record carries only the fields that changed).
    Partition {
        tp: Tp,
        meta: PartitionMeta,
        new: bool,
    },
    RemoveTopic {
        topic: TopicId,
    },
}

impl MetaRecord {
    /// What the record says, in a few words (for the picture and the controller's menu).
    pub fn summary(&self, sim: &Sim) -> String {
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
        let topic = |t: TopicId| sim.topics.get(t as usize).map_or_else(|| format!("topic {t}"), |x| x.name.clone());
        match self {
            MetaRecord::LeaderChange { leader, .. } => format!("LeaderChange: controller {leader} leads"),
            MetaRecord::RegisterBroker { broker, broker_epoch, .. } => {
                format!("RegisterBrokerRecord: broker {broker}, epoch {broker_epoch}, fenced")
            }
            MetaRecord::UnregisterBroker { broker, .. } => format!("UnregisterBrokerRecord: broker {broker}"),
            MetaRecord::FenceBroker { broker, .. } => format!("FenceBrokerRecord: broker {broker}"),
            MetaRecord::UnfenceBroker { broker, .. } => format!("UnfenceBrokerRecord: broker {broker}"),
            MetaRecord::BrokerShuttingDown { broker, .. } => {
                format!("BrokerRegistrationChangeRecord: broker {broker} in controlled shutdown")
            }
            MetaRecord::Topic { name, .. } => format!("TopicRecord: {name}"),
            MetaRecord::Partition { tp, meta, new } => format!(
                "{}: {}-{} leader {} ISR {}",
                if *new { "PartitionRecord" } else { "PartitionChangeRecord" },
                topic(tp.topic),
                tp.partition,
                meta.leader.map_or("none".to_string(), |l| l.to_string()),
                ids(&meta.isr)
            ),
            MetaRecord::RemoveTopic { topic: t } => format!("RemoveTopicRecord: {}", topic(*t)),
        }
    }

    /// The record as `kafka-dump-log --cluster-metadata-decoder` prints its payload (Kafka's JSON
    /// field names; only the fields the model keeps, and a null topic id where the model has none).
    pub fn decoded(&self, sim: &Sim) -> String {
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
        let topic_id =
            |t: TopicId| sim.topics.get(t as usize).map_or("null".to_string(), |x| format!("\"{}\"", x.topic_id));
        match self {
            MetaRecord::LeaderChange { leader, voters } => {
                let v: Vec<String> = voters.iter().map(|v| format!("{{\"voterId\":{v}}}")).collect();
                format!("LeaderChange: {{\"version\":0,\"leaderId\":{leader},\"voters\":[{}]}}", v.join(","))
            }
            MetaRecord::RegisterBroker { broker, broker_epoch, rack, .. } => format!(
                "payload: {{\"type\":\"REGISTER_BROKER_RECORD\",\"version\":3,\"data\":{{\"brokerId\":{broker},\"brokerEpoch\":{broker_epoch},\"endPoints\":[{{\"name\":\"PLAINTEXT\",\"host\":\"broker-{broker}\",\"port\":9092,\"securityProtocol\":0}}],\"rack\":{},\"fenced\":true,\"inControlledShutdown\":false}}}}",
                rack.as_ref().map_or("null".to_string(), |r| format!("\"{r}\""))
            ),
            MetaRecord::UnregisterBroker { broker, broker_epoch } => format!(
                "payload: {{\"type\":\"UNREGISTER_BROKER_RECORD\",\"version\":0,\"data\":{{\"brokerId\":{broker},\"brokerEpoch\":{broker_epoch}}}}}"
            ),
            MetaRecord::FenceBroker { broker, broker_epoch } => format!(
                "payload: {{\"type\":\"FENCE_BROKER_RECORD\",\"version\":0,\"data\":{{\"id\":{broker},\"epoch\":{broker_epoch}}}}}"
            ),
            MetaRecord::UnfenceBroker { broker, broker_epoch } => format!(
                "payload: {{\"type\":\"UNFENCE_BROKER_RECORD\",\"version\":0,\"data\":{{\"id\":{broker},\"epoch\":{broker_epoch}}}}}"
            ),
            MetaRecord::BrokerShuttingDown { broker, broker_epoch } => format!(
                "payload: {{\"type\":\"BROKER_REGISTRATION_CHANGE_RECORD\",\"version\":1,\"data\":{{\"brokerId\":{broker},\"brokerEpoch\":{broker_epoch},\"inControlledShutdown\":1}}}}"
            ),
            MetaRecord::Topic { topic, name } => format!(
                "payload: {{\"type\":\"TOPIC_RECORD\",\"version\":0,\"data\":{{\"name\":\"{name}\",\"topicId\":{}}}}}",
                topic_id(*topic)
            ),
            MetaRecord::Partition { tp, meta, new } => format!(
                "payload: {{\"type\":\"{}\",\"version\":0,\"data\":{{\"partitionId\":{},\"topicId\":{},\"replicas\":[{}],\"isr\":[{}],\"removingReplicas\":[{}],\"addingReplicas\":[{}],\"leader\":{},\"leaderEpoch\":{},\"partitionEpoch\":{}}}}}",
                if *new { "PARTITION_RECORD" } else { "PARTITION_CHANGE_RECORD" },
                tp.partition,
                topic_id(tp.topic),
                ids(&meta.replicas),
                ids(&meta.isr),
                ids(&meta.removing),
                ids(&meta.adding),
                meta.leader.map_or(-1, |l| l as i64),
                meta.leader_epoch,
                meta.partition_epoch
            ),
            MetaRecord::RemoveTopic { topic } => format!(
                "payload: {{\"type\":\"REMOVE_TOPIC_RECORD\",\"version\":0,\"data\":{{\"topicId\":{}}}}}",
                topic_id(*topic)
            ),
        }
    }

    /// Kafka's name for the record type.
    pub fn type_name(&self) -> &'static str {
        match self {
            MetaRecord::LeaderChange { .. } => "LeaderChange",
            MetaRecord::RegisterBroker { .. } => "RegisterBrokerRecord",
            MetaRecord::UnregisterBroker { .. } => "UnregisterBrokerRecord",
            MetaRecord::FenceBroker { .. } => "FenceBrokerRecord",
            MetaRecord::UnfenceBroker { .. } => "UnfenceBrokerRecord",
            MetaRecord::BrokerShuttingDown { .. } => "BrokerRegistrationChangeRecord",
            MetaRecord::Topic { .. } => "TopicRecord",
            MetaRecord::Partition { new: true, .. } => "PartitionRecord",
            MetaRecord::Partition { new: false, .. } => "PartitionChangeRecord",
            MetaRecord::RemoveTopic { .. } => "RemoveTopicRecord",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaEntry {
    pub offset: u64,
    /// The leader epoch it was appended in.
    pub epoch: u32,
    pub record: MetaRecord,
    /// When the leader appended it (its CreateTime).
    #[serde(default)]
    pub at_ms: Millis,
}

/// What a leader knows of a replica of the metadata log that fetches from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaState {
    pub log_end_offset: u64,
    pub last_fetch_ms: Option<Millis>,
    pub last_caught_up_ms: Option<Millis>,
}

/// A fetch the leader holds until there is something new (or `FETCH_MAX_WAIT_MS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedQuorumFetch {
    pub fetch_offset: u64,
    pub seq: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ControllerNode {
    pub id: ControllerId,
    pub status: ControllerStatus,
    pub incarnation: u64,
    pub role: Role,
    /// The quorum-state file: epoch and vote survive a restart.
    pub epoch: u32,
    pub voted_for: Option<ControllerId>,
    pub leader: Option<ControllerId>,
    /// Its copy of the metadata log (on disk: survives a crash).
    pub log: Chunked<MetaEntry>,
    /// The high watermark it knows (memory).
    pub hw: u64,
    /// Follower: when it last heard from its leader. Leader: its epoch's first offset.
    pub last_leader_contact_ms: Millis,
    pub epoch_start_offset: u64,
    /// Leader: every other replica that fetches (voters by controller id, observers by node).
    pub replicas: BTreeMap<Node, ReplicaState>,
    /// Leader: fetches waiting for something new.
    pub parked: BTreeMap<Node, ParkedQuorumFetch>,
    /// Leader: answers that wait until the high watermark passes an offset (Kafka answers a
    /// heartbeat or AlterPartition only after its records are committed).
    pub pending: Vec<(u64, Node, Payload)>,
    /// Prospective / candidate: who granted.
    pub granted: BTreeSet<ControllerId>,
    /// Follower: the fetch in flight (its sequence number), if any.
    pub fetch_seq: u64,
    pub fetch_in_flight: bool,
    /// Bumped at every change of role: election timers of an earlier state do nothing.
    pub state_seq: u64,
    /// Prospective after following a leader that went silent: that leader (a voter that still
    /// names it is not followed back to it).
    #[serde(default)]
    pub lost_leader: Option<ControllerId>,
}

impl ControllerNode {
    fn new(id: ControllerId) -> ControllerNode {
        ControllerNode {
            id,
            status: ControllerStatus::Running,
            incarnation: 1,
            role: Role::Unattached,
            epoch: 0,
            voted_for: None,
            leader: None,
            log: Chunked::new(),
            hw: 0,
            last_leader_contact_ms: 0,
            epoch_start_offset: 0,
            replicas: BTreeMap::new(),
            parked: BTreeMap::new(),
            pending: Vec::new(),
            granted: BTreeSet::new(),
            fetch_seq: 0,
            fetch_in_flight: false,
            state_seq: 0,
            lost_leader: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.status == ControllerStatus::Running
    }

    pub fn log_end_offset(&self) -> u64 {
        self.log.end()
    }

    pub fn last_epoch(&self) -> u32 {
        self.log.last().map_or(0, |e| e.epoch)
    }

    /// The end offset of `epoch` in this log and the epoch found (the largest at or below it):
    /// what a leader checks a follower's fetch position against.
    pub fn end_offset_for_epoch(&self, epoch: u32) -> (u32, u64) {
        // Entries after the first with a larger epoch.
        let i = self.log.partition_point(|e| e.epoch <= epoch);
        match i.checked_sub(1).and_then(|j| self.log.get(j)) {
            Some(e) => (e.epoch, e.offset + 1),
            None => (0, 0),
        }
    }

    /// The record at `offset` of its metadata log, if it holds one.
    pub fn entry(&self, offset: u64) -> Option<&MetaEntry> {
        self.log.get(offset as usize)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Quorum {
    pub nodes: BTreeMap<ControllerId, ControllerNode>,
    /// The committed offset the journal has told up to: a topic is "created" or "deleted" in the
    /// narration when its record commits, by whichever leader commits it, once.
    #[serde(default)]
    pub narrated_to: u64,
}

impl Quorum {
    pub fn voters(&self) -> Vec<ControllerId> {
        self.nodes.keys().copied().collect()
    }

    pub fn majority(&self) -> usize {
        self.nodes.len() / 2 + 1
    }

    /// The running leader with the highest epoch (a deposed leader may still think it leads).
    pub fn active(&self) -> Option<ControllerId> {
        self.nodes.values().filter(|n| n.is_running() && n.role == Role::Leader).max_by_key(|n| n.epoch).map(|n| n.id)
    }

    pub fn node(&self, id: ControllerId) -> Option<&ControllerNode> {
        self.nodes.get(&id)
    }

    /// The committed log: the records up to the highest high watermark any controller knows.
    /// (High watermarks only ever cover records a majority holds, so they agree on a prefix.)
    pub fn committed_end(&self) -> u64 {
        self.nodes.values().map(|n| n.hw).max().unwrap_or(0)
    }

    /// The node whose log holds the committed records (the one that knows the highest HW).
    pub fn committed_log(&self) -> Option<&ControllerNode> {
        self.nodes.values().max_by_key(|n| (n.hw, std::cmp::Reverse(n.id)))
    }
}

/// Election timeouts: `controller.quorum.election.timeout.ms` plus a random part up to as much.
fn random_election_timeout(net: &mut Net) -> Millis {
    ELECTION_TIMEOUT_MS + net.quorum_rng.below(ELECTION_TIMEOUT_MS)
}

impl Sim {
    // ------------------------------------------------------------------------------------
    // Setting up

    /// A quorum of `n` controllers at ids 100, 101, ...; the first is elected at once (epoch 1),
    /// as a cluster that has been running a while would be.
    pub(crate) fn bootstrap_quorum(&mut self, n: u32) {
        let ids: Vec<ControllerId> = (0..n).map(|i| FIRST_CONTROLLER_ID + i).collect();
        self.quorum.nodes = ids.iter().map(|&id| (id, ControllerNode::new(id))).collect();
        let now = self.net.now;
        let first = ids[0];
        for &id in &ids {
            let node = self.quorum.nodes.get_mut(&id).expect("just made");
            node.epoch = 1;
            node.voted_for = Some(first);
            node.last_leader_contact_ms = now;
        }
        self.become_leader(first);
        for &id in &ids[1..] {
            self.become_follower(id, 1, first);
        }
    }

    /// The controller that runs the controller logic (the quorum's leader), if any.
    pub fn active_controller(&self) -> Option<ControllerId> {
        self.quorum.active()
    }

    /// A command that changes metadata needs an active controller.
    pub fn require_active_controller(&self) -> ActionResult {
        match self.active_controller() {
            Some(_) => Ok(()),
            None => Err("Error: org.apache.kafka.common.errors.TimeoutException: the KRaft controller quorum has no leader, so no metadata can change (kafkascope answers at once; Kafka's admin call would time out). Start or heal controllers until a majority runs.".into()),
        }
    }

    // ------------------------------------------------------------------------------------
    // The active controller appends

    /// Appends `records` to the active controller's log (the controller logic already applied
    /// them to its image). Returns the offset after them.
    pub(crate) fn append_metadata(&mut self, records: Vec<MetaRecord>) -> u64 {
        let Some(id) = self.controller.owner else { return 0 };
        let at_ms = self.net.now;
        let node = self.quorum.nodes.get_mut(&id).expect("the owner is a controller");
        for record in records {
            let offset = node.log.end();
            node.log.push(MetaEntry { offset, epoch: node.epoch, record, at_ms });
        }
        let end = node.log.end();
        self.leader_advance(id);
        self.answer_parked(id, false);
        end
    }

    /// What an admin request does after the controller appended its records: it waits for the
    /// answer, which Kafka sends once they are committed (up to `controller.quorum.request.timeout.ms`).
    /// The model runs until then, so a command's metadata is committed when it returns.
    /// False when they were not committed in time (the request times out; a later commit may
    /// still include them, or a new leader may truncate them).
    pub(crate) fn await_metadata_commit(&mut self) -> bool {
        let Some(id) = self.controller.owner else { return true };
        let end = self.quorum.nodes[&id].log.end();
        let deadline = self.net.now + REQUEST_TIMEOUT_MS;
        let committed = |sim: &Sim| sim.quorum.nodes.get(&id).is_some_and(|n| n.hw >= end);
        while !committed(self) && self.net.now <= deadline {
            if self.step().is_none() {
                break;
            }
        }
        committed(self)
    }

    /// The offset the next record will get (a broker epoch, for a registration).
    pub(crate) fn next_metadata_offset(&self) -> u64 {
        self.controller.owner.and_then(|id| self.quorum.nodes.get(&id)).map_or(0, |n| n.log.end())
    }

    /// Sends `payload` to `to` once the records appended so far are committed.
    pub(crate) fn respond_when_committed(&mut self, to: Node, payload: Payload) {
        let Some(id) = self.controller.owner else { return };
        let node = self.quorum.nodes.get_mut(&id).expect("owner");
        let end = node.log.end();
        if node.hw >= end {
            self.net.send(Node::Controller(id), to, payload);
        } else {
            node.pending.push((end, to, payload));
        }
    }

    // ------------------------------------------------------------------------------------
    // Role changes

    fn set_role(&mut self, id: ControllerId, role: Role) {
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        let was = node.role;
        node.role = role;
        node.state_seq += 1;
        node.granted.clear();
        if was == Role::Leader && role != Role::Leader {
            node.replicas.clear();
            node.parked.clear();
            node.pending.clear();
            if self.controller.owner == Some(id) {
                self.controller.owner = None;
            }
        }
    }

    fn arm_election_timer(&mut self, id: ControllerId, after: Millis) {
        let node = &self.quorum.nodes[&id];
        let (inc, seq) = (node.incarnation, node.state_seq);
        self.net.timer(after, Timer::QuorumElection { controller: id, incarnation: inc, seq });
    }

    fn become_unattached(&mut self, id: ControllerId, epoch: u32) {
        self.set_role(id, Role::Unattached);
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        if epoch > node.epoch {
            node.epoch = epoch;
            node.voted_for = None;
        }
        node.leader = None;
        let t = random_election_timeout(&mut self.net);
        self.arm_election_timer(id, t);
    }

    fn become_follower(&mut self, id: ControllerId, epoch: u32, leader: ControllerId) {
        let now = self.net.now;
        self.set_role(id, Role::Follower);
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        node.epoch = epoch;
        node.leader = Some(leader);
        node.last_leader_contact_ms = now;
        node.fetch_in_flight = false;
        self.arm_election_timer(id, FETCH_TIMEOUT_MS);
        self.quorum_send_fetch(id);
    }

    fn become_prospective(&mut self, id: ControllerId) {
        let again = self.quorum.nodes[&id].role == Role::Prospective;
        let was = (self.quorum.nodes[&id].role, self.quorum.nodes[&id].leader);
        self.set_role(id, Role::Prospective);
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        if was.0 == Role::Follower {
            node.lost_leader = was.1;
        } else if !again {
            node.lost_leader = None;
        }
        node.granted.insert(id);
        node.leader = None;
        let (epoch, last_epoch, end_offset) = (node.epoch + 1, node.last_epoch(), node.log.end());
        if !again {
            self.log_event(SimEvent::ControllerProspective { controller: id, epoch: epoch - 1 });
        }
        self.send_votes(id, epoch, last_epoch, end_offset, true);
        let t = random_election_timeout(&mut self.net);
        self.arm_election_timer(id, t);
        self.maybe_won(id);
    }

    fn become_candidate(&mut self, id: ControllerId) {
        self.set_role(id, Role::Candidate);
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        node.epoch += 1;
        node.voted_for = Some(id);
        node.leader = None;
        node.granted.insert(id);
        let (epoch, last_epoch, end_offset) = (node.epoch, node.last_epoch(), node.log.end());
        self.log_event(SimEvent::ControllerCandidate { controller: id, epoch });
        self.send_votes(id, epoch, last_epoch, end_offset, false);
        let t = random_election_timeout(&mut self.net);
        self.arm_election_timer(id, t);
        self.maybe_won(id);
    }

    fn send_votes(&mut self, id: ControllerId, epoch: u32, last_epoch: u32, end_offset: u64, pre_vote: bool) {
        for v in self.quorum.voters() {
            if v != id {
                let payload = Payload::Vote { epoch, last_epoch, end_offset, pre_vote };
                self.net.send(Node::Controller(id), Node::Controller(v), payload);
            }
        }
    }

    fn maybe_won(&mut self, id: ControllerId) {
        let majority = self.quorum.majority();
        let node = &self.quorum.nodes[&id];
        if node.granted.len() < majority {
            return;
        }
        match node.role {
            Role::Prospective => self.become_candidate(id),
            Role::Candidate => self.become_leader(id),
            _ => {}
        }
    }

    fn become_leader(&mut self, id: ControllerId) {
        let now = self.net.now;
        self.set_role(id, Role::Leader);
        let voters = self.quorum.voters();
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        node.leader = Some(id);
        node.epoch_start_offset = node.log.end();
        node.last_leader_contact_ms = now;
        let epoch = node.epoch;
        for &v in &voters {
            if v != id {
                node.replicas.insert(Node::Controller(v), ReplicaState::default());
            }
        }
        let offset = node.log.end();
        let record = MetaRecord::LeaderChange { leader: id, voters: voters.clone() };
        node.log.push(MetaEntry { offset, epoch, record, at_ms: now });
        for &v in &voters {
            if v != id {
                self.net.send(Node::Controller(id), Node::Controller(v), Payload::BeginQuorumEpoch { epoch });
            }
        }
        // The new active controller loads the image from its log: every record it holds, the
        // uncommitted ones of earlier epochs included (its LeaderChange commits them).
        let node = &self.quorum.nodes[&id];
        let mut image = Controller::replay(node.log.iter(), now);
        image.owner = Some(id);
        self.controller = image;
        self.log_event(SimEvent::ControllerElected { controller: id, epoch, offset });
        // Topics created by a deposed leader whose records this log lacks were never created.
        let mut known = BTreeSet::new();
        for e in self.quorum.nodes[&id].log.iter() {
            match &e.record {
                MetaRecord::Topic { topic, .. } => {
                    known.insert(*topic);
                }
                MetaRecord::RemoveTopic { topic } => {
                    known.remove(topic);
                }
                _ => {}
            }
        }
        let orphans: Vec<TopicId> = (0..self.topics.len() as TopicId)
            .filter(|t| !self.topics[*t as usize].deleted && !known.contains(t))
            .collect();
        for t in orphans {
            self.topics[t as usize].deleted = true;
            self.log_event(SimEvent::TopicNeverCommitted { topic: t });
        }
        // And deletions it lacks never happened: the topic is still there.
        let undeleted: Vec<TopicId> = known.iter().copied().filter(|&t| self.topics[t as usize].deleted).collect();
        for t in undeleted {
            self.topics[t as usize].deleted = false;
            self.log_event(SimEvent::TopicDeletionNeverCommitted { topic: t });
        }
        let inc = self.quorum.nodes[&id].incarnation;
        self.net.timer(FETCH_TIMEOUT_MS * 3 / 2, Timer::QuorumCheck { controller: id, incarnation: inc, epoch });
        // It gives every registered broker a fresh session (Kafka's BrokerHeartbeatManager starts
        // empty on a new active controller).
        let brokers: Vec<BrokerId> = self.controller.brokers.keys().copied().collect();
        for b in brokers {
            self.net.timer(self.config.broker_session_timeout_ms, Timer::SessionCheck { broker: b });
        }
        self.leader_advance(id);
    }

    // ------------------------------------------------------------------------------------
    // Timers

    pub(crate) fn on_quorum_election_timer(&mut self, id: ControllerId, incarnation: u64, seq: u64) {
        let now = self.net.now;
        let Some(node) = self.quorum.nodes.get(&id) else { return };
        if !node.is_running() || node.incarnation != incarnation || node.state_seq != seq {
            return;
        }
        match node.role {
            Role::Follower => {
                let due = node.last_leader_contact_ms + FETCH_TIMEOUT_MS;
                if now < due {
                    let after = due - now;
                    self.arm_election_timer(id, after);
                } else {
                    let leader = node.leader;
                    self.log_event(SimEvent::ControllerLostLeader {
                        controller: id,
                        leader,
                        silent_ms: FETCH_TIMEOUT_MS,
                    });
                    self.become_prospective(id);
                }
            }
            Role::Unattached | Role::Prospective | Role::Candidate => self.become_prospective(id),
            Role::Leader => {}
        }
    }

    /// Leader: every 1.5× fetch timeout, resign if a majority of voters did not fetch since.
    pub(crate) fn on_quorum_check(&mut self, id: ControllerId, incarnation: u64, epoch: u32) {
        let now = self.net.now;
        let Some(node) = self.quorum.nodes.get(&id) else { return };
        if !node.is_running() || node.incarnation != incarnation || node.role != Role::Leader || node.epoch != epoch {
            return;
        }
        let window = FETCH_TIMEOUT_MS * 3 / 2;
        let heard = 1 + node
            .replicas
            .iter()
            .filter(|(n, s)| matches!(n, Node::Controller(_)) && s.last_fetch_ms.is_some_and(|t| now < t + window))
            .count();
        if heard >= self.quorum.majority() {
            self.net.timer(window, Timer::QuorumCheck { controller: id, incarnation, epoch });
        } else {
            self.log_event(SimEvent::ControllerResigned { controller: id, epoch });
            self.become_unattached(id, epoch);
        }
    }

    pub(crate) fn on_quorum_fetch_wait(&mut self, id: ControllerId, incarnation: u64, from: Node, seq: u64) {
        let Some(node) = self.quorum.nodes.get(&id) else { return };
        if !node.is_running() || node.incarnation != incarnation || node.role != Role::Leader {
            return;
        }
        if node.parked.get(&from).is_some_and(|p| p.seq == seq) {
            let p = self.quorum.nodes.get_mut(&id).expect("checked").parked.remove(&from).expect("checked");
            self.quorum_fetch_reply(id, from, p.fetch_offset);
        }
    }

    /// Follower: its fetch got no answer within the request timeout (or bounced): fetch again.
    pub(crate) fn on_quorum_fetch_retry(&mut self, id: ControllerId, incarnation: u64, seq: u64) {
        let Some(node) = self.quorum.nodes.get_mut(&id) else { return };
        if !node.is_running() || node.incarnation != incarnation || node.role != Role::Follower || node.fetch_seq != seq
        {
            return;
        }
        node.fetch_in_flight = false;
        self.quorum_send_fetch(id);
    }

    fn quorum_send_fetch(&mut self, id: ControllerId) {
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        let (Role::Follower, Some(leader)) = (node.role, node.leader) else { return };
        if node.fetch_in_flight {
            return;
        }
        node.fetch_seq += 1;
        node.fetch_in_flight = true;
        let payload = Payload::QuorumFetch {
            epoch: node.epoch,
            fetch_offset: node.log.end(),
            last_fetched_epoch: node.last_epoch(),
        };
        let (inc, seq) = (node.incarnation, node.fetch_seq);
        self.net.send(Node::Controller(id), Node::Controller(leader), payload);
        self.net.timer(REQUEST_TIMEOUT_MS, Timer::QuorumFetchRetry { controller: id, incarnation: inc, seq });
    }

    // ------------------------------------------------------------------------------------
    // Messages

    pub(crate) fn quorum_handle(&mut self, id: ControllerId, msg: Message) {
        let from = msg.from;
        match msg.payload {
            Payload::Vote { epoch, last_epoch, end_offset, pre_vote } => {
                let Node::Controller(cand) = from else { return };
                self.on_vote(id, cand, epoch, last_epoch, end_offset, pre_vote)
            }
            Payload::VoteResponse { epoch, granted, pre_vote, leader } => {
                let Node::Controller(voter) = from else { return };
                self.on_vote_response(id, voter, epoch, granted, pre_vote, leader)
            }
            Payload::BeginQuorumEpoch { epoch } => {
                let Node::Controller(leader) = from else { return };
                let node = &self.quorum.nodes[&id];
                if epoch > node.epoch || (epoch == node.epoch && node.role != Role::Leader && node.leader.is_none()) {
                    self.become_follower(id, epoch, leader);
                }
            }
            Payload::EndQuorumEpoch { epoch, successors } => {
                // The leader shut down cleanly: elect a successor without waiting the fetch
                // timeout. The first preferred successor starts at once; the others back off by
                // their place in the list (KafkaRaftClient's strict exponential backoff up to
                // controller.quorum.election.backoff.max.ms), so they do not split the vote.
                let node = &self.quorum.nodes[&id];
                if node.epoch == epoch && node.role == Role::Follower {
                    let n = successors.len().max(1) as u32;
                    match successors.iter().position(|&s| s == id).map(|p| p as u32) {
                        Some(0) => self.become_prospective(id),
                        p => {
                            let p = p.unwrap_or(n);
                            let backoff = (ELECTION_BACKOFF_MAX_MS << p.min(16)) >> n.min(16);
                            self.set_role(id, Role::Unattached);
                            self.quorum.nodes.get_mut(&id).expect("controller").leader = None;
                            self.arm_election_timer(id, backoff.clamp(1, ELECTION_BACKOFF_MAX_MS));
                        }
                    }
                }
            }
            Payload::QuorumFetch { epoch, fetch_offset, last_fetched_epoch } => {
                self.on_quorum_fetch(id, from, epoch, fetch_offset, last_fetched_epoch)
            }
            Payload::QuorumFetchResponse { epoch, leader, result } => {
                self.on_quorum_fetch_response(id, from, epoch, leader, result)
            }
            Payload::Disconnected { .. } => {
                // Our fetch hit a controller that is down: try again after a backoff.
                let node = &self.quorum.nodes[&id];
                if node.role == Role::Follower && node.fetch_in_flight {
                    let (inc, seq) = (node.incarnation, node.fetch_seq);
                    self.net
                        .timer(RECONNECT_BACKOFF_MS, Timer::QuorumFetchRetry { controller: id, incarnation: inc, seq });
                }
            }
            Payload::BrokerHeartbeat { .. } | Payload::AlterPartition { .. } => {
                if self.controller.owner == Some(id) {
                    self.controller_handle(msg);
                } else {
                    let leader = self.quorum.nodes[&id].leader;
                    self.net.send(Node::Controller(id), from, Payload::NotController { leader });
                }
            }
            _ => {}
        }
    }

    fn on_vote(
        &mut self,
        id: ControllerId,
        cand: ControllerId,
        epoch: u32,
        last_epoch: u32,
        end_offset: u64,
        pre_vote: bool,
    ) {
        let now = self.net.now;
        let node = &self.quorum.nodes[&id];
        let up_to_date = (last_epoch, end_offset) >= (node.last_epoch(), node.log.end());
        let granted = if pre_vote {
            // KIP-996: refused while it still hears from a leader.
            let hears_leader = match node.role {
                Role::Leader => true,
                Role::Follower => now < node.last_leader_contact_ms + FETCH_TIMEOUT_MS,
                _ => false,
            };
            epoch > node.epoch && up_to_date && !hears_leader
        } else {
            if epoch > node.epoch {
                self.become_unattached(id, epoch);
            }
            let node = &self.quorum.nodes[&id];
            let ok =
                epoch == node.epoch && node.voted_for.is_none_or(|v| v == cand) && node.leader.is_none() && up_to_date;
            if ok {
                let node = self.quorum.nodes.get_mut(&id).expect("controller");
                node.voted_for = Some(cand);
                // A vote given resets its own election timer.
                let t = random_election_timeout(&mut self.net);
                self.arm_election_timer(id, t);
            }
            ok
        };
        let node = &self.quorum.nodes[&id];
        // Only a node that leads or follows names a leader (Kafka's leaderIdOrSentinel).
        let leader = match node.role {
            Role::Leader => Some(id),
            Role::Follower => node.leader,
            _ => None,
        };
        let reply = Payload::VoteResponse { epoch: node.epoch, granted, pre_vote, leader };
        self.net.send(Node::Controller(id), Node::Controller(cand), reply);
    }

    fn on_vote_response(
        &mut self,
        id: ControllerId,
        voter: ControllerId,
        epoch: u32,
        granted: bool,
        pre_vote: bool,
        leader: Option<ControllerId>,
    ) {
        let node = &self.quorum.nodes[&id];
        if epoch > node.epoch {
            // The voter is in a later epoch: follow its leader, or wait in that epoch.
            match leader {
                Some(l) if l != id => self.become_follower(id, epoch, l),
                _ => self.become_unattached(id, epoch),
            }
            return;
        }
        // (The leader it just gave up on only if that leader answers itself: other voters may
        // still believe in a dead leader for a while.)
        let gave_up_on = node.lost_leader.filter(|&l| node.role == Role::Prospective && l != voter);
        if let Some(l) =
            leader.filter(|&l| l != id && epoch == node.epoch && node.role != Role::Leader && Some(l) != gave_up_on)
        {
            // The voter knows a leader of this very epoch: follow it (KIP-996).
            if node.role != Role::Follower || node.leader != Some(l) {
                self.become_follower(id, epoch, l);
            }
            return;
        }
        let counts = match (node.role, pre_vote) {
            (Role::Prospective, true) => true,
            (Role::Candidate, false) => epoch == node.epoch,
            _ => false,
        };
        if counts && granted {
            self.quorum.nodes.get_mut(&id).expect("controller").granted.insert(voter);
            self.maybe_won(id);
        }
    }

    fn on_quorum_fetch(
        &mut self,
        id: ControllerId,
        from: Node,
        epoch: u32,
        fetch_offset: u64,
        last_fetched_epoch: u32,
    ) {
        let now = self.net.now;
        let node = &self.quorum.nodes[&id];
        if node.role != Role::Leader || (matches!(from, Node::Controller(_)) && epoch != node.epoch) {
            let (my_epoch, leader) = (node.epoch, if node.role == Role::Leader { Some(id) } else { node.leader });
            if matches!(from, Node::Controller(_)) && epoch > my_epoch {
                self.become_unattached(id, epoch);
            }
            let reply = Payload::QuorumFetchResponse { epoch: my_epoch, leader, result: QuorumFetchResult::NotLeader };
            self.net.send(Node::Controller(id), from, reply);
            return;
        }
        // Does the fetcher's log agree with ours at its end?
        if fetch_offset > 0 {
            let (found, end) = node.end_offset_for_epoch(last_fetched_epoch);
            if found != last_fetched_epoch || end < fetch_offset {
                let reply = Payload::QuorumFetchResponse {
                    epoch: node.epoch,
                    leader: Some(id),
                    result: QuorumFetchResult::Diverging { epoch: found, end_offset: end },
                };
                self.net.send(Node::Controller(id), from, reply);
                return;
            }
        }
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        let leo = node.log.end();
        let st = node.replicas.entry(from).or_default();
        st.log_end_offset = fetch_offset;
        st.last_fetch_ms = Some(now);
        if fetch_offset >= leo {
            st.last_caught_up_ms = Some(now);
        }
        let available = if matches!(from, Node::Controller(_)) { leo } else { node.hw };
        let hw_before = node.hw;
        self.leader_advance(id);
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        // A voter whose own fetch moved the high watermark learns it at once (Kafka completes
        // the fetch when the HW changes), not a fetch wait later.
        let hw_moved = matches!(from, Node::Controller(_)) && node.hw != hw_before;
        if fetch_offset >= available && !hw_moved {
            // Nothing new: hold the fetch.
            let seq = node.fetch_seq + 1;
            node.fetch_seq = seq;
            node.parked.insert(from, ParkedQuorumFetch { fetch_offset, seq });
            let inc = node.incarnation;
            self.net.timer(FETCH_MAX_WAIT_MS, Timer::QuorumFetchWait { controller: id, incarnation: inc, from, seq });
        } else {
            self.quorum_fetch_reply(id, from, fetch_offset);
        }
    }

    /// The leader answers a fetch from `fetch_offset`: voters get everything it has, observers
    /// (brokers) the committed records only.
    fn quorum_fetch_reply(&mut self, id: ControllerId, to: Node, fetch_offset: u64) {
        let node = &self.quorum.nodes[&id];
        let upto = if matches!(to, Node::Controller(_)) { node.log.end() } else { node.hw };
        let entries: Vec<MetaEntry> = (fetch_offset..upto).filter_map(|o| node.entry(o).cloned()).collect();
        let reply = Payload::QuorumFetchResponse {
            epoch: node.epoch,
            leader: Some(id),
            result: QuorumFetchResult::Records { entries, hw: node.hw },
        };
        self.net.send(Node::Controller(id), to, reply);
    }

    /// Answers parked fetches that now have something: voters on new records or a new high
    /// watermark, brokers on newly committed records.
    fn answer_parked(&mut self, id: ControllerId, hw_moved: bool) {
        let node = &self.quorum.nodes[&id];
        let (leo, hw) = (node.log.end(), node.hw);
        let ready: Vec<(Node, u64)> = node
            .parked
            .iter()
            .filter(|(n, p)| match n {
                Node::Controller(_) => p.fetch_offset < leo || hw_moved,
                _ => p.fetch_offset < hw,
            })
            .map(|(&n, p)| (n, p.fetch_offset))
            .collect();
        for (n, offset) in ready {
            self.quorum.nodes.get_mut(&id).expect("controller").parked.remove(&n);
            self.quorum_fetch_reply(id, n, offset);
        }
    }

    /// Leader: the high watermark is the end offset a majority of voters has, once that covers a
    /// record of its own epoch. Answers that waited for it go out.
    fn leader_advance(&mut self, id: ControllerId) {
        let majority = self.quorum.majority();
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        if node.role != Role::Leader {
            return;
        }
        let mut ends: Vec<u64> = node
            .replicas
            .iter()
            .filter(|(n, _)| matches!(n, Node::Controller(_)))
            .map(|(_, s)| s.log_end_offset)
            .chain(std::iter::once(node.log.end()))
            .collect();
        ends.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = ends[majority - 1];
        if candidate <= node.epoch_start_offset || candidate <= node.hw {
            return;
        }
        node.hw = candidate;
        let hw = node.hw;
        // Topic records now committed: the topic exists (or is gone) from here on.
        let told: Vec<SimEvent> = (self.quorum.narrated_to.min(hw)..hw)
            .filter_map(|o| match &node.entry(o)?.record {
                MetaRecord::Topic { topic, .. } => Some(SimEvent::TopicCreated { topic: *topic }),
                MetaRecord::RemoveTopic { topic } => {
                    Some(SimEvent::TopicDeleted { topic: *topic, partitions: self.topics[*topic as usize].partitions })
                }
                _ => None,
            })
            .collect();
        self.quorum.narrated_to = self.quorum.narrated_to.max(hw);
        let (due, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut node.pending).into_iter().partition(|(o, _, _)| *o <= hw);
        node.pending = rest;
        for (_, to, payload) in due {
            self.net.send(Node::Controller(id), to, payload);
        }
        for e in told {
            self.log_event(e);
        }
        self.answer_parked(id, true);
    }

    fn on_quorum_fetch_response(
        &mut self,
        id: ControllerId,
        from: Node,
        epoch: u32,
        leader: Option<ControllerId>,
        result: QuorumFetchResult,
    ) {
        let now = self.net.now;
        let Node::Controller(src) = from else { return };
        let node = &self.quorum.nodes[&id];
        if node.role != Role::Follower || node.leader != Some(src) || !node.fetch_in_flight {
            return;
        }
        if epoch > node.epoch {
            match leader {
                Some(l) if l != id => self.become_follower(id, epoch, l),
                _ => self.become_unattached(id, epoch),
            }
            return;
        }
        let node = self.quorum.nodes.get_mut(&id).expect("controller");
        node.fetch_in_flight = false;
        match result {
            QuorumFetchResult::NotLeader => {
                let (inc, seq) = (node.incarnation, node.fetch_seq);
                self.net.timer(RECONNECT_BACKOFF_MS, Timer::QuorumFetchRetry { controller: id, incarnation: inc, seq });
                node.fetch_in_flight = true;
                return;
            }
            QuorumFetchResult::Diverging { end_offset, .. } => {
                node.last_leader_contact_ms = now;
                let keep = end_offset.min(node.log.end());
                let cut = node.log.end() - keep;
                node.log.truncate(keep as usize);
                node.hw = node.hw.min(keep);
                if cut > 0 {
                    self.log_event(SimEvent::MetadataTruncated { controller: id, to: keep, records: cut });
                }
            }
            QuorumFetchResult::Records { entries, hw } => {
                node.last_leader_contact_ms = now;
                for e in entries {
                    if e.offset == node.log.end() {
                        node.log.push(e);
                    }
                }
                node.hw = node.hw.max(hw.min(node.log.end()));
            }
        }
        self.quorum_send_fetch(id);
    }

    // ------------------------------------------------------------------------------------
    // User actions

    fn controller_checked(&self, id: ControllerId) -> ActionResult<&ControllerNode> {
        self.quorum.nodes.get(&id).ok_or_else(|| {
            let ids: Vec<String> = self.quorum.voters().iter().map(|v| v.to_string()).collect();
            format!("Error: controller {id} does not exist (the controllers are {}).", ids.join(", "))
        })
    }

    /// `controller kill ID`: the process crashes; its log and quorum state stay on disk.
    pub fn kill_controller(&mut self, id: ControllerId) -> ActionResult {
        if !self.controller_checked(id)?.is_running() {
            return Err(format!("Error: controller {id} is not running (start it with `controller start {id}`)."));
        }
        let was_leader = self.quorum.nodes[&id].role == Role::Leader;
        self.controller_down(id, ControllerStatus::Dead);
        self.log_event(SimEvent::ControllerKilled { controller: id, was_leader });
        Ok(())
    }

    /// `controller stop ID`: a clean shutdown; a leader first tells the voters (EndQuorumEpoch).
    pub fn stop_controller(&mut self, id: ControllerId) -> ActionResult {
        if !self.controller_checked(id)?.is_running() {
            return Err(format!("Error: controller {id} is not running."));
        }
        let node = &self.quorum.nodes[&id];
        let was_leader = node.role == Role::Leader;
        if was_leader {
            let epoch = node.epoch;
            // Preferred successors: the voters by how much of the log they hold, most first.
            let mut successors: Vec<(u64, ControllerId)> = self
                .quorum
                .voters()
                .into_iter()
                .filter(|&v| v != id)
                .map(|v| (node.replicas.get(&Node::Controller(v)).map_or(0, |r| r.log_end_offset), v))
                .collect();
            successors.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let successors: Vec<ControllerId> = successors.into_iter().map(|(_, v)| v).collect();
            for &v in &successors {
                let payload = Payload::EndQuorumEpoch { epoch, successors: successors.clone() };
                self.net.send(Node::Controller(id), Node::Controller(v), payload);
            }
        }
        self.controller_down(id, ControllerStatus::Stopped);
        self.log_event(SimEvent::ControllerStopped { controller: id, was_leader });
        Ok(())
    }

    fn controller_down(&mut self, id: ControllerId, status: ControllerStatus) {
        self.set_role(id, Role::Unattached);
        let node = self.quorum.nodes.get_mut(&id).expect("checked");
        node.status = status;
        node.incarnation += 1;
        // The leader it knew stays (quorum-state on disk): a restart resumes following it.
        node.hw = 0;
        node.fetch_in_flight = false;
        if status == ControllerStatus::Dead {
            let now = self.net.now;
            let lost: Vec<(Millis, u64)> =
                self.net.messages.iter().filter(|(_, m)| m.from == Node::Controller(id)).map(|(&k, _)| k).collect();
            for k in lost {
                if let Some(message) = self.net.messages.remove(&k) {
                    self.net.dropped.push(Dropped { message, dropped_ms: now });
                }
            }
        }
    }

    /// `controller start ID`: it comes back with its log, epoch and the leader it knew
    /// (quorum-state on disk). As Kafka's QuorumState does, it resumes following that leader
    /// (its fetch finds out whether it still leads); a node that led itself comes back
    /// unattached, and hearing from no leader it starts an election.
    pub fn start_controller(&mut self, id: ControllerId) -> ActionResult {
        if self.controller_checked(id)?.is_running() {
            return Err(format!("Error: controller {id} is already running."));
        }
        let node = self.quorum.nodes.get_mut(&id).expect("checked");
        node.status = ControllerStatus::Running;
        node.incarnation += 1;
        self.log_event(SimEvent::ControllerStarted { controller: id });
        let (epoch, leader) = (self.quorum.nodes[&id].epoch, self.quorum.nodes[&id].leader);
        match leader {
            Some(l) if l != id => self.become_follower(id, epoch, l),
            _ => self.become_unattached(id, epoch),
        }
        Ok(())
    }

    pub fn isolate_controller(&mut self, id: ControllerId) -> ActionResult {
        self.controller_checked(id)?;
        if !self.net.isolated_controllers.insert(id) {
            return Err(format!("Error: controller {id} is already isolated."));
        }
        self.log_event(SimEvent::ControllerIsolated { controller: id });
        Ok(())
    }

    pub fn heal_controller(&mut self, id: ControllerId) -> ActionResult {
        self.controller_checked(id)?;
        if !self.net.isolated_controllers.remove(&id) {
            return Err(format!("Error: controller {id} is not isolated."));
        }
        self.log_event(SimEvent::ControllerHealed { controller: id });
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Brokers as observers

    /// A broker fetches the metadata log from the controller it believes leads (or tries the next).
    pub(crate) fn broker_metadata_fetch(&mut self, b: BrokerId) {
        let voters = self.quorum.voters();
        let Some(br) = self.brokers.get_mut(&b) else { return };
        if !br.is_running() || br.metadata_fetch_in_flight || voters.is_empty() {
            return;
        }
        let to = br.quorum_leader.filter(|l| voters.contains(l)).unwrap_or_else(|| {
            br.bootstrap_tries += 1;
            voters[(br.bootstrap_tries as usize + b as usize) % voters.len()]
        });
        br.quorum_leader = Some(to);
        br.metadata_fetch_to = Some(to);
        br.metadata_fetch_in_flight = true;
        br.metadata_fetch_seq += 1;
        let payload =
            Payload::QuorumFetch { epoch: 0, fetch_offset: br.metadata_offset, last_fetched_epoch: br.metadata_epoch };
        let (inc, seq) = (br.incarnation, br.metadata_fetch_seq);
        self.net.send(Node::Broker(b), Node::Controller(to), payload);
        self.net.timer(REQUEST_TIMEOUT_MS, Timer::MetadataFetchTimeout { broker: b, incarnation: inc, seq });
    }

    pub(crate) fn on_metadata_fetch_timeout(&mut self, b: BrokerId, incarnation: u64, seq: u64) {
        let Some(br) = self.brokers.get_mut(&b) else { return };
        if br.incarnation != incarnation || br.metadata_fetch_seq != seq || !br.metadata_fetch_in_flight {
            return;
        }
        br.metadata_fetch_in_flight = false;
        br.quorum_leader = None;
        self.broker_metadata_fetch(b);
    }

    /// A broker's answer from a controller: committed records to apply, or where the leader is.
    pub(crate) fn on_broker_quorum_message(&mut self, b: BrokerId, from: Node, payload: Payload) {
        let Node::Controller(src) = from else { return };
        let Some(br) = self.brokers.get_mut(&b) else { return };
        match payload {
            Payload::QuorumFetchResponse { leader, result, .. } => {
                if br.metadata_fetch_to != Some(src) || !br.metadata_fetch_in_flight {
                    return;
                }
                br.metadata_fetch_in_flight = false;
                match result {
                    QuorumFetchResult::Records { entries, .. } => {
                        self.broker_apply_metadata(b, entries);
                        self.broker_metadata_fetch(b);
                    }
                    _ => {
                        br.quorum_leader = leader.filter(|&l| l != src);
                        let (inc, seq) = (br.incarnation, br.metadata_fetch_seq);
                        if br.quorum_leader.is_some() {
                            self.broker_metadata_fetch(b);
                        } else {
                            br.metadata_fetch_in_flight = true;
                            self.net.timer(
                                RECONNECT_BACKOFF_MS,
                                Timer::MetadataFetchTimeout { broker: b, incarnation: inc, seq },
                            );
                        }
                    }
                }
            }
            Payload::NotController { leader } => {
                // A heartbeat or AlterPartition reached a controller that does not lead: the
                // broker's next request goes to the leader it names.
                if let Some(l) = leader.filter(|&l| l != src) {
                    // Kafka retries at once against the controller it was pointed to.
                    br.quorum_leader = Some(l);
                    if br.is_running() {
                        self.send_heartbeat(b);
                    }
                } else if br.quorum_leader == Some(src) {
                    br.quorum_leader = None;
                }
            }
            Payload::Disconnected { .. } => {
                if br.metadata_fetch_to == Some(src) && br.metadata_fetch_in_flight {
                    br.quorum_leader = None;
                    let (inc, seq) = (br.incarnation, br.metadata_fetch_seq);
                    self.net
                        .timer(RECONNECT_BACKOFF_MS, Timer::MetadataFetchTimeout { broker: b, incarnation: inc, seq });
                }
            }
            _ => {}
        }
    }

    /// A (re)started broker that has caught up past its own registration publishes its metadata
    /// image at once: its replicas learn their roles, and replicas of partitions the image no
    /// longer has (deleted while it was down) go.
    pub(crate) fn broker_publish_metadata(&mut self, b: BrokerId) {
        let Some(br) = self.brokers.get_mut(&b) else { return };
        // Caught up past its own registration in this incarnation (its broker epoch is that
        // record's offset), whichever came first: the record or the heartbeat answer.
        if br.metadata_published || br.broker_epoch == 0 || br.metadata_offset <= br.broker_epoch {
            return;
        }
        br.metadata_published = true;
        let image: Vec<(Tp, PartitionMeta)> = br.metadata.iter().map(|(&tp, m)| (tp, m.clone())).collect();
        let mut stray: Vec<Tp> = br.replicas.keys().copied().filter(|tp| !br.metadata.contains_key(tp)).collect();
        crate::sort::sort(&mut stray);
        self.on_partitions_deleted(b, &stray);
        self.on_metadata_update(b, image);
    }

    /// The broker's metadata publisher: applies committed records in order to its own cache
    /// (partitions, which brokers are fenced), then acts on the partitions that changed.
    fn broker_apply_metadata(&mut self, b: BrokerId, entries: Vec<MetaEntry>) {
        let br = self.brokers.get_mut(&b).expect("running broker");
        let mut changed: BTreeMap<Tp, PartitionMeta> = BTreeMap::new();
        let mut deleted: Vec<Tp> = Vec::new();
        let mut caught_up = false;
        let mut applied = false;
        for e in entries {
            if e.offset != br.metadata_offset {
                continue;
            }
            applied = true;
            br.metadata_offset += 1;
            br.metadata_epoch = e.epoch;
            match e.record {
                MetaRecord::Partition { tp, meta, .. } => {
                    deleted.retain(|d| *d != tp);
                    changed.insert(tp, meta);
                }
                MetaRecord::RemoveTopic { topic } => {
                    let gone: Vec<Tp> = br
                        .metadata
                        .keys()
                        .chain(br.replicas.keys())
                        .chain(changed.keys())
                        .copied()
                        .filter(|tp| tp.topic == topic)
                        .collect();
                    for tp in gone {
                        changed.remove(&tp);
                        if !deleted.contains(&tp) {
                            deleted.push(tp);
                        }
                    }
                }
                MetaRecord::RegisterBroker { broker, broker_epoch, .. } => {
                    br.registrations.insert(broker, (true, false));
                    if broker == b && broker_epoch == br.broker_epoch {
                        caught_up = true;
                    }
                }
                MetaRecord::UnregisterBroker { broker, .. } => {
                    br.registrations.remove(&broker);
                }
                MetaRecord::FenceBroker { broker, .. } => {
                    br.registrations.entry(broker).or_insert((true, false)).0 = true;
                }
                MetaRecord::UnfenceBroker { broker, .. } => {
                    *br.registrations.entry(broker).or_insert((false, false)) = (false, false);
                }
                MetaRecord::BrokerShuttingDown { broker, .. } => {
                    br.registrations.entry(broker).or_insert((true, true)).1 = true;
                }
                MetaRecord::LeaderChange { .. } | MetaRecord::Topic { .. } => {}
            }
        }
        br.fenced_brokers = br.registrations.iter().filter(|(_, (f, s))| *f || *s).map(|(&x, _)| x).collect();
        if br.metadata_published {
            crate::sort::sort(&mut deleted);
            self.on_partitions_deleted(b, &deleted);
            self.on_metadata_update(b, changed.into_iter().collect());
        } else {
            // Still replaying after a start: the cache fills, nothing acts on it yet.
            for tp in &deleted {
                br.metadata.remove(tp);
            }
            br.metadata.extend(changed);
            self.broker_publish_metadata(b);
        }
        let shutting_down =
            self.brokers.get(&b).is_some_and(|br| br.status == crate::cluster::broker::BrokerStatus::ShuttingDown);
        if caught_up || (shutting_down && applied) {
            // BrokerLifecycleManager: caught up with its own registration, it heartbeats at once
            // to be unfenced; in a controlled shutdown, to learn whether it may stop now.
            self.send_heartbeat(b);
        }
    }
}

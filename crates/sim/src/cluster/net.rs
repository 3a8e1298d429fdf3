//! The network and the clock: every exchange between nodes is a `Message` with a send time and a
//! delivery time, queued with the timers in one ordered event queue. The view draws the messages in
//! flight from here; the handlers in `broker`, `controller` and `producer` consume them.

use crate::model::*;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Partition state as the controller publishes it (KRaft's PartitionRecord / PartitionChangeRecord).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionMeta {
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub partition_epoch: u32,
    /// A reassignment in progress (KIP-455): `replicas` is the target followed by the replicas
    /// being removed; `adding` are target replicas still catching up, `removing` the ones that
    /// leave once every target replica is in the ISR. Both empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adding: Vec<BrokerId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removing: Vec<BrokerId>,
}

impl PartitionMeta {
    /// The replicas a reassignment moves the partition to (the replicas when none is running).
    pub fn target_replicas(&self) -> Vec<BrokerId> {
        self.replicas.iter().copied().filter(|b| !self.removing.contains(b)).collect()
    }

    /// The replicas before the reassignment started (the replicas when none is running).
    pub fn original_replicas(&self) -> Vec<BrokerId> {
        self.replicas.iter().copied().filter(|b| !self.adding.contains(b)).collect()
    }

    pub fn reassigning(&self) -> bool {
        !self.adding.is_empty() || !self.removing.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    /// Broker → controller every `broker.heartbeat.interval.ms`; carries the broker's epoch
    /// (0 asks to register anew after a restart).
    BrokerHeartbeat {
        broker_epoch: u64,
        /// The broker process's incarnation (Kafka's incarnation id): a registration retried by
        /// the same process is not a new registration.
        incarnation: u64,
        /// The next metadata-log offset this broker will apply (how far it has caught up).
        metadata_offset: u64,
        /// KRaft's controlled shutdown: the broker asks, in every heartbeat, to be let go.
        want_shutdown: bool,
    },
    BrokerHeartbeatResponse {
        broker_epoch: u64,
        fenced: bool,
        /// The controller moved this broker's leaderships away: it may stop now.
        should_shutdown: bool,
    },
    /// KRaft (KIP-595/996): a prospective voter asks for a pre-vote, a candidate for a vote, in
    /// `epoch`, with where its log ends.
    Vote {
        epoch: u32,
        last_epoch: u32,
        end_offset: u64,
        pre_vote: bool,
    },
    /// With the voter's own epoch and the leader it knows.
    VoteResponse {
        epoch: u32,
        granted: bool,
        pre_vote: bool,
        leader: Option<u32>,
    },
    /// A new leader tells the voters.
    BeginQuorumEpoch {
        epoch: u32,
    },
    /// A leader shutting down cleanly tells the voters to elect a successor, most up-to-date
    /// first (`preferredSuccessors`).
    EndQuorumEpoch {
        epoch: u32,
        successors: Vec<u32>,
    },
    /// A fetch of the metadata log: from a follower controller (in its `epoch`) or a broker
    /// (an observer, epoch 0).
    QuorumFetch {
        epoch: u32,
        fetch_offset: u64,
        last_fetched_epoch: u32,
    },
    QuorumFetchResponse {
        epoch: u32,
        leader: Option<u32>,
        result: QuorumFetchResult,
    },
    /// A broker's request reached a controller that is not the active one.
    NotController {
        leader: Option<u32>,
    },
    /// Leader → controller: propose a new ISR.
    AlterPartition {
        tp: Tp,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<BrokerId>,
    },
    AlterPartitionResponse {
        tp: Tp,
        result: Result<PartitionMeta, ErrorCode>,
    },
    /// Follower → leader.
    Fetch {
        tp: Tp,
        fetch_offset: u64,
        last_fetched_epoch: Option<u32>,
        current_leader_epoch: u32,
    },
    FetchResponse {
        tp: Tp,
        leader_epoch: u32,
        result: Result<FetchData, ErrorCode>,
    },
    /// Producer → leader: one batch for one partition.
    Produce {
        req: u64,
        tp: Tp,
        acks: Acks,
        timeout_ms: Millis,
        batch: ProduceBatch,
    },
    ProduceResponse {
        req: u64,
        tp: Tp,
        result: Result<u64, ErrorCode>,
    },
    Metadata,
    MetadataResponse {
        leaders: Vec<(Tp, Option<BrokerId>, u32)>,
    },
    // ---- Consumer groups (classic protocol) and consumer fetching ----
    FindCoordinator {
        group: Sym,
    },
    FindCoordinatorResponse {
        group: Sym,
        result: Result<BrokerId, ErrorCode>,
    },
    JoinGroup {
        group: Sym,
        join: JoinRequest,
    },
    JoinGroupResponse {
        group: Sym,
        result: Result<JoinResult, ErrorCode>,
    },
    SyncGroup {
        group: Sym,
        generation: i32,
        member_id: String,
        assignments: Vec<(String, Vec<Tp>)>,
    },
    SyncGroupResponse {
        group: Sym,
        generation: i32,
        result: Result<Vec<Tp>, ErrorCode>,
    },
    Heartbeat {
        group: Sym,
        generation: i32,
        member_id: String,
    },
    HeartbeatResponse {
        group: Sym,
        error: Option<ErrorCode>,
    },
    LeaveGroup {
        group: Sym,
        member_id: String,
    },
    LeaveGroupResponse {
        group: Sym,
    },
    OffsetCommit {
        group: Sym,
        generation: i32,
        member_id: String,
        req: u64,
        offsets: Vec<(Tp, u64)>,
    },
    OffsetCommitResponse {
        group: Sym,
        req: u64,
        result: Result<Vec<(Tp, u64)>, ErrorCode>,
    },
    OffsetFetch {
        group: Sym,
        tps: Vec<Tp>,
        /// KIP-447's `require_stable` (read_committed consumers): refuse with
        /// UNSTABLE_OFFSET_COMMIT while a transaction's offsets for these partitions are pending.
        require_stable: bool,
    },
    OffsetFetchResponse {
        group: Sym,
        result: Result<Vec<(Tp, Option<u64>)>, ErrorCode>,
    },
    /// A consumer's fetch: records from `offset`, below the high watermark.
    ConsumerFetch {
        tp: Tp,
        offset: u64,
        max_records: u32,
        /// `isolation.level=read_committed`: read below the last stable offset, not the HW.
        read_committed: bool,
    },
    ConsumerFetchResponse {
        tp: Tp,
        offset: u64,
        result: Result<Vec<Record>, ErrorCode>,
        /// read_committed: the aborted transactions in the returned range (the client filters).
        aborted: Vec<AbortedTxn>,
    },
    /// `ListOffsets` for `auto.offset.reset`: the log start (earliest) or the high watermark (latest).
    ListOffsets {
        tp: Tp,
        earliest: bool,
    },
    ListOffsetsResponse {
        tp: Tp,
        result: Result<u64, ErrorCode>,
    },
    // ---- Transactions (section 5.3) ----
    /// Client → any broker: which broker coordinates this transactional.id?
    FindTxnCoordinator {
        tid: Sym,
    },
    FindTxnCoordinatorResponse {
        tid: Sym,
        result: Result<BrokerId, ErrorCode>,
    },
    /// Transactional producer → its transaction coordinator.
    TxnRequest {
        tid: Sym,
        req: u64,
        op: TxnOp,
    },
    /// The coordinator's answer: the producer id and epoch on success.
    TxnResponse {
        tid: Sym,
        req: u64,
        op: TxnOp,
        result: Result<(u64, u16), ErrorCode>,
    },
    /// Transaction coordinator → partition leader (WriteTxnMarkers): append a COMMIT or ABORT marker.
    WriteTxnMarker {
        tid: Sym,
        tp: Tp,
        producer_id: u64,
        producer_epoch: u16,
        commit: bool,
    },
    WriteTxnMarkerResponse {
        tid: Sym,
        tp: Tp,
        producer_id: u64,
        result: Result<u64, ErrorCode>,
    },
    /// Producer → group coordinator: input offsets committed inside a transaction
    /// (sendOffsetsToTransaction → TxnOffsetCommit), with the group generation (KIP-447 fencing).
    TxnOffsetCommit {
        group: Sym,
        producer_id: u64,
        producer_epoch: u16,
        generation: i32,
        member_id: String,
        req: u64,
        offsets: Vec<(Tp, u64)>,
    },
    TxnOffsetCommitResponse {
        group: Sym,
        req: u64,
        result: Result<(), ErrorCode>,
    },
    /// The connection was refused (the peer process is down): the sender learns at once, as from a
    /// TCP reset. Carries the request id when it was a request.
    Disconnected {
        req: Option<u64>,
        tp: Option<Tp>,
    },
}

/// A request of a transactional producer to its coordinator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOp {
    /// initTransactions(): get a producer id and a bumped epoch, fencing older instances.
    InitProducerId {
        timeout_ms: Millis,
    },
    AddPartitions {
        producer_id: u64,
        epoch: u16,
        tps: Vec<Tp>,
    },
    /// sendOffsetsToTransaction(): the group's `__consumer_offsets` partition joins the transaction.
    AddOffsets {
        producer_id: u64,
        epoch: u16,
        group: Sym,
    },
    EndTxn {
        producer_id: u64,
        epoch: u16,
        commit: bool,
    },
}

impl TxnOp {
    pub fn name(&self) -> &'static str {
        match self {
            TxnOp::InitProducerId { .. } => "InitProducerId",
            TxnOp::AddPartitions { .. } => "AddPartitionsToTxn",
            TxnOp::AddOffsets { .. } => "AddOffsetsToTxn",
            TxnOp::EndTxn { commit: true, .. } => "EndTxn(COMMIT)",
            TxnOp::EndTxn { commit: false, .. } => "EndTxn(ABORT)",
        }
    }
}

/// What a member sends in JoinGroup (its subscription and, for sticky assignors, what it owns).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub member_id: Option<String>,
    pub client: ConsumerIdx,
    pub client_id: String,
    pub instance_id: Option<String>,
    pub strategies: Vec<crate::clients::assignor::Strategy>,
    pub topics: Vec<TopicId>,
    pub owned: Vec<Tp>,
    pub owned_generation: i32,
    pub session_timeout_ms: Millis,
    pub rebalance_timeout_ms: Millis,
}

/// The JoinGroup answer; only the leader gets the members' subscriptions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinResult {
    pub generation: i32,
    pub member_id: String,
    pub leader: String,
    pub strategy: crate::clients::assignor::Strategy,
    pub members: Vec<(String, Option<String>, Vec<TopicId>, Vec<Tp>, i32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchData {
    pub records: Vec<Record>,
    pub hw: u64,
    pub log_start: u64,
    /// Set when the follower's log diverged: (epoch, end offset) on the leader (section 3.4);
    /// `None` inside means Kafka's UNDEFINED epoch and offset.
    pub diverging: Option<Option<(u32, u64)>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceBatch {
    pub records: Vec<Record>,
    pub producer_id: Option<u64>,
    pub producer_epoch: u16,
    pub base_sequence: i32,
    /// Sent inside a transaction (the records are transactional: read_committed waits for the marker).
    pub transactional: bool,
}

/// What a message is, for the legend and the filter in the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    Produce,
    ProduceAck,
    Fetch,
    FetchData,
    Heartbeat,
    Metadata,
    IsrChange,
    Shutdown,
    Disconnect,
    /// FindCoordinator, JoinGroup, SyncGroup, LeaveGroup.
    Group,
    /// Consumer heartbeats to the group coordinator.
    GroupHeartbeat,
    OffsetCommit,
    ConsumerFetch,
    ConsumerData,
    /// Producer ↔ transaction coordinator (FindCoordinator, InitProducerId, AddPartitionsToTxn, EndTxn).
    Txn,
    /// Coordinator → leaders: WriteTxnMarkers, and their answers.
    TxnMarker,
    /// The KRaft quorum: votes, and fetches of the metadata log (by controllers and brokers).
    Quorum,
}

impl MessageKind {
    pub const ALL: [MessageKind; 17] = [
        MessageKind::Produce,
        MessageKind::ProduceAck,
        MessageKind::Fetch,
        MessageKind::FetchData,
        MessageKind::Heartbeat,
        MessageKind::Metadata,
        MessageKind::IsrChange,
        MessageKind::Shutdown,
        MessageKind::Disconnect,
        MessageKind::Group,
        MessageKind::GroupHeartbeat,
        MessageKind::OffsetCommit,
        MessageKind::ConsumerFetch,
        MessageKind::ConsumerData,
        MessageKind::Txn,
        MessageKind::TxnMarker,
        MessageKind::Quorum,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Produce => "produce request",
            MessageKind::ProduceAck => "produce response (ack)",
            MessageKind::Fetch => "follower fetch",
            MessageKind::FetchData => "fetch response (replication)",
            MessageKind::Heartbeat => "broker heartbeat",
            MessageKind::Metadata => "metadata",
            MessageKind::IsrChange => "ISR change (AlterPartition)",
            MessageKind::Shutdown => "controlled shutdown",
            MessageKind::Disconnect => "connection refused",
            MessageKind::Group => "group join/sync/leave",
            MessageKind::GroupHeartbeat => "consumer heartbeat",
            MessageKind::OffsetCommit => "offset commit/fetch",
            MessageKind::ConsumerFetch => "consumer fetch",
            MessageKind::ConsumerData => "records to a consumer",
            MessageKind::Txn => "transaction coordinator request",
            MessageKind::TxnMarker => "transaction marker (WriteTxnMarkers)",
            MessageKind::Quorum => "KRaft quorum: vote, metadata log fetch",
        }
    }
}

impl Payload {
    pub fn kind(&self) -> MessageKind {
        match self {
            Payload::BrokerHeartbeat { want_shutdown: true, .. }
            | Payload::BrokerHeartbeatResponse { should_shutdown: true, .. } => MessageKind::Shutdown,
            Payload::BrokerHeartbeat { .. } | Payload::BrokerHeartbeatResponse { .. } => MessageKind::Heartbeat,
            Payload::Metadata | Payload::MetadataResponse { .. } | Payload::NotController { .. } => {
                MessageKind::Metadata
            }
            Payload::Vote { .. }
            | Payload::VoteResponse { .. }
            | Payload::BeginQuorumEpoch { .. }
            | Payload::EndQuorumEpoch { .. }
            | Payload::QuorumFetch { .. }
            | Payload::QuorumFetchResponse { .. } => MessageKind::Quorum,
            Payload::AlterPartition { .. } | Payload::AlterPartitionResponse { .. } => MessageKind::IsrChange,
            Payload::Fetch { .. } => MessageKind::Fetch,
            Payload::FetchResponse { .. } => MessageKind::FetchData,
            Payload::Produce { .. } => MessageKind::Produce,
            Payload::ProduceResponse { .. } => MessageKind::ProduceAck,
            Payload::Disconnected { .. } => MessageKind::Disconnect,
            Payload::FindCoordinator { .. }
            | Payload::FindCoordinatorResponse { .. }
            | Payload::JoinGroup { .. }
            | Payload::JoinGroupResponse { .. }
            | Payload::SyncGroup { .. }
            | Payload::SyncGroupResponse { .. }
            | Payload::LeaveGroup { .. }
            | Payload::LeaveGroupResponse { .. } => MessageKind::Group,
            Payload::Heartbeat { .. } | Payload::HeartbeatResponse { .. } => MessageKind::GroupHeartbeat,
            Payload::OffsetCommit { .. }
            | Payload::OffsetCommitResponse { .. }
            | Payload::OffsetFetch { .. }
            | Payload::OffsetFetchResponse { .. } => MessageKind::OffsetCommit,
            Payload::ConsumerFetch { .. } | Payload::ListOffsets { .. } | Payload::ListOffsetsResponse { .. } => {
                MessageKind::ConsumerFetch
            }
            Payload::ConsumerFetchResponse { .. } => MessageKind::ConsumerData,
            Payload::FindTxnCoordinator { .. }
            | Payload::FindTxnCoordinatorResponse { .. }
            | Payload::TxnRequest { .. }
            | Payload::TxnResponse { .. } => MessageKind::Txn,
            Payload::TxnOffsetCommit { .. } | Payload::TxnOffsetCommitResponse { .. } => MessageKind::OffsetCommit,
            Payload::WriteTxnMarker { .. } | Payload::WriteTxnMarkerResponse { .. } => MessageKind::TxnMarker,
        }
    }

    /// The partition a message is about, if any (the view labels the dot with it).
    pub fn tp(&self) -> Option<Tp> {
        match self {
            Payload::AlterPartition { tp, .. }
            | Payload::AlterPartitionResponse { tp, .. }
            | Payload::Fetch { tp, .. }
            | Payload::FetchResponse { tp, .. }
            | Payload::Produce { tp, .. }
            | Payload::ProduceResponse { tp, .. } => Some(*tp),
            Payload::Disconnected { tp, .. } => *tp,
            Payload::ConsumerFetch { tp, .. }
            | Payload::ConsumerFetchResponse { tp, .. }
            | Payload::ListOffsets { tp, .. }
            | Payload::ListOffsetsResponse { tp, .. } => Some(*tp),
            Payload::WriteTxnMarker { tp, .. } | Payload::WriteTxnMarkerResponse { tp, .. } => Some(*tp),
            _ => None,
        }
    }

    /// Records carried (produce batches and replication), for drawing their colours.
    pub fn records(&self) -> &[Record] {
        match self {
            Payload::Produce { batch, .. } => &batch.records,
            Payload::FetchResponse { result: Ok(d), .. } => &d.records,
            Payload::ConsumerFetchResponse { result: Ok(r), .. } => r,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuorumFetchResult {
    /// Records from the fetch offset (a broker gets committed ones only), and the leader's HW.
    Records { entries: Vec<crate::cluster::quorum::MetaEntry>, hw: u64 },
    /// The fetcher's log differs from the leader's: truncate to `end_offset` of `epoch`.
    Diverging { epoch: u32, end_offset: u64 },
    /// Not the leader (it may name the one it knows).
    NotLeader,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: u64,
    pub from: Node,
    pub to: Node,
    pub sent_ms: Millis,
    pub deliver_ms: Millis,
    pub payload: Payload,
}

/// Timers: things a node does by itself at a time. Each carries the incarnation of its owner so a
/// timer set before a crash does nothing after the restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Timer {
    BrokerHeartbeat {
        broker: BrokerId,
        incarnation: u64,
    },
    /// Controller: `auto.leader.rebalance.enable`'s periodic check.
    LeaderImbalanceCheck,
    /// A controller's election timer: a follower's fetch timeout, or an election that ran out.
    QuorumElection {
        controller: u32,
        incarnation: u64,
        seq: u64,
    },
    /// The active controller checks it still hears from a majority.
    QuorumCheck {
        controller: u32,
        incarnation: u64,
        epoch: u32,
    },
    /// The leader answers a held fetch with nothing new.
    QuorumFetchWait {
        controller: u32,
        incarnation: u64,
        from: Node,
        seq: u64,
    },
    /// A follower controller's fetch got no answer: fetch again.
    QuorumFetchRetry {
        controller: u32,
        incarnation: u64,
        seq: u64,
    },
    /// A broker's metadata fetch got no answer: try another controller.
    MetadataFetchTimeout {
        broker: BrokerId,
        incarnation: u64,
        seq: u64,
    },
    /// Controller: has `broker` missed its session?
    SessionCheck {
        broker: BrokerId,
    },
    /// Leader: a parked follower fetch has waited `replica.fetch.wait.max.ms`.
    FetchWait {
        broker: BrokerId,
        incarnation: u64,
        tp: Tp,
        follower: BrokerId,
        id: u64,
    },
    /// Leader: the `isr-expiration` task, every `replica.lag.time.max.ms / 2`.
    IsrExpiration {
        broker: BrokerId,
        incarnation: u64,
    },
    /// Follower: no answer to a fetch within `replica.socket.timeout.ms`: send it again.
    FetchTimeout {
        broker: BrokerId,
        incarnation: u64,
        tp: Tp,
        seq: u64,
    },
    /// Follower: fetch again after an error backoff.
    FetchRetry {
        broker: BrokerId,
        incarnation: u64,
        tp: Tp,
    },
    /// Leader: an acks=all produce waiting in purgatory timed out.
    ProduceWait {
        broker: BrokerId,
        incarnation: u64,
        id: u64,
    },
    /// Broker: apply retention (`log.retention.check.interval.ms`).
    RetentionCheck {
        broker: BrokerId,
        incarnation: u64,
    },
    /// Broker: the log cleaner's pass (`log.cleaner.backoff.ms`).
    LogCleaner {
        broker: BrokerId,
        incarnation: u64,
    },
    /// Group coordinator: the join phase of a rebalance ends (`seq` identifies the rebalance).
    GroupJoinDeadline {
        group: Sym,
        seq: u64,
    },
    /// Group coordinator: has `member` missed its `session.timeout.ms`?
    MemberSession {
        group: Sym,
        member: String,
    },
    /// Broker: a parked consumer fetch has waited `fetch.max.wait.ms`.
    ConsumerFetchWait {
        broker: BrokerId,
        incarnation: u64,
        id: u64,
    },
    /// Consumer: heartbeat thread tick (`heartbeat.interval.ms`), also checks `max.poll.interval.ms`.
    ConsumerHeartbeat {
        consumer: ConsumerIdx,
        incarnation: u64,
    },
    /// Consumer: finished processing the current record.
    ConsumerProcessed {
        consumer: ConsumerIdx,
        incarnation: u64,
    },
    /// Consumer: try again (find coordinator, join, fetch) after a backoff.
    ConsumerRetry {
        consumer: ConsumerIdx,
        incarnation: u64,
    },
    /// Producer: the rate tick that makes new records.
    ProducerTick {
        producer: ProducerIdx,
        incarnation: u64,
    },
    /// Producer: a request got no answer within `request.timeout.ms`.
    RequestTimeout {
        producer: ProducerIdx,
        incarnation: u64,
        req: u64,
    },
    /// Producer: try to send again (after retry backoff or linger).
    ProducerWake {
        producer: ProducerIdx,
        incarnation: u64,
    },
    /// Transaction coordinators: resend markers, abort timed-out transactions, finish what a
    /// failed-over coordinator loaded (every `TXN_CHECK_MS`, once `__transaction_state` exists).
    TxnCheck,
    /// A broker's `__transaction_state` partition's HW moved: complete the state changes below it.
    TxnLogAdvanced {
        broker: BrokerId,
        tp: Tp,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Deliver(Message),
    Timer(Timer),
}

/// A message that never arrived (its link was cut), kept briefly so the view can fade it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub message: Message,
    pub dropped_ms: Millis,
}

/// Clock, randomness and the event queue. Handlers get `&mut Net` next to the node they update.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Net {
    pub now: Millis,
    pub rng: Rng,
    /// The KRaft quorum's own stream (election timeouts, its messages' jitter), so that the
    /// quorum's chatter does not shift the randomness the rest of the cluster draws.
    #[serde(default = "quorum_rng_default")]
    pub quorum_rng: Rng,
    /// The event queue, in two halves ordered by the same (time, insertion sequence) keys: ties
    /// resolve in the order things were scheduled, and `pop_next` takes the earlier of the two
    /// heads, so the order is that of one queue. Messages apart, so that what is in flight (drawn
    /// every frame) is read without walking the timers, which far outnumber them.
    pub messages: BTreeMap<(Millis, u64), Message>,
    pub timers: BTreeMap<(Millis, u64), Timer>,
    seq: u64,
    next_msg_id: u64,
    pub latency_ms: Millis,
    pub jitter_ms: Millis,
    /// Per-link overrides (latency, jitter), stored with the smaller node first.
    pub link_latency: BTreeMap<(Node, Node), (Millis, Millis)>,
    /// Brokers whose links are cut (`broker isolate`).
    pub isolated: BTreeSet<BrokerId>,
    /// Controllers whose links are cut (`controller isolate`): to brokers and other controllers.
    #[serde(default)]
    pub isolated_controllers: BTreeSet<u32>,
    pub dropped: Vec<Dropped>,
    /// When the last message on each directed link is delivered: links are FIFO, like the TCP
    /// connections they stand for, so a later message never overtakes an earlier one.
    last_delivery: BTreeMap<(Node, Node), Millis>,
    /// Messages sent so far (statistics and benches).
    pub sent: u64,
    /// Events dispatched so far: with the clock, the exact point a command was applied at.
    pub processed: u64,
    /// The timer count at which `Sim::drop_moot_timers` sweeps the queue next.
    #[serde(default)]
    pub sweep_at: usize,
}

/// Mixed into the seed for the quorum's stream ("kraft").
const QUORUM_STREAM: u64 = 0x6b72_6166_74;

fn quorum_rng_default() -> Rng {
    Rng::new(QUORUM_STREAM)
}

impl Net {
    pub fn new(seed: u64, latency_ms: Millis, jitter_ms: Millis) -> Net {
        Net {
            now: 0,
            rng: Rng::new(seed),
            quorum_rng: Rng::new(seed ^ QUORUM_STREAM),
            messages: BTreeMap::new(),
            timers: BTreeMap::new(),
            seq: 0,
            next_msg_id: 1,
            latency_ms,
            jitter_ms,
            link_latency: BTreeMap::new(),
            isolated: BTreeSet::new(),
            isolated_controllers: BTreeSet::new(),
            dropped: Vec::new(),
            last_delivery: BTreeMap::new(),
            sent: 0,
            processed: 0,
            sweep_at: 0,
        }
    }

    pub fn schedule(&mut self, at: Millis, event: Event) {
        let at = at.max(self.now);
        self.seq += 1;
        match event {
            Event::Deliver(m) => {
                self.messages.insert((at, self.seq), m);
            }
            Event::Timer(t) => {
                self.timers.insert((at, self.seq), t);
            }
        }
    }

    /// Takes the next event (the earliest of both halves of the queue).
    pub fn pop_next(&mut self) -> Option<((Millis, u64), Event)> {
        let m = self.messages.first_key_value().map(|(k, _)| *k);
        let t = self.timers.first_key_value().map(|(k, _)| *k);
        match (m, t) {
            (Some(m), Some(t)) if t < m => self.timers.pop_first().map(|(k, t)| (k, Event::Timer(t))),
            (Some(_), _) => self.messages.pop_first().map(|(k, m)| (k, Event::Deliver(m))),
            (None, Some(_)) => self.timers.pop_first().map(|(k, t)| (k, Event::Timer(t))),
            (None, None) => None,
        }
    }

    /// A copy of the event `pop_next` would take.
    pub fn peek_next(&self) -> Option<Event> {
        let m = self.messages.first_key_value();
        let t = self.timers.first_key_value();
        match (m, t) {
            (Some((mk, _)), Some((tk, t))) if tk < mk => Some(Event::Timer(t.clone())),
            (Some((_, m)), _) => Some(Event::Deliver(m.clone())),
            (None, Some((_, t))) => Some(Event::Timer(t.clone())),
            (None, None) => None,
        }
    }

    /// Events waiting: messages in flight and timers.
    pub fn pending_events(&self) -> usize {
        self.messages.len() + self.timers.len()
    }

    pub fn timer(&mut self, after_ms: Millis, timer: Timer) {
        self.schedule(self.now + after_ms, Event::Timer(timer));
    }

    /// Whether the link between two nodes is cut. An isolated broker loses its links to the
    /// controller and to other brokers; clients still reach it (the zombie-leader case).
    pub fn link_cut(&self, a: Node, b: Node) -> bool {
        let iso = |n: Node| matches!(n, Node::Broker(id) if self.isolated.contains(&id));
        let server = |n: Node| matches!(n, Node::Broker(_) | Node::Controller(_));
        let ctl = |n: Node| matches!(n, Node::Controller(id) if self.isolated_controllers.contains(&id));
        (iso(a) && server(b)) || (iso(b) && server(a)) || ctl(a) || ctl(b)
    }

    pub fn send(&mut self, from: Node, to: Node, payload: Payload) {
        let key = if from <= to { (from, to) } else { (to, from) };
        let (latency, jitter_max) = self.link_latency.get(&key).copied().unwrap_or((self.latency_ms, self.jitter_ms));
        let rng = if payload.kind() == MessageKind::Quorum { &mut self.quorum_rng } else { &mut self.rng };
        let jitter = if jitter_max > 0 { rng.below(jitter_max + 1) } else { 0 };
        let mut deliver = self.now + latency.max(1) + jitter;
        let last = self.last_delivery.entry((from, to)).or_insert(0);
        deliver = deliver.max(*last);
        *last = deliver;
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        self.sent += 1;
        let msg = Message { id, from, to, sent_ms: self.now, deliver_ms: deliver, payload };
        self.schedule(deliver, Event::Deliver(msg));
    }

    pub fn in_flight(&self) -> impl Iterator<Item = &Message> {
        self.messages.values()
    }

    pub fn next_event_time(&self) -> Option<Millis> {
        let m = self.messages.keys().next().map(|&(t, _)| t);
        let t = self.timers.keys().next().map(|&(t, _)| t);
        match (m, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

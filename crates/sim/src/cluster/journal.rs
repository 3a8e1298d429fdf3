//! Significant things that happened, in order, with their virtual time: the narration pane, the
//! runner's output between commands and the exported trace all read this.

use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimEvent {
    BrokerKilled {
        broker: BrokerId,
    },
    /// `rack kill R`: the running `brokers` on rack R crashed together; `offline` are the
    /// partitions that had a leader and no in-sync replica running off that rack.
    RackFailed {
        rack: String,
        brokers: Vec<BrokerId>,
        offline: Vec<Tp>,
    },
    /// `broker kill B --power-loss`: the machine lost power (`was_running`: its process was up)
    /// and with it the page cache: `records` not yet on disk are gone from its logs.
    BrokerPowerLost {
        broker: BrokerId,
        was_running: bool,
        records: u64,
    },
    /// What a power loss took from one replica's log: `records` from offset `from` on.
    PowerLossTruncated {
        broker: BrokerId,
        tp: Tp,
        from: u64,
        records: u64,
    },
    BrokerStarted {
        broker: BrokerId,
    },
    BrokerShutdownRequested {
        broker: BrokerId,
    },
    BrokerStopped {
        broker: BrokerId,
    },
    BrokerIsolated {
        broker: BrokerId,
    },
    BrokerHealed {
        broker: BrokerId,
    },
    /// The controller fenced a broker that missed its session (or finished a controlled shutdown).
    BrokerFenced {
        broker: BrokerId,
        silent_ms: Millis,
        controlled: bool,
    },
    BrokerRegistered {
        broker: BrokerId,
        broker_epoch: u64,
    },
    /// A fenced broker heartbeated again and the controller let it back in.
    BrokerUnfenced {
        broker: BrokerId,
    },
    /// A controller stopped hearing from the quorum's leader (fetch timeout).
    ControllerLostLeader {
        controller: u32,
        leader: Option<u32>,
        silent_ms: Millis,
    },
    /// A controller asks for pre-votes (KIP-996) before it starts an election.
    ControllerProspective {
        controller: u32,
        epoch: u32,
    },
    ControllerCandidate {
        controller: u32,
        epoch: u32,
    },
    /// A controller won an election: the active controller from `offset` of the metadata log.
    ControllerElected {
        controller: u32,
        epoch: u32,
        offset: u64,
    },
    /// The active controller lost touch with a majority and resigned.
    ControllerResigned {
        controller: u32,
        epoch: u32,
    },
    /// A controller's log diverged from the leader's: it cut `records` uncommitted records.
    MetadataTruncated {
        controller: u32,
        to: u64,
        records: u64,
    },
    ControllerKilled {
        controller: u32,
        was_leader: bool,
    },
    ControllerStopped {
        controller: u32,
        was_leader: bool,
    },
    ControllerStarted {
        controller: u32,
    },
    ControllerIsolated {
        controller: u32,
    },
    ControllerHealed {
        controller: u32,
    },
    TopicCreated {
        topic: TopicId,
    },
    /// A topic whose records the quorum never committed: the new active controller's log does
    /// not hold them, so the topic was never created.
    TopicNeverCommitted {
        topic: TopicId,
    },
    /// A topic's deletion the quorum never committed: the topic is still there.
    TopicDeletionNeverCommitted {
        topic: TopicId,
    },
    PartitionsAdded {
        topic: TopicId,
        from: u32,
        to: u32,
    },
    /// `kafka-topics --delete`; `partitions` is how many it had.
    TopicDeleted {
        topic: TopicId,
        partitions: u32,
    },
    /// `broker remove`: unregistered and taken off the picture.
    BrokerRemoved {
        broker: BrokerId,
    },
    /// `kafka-consumer-groups --delete`: the group and its committed offsets are gone.
    GroupDeleted {
        group: String,
    },
    /// `producer remove` / `consumer remove` / `processor remove`: closed and taken off the picture.
    ClientRemoved {
        what: String,
    },
    /// `kafka-reassign-partitions --execute` (KIP-455): the controller starts moving `tp` to
    /// `target`; `adding` catch up as followers, `removing` leave when they have.
    ReassignmentStarted {
        tp: Tp,
        target: Vec<BrokerId>,
        adding: Vec<BrokerId>,
        removing: Vec<BrokerId>,
    },
    /// Every adding replica is in the ISR: the controller dropped the removing ones.
    ReassignmentCompleted {
        tp: Tp,
        replicas: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        removed: Vec<BrokerId>,
        /// The ISR just before (the adding replicas in it, the removing ones still there).
        isr_before: Vec<BrokerId>,
        leader_epoch: u32,
    },
    /// `kafka-reassign-partitions --cancel`: back to the replicas before the reassignment.
    ReassignmentCancelled {
        tp: Tp,
        replicas: Vec<BrokerId>,
    },
    /// A broker deleted its replica of `tp`: the partition's replicas no longer include it.
    ReplicaDeleted {
        broker: BrokerId,
        tp: Tp,
    },
    LeaderChanged {
        tp: Tp,
        from: Option<BrokerId>,
        to: Option<BrokerId>,
        epoch: u32,
        isr: Vec<BrokerId>,
        unclean: bool,
        reason: String,
    },
    IsrShrunk {
        tp: Tp,
        removed: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        by_controller: bool,
    },
    IsrExpanded {
        tp: Tp,
        added: Vec<BrokerId>,
        isr: Vec<BrokerId>,
    },
    /// A broker learned it is no longer the leader (its metadata caught up).
    LeaderDemoted {
        broker: BrokerId,
        tp: Tp,
        new_leader: Option<BrokerId>,
        epoch: u32,
    },
    /// A follower cut its log back to match the leader (diverging epoch, section 3.4).
    Truncated {
        broker: BrokerId,
        tp: Tp,
        from_leo: u64,
        to: u64,
        lost: Vec<RecordId>,
    },
    /// Acked records that no live copy holds any more.
    RecordsLost {
        tp: Tp,
        ids: Vec<RecordId>,
        why: String,
    },
    ProducerFailed {
        producer: ProducerIdx,
        tp: Tp,
        count: u32,
        error: ErrorCode,
    },
    ProducerStarted {
        producer: ProducerIdx,
    },
    ProducerStopped {
        producer: ProducerIdx,
        killed: bool,
    },
    RebalanceStarted {
        group: String,
        from: String,
        why: String,
    },
    MemberRemoved {
        group: String,
        member: String,
        why: String,
    },
    GroupStable {
        group: String,
        generation: i32,
        members: u32,
        strategy: String,
    },
    CommitRejected {
        group: String,
        member: String,
        error: ErrorCode,
    },
    ConsumerStarted {
        consumer: ConsumerIdx,
    },
    StaticMemberReturned {
        group: String,
        instance: String,
    },
    ConsumerStopped {
        consumer: ConsumerIdx,
        killed: bool,
    },
    ConsumerPaused {
        consumer: ConsumerIdx,
        paused: bool,
    },
    PartitionsRevoked {
        consumer: ConsumerIdx,
        tps: Vec<Tp>,
    },
    PartitionsAssigned {
        consumer: ConsumerIdx,
        generation: i32,
        tps: Vec<Tp>,
        added: Vec<Tp>,
    },
    ConsumerError {
        consumer: ConsumerIdx,
        error: String,
    },
    /// A fetch at `position` got OFFSET_OUT_OF_RANGE: below the log start (retention, delete-records)
    /// or past the log end (an unclean election); the consumer follows `auto.offset.reset`.
    OffsetOutOfRange {
        consumer: ConsumerIdx,
        tp: Tp,
        position: u64,
        log_start: u64,
        log_end: u64,
        /// `earliest`, `latest` or `none`.
        reset: String,
    },
    ConsumerLeftOnPollTimeout {
        consumer: ConsumerIdx,
    },
    /// The group leader's metadata refresh found a subscribed topic changed (partitions added,
    /// deleted, created again): it rejoins ("cached metadata has changed").
    MetadataChanged {
        consumer: ConsumerIdx,
        what: String,
    },
    ConfigChanged {
        what: String,
    },
    /// A broker's log cleaner compacted offsets `from .. to` of its replica (the leader's is
    /// journalled): `removed` records were superseded, expired tombstones or aborted data.
    LogCompacted {
        broker: BrokerId,
        tp: Tp,
        from: u64,
        to: u64,
        removed: usize,
    },
    /// `kafka-delete-records`: the leader moved its log start offset.
    RecordsDeleted {
        broker: BrokerId,
        tp: Tp,
        new_log_start: u64,
    },
    /// Retention deleted the oldest `segments` segments of a leader's log.
    RetentionDeleted {
        broker: BrokerId,
        tp: Tp,
        new_log_start: u64,
        #[serde(default)]
        segments: usize,
    },
    /// A transaction state change was replicated in `__transaction_state` and took effect.
    TxnStateChanged {
        tid: String,
        coordinator: BrokerId,
        state: crate::coordinators::txn::TxnState,
        producer_id: u64,
        epoch: u16,
        partitions: Vec<Tp>,
    },
    /// The coordinator bumped the epoch of an open transaction to abort it (fencing its producer).
    TxnFenced {
        tid: String,
        old_epoch: u16,
        new_epoch: u16,
        why: String,
    },
    /// A transactional producer finished initTransactions().
    TxnProducerReady {
        producer: ProducerIdx,
        producer_id: u64,
        epoch: u16,
    },
    /// A transactional producer's commitTransaction() / abortTransaction() completed.
    TxnProducerDone {
        producer: ProducerIdx,
        committed: bool,
        records: u32,
    },
    TxnProducerError {
        producer: ProducerIdx,
        error: ErrorCode,
        fatal: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at_ms: Millis,
    pub event: SimEvent,
}

/// `mm:ss.mmm` (or `h:mm:ss.mmm`) for printing virtual time.
pub fn format_time(ms: Millis) -> String {
    let h = ms / 3_600_000;
    let m = (ms / 60_000) % 60;
    let s = (ms / 1000) % 60;
    let milli = ms % 1000;
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{milli:03}")
    } else {
        format!("{m:02}:{s:02}.{milli:03}")
    }
}

/// "broker 4" or "brokers 4,5".
pub fn brokers_word(ids: &[BrokerId]) -> String {
    format!("broker{} {}", if ids.len() == 1 { "" } else { "s" }, join_ids(ids))
}

pub fn join_ids(ids: &[BrokerId]) -> String {
    ids.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")
}

impl crate::cluster::sim::Sim {
    /// Narration for the learner: like `describe`, but the internal topics' routine replication
    /// events are left out, and a coordinator partition changing leader is told as the group's
    /// coordinator moving.
    pub fn narrate(&self, e: &JournalEntry) -> Option<String> {
        let internal = |tp: &Tp| self.topics[tp.topic as usize].name.starts_with("__");
        match &e.event {
            SimEvent::LeaderChanged { tp, from, to, epoch, .. }
                if self.topics[tp.topic as usize].name == crate::coordinators::txn::TXN_TOPIC =>
            {
                let tids: Vec<String> = self
                    .producers
                    .iter()
                    .filter_map(|p| p.txn.as_ref())
                    .map(|t| self.interner.get(t.tid).to_string())
                    .filter(|t| self.txn_tp(t) == Some(*tp))
                    .collect();
                if tids.is_empty() {
                    return None;
                }
                let b = |x: &Option<BrokerId>| x.map_or("none".to_string(), |b| b.to_string());
                Some(format!(
                    "Transactional id {}: transaction coordinator moved with the leadership of {} (broker {} → {}, epoch {epoch}); the new coordinator loads the transaction state from its replica.",
                    tids.join(", "),
                    self.tp_name(*tp),
                    b(from),
                    b(to)
                ))
            }
            SimEvent::LeaderChanged { tp, from, to, epoch, .. } if internal(tp) => {
                let groups: Vec<&str> = self
                    .groups
                    .values()
                    .filter(|g| self.offsets_tp(&g.name) == Some(*tp))
                    .map(|g| g.name.as_str())
                    .collect();
                if groups.is_empty() {
                    return None;
                }
                let b = |x: &Option<BrokerId>| x.map_or("none".to_string(), |b| b.to_string());
                Some(format!(
                    "Group {}: coordinator moved with the leadership of {} (broker {} → {}, epoch {epoch}).",
                    groups.join(", "),
                    self.tp_name(*tp),
                    b(from),
                    b(to)
                ))
            }
            SimEvent::TxnStateChanged { state: crate::coordinators::txn::TxnState::Empty, .. } => None,
            // A processor commits a transaction per poll() batch: its routine commits would drown
            // the narration (aborts, fencing and failures are still told).
            SimEvent::TxnStateChanged {
                tid,
                state:
                    crate::coordinators::txn::TxnState::PrepareCommit
                    | crate::coordinators::txn::TxnState::CompleteCommit
                    | crate::coordinators::txn::TxnState::Ongoing,
                ..
            } if self
                .producers
                .iter()
                .any(|p| p.app.is_some() && p.txn.as_ref().is_some_and(|t| self.interner.get(t.tid) == tid)) =>
            {
                None
            }
            SimEvent::TxnProducerDone { producer, committed: true, .. }
                if self.producers[*producer as usize].app.is_some() =>
            {
                None
            }
            SimEvent::IsrShrunk { tp, .. }
            | SimEvent::IsrExpanded { tp, .. }
            | SimEvent::LeaderDemoted { tp, .. }
            | SimEvent::Truncated { tp, .. }
            | SimEvent::RetentionDeleted { tp, .. }
            | SimEvent::PowerLossTruncated { tp, .. }
                if internal(tp) =>
            {
                None
            }
            _ => Some(self.describe(e)),
        }
    }

    /// Plain-words narration of one journal entry.
    pub fn describe(&self, e: &JournalEntry) -> String {
        let tp = |tp: &Tp| self.tp_name(*tp);
        let b_or_none = |b: &Option<BrokerId>| b.map_or("none".to_string(), |b| b.to_string());
        let silent = self.config.broker_session_timeout_ms;
        match &e.event {
            SimEvent::BrokerKilled { broker } => format!(
                "Broker {broker} crashed: what it was sending is lost and it stops heartbeating; the controller will fence it after broker.session.timeout.ms ({silent} ms)."
            ),
            SimEvent::RackFailed { rack, brokers, offline } => {
                let ids: Vec<String> = brokers.iter().map(|b| b.to_string()).collect();
                let who = match ids.as_slice() {
                    [one] => format!("broker {one} crashed"),
                    [rest @ .., last] => format!("brokers {} and {last} crashed at the same instant", rest.join(", ")),
                    [] => "no broker was running".to_string(),
                };
                let what = match offline.len() {
                    0 => "Every partition that had a leader has an in-sync replica running on another rack, so each keeps or gets a leader there once the controller fences these brokers.".to_string(),
                    n => {
                        let names: Vec<String> = offline.iter().take(4).map(tp).collect();
                        let more = if n > 4 { format!(" and {} more", n - 4) } else { String::new() };
                        let (these, go) = if n == 1 { ("partition", "goes") } else { ("partitions", "go") };
                        format!(
                            "{n} {these} had no in-sync replica running on another rack and {go} offline until it returns: {}{more}.",
                            names.join(", ")
                        )
                    }
                };
                format!("Rack {rack} failed: {who}. {what}")
            }
            SimEvent::BrokerPowerLost { broker, was_running, records } => {
                let what = if *was_running { "its process and its page cache are" } else { "its page cache is" };
                let disk = if *records == 0 {
                    format!("{what} gone, but everything in its logs had reached disk")
                } else {
                    format!("{what} gone, with what had not reached disk")
                };
                let fence = if *was_running {
                    format!("; the controller will fence it after broker.session.timeout.ms ({silent} ms)")
                } else {
                    String::new()
                };
                format!("Broker {broker} lost power: {disk}{fence}.")
            }
            SimEvent::PowerLossTruncated { broker, tp: t, from, records } => format!(
                "Broker {broker} lost power: {records} record(s) of {} not yet on disk (from offset {from}) are gone from its log.",
                tp(t)
            ),
            SimEvent::BrokerStarted { broker } => match self.brokers.get(broker).and_then(|b| b.rack.as_deref()) {
                Some(rack) => format!("Broker {broker} (rack {rack}) started and is registering with the controller."),
                None => format!("Broker {broker} started and is registering with the controller."),
            },
            SimEvent::BrokerShutdownRequested { broker } => {
                format!("Broker {broker} began a controlled shutdown: it asks the controller to move its leaderships first.")
            }
            SimEvent::BrokerStopped { broker } => format!("Broker {broker} shut down cleanly."),
            SimEvent::BrokerIsolated { broker } => format!(
                "Broker {broker} is cut off from the controller and the other brokers (clients can still reach it)."
            ),
            SimEvent::BrokerHealed { broker } => format!("Broker {broker}'s network links are restored."),
            SimEvent::BrokerFenced { broker, silent_ms, controlled } => {
                if *controlled {
                    format!("Controller fenced broker {broker} at the end of its controlled shutdown.")
                } else if *silent_ms == 0 {
                    format!("Controller fenced broker {broker}'s previous incarnation: it re-registered after a restart.")
                } else {
                    format!("Controller fenced broker {broker}: no heartbeat for {silent_ms} ms (broker.session.timeout.ms = {silent}).")
                }
            }
            SimEvent::BrokerRegistered { broker, broker_epoch } => format!(
                "Controller registered broker {broker} (broker epoch {broker_epoch}, the offset of its RegisterBrokerRecord); it stays fenced until it has caught up with the metadata log."
            ),
            SimEvent::BrokerUnfenced { broker } => {
                format!("Broker {broker} has caught up with the metadata log and heartbeats; the controller unfenced it.")
            }
            SimEvent::ControllerLostLeader { controller, leader, silent_ms } => match leader {
                Some(l) => format!("Controller {controller} heard nothing from the active controller {l} for {silent_ms} ms (controller.quorum.fetch.timeout.ms)."),
                None => format!("Controller {controller} knows no active controller."),
            },
            SimEvent::ControllerProspective { controller, epoch } => format!(
                "Controller {controller} asks the other voters for a pre-vote (KIP-996) before it starts an election for epoch {}.",
                epoch + 1
            ),
            SimEvent::ControllerCandidate { controller, epoch } => format!(
                "A majority would vote: controller {controller} is a candidate in epoch {epoch} and asks for votes."
            ),
            SimEvent::ControllerElected { controller, epoch, offset } => format!(
                "Controller {controller} won a majority of votes: it is the active controller in epoch {epoch} (LeaderChange record at offset {offset} of __cluster_metadata)."
            ),
            SimEvent::ControllerResigned { controller, epoch } => format!(
                "Controller {controller} has not heard from a majority of voters for 3000 ms: it resigns as active controller (epoch {epoch}). Until a majority elects another, no metadata can change: no broker is fenced, no partition leader or ISR changes."
            ),
            SimEvent::MetadataTruncated { controller, to, records } => format!(
                "Controller {controller} cut {records} uncommitted record(s) from its metadata log (to offset {to}): the new leader's log differs there."
            ),
            SimEvent::ControllerKilled { controller, was_leader } => {
                if *was_leader {
                    format!("Controller {controller}, the active controller, crashed. Until another is elected, no metadata can change: no fencing, no leader election, no ISR change.")
                } else {
                    format!("Controller {controller} crashed.")
                }
            }
            SimEvent::ControllerStopped { controller, was_leader } => {
                if *was_leader {
                    format!("Controller {controller}, the active controller, shut down cleanly and told the voters (EndQuorumEpoch): the most up-to-date one starts an election at once, the others a moment later.")
                } else {
                    format!("Controller {controller} shut down cleanly.")
                }
            }
            SimEvent::ControllerStarted { controller } => {
                format!("Controller {controller} started with its metadata log; it looks for the active controller.")
            }
            SimEvent::ControllerIsolated { controller } => {
                format!("Controller {controller} is cut off from the other controllers and the brokers.")
            }
            SimEvent::ControllerHealed { controller } => format!("Controller {controller}'s network links are restored."),
            SimEvent::TopicCreated { topic } => {
                let t = self.topic(*topic);
                format!("Topic {} created: {} partitions, replication factor {}.", t.name, t.partitions, t.replication_factor)
            }
            SimEvent::TopicNeverCommitted { topic } => format!(
                "Topic {} was never created: its TopicRecord was appended by a controller that had lost its majority, and the new active controller's metadata log does not hold it.",
                self.topic(*topic).name
            ),
            SimEvent::TopicDeletionNeverCommitted { topic } => format!(
                "Topic {} was never deleted: its RemoveTopicRecord was appended by a controller that had lost its majority, and the new active controller's metadata log does not hold it.",
                self.topic(*topic).name
            ),
            SimEvent::PartitionsAdded { topic, from, to } => {
                format!("Topic {} grew from {from} to {to} partitions.", self.topic(*topic).name)
            }
            SimEvent::TopicDeleted { topic, partitions } => format!(
                "Topic {} deleted: the controller removed its {partitions} partition(s) from the metadata and brokers delete their replicas. Groups reading it rebalance; its committed offsets are gone; records still being sent to it fail with UNKNOWN_TOPIC_OR_PARTITION.",
                self.topic(*topic).name
            ),
            SimEvent::BrokerRemoved { broker } => {
                format!("Broker {broker} was unregistered from the cluster and removed (it held no replicas).")
            }
            SimEvent::GroupDeleted { group } => {
                format!("Group {group} deleted: it had no members; its committed offsets are gone (a tombstone in __consumer_offsets).")
            }
            SimEvent::ClientRemoved { what } => format!("{what} removed from the picture."),
            SimEvent::ReassignmentStarted { tp: t, target, adding, removing } => {
                let add = if adding.is_empty() {
                    String::new()
                } else {
                    format!(
                        " {} {} as follower{} and copies the log from the leader;",
                        brokers_word(adding),
                        if adding.len() == 1 { "joins" } else { "join" },
                        if adding.len() == 1 { "" } else { "s" }
                    )
                };
                let remove = if removing.is_empty() {
                    " nothing is removed".to_string()
                } else {
                    format!(
                        " {} {} only once every replica of the target is in the ISR",
                        brokers_word(removing),
                        if removing.len() == 1 { "leaves" } else { "leave" }
                    )
                };
                format!("{}: reassignment to replicas {} started:{add}{remove}.", tp(t), join_ids(target))
            }
            SimEvent::ReassignmentCompleted { tp: t, replicas, isr, removed, leader_epoch, .. } => {
                let dropped = if removed.is_empty() {
                    String::new()
                } else {
                    format!(", so the controller dropped {}", brokers_word(removed))
                };
                format!(
                    "{}: reassignment complete: every replica of the target is in the ISR{dropped}. Replicas {}, ISR {}, leader epoch {leader_epoch}.",
                    tp(t),
                    join_ids(replicas),
                    join_ids(isr)
                )
            }
            SimEvent::ReassignmentCancelled { tp: t, replicas } => format!(
                "{}: reassignment cancelled: the replicas are {} again, and the replicas it had added delete their copies.",
                tp(t),
                join_ids(replicas)
            ),
            SimEvent::ReplicaDeleted { broker, tp: t } => {
                format!("Broker {broker} deleted its replica of {}: it is no longer one of its replicas.", tp(t))
            }
            SimEvent::LeaderChanged { tp: t, from, to, epoch, isr, unclean, reason } => match to {
                None => format!(
                    "{} is OFFLINE: no in-sync replica is alive ({reason}). Leader {} → none, epoch {epoch}; ISR stays {}.",
                    tp(t),
                    b_or_none(from),
                    join_ids(isr)
                ),
                Some(l) if *unclean => format!(
                    "{}: UNCLEAN election made broker {l} leader (epoch {epoch}); it was not in sync, so acked records it lacks are lost.",
                    tp(t)
                ),
                Some(l) => format!(
                    "{}: leader {} → {l} (epoch {epoch}) because {reason}; ISR {}.",
                    tp(t),
                    b_or_none(from),
                    join_ids(isr)
                ),
            },
            SimEvent::IsrShrunk { tp: t, removed, isr, by_controller } => {
                let who = if *by_controller { "controller" } else { "leader" };
                format!("{}: ISR shrank to {} (the {who} removed {}).", tp(t), join_ids(isr), join_ids(removed))
            }
            SimEvent::IsrExpanded { tp: t, added, isr } => {
                format!("{}: broker {} caught up and joined the ISR ({}).", tp(t), join_ids(added), join_ids(isr))
            }
            SimEvent::LeaderDemoted { broker, tp: t, new_leader, epoch } => format!(
                "Broker {broker} learned it no longer leads {} (now {} at epoch {epoch}).",
                tp(t),
                b_or_none(new_leader)
            ),
            SimEvent::Truncated { broker, tp: t, from_leo, to, lost } => format!(
                "Broker {broker} truncated {} from offset {from_leo} to {to}: {} record(s) the leader does not have were removed.",
                tp(t),
                lost.len().max(from_leo.saturating_sub(*to) as usize)
            ),
            SimEvent::RecordsLost { tp: t, ids, why } => format!("{}: {} acked record(s) lost ({why}).", tp(t), ids.len()),
            SimEvent::ProducerFailed { producer, tp: t, count, error } => format!(
                "Producer {} gave up on {count} record(s) for {}: {}.",
                self.producers[*producer as usize].name,
                tp(t),
                error.name()
            ),
            SimEvent::ProducerStarted { producer } => format!("Producer {} started.", self.producers[*producer as usize].name),
            SimEvent::ProducerStopped { producer, killed } => {
                let how = if *killed { "crashed" } else { "closed" };
                format!("Producer {} {how}.", self.producers[*producer as usize].name)
            }
            SimEvent::ConfigChanged { what } => format!("Config changed: {what}."),
            SimEvent::RebalanceStarted { group, from, why } => {
                format!("Group {group}: rebalance started ({from} → PreparingRebalance) because {why}.")
            }
            SimEvent::MemberRemoved { group, member, why } => format!("Group {group}: coordinator removed {member}: {why}."),
            SimEvent::GroupStable { group, generation, members, strategy } => {
                if *members == 0 {
                    format!("Group {group} is Empty (generation {generation}).")
                } else {
                    format!("Group {group} is Stable: generation {generation}, {members} member(s), assignor {strategy}.")
                }
            }
            SimEvent::CommitRejected { group, member, error } => {
                format!("Group {group}: offset commit from {member} rejected with {}.", error.name())
            }
            SimEvent::StaticMemberReturned { group, instance } => format!(
                "Group {group}: static member {instance} came back within its session; it keeps its partitions, no rebalance."
            ),
            SimEvent::ConsumerStarted { consumer } => {
                let c = &self.consumers[*consumer as usize];
                format!("Consumer {} started in group {}.", c.client_id, c.group_name)
            }
            SimEvent::ConsumerStopped { consumer, killed } => {
                let c = &self.consumers[*consumer as usize];
                if *killed {
                    format!("Consumer {} crashed: no LeaveGroup; the coordinator notices after session.timeout.ms ({} ms).", c.client_id, c.config.session_timeout_ms)
                } else {
                    if c.config.group_instance_id.is_some() {
                        format!("Consumer {} closed; as a static member it sends no LeaveGroup: the group waits session.timeout.ms for it.", c.client_id)
                    } else {
                        format!("Consumer {} closed: it committed and sent LeaveGroup.", c.client_id)
                    }
                }
            }
            SimEvent::ConsumerPaused { consumer, paused } => {
                let c = &self.consumers[*consumer as usize];
                if *paused {
                    format!("Consumer {} stopped calling poll() (heartbeats go on; max.poll.interval.ms = {} ms).", c.client_id, c.config.max_poll_interval_ms)
                } else {
                    format!("Consumer {} calls poll() again.", c.client_id)
                }
            }
            SimEvent::PartitionsRevoked { consumer, tps } => format!(
                "Consumer {} gave up {}.",
                self.consumers[*consumer as usize].client_id,
                tps.iter().map(|t| self.tp_name(*t)).collect::<Vec<_>>().join(", ")
            ),
            SimEvent::PartitionsAssigned { consumer, generation, tps, .. } => {
                let list = if tps.is_empty() { "nothing (idle)".to_string() } else { tps.iter().map(|t| self.tp_name(*t)).collect::<Vec<_>>().join(", ") };
                format!("Consumer {} owns {list} (generation {generation}).", self.consumers[*consumer as usize].client_id)
            }
            SimEvent::ConsumerError { consumer, error } => format!("Consumer {}: {error}.", self.consumers[*consumer as usize].client_id),
            SimEvent::OffsetOutOfRange { consumer, tp: t, position, log_start, log_end, reset } => {
                let c = &self.consumers[*consumer as usize].client_id;
                let why = if position < log_start {
                    format!("is below {}'s log start {log_start}", tp(t))
                } else {
                    format!("is past {}'s log end {log_end}", tp(t))
                };
                let then = if reset == "none" {
                    "auto.offset.reset is none, so the application gets an error".to_string()
                } else {
                    format!("it reset to {reset}")
                };
                format!("{c}'s position {position} {why} (OFFSET_OUT_OF_RANGE): {then}.")
            }
            SimEvent::MetadataChanged { consumer, what } => {
                let c = &self.consumers[*consumer as usize];
                format!("Consumer {}, the leader of group {}, refreshed its metadata: {what}; it rejoins (cached metadata has changed).", c.client_id, c.group_name)
            }
            SimEvent::ConsumerLeftOnPollTimeout { consumer } => {
                let c = &self.consumers[*consumer as usize];
                format!("Consumer {}: poll() not called for max.poll.interval.ms ({} ms); it left the group.", c.client_id, c.config.max_poll_interval_ms)
            }
            SimEvent::LogCompacted { broker, tp: t, from, to, removed } => format!(
                "Broker {broker}'s log cleaner compacted {} offsets {from}..{}: removed {removed} record(s) (older values of their keys, expired tombstones, aborted data); the latest value of each key stays and offsets keep their gaps.",
                tp(t),
                to.saturating_sub(1)
            ),
            SimEvent::RecordsDeleted { broker, tp: t, new_log_start } => format!(
                "Broker {broker}, the leader of {}, deleted the records below offset {new_log_start} (DeleteRecords): its log start offset is now {new_log_start}; the followers follow.",
                tp(t)
            ),
            SimEvent::RetentionDeleted { broker, tp: t, new_log_start, segments } => {
                let what = if *segments == 1 { "its oldest segment".to_string() } else { format!("its {segments} oldest segments") };
                format!("Broker {broker} deleted {what} of {} (retention); log start offset is now {new_log_start}.", tp(t))
            }
            SimEvent::TxnStateChanged { tid, coordinator, state, producer_id, epoch, partitions } => {
                use crate::coordinators::txn::TxnState::*;
                let list = partitions.iter().map(|t| self.tp_name(*t)).collect::<Vec<_>>().join(", ");
                let head = format!("Transaction {tid} (producerId {producer_id}, epoch {epoch}), coordinator broker {coordinator}:");
                match state {
                    Empty => format!("{head} registered (Empty)."),
                    Ongoing => format!("{head} Ongoing with {list}."),
                    PrepareCommit => format!("{head} PrepareCommit is replicated in __transaction_state: the commit is decided; writing COMMIT markers to {list}."),
                    PrepareAbort => format!("{head} PrepareAbort is replicated: writing ABORT markers to {list}."),
                    CompleteCommit => format!("{head} CompleteCommit: every marker is written; read_committed consumers now see its records."),
                    CompleteAbort => format!("{head} CompleteAbort: every marker is written; read_committed consumers skip its records."),
                }
            }
            SimEvent::TxnFenced { tid, old_epoch, new_epoch, why } => format!(
                "Transaction {tid}: the coordinator bumped the epoch {old_epoch} → {new_epoch} and aborts the open transaction because {why}; the old instance is fenced."
            ),
            SimEvent::TxnProducerReady { producer, producer_id, epoch } => format!(
                "Producer {}: initTransactions() done: producerId {producer_id}, epoch {epoch} (older instances with this transactional.id are fenced).",
                self.producers[*producer as usize].name
            ),
            SimEvent::TxnProducerDone { producer, committed, records } => format!(
                "Producer {}: transaction {} ({records} record(s) sent in it).",
                self.producers[*producer as usize].name,
                if *committed { "committed" } else { "aborted" }
            ),
            SimEvent::TxnProducerError { producer, error, fatal } => {
                let name = &self.producers[*producer as usize].name;
                if *fatal {
                    format!("Producer {name} is fenced ({}): a newer instance or the coordinator's timeout bumped its epoch; it can only be closed.", error.name())
                } else {
                    format!("Producer {name}: a send in the transaction failed ({}); the transaction must be aborted.", error.name())
                }
            }
        }
    }
}

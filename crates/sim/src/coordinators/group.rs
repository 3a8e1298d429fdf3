//! The group coordinator (classic protocol) and the broker side of consumer fetching.
//!
//! A group's coordinator is the broker leading partition `abs(hashCode(group.id)) % 50` of
//! `__consumer_offsets` (section 1). JoinGroup / SyncGroup / Heartbeat / LeaveGroup drive the group
//! through Empty → PreparingRebalance → CompletingRebalance → Stable, generation by generation.
//! Offset commits are records appended to that partition and acknowledged once replicated (below
//! the high watermark); offset fetches read them back from the coordinator's own replica, so a
//! coordinator failover reads what was really replicated.
//!
//! Simplifications (said in `help`): group membership (not offsets) is kept as if loaded instantly
//! by whichever broker coordinates; `__consumer_offsets` is not compacted; JoinGroup assigns the
//! member id at once (no MEMBER_ID_REQUIRED round trip).

use crate::clients::assignor::{select_group_strategy, Strategy};
use crate::clients::producer::record_body;
use crate::cluster::broker::{PendingKind, PendingProduce};
use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::sim::Sim;
use crate::model::*;
use crate::murmur::coordinator_partition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.topic.num.partitions`.
pub const OFFSETS_PARTITIONS: u32 = 50;
/// `offsets.commit.timeout.ms`.
pub const OFFSETS_COMMIT_TIMEOUT_MS: Millis = 5000;
/// `group.initial.rebalance.delay.ms`.
pub const INITIAL_REBALANCE_DELAY_MS: Millis = 3000;
/// `fetch.max.wait.ms`: how long a broker holds a consumer fetch with nothing to return.
pub const FETCH_MAX_WAIT_MS: Millis = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub member_id: String,
    pub client: ConsumerIdx,
    pub client_id: String,
    pub instance_id: Option<String>,
    pub strategies: Vec<Strategy>,
    pub topics: Vec<TopicId>,
    pub owned: Vec<Tp>,
    pub owned_generation: i32,
    pub session_timeout_ms: Millis,
    pub rebalance_timeout_ms: Millis,
    pub last_heartbeat_ms: Millis,
    /// Rejoined in the current rebalance; its JoinGroup is answered when the join phase ends.
    pub joined: bool,
    /// Order of joining in this rebalance (the first joiner leads if there is no leader).
    pub join_order: u64,
    pub awaiting_sync: bool,
    pub assignment: Vec<Tp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub state: GroupState,
    pub generation: i32,
    pub strategy: Option<Strategy>,
    pub leader: Option<String>,
    pub members: BTreeMap<String, Member>,
    /// Identifies the current rebalance for its deadline timer.
    pub rebalance_seq: u64,
    /// The join phase ends at this time at the latest.
    pub join_deadline_ms: Millis,
    /// For a new group: `group.initial.rebalance.delay.ms` keeps extending the join phase.
    pub initial_delay: bool,
    pub rebalance_started_ms: Millis,
    next_join_order: u64,
}

impl Group {
    fn new(name: &str) -> Group {
        Group {
            name: name.to_string(),
            state: GroupState::Empty,
            generation: 0,
            strategy: None,
            leader: None,
            members: BTreeMap::new(),
            rebalance_seq: 0,
            join_deadline_ms: 0,
            initial_delay: false,
            rebalance_started_ms: 0,
            next_join_order: 0,
        }
    }
}

impl Sim {
    /// The `__consumer_offsets` partition that coordinates `group`, if the topic exists.
    pub fn offsets_tp(&self, group: &str) -> Option<Tp> {
        let topic = self.topic_by_name(OFFSETS_TOPIC)?;
        Some(Tp { topic, partition: coordinator_partition(group, OFFSETS_PARTITIONS) })
    }

    /// The broker coordinating `group` now (the controller's leader of its offsets partition).
    pub fn coordinator_of(&self, group: &str) -> Option<BrokerId> {
        self.partition(self.offsets_tp(group)?)?.leader
    }

    /// Whether broker `b` coordinates `group`: it leads the offsets partition, and the controller
    /// agrees (simplification: a broker that has not yet learned it lost the leadership, such as
    /// one healed after an isolation, does not go on coordinating with a stale view).
    fn coordinates(&self, b: BrokerId, group: Sym) -> Option<Tp> {
        let tp = self.offsets_tp(self.interner.get(group))?;
        if self.partition(tp)?.leader != Some(b) {
            return None;
        }
        self.brokers.get(&b)?.replicas.get(&tp).filter(|r| r.is_leader(b)).map(|_| tp)
    }

    /// Creates `__consumer_offsets` on first use, as a broker does for the first FindCoordinator.
    pub(crate) fn ensure_offsets_topic(&mut self) {
        if self.topic_by_name(OFFSETS_TOPIC).is_some() {
            return;
        }
        let rf = (self.usable_broker_ids().len() as u32).clamp(1, 3);
        if self.usable_broker_ids().is_empty() {
            return;
        }
        // Not shown as a user topic command; the journal says it was created.
        // The configs the group coordinator gives its topic (`groupMetadataTopicConfigs`).
        let segment = self.broker_value(None, "offsets.topic.segment.bytes").as_int().unwrap_or(104_857_600);
        let configs = [
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("compression.type".to_string(), "producer".to_string()),
            ("segment.bytes".to_string(), segment.to_string()),
        ];
        let _ = self.create_topic(OFFSETS_TOPIC, Some(OFFSETS_PARTITIONS), Some(rf), None, &configs);
    }

    /// Committed offsets of `group` as its coordinator's replica has them (below its HW).
    pub fn committed_offsets(&self, group: &str) -> BTreeMap<Tp, u64> {
        let mut out = BTreeMap::new();
        let Some(tp) = self.offsets_tp(group) else { return out };
        let Some(leader) = self.partition(tp).and_then(|m| m.leader) else { return out };
        if let Some(log) = self.replica_log(leader, tp) {
            read_commits(log, self.interner_lookup(group), &mut out);
        }
        // Offsets of deleted topics were removed with them (GroupCoordinator.onPartitionsDeleted).
        out.retain(|tp, _| !self.topics[tp.topic as usize].deleted);
        out
    }

    fn interner_lookup(&self, s: &str) -> Option<Sym> {
        self.interner.find(s)
    }

    /// An administrative offset commit (reset-offsets, the console consumer): appended to the
    /// group's offsets partition on its coordinator, replicated like any commit.
    pub fn admin_commit(&mut self, group: &str, offsets: &[(Tp, u64)]) -> Result<(), String> {
        self.ensure_offsets_topic();
        let sym = self.interner.intern(group);
        let values: Vec<Value> =
            offsets.iter().map(|&(tp, offset)| Value::OffsetCommit { group: sym, tp, offset }).collect();
        self.admin_append(group, &values).map_err(|_| {
            format!("Error: the coordinator of group {group} is not available (COORDINATOR_NOT_AVAILABLE).")
        })?;
        let name = group.to_string();
        self.groups.entry(sym).or_insert_with(|| Group::new(&name));
        Ok(())
    }

    /// Appends records to `group`'s `__consumer_offsets` partition on its coordinator (as the
    /// coordinator does for admin requests). Fails, changing nothing, when there is none.
    fn admin_append(&mut self, group: &str, values: &[Value]) -> Result<(), ErrorCode> {
        let sym = self.interner.intern(group);
        let tp = self.offsets_tp(group).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let coordinator = self.coordinator_of(group).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let now = self.net.now;
        let sizes: Vec<u16> = values.iter().map(|v| record_body(Some(sym), v, &self.interner, &self.topics)).collect();
        let (br, mut cx) = self.split_broker(coordinator).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let r =
            br.replicas.get_mut(&tp).filter(|r| r.is_leader(coordinator)).ok_or(ErrorCode::CoordinatorNotAvailable)?;
        let base = r.log.leo();
        let mut recs = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            recs.push(Record {
                offset: base + i as u64,
                epoch: r.leader_epoch,
                key: Some(sym),
                value: *value,
                id: INTERNAL_RECORD,
                producer_id: None,
                producer_epoch: 0,
                sequence: 0,
                last_in_batch: i + 1 == values.len(),
                append_ms: now,
                txn: false,
                size: sizes[i],
                cleaned: false,
            });
        }
        r.log.append_batch(&recs, now, &cx.topics[tp.topic as usize].config);
        br.after_append(tp, &mut cx);
        Ok(())
    }

    /// `kafka-consumer-groups --delete --group G`: only a group without members (Empty) can go;
    /// its coordinator writes a tombstone, so its committed offsets are gone and a new group of
    /// the same name starts from `auto.offset.reset`. Its closed consumers leave the picture.
    /// The error is the exception Kafka's tool prints for the group.
    pub fn delete_group(&mut self, group: &str) -> Result<(), String> {
        let Some(sym) = self.interner.find(group).filter(|s| self.groups.contains_key(s)) else {
            return Err("org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.".into());
        };
        if !self.groups[&sym].members.is_empty() {
            return Err("org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.".into());
        }
        self.admin_append(group, &[Value::GroupTombstone { group: sym }]).map_err(|_| {
            "org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available."
                .to_string()
        })?;
        self.groups.remove(&sym);
        self.deliveries.remove_group(sym);
        self.group_starts.retain(|(g, _), _| *g != sym);
        for c in self.consumers.iter_mut().filter(|c| c.group == sym && !c.is_alive()) {
            c.removed = true;
        }
        self.log_event(SimEvent::GroupDeleted { group: group.to_string() });
        Ok(())
    }

    /// FindCoordinator's answer on broker `b`: the leader of the coordinator partition `tp` as
    /// `b`'s metadata has it (groups and transactional ids alike).
    pub(crate) fn leader_in_metadata_of(&self, b: BrokerId, tp: Option<Tp>) -> Result<BrokerId, ErrorCode> {
        tp.and_then(|tp| self.brokers[&b].metadata.get(&tp))
            .and_then(|m| m.leader)
            .ok_or(ErrorCode::CoordinatorNotAvailable)
    }

    pub(crate) fn group_handle(&mut self, b: BrokerId, from: Node, payload: Payload) {
        match payload {
            Payload::FindCoordinator { group } => {
                self.ensure_offsets_topic();
                let tp = self.offsets_tp(self.interner.get(group));
                let result = self.leader_in_metadata_of(b, tp);
                self.net.send(Node::Broker(b), from, Payload::FindCoordinatorResponse { group, result });
            }
            Payload::JoinGroup { group, join } => self.on_join_group(b, from, group, join),
            Payload::SyncGroup { group, generation, member_id, assignments } => {
                self.on_sync_group(b, from, group, generation, member_id, assignments)
            }
            Payload::Heartbeat { group, generation, member_id } => {
                let error = match self.coordinates(b, group) {
                    None => Some(ErrorCode::NotCoordinator),
                    Some(_) => self.on_heartbeat(group, generation, &member_id),
                };
                self.net.send(Node::Broker(b), from, Payload::HeartbeatResponse { group, error });
            }
            Payload::LeaveGroup { group, member_id } => {
                if self.coordinates(b, group).is_some() {
                    self.remove_member(group, &member_id, "it left the group (LeaveGroup)");
                }
                self.net.send(Node::Broker(b), from, Payload::LeaveGroupResponse { group });
            }
            Payload::OffsetCommit { group, generation, member_id, req, offsets } => {
                self.on_offset_commit(b, from, group, generation, member_id, req, offsets)
            }
            Payload::OffsetFetch { group, tps, require_stable } => {
                let result = match self.coordinates(b, group) {
                    None => Err(ErrorCode::NotCoordinator),
                    Some(otp) => {
                        let mut all = BTreeMap::new();
                        let log = self.replica_log(b, otp);
                        if let Some(log) = log {
                            read_commits(log, Some(group), &mut all);
                        }
                        let unstable = require_stable
                            && log.is_some_and(|log| pending_txn_offsets(log, group).iter().any(|tp| tps.contains(tp)));
                        if unstable {
                            Err(ErrorCode::UnstableOffsetCommit)
                        } else {
                            Ok(tps.iter().map(|tp| (*tp, all.get(tp).copied())).collect())
                        }
                    }
                };
                self.net.send(Node::Broker(b), from, Payload::OffsetFetchResponse { group, result });
            }
            Payload::ConsumerFetch { tp, offset, max_records, read_committed } => {
                self.on_consumer_fetch(b, from, tp, offset, max_records, read_committed)
            }
            Payload::TxnOffsetCommit { group, producer_id, producer_epoch, generation, member_id, req, offsets } => {
                let txn = TxnCommit { producer_id, producer_epoch, generation, member_id, req, offsets };
                self.on_txn_offset_commit(b, from, group, txn)
            }
            Payload::ListOffsets { tp, earliest } => {
                let result = match self.brokers[&b].replicas.get(&tp).filter(|r| r.is_leader(b)) {
                    None => Err(ErrorCode::NotLeaderOrFollower),
                    Some(r) => Ok(if earliest { r.log.log_start } else { r.log.hw }),
                };
                self.net.send(Node::Broker(b), from, Payload::ListOffsetsResponse { tp, result });
            }
            other => self.txn_handle(b, from, other),
        }
    }

    fn on_join_group(&mut self, b: BrokerId, from: Node, group: Sym, join: JoinRequest) {
        if self.coordinates(b, group).is_none() {
            let payload = Payload::JoinGroupResponse { group, result: Err(ErrorCode::NotCoordinator) };
            self.net.send(Node::Broker(b), from, payload);
            return;
        }
        let now = self.net.now;
        let name = self.interner.get(group).to_string();
        let member_id = match &join.member_id {
            Some(id) => id.clone(),
            None => format!("{}-{}", join.client_id, self.net.rng.uuid_like()),
        };
        let g = self.groups.entry(group).or_insert_with(|| Group::new(&name));
        // Static membership (KIP-345): a member that comes back with its group.instance.id takes
        // its old place. In a stable group it gets its assignment back without a rebalance.
        if let Some(instance) = &join.instance_id {
            let old =
                g.members.values().find(|m| m.instance_id.as_ref() == Some(instance)).map(|m| m.member_id.clone());
            if let Some(old_id) = old.filter(|id| *id != member_id) {
                let mut m = g.members.remove(&old_id).expect("found above");
                m.member_id = member_id.clone();
                m.client = join.client;
                m.client_id = join.client_id.clone();
                m.last_heartbeat_ms = now;
                if g.leader.as_deref() == Some(old_id.as_str()) {
                    g.leader = Some(member_id.clone());
                }
                g.members.insert(member_id.clone(), m);
                let session = join.session_timeout_ms;
                self.net.timer(session, Timer::MemberSession { group, member: member_id.clone() });
                let g = self.groups.get(&group).expect("exists");
                if g.state == GroupState::Stable {
                    let result = JoinResult {
                        generation: g.generation,
                        member_id: member_id.clone(),
                        leader: g.leader.clone().unwrap_or_default(),
                        strategy: g.strategy.unwrap_or(Strategy::Range),
                        members: Vec::new(),
                    };
                    self.log_event(SimEvent::StaticMemberReturned { group: name, instance: instance.clone() });
                    self.net.send(Node::Broker(b), from, Payload::JoinGroupResponse { group, result: Ok(result) });
                    return;
                }
            }
        }
        let g = self.groups.get_mut(&group).expect("exists");
        if join.member_id.is_some() && !g.members.contains_key(&member_id) {
            // A member the group no longer knows (it was removed): it must join afresh.
            let payload = Payload::JoinGroupResponse { group, result: Err(ErrorCode::UnknownMemberId) };
            self.net.send(Node::Broker(b), from, payload);
            return;
        }
        g.next_join_order += 1;
        let order = g.next_join_order;
        let member = g.members.entry(member_id.clone()).or_insert_with(|| Member {
            member_id: member_id.clone(),
            client: join.client,
            client_id: join.client_id.clone(),
            instance_id: join.instance_id.clone(),
            strategies: join.strategies.clone(),
            topics: join.topics.clone(),
            owned: Vec::new(),
            owned_generation: -1,
            session_timeout_ms: join.session_timeout_ms,
            rebalance_timeout_ms: join.rebalance_timeout_ms,
            last_heartbeat_ms: now,
            joined: false,
            join_order: order,
            awaiting_sync: false,
            assignment: Vec::new(),
        });
        member.client = join.client;
        member.strategies = join.strategies;
        member.topics = join.topics;
        member.owned = join.owned;
        member.owned_generation = join.owned_generation;
        member.session_timeout_ms = join.session_timeout_ms;
        member.rebalance_timeout_ms = join.rebalance_timeout_ms;
        member.last_heartbeat_ms = now;
        if !member.joined {
            member.join_order = order;
        }
        member.joined = true;
        let session = member.session_timeout_ms;
        self.net.timer(session, Timer::MemberSession { group, member: member_id.clone() });
        let g = self.groups.get_mut(&group).expect("inserted");
        match g.state {
            GroupState::Empty => {
                self.start_rebalance(group, true, &format!("{member_id} joined an empty group"));
            }
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.start_rebalance(group, false, &format!("{member_id} (re)joined"));
            }
            GroupState::PreparingRebalance => {
                if g.initial_delay {
                    // Each new member extends the initial delay, up to the rebalance timeout.
                    let max_end = g.rebalance_started_ms + join.rebalance_timeout_ms;
                    g.join_deadline_ms = (now + INITIAL_REBALANCE_DELAY_MS).min(max_end).max(g.join_deadline_ms);
                    g.rebalance_seq += 1;
                    let (at, seq) = (g.join_deadline_ms, g.rebalance_seq);
                    self.net.schedule(at, Event::Timer(Timer::GroupJoinDeadline { group, seq }));
                }
            }
        }
        self.maybe_complete_join(group);
    }

    /// Moves the group to PreparingRebalance; members learn it from their heartbeat answers.
    fn start_rebalance(&mut self, group: Sym, initial: bool, why: &str) {
        let now = self.net.now;
        let g = self.groups.get_mut(&group).expect("group exists");
        let from_state = g.state;
        g.state = GroupState::PreparingRebalance;
        g.initial_delay = initial;
        g.rebalance_started_ms = now;
        g.rebalance_seq += 1;
        let timeout = g.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        g.join_deadline_ms = if initial { now + INITIAL_REBALANCE_DELAY_MS.min(timeout) } else { now + timeout };
        // Members still waiting for their SyncGroup answer learn that a new rebalance started.
        let mut waiting = Vec::new();
        for m in g.members.values_mut() {
            if m.awaiting_sync {
                waiting.push(m.client);
            }
            m.awaiting_sync = false;
        }
        let generation = g.generation;
        if let Some(coord) = self.coordinator_of(self.interner.get(group)) {
            for c in waiting {
                let result = Err(ErrorCode::RebalanceInProgress);
                self.net.send(
                    Node::Broker(coord),
                    Node::Consumer(c),
                    Payload::SyncGroupResponse { group, generation, result },
                );
            }
        }
        let g = self.groups.get_mut(&group).expect("group exists");
        let (at, seq) = (g.join_deadline_ms, g.rebalance_seq);
        let name = g.name.clone();
        self.net.schedule(at, Event::Timer(Timer::GroupJoinDeadline { group, seq }));
        self.log_event(SimEvent::RebalanceStarted {
            group: name,
            from: from_state.name().to_string(),
            why: why.to_string(),
        });
    }

    /// Whether a live broker coordinates `group` now. Group timers only act then: while no broker
    /// coordinates, nothing judges the members (a new coordinator starts their clocks afresh).
    fn coordinator_up(&self, group: Sym) -> bool {
        self.coordinator_of(self.interner.get(group)).is_some_and(|b| {
            self.brokers.get(&b).is_some_and(|br| br.is_running()) && self.coordinates(b, group).is_some()
        })
    }

    pub(crate) fn on_group_join_deadline(&mut self, group: Sym, seq: u64) {
        if !self.coordinator_up(group) {
            self.net.timer(1000, Timer::GroupJoinDeadline { group, seq });
            return;
        }
        let Some(g) = self.groups.get_mut(&group) else { return };
        if g.rebalance_seq != seq || g.state != GroupState::PreparingRebalance {
            return;
        }
        g.initial_delay = false;
        self.complete_join(group);
    }

    fn maybe_complete_join(&mut self, group: Sym) {
        let Some(g) = self.groups.get(&group) else { return };
        if g.state == GroupState::PreparingRebalance && !g.initial_delay && g.members.values().all(|m| m.joined) {
            self.complete_join(group);
        }
    }

    /// The join phase ends: members that did not rejoin are dropped; the rest get the new
    /// generation, and the leader gets everyone's subscriptions to compute the assignment.
    fn complete_join(&mut self, group: Sym) {
        let g = self.groups.get_mut(&group).expect("group exists");
        let dropped: Vec<String> = g.members.values().filter(|m| !m.joined).map(|m| m.member_id.clone()).collect();
        for id in &dropped {
            g.members.remove(id);
        }
        let name = g.name.clone();
        for id in dropped {
            self.log_event(SimEvent::MemberRemoved {
                group: name.clone(),
                member: id,
                why: "it did not rejoin before the rebalance timeout".into(),
            });
        }
        let coordinator = self.coordinator_of(&name);
        let g = self.groups.get_mut(&group).expect("group exists");
        g.generation += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.leader = None;
            g.strategy = None;
            let generation = g.generation;
            self.log_event(SimEvent::GroupStable { group: name, generation, members: 0, strategy: String::new() });
            return;
        }
        let strategies: Vec<Vec<Strategy>> = g.members.values().map(|m| m.strategies.clone()).collect();
        let strategy = select_group_strategy(&strategies).unwrap_or(Strategy::Range);
        g.strategy = Some(strategy);
        if g.leader.as_ref().is_none_or(|l| !g.members.contains_key(l)) {
            g.leader = g.members.values().min_by_key(|m| m.join_order).map(|m| m.member_id.clone());
        }
        let leader = g.leader.clone().expect("a member leads");
        g.state = GroupState::CompletingRebalance;
        let members: Vec<(String, Option<String>, Vec<TopicId>, Vec<Tp>, i32)> = g
            .members
            .values()
            .map(|m| {
                (m.member_id.clone(), m.instance_id.clone(), m.topics.clone(), m.owned.clone(), m.owned_generation)
            })
            .collect();
        let generation = g.generation;
        let mut replies = Vec::new();
        for m in g.members.values_mut() {
            m.joined = false;
            m.awaiting_sync = true;
            let result = JoinResult {
                generation,
                member_id: m.member_id.clone(),
                leader: leader.clone(),
                strategy,
                members: if m.member_id == leader { members.clone() } else { Vec::new() },
            };
            replies.push((m.client, result));
        }
        let from = coordinator.map_or(Node::Controller(0), Node::Broker);
        for (client, result) in replies {
            self.net.send(from, Node::Consumer(client), Payload::JoinGroupResponse { group, result: Ok(result) });
        }
    }

    fn on_sync_group(
        &mut self,
        b: BrokerId,
        from: Node,
        group: Sym,
        generation: i32,
        member_id: String,
        assignments: Vec<(String, Vec<Tp>)>,
    ) {
        let reply = |sim: &mut Sim, result: Result<Vec<Tp>, ErrorCode>| {
            sim.net.send(Node::Broker(b), from, Payload::SyncGroupResponse { group, generation, result });
        };
        if self.coordinates(b, group).is_none() {
            return reply(self, Err(ErrorCode::NotCoordinator));
        }
        let Some(g) = self.groups.get_mut(&group) else { return reply(self, Err(ErrorCode::UnknownMemberId)) };
        let Some(member) = g.members.get(&member_id) else { return reply(self, Err(ErrorCode::UnknownMemberId)) };
        if generation != g.generation {
            return reply(self, Err(ErrorCode::IllegalGeneration));
        }
        let client = member.client;
        match g.state {
            GroupState::PreparingRebalance | GroupState::Empty => reply(self, Err(ErrorCode::RebalanceInProgress)),
            GroupState::Stable => {
                let a = member.assignment.clone();
                reply(self, Ok(a))
            }
            GroupState::CompletingRebalance => {
                if g.leader.as_deref() != Some(&member_id) {
                    return; // answered when the leader's assignment arrives
                }
                for m in g.members.values_mut() {
                    m.assignment = assignments
                        .iter()
                        .find(|(id, _)| *id == m.member_id)
                        .map(|(_, a)| a.clone())
                        .unwrap_or_default();
                }
                g.state = GroupState::Stable;
                let waiting: Vec<(ConsumerIdx, Vec<Tp>)> = g
                    .members
                    .values_mut()
                    .filter(|m| m.awaiting_sync || m.client == client)
                    .map(|m| {
                        m.awaiting_sync = false;
                        (m.client, m.assignment.clone())
                    })
                    .collect();
                let (name, strategy, n) =
                    (g.name.clone(), g.strategy.map_or("", |s| s.name()).to_string(), g.members.len());
                for (c, a) in waiting {
                    self.net.send(
                        Node::Broker(b),
                        Node::Consumer(c),
                        Payload::SyncGroupResponse { group, generation, result: Ok(a) },
                    );
                }
                self.log_event(SimEvent::GroupStable { group: name, generation, members: n as u32, strategy });
            }
        }
    }

    fn on_heartbeat(&mut self, group: Sym, generation: i32, member_id: &str) -> Option<ErrorCode> {
        let now = self.net.now;
        let Some(g) = self.groups.get_mut(&group) else { return Some(ErrorCode::UnknownMemberId) };
        let Some(m) = g.members.get_mut(member_id) else { return Some(ErrorCode::UnknownMemberId) };
        m.last_heartbeat_ms = now;
        let session = m.session_timeout_ms;
        let state = g.state;
        let current = g.generation;
        self.net.timer(session, Timer::MemberSession { group, member: member_id.to_string() });
        match state {
            GroupState::PreparingRebalance => Some(ErrorCode::RebalanceInProgress),
            _ if generation != current => Some(ErrorCode::IllegalGeneration),
            _ => None,
        }
    }

    pub(crate) fn on_member_session(&mut self, group: Sym, member: &str) {
        let now = self.net.now;
        if !self.coordinator_up(group) {
            // No coordinator to judge the member: give it a full session once one is back.
            if let Some(m) = self.groups.get_mut(&group).and_then(|g| g.members.get_mut(member)) {
                m.last_heartbeat_ms = now;
                let session = m.session_timeout_ms;
                self.net.timer(session, Timer::MemberSession { group, member: member.to_string() });
            }
            return;
        }
        let Some(g) = self.groups.get(&group) else { return };
        let Some(m) = g.members.get(member) else { return };
        if g.state == GroupState::PreparingRebalance && m.joined {
            // A member waiting in JoinGroup is kept alive until the join phase ends (Kafka's
            // `shouldKeepAlive`: the rebalance timeout governs it, not the session).
            let session = m.session_timeout_ms;
            self.net.timer(session, Timer::MemberSession { group, member: member.to_string() });
            return;
        }
        if now >= m.last_heartbeat_ms + m.session_timeout_ms {
            let why = format!("no heartbeat for session.timeout.ms ({} ms)", m.session_timeout_ms);
            self.remove_member(group, member, &why);
        }
    }

    fn remove_member(&mut self, group: Sym, member: &str, why: &str) {
        let Some(g) = self.groups.get_mut(&group) else { return };
        if g.members.remove(member).is_none() {
            return;
        }
        let name = g.name.clone();
        self.log_event(SimEvent::MemberRemoved { group: name, member: member.to_string(), why: why.to_string() });
        let g = self.groups.get_mut(&group).expect("exists");
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                if g.members.is_empty() {
                    g.generation += 1;
                    g.state = GroupState::Empty;
                    g.leader = None;
                } else {
                    self.start_rebalance(group, false, &format!("{member} was removed"));
                }
            }
            GroupState::PreparingRebalance => {
                if g.members.is_empty() {
                    self.complete_join(group);
                } else {
                    self.maybe_complete_join(group);
                }
            }
            GroupState::Empty => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_offset_commit(
        &mut self,
        b: BrokerId,
        from: Node,
        group: Sym,
        generation: i32,
        member_id: String,
        req: u64,
        offsets: Vec<(Tp, u64)>,
    ) {
        let reply = |sim: &mut Sim, result: Result<Vec<(Tp, u64)>, ErrorCode>| {
            sim.net.send(Node::Broker(b), from, Payload::OffsetCommitResponse { group, req, result });
        };
        let Some(otp) = self.coordinates(b, group) else { return reply(self, Err(ErrorCode::NotCoordinator)) };
        let check = match self.groups.get(&group) {
            // A simple commit outside any group generation (admin tools, resets) is fine for an empty group.
            None => Ok(()),
            Some(g) if generation < 0 && g.members.is_empty() => Ok(()),
            // As GroupCoordinator.doCommitOffsets: a member may still commit for its generation while
            // the group prepares a rebalance (that is when eager members commit before rejoining), but
            // not between the join and the sync.
            Some(g) if g.state == GroupState::CompletingRebalance => Err(ErrorCode::RebalanceInProgress),
            Some(g) => match g.members.get(&member_id) {
                None => Err(ErrorCode::UnknownMemberId),
                Some(_) if generation != g.generation => Err(ErrorCode::IllegalGeneration),
                Some(_) => Ok(()),
            },
        };
        if let Err(e) = check {
            let name = self.interner.get(group).to_string();
            self.log_event(SimEvent::CommitRejected { group: name, member: member_id, error: e });
            return reply(self, Err(e));
        }
        // Append the commit records to the offsets partition; answer once they are replicated.
        let now = self.net.now;
        let sizes: Vec<u16> = offsets
            .iter()
            .map(|&(tp, offset)| {
                record_body(Some(group), &Value::OffsetCommit { group, tp, offset }, &self.interner, &self.topics)
            })
            .collect();
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        let r = br.replicas.get_mut(&otp).expect("coordinator leads it");
        let base = r.log.leo();
        let n = offsets.len();
        let mut recs = Vec::with_capacity(n);
        for (i, (tp, offset)) in offsets.iter().enumerate() {
            recs.push(Record {
                offset: base + i as u64,
                epoch: r.leader_epoch,
                key: Some(group),
                value: Value::OffsetCommit { group, tp: *tp, offset: *offset },
                id: INTERNAL_RECORD,
                producer_id: None,
                producer_epoch: 0,
                sequence: 0,
                last_in_batch: i + 1 == n,
                append_ms: now,
                txn: false,
                size: sizes[i],
                cleaned: false,
            });
        }
        r.log.append_batch(&recs, now, &cx.topics[otp.topic as usize].config);
        let id = br.next_purgatory_id();
        let pending = PendingProduce {
            tp: otp,
            producer: from,
            req,
            base_offset: base,
            required_hw: base + n as u64,
            kind: PendingKind::OffsetCommit(group, offsets),
        };
        br.purgatory.insert(id, pending);
        let inc = br.incarnation;
        cx.net.timer(OFFSETS_COMMIT_TIMEOUT_MS, Timer::ProduceWait { broker: b, incarnation: inc, id });
        br.after_append(otp, &mut cx);
    }

    fn on_consumer_fetch(
        &mut self,
        b: BrokerId,
        from: Node,
        tp: Tp,
        offset: u64,
        max_records: u32,
        read_committed: bool,
    ) {
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        let me = Node::Broker(b);
        let error = |e| Payload::ConsumerFetchResponse { tp, offset, result: Err(e), aborted: Vec::new() };
        let Some(r) = br.replicas.get(&tp).filter(|r| r.is_leader(b)) else {
            let e = if br.metadata.contains_key(&tp) {
                ErrorCode::NotLeaderOrFollower
            } else {
                ErrorCode::UnknownTopicOrPartition
            };
            cx.net.send(me, from, error(e));
            return;
        };
        if offset < r.log.log_start || offset > r.log.leo() {
            cx.net.send(me, from, error(ErrorCode::OffsetOutOfRange));
            return;
        }
        if offset < br.consumer_fetch_limit(tp, read_committed) {
            let payload = br.consumer_fetch_response(tp, offset, max_records, read_committed);
            cx.net.send(me, from, payload);
        } else {
            br.park_consumer_fetch(tp, from, offset, max_records, read_committed, &mut cx);
        }
    }

    /// TxnOffsetCommit: the offsets are appended as transactional records of the producer; they
    /// take effect when the transaction's COMMIT marker lands on this partition (KIP-447 checks the
    /// member's generation, so a zombie from an older generation cannot commit).
    fn on_txn_offset_commit(&mut self, b: BrokerId, from: Node, group: Sym, t: TxnCommit) {
        let reply = |sim: &mut Sim, result: Result<(), ErrorCode>| {
            sim.net.send(Node::Broker(b), from, Payload::TxnOffsetCommitResponse { group, req: t.req, result });
        };
        let Some(otp) = self.coordinates(b, group) else { return reply(self, Err(ErrorCode::NotCoordinator)) };
        let check = match self.groups.get(&group) {
            None => Ok(()),
            Some(g) if t.generation < 0 && g.members.is_empty() => Ok(()),
            Some(g) if g.state == GroupState::CompletingRebalance => Err(ErrorCode::RebalanceInProgress),
            Some(g) => match g.members.get(&t.member_id) {
                None => Err(ErrorCode::UnknownMemberId),
                Some(_) if t.generation != g.generation => Err(ErrorCode::IllegalGeneration),
                Some(_) => Ok(()),
            },
        };
        if let Err(e) = check {
            let name = self.interner.get(group).to_string();
            self.log_event(SimEvent::CommitRejected { group: name, member: t.member_id.clone(), error: e });
            return reply(self, Err(e));
        }
        let now = self.net.now;
        let sizes: Vec<u16> = t
            .offsets
            .iter()
            .map(|&(tp, offset)| {
                record_body(Some(group), &Value::OffsetCommit { group, tp, offset }, &self.interner, &self.topics)
            })
            .collect();
        let Some((br, mut cx)) = self.split_broker(b) else { return };
        let r = br.replicas.get_mut(&otp).expect("coordinator leads it");
        if r.log.producers.get(&t.producer_id).is_some_and(|e| e.epoch > t.producer_epoch) {
            return reply(self, Err(ErrorCode::ProducerFenced));
        }
        let base = r.log.leo();
        let n = t.offsets.len();
        let mut recs = Vec::with_capacity(n);
        for (i, (tp, offset)) in t.offsets.iter().enumerate() {
            recs.push(Record {
                offset: base + i as u64,
                epoch: r.leader_epoch,
                key: Some(group),
                value: Value::OffsetCommit { group, tp: *tp, offset: *offset },
                id: INTERNAL_RECORD,
                producer_id: Some(t.producer_id),
                producer_epoch: t.producer_epoch,
                sequence: -1,
                last_in_batch: i + 1 == n,
                append_ms: now,
                txn: true,
                size: sizes[i],
                cleaned: false,
            });
        }
        r.log.append_batch(&recs, now, &cx.topics[otp.topic as usize].config);
        let id = br.next_purgatory_id();
        let pending = PendingProduce {
            tp: otp,
            producer: from,
            req: t.req,
            base_offset: base,
            required_hw: base + n as u64,
            kind: PendingKind::TxnOffsetCommit(group),
        };
        br.purgatory.insert(id, pending);
        let inc = br.incarnation;
        cx.net.timer(OFFSETS_COMMIT_TIMEOUT_MS, Timer::ProduceWait { broker: b, incarnation: inc, id });
        br.after_append(otp, &mut cx);
    }
}

/// Partitions with offsets committed by a transaction that is not decided yet: no marker, or a
/// marker not yet below the HW (what `read_commits` does not apply yet).
fn pending_txn_offsets(log: &Log, group: Sym) -> std::collections::BTreeSet<Tp> {
    let mut pending: BTreeMap<u64, Vec<Tp>> = BTreeMap::new();
    for rec in log.iter() {
        match (rec.value, rec.txn, rec.producer_id) {
            (Value::OffsetCommit { group: g, tp, .. }, true, Some(pid)) if g == group => {
                pending.entry(pid).or_default().push(tp)
            }
            (Value::Marker { .. }, true, Some(pid)) if rec.offset < log.hw => {
                pending.remove(&pid);
            }
            _ => {}
        }
    }
    pending.into_values().flatten().collect()
}

/// A TxnOffsetCommit's fields.
struct TxnCommit {
    producer_id: u64,
    producer_epoch: u16,
    generation: i32,
    member_id: String,
    req: u64,
    offsets: Vec<(Tp, u64)>,
}

/// The latest committed offset per partition for `group` in an offsets partition's log, below
/// its high watermark. Offsets committed inside a transaction count once its COMMIT marker is
/// below the HW too, and never if it aborted.
pub(crate) fn read_commits(log: &Log, group: Option<Sym>, out: &mut BTreeMap<Tp, u64>) {
    let Some(group) = group else { return };
    let mut pending: BTreeMap<u64, Vec<(Tp, u64)>> = BTreeMap::new();
    for rec in log.iter().take_while(|r| r.offset < log.hw) {
        match (rec.value, rec.txn, rec.producer_id) {
            (Value::OffsetCommit { group: g, tp, offset }, false, _) if g == group => {
                out.insert(tp, offset);
            }
            (Value::OffsetCommit { group: g, tp, offset }, true, Some(pid)) if g == group => {
                pending.entry(pid).or_default().push((tp, offset));
            }
            (Value::GroupTombstone { group: g }, _, _) if g == group => {
                out.clear();
                pending.clear();
            }
            (Value::Marker { commit }, true, Some(pid)) => {
                let offsets = pending.remove(&pid).unwrap_or_default();
                if commit {
                    out.extend(offsets);
                }
            }
            _ => {}
        }
    }
}

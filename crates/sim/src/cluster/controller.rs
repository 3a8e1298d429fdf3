//! The KRaft controller: broker registration and liveness by heartbeats, fencing, partition
//! metadata, leader election (section 3.6) and ISR changes (AlterPartition).
//!
//! This logic runs on the quorum's leader (the active controller, `quorum.rs`) over an image of
//! the metadata log: every change it makes is appended as records (`MetaRecord`), which brokers
//! fetch and apply once they are committed. Answers to brokers wait for that commit too.

use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::quorum::{ControllerId, MetaEntry, MetaRecord};
use crate::cluster::sim::Sim;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub broker_epoch: u64,
    pub fenced: bool,
    pub last_heartbeat_ms: Millis,
    pub in_controlled_shutdown: bool,
    /// The `broker.rack` it registered with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// Controlled shutdown: the metadata log end once its leaderships were moved away. The
    /// broker may stop when its own metadata offset reaches it (it has applied the moves, so it
    /// answers what it no longer leads with NOT_LEADER_OR_FOLLOWER instead of silence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controlled_shutdown_offset: Option<u64>,
    /// The broker process that registered (a retry from it is answered, not re-registered).
    #[serde(default)]
    pub incarnation: u64,
}

/// The active controller's image of the metadata log (`QuorumController`'s in-memory state).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Controller {
    pub brokers: BTreeMap<BrokerId, Registration>,
    pub partitions: BTreeMap<Tp, PartitionMeta>,
    /// The controller whose image this is, while it leads; None when no controller is active
    /// (the image is then the last active controller's, kept for the tools to read).
    pub owner: Option<ControllerId>,
}

impl Controller {
    /// Applies one record of the metadata log (how a new active controller loads its image).
    pub fn apply(&mut self, e: &MetaEntry, now: Millis) {
        match &e.record {
            MetaRecord::RegisterBroker { broker, broker_epoch, incarnation, rack } => {
                let reg = Registration {
                    broker_epoch: *broker_epoch,
                    incarnation: *incarnation,
                    fenced: true,
                    last_heartbeat_ms: now,
                    in_controlled_shutdown: false,
                    rack: rack.clone(),
                    controlled_shutdown_offset: None,
                };
                self.brokers.insert(*broker, reg);
            }
            MetaRecord::UnregisterBroker { broker, .. } => {
                self.brokers.remove(broker);
            }
            MetaRecord::FenceBroker { broker, .. } => {
                if let Some(r) = self.brokers.get_mut(broker) {
                    r.fenced = true;
                }
            }
            MetaRecord::UnfenceBroker { broker, .. } => {
                if let Some(r) = self.brokers.get_mut(broker) {
                    r.fenced = false;
                    r.in_controlled_shutdown = false;
                }
            }
            MetaRecord::BrokerShuttingDown { broker, .. } => {
                if let Some(r) = self.brokers.get_mut(broker) {
                    r.in_controlled_shutdown = true;
                }
            }
            MetaRecord::Partition { tp, meta, .. } => {
                self.partitions.insert(*tp, meta.clone());
            }
            MetaRecord::RemoveTopic { topic } => {
                let t = *topic;
                self.partitions.retain(|tp, _| tp.topic != t);
            }
            MetaRecord::LeaderChange { .. } | MetaRecord::Topic { .. } => {}
        }
    }

    /// The image of a log: its records applied in order. Sessions start at `now`.
    pub fn replay<'a>(entries: impl Iterator<Item = &'a MetaEntry>, now: Millis) -> Controller {
        let mut c = Controller::default();
        for e in entries {
            c.apply(e, now);
        }
        c
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElectionType {
    Online,
    Preferred,
    Unclean,
}

/// `PartitionChangeBuilder.electLeader()`: the new leader, and whether the choice was unclean.
pub fn elect_leader(
    election: ElectionType,
    replicas: &[BrokerId],
    isr: &[BrokerId],
    current: Option<BrokerId>,
    acceptable: impl Fn(BrokerId) -> bool,
) -> (Option<BrokerId>, bool) {
    let valid = |b: BrokerId| isr.contains(&b) && acceptable(b);
    let current_valid = current.filter(|&c| valid(c));
    let first_valid = replicas.iter().copied().find(|&b| valid(b));
    match election {
        ElectionType::Preferred => {
            let preferred = replicas.first().copied().filter(|&p| valid(p));
            (preferred.or(current_valid).or(first_valid), false)
        }
        ElectionType::Online => (current_valid.or(first_valid), false),
        ElectionType::Unclean => match current_valid.or(first_valid) {
            Some(b) => (Some(b), false),
            None => match replicas.iter().copied().find(|&b| acceptable(b)) {
                Some(b) => (Some(b), true),
                None => (None, false),
            },
        },
    }
}

impl Sim {
    pub(crate) fn acceptable(&self, b: BrokerId) -> bool {
        self.controller.brokers.get(&b).is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
    }

    /// Appends the partitions' new states as PartitionChangeRecords.
    fn broadcast(&mut self, parts: Vec<(Tp, PartitionMeta)>) {
        let records = parts.into_iter().map(|(tp, meta)| MetaRecord::Partition { tp, meta, new: false }).collect();
        self.append_metadata(records);
    }

    /// Appends a broker record (the caller applied it to the image).
    fn broker_record(&mut self, record: MetaRecord) {
        self.append_metadata(vec![record]);
    }

    /// RemoveTopicRecord: the topic's partitions leave the metadata.
    pub(crate) fn controller_delete_topic(&mut self, topic: TopicId) {
        let gone: Vec<Tp> = self
            .controller
            .partitions
            .range(Tp { topic, partition: 0 }..=Tp { topic, partition: u32::MAX })
            .map(|(&tp, _)| tp)
            .collect();
        for tp in &gone {
            self.controller.partitions.remove(tp);
        }
        self.append_metadata(vec![MetaRecord::RemoveTopic { topic }]);
    }

    /// UnregisterBroker: a broker that is down and holds no replica leaves the cluster metadata.
    pub(crate) fn controller_unregister(&mut self, b: BrokerId) {
        if let Some(r) = self.controller.brokers.remove(&b) {
            self.broker_record(MetaRecord::UnregisterBroker { broker: b, broker_epoch: r.broker_epoch });
        }
    }

    /// Applies a new ISR and (re)elects with `election`, bumping epochs as KRaft does. Returns the
    /// new state when anything changed.
    fn change_partition(
        &mut self,
        tp: Tp,
        new_isr: Vec<BrokerId>,
        election: ElectionType,
        reason: &str,
    ) -> Option<PartitionMeta> {
        let old = self.controller.partitions.get(&tp)?.clone();
        let unclean_ok = self.topics[tp.topic as usize].config.unclean_leader_election_enable;
        let (mut leader, mut unclean) =
            elect_leader(election, &old.replicas, &new_isr, old.leader, |b| self.acceptable(b));
        if leader.is_none() && unclean_ok && election == ElectionType::Online {
            (leader, unclean) =
                elect_leader(ElectionType::Unclean, &old.replicas, &new_isr, old.leader, |b| self.acceptable(b));
        }
        let mut isr = new_isr;
        if unclean {
            // The unclean leader becomes the whole ISR; its log is now the truth.
            isr = vec![leader.expect("unclean election chose a leader")];
        }
        if isr.is_empty() {
            // KRaft never empties the ISR: the last member stays, leaderless, until it returns.
            isr = old.isr.clone();
        }
        if leader == old.leader && isr == old.isr {
            return None;
        }
        let mut meta = old.clone();
        meta.isr = isr.clone();
        meta.partition_epoch += 1;
        if leader != old.leader {
            meta.leader = leader;
            meta.leader_epoch += 1;
            self.log_event(SimEvent::LeaderChanged {
                tp,
                from: old.leader,
                to: leader,
                epoch: meta.leader_epoch,
                isr: isr.clone(),
                unclean,
                reason: reason.to_string(),
            });
        }
        let removed: Vec<BrokerId> = old.isr.iter().copied().filter(|b| !isr.contains(b)).collect();
        if !removed.is_empty() {
            self.log_event(SimEvent::IsrShrunk { tp, removed, isr: isr.clone(), by_controller: true });
        }
        self.controller.partitions.insert(tp, meta.clone());
        Some(meta)
    }

    pub(crate) fn controller_create_partitions(&mut self, topic: TopicId, from: u32, assignment: Vec<Vec<BrokerId>>) {
        let mut records = Vec::new();
        if from == 0 {
            records.push(MetaRecord::Topic { topic, name: self.topics[topic as usize].name.clone() });
        }
        for (i, replicas) in assignment.into_iter().enumerate() {
            let tp = Tp { topic, partition: from + i as u32 };
            let isr: Vec<BrokerId> = replicas.iter().copied().filter(|&b| self.acceptable(b)).collect();
            let (leader, _) = elect_leader(ElectionType::Online, &replicas, &isr, None, |b| self.acceptable(b));
            let isr = if isr.is_empty() { replicas.clone() } else { isr };
            let meta = PartitionMeta {
                replicas,
                isr,
                leader,
                leader_epoch: 0,
                partition_epoch: 0,
                adding: Vec::new(),
                removing: Vec::new(),
            };
            self.controller.partitions.insert(tp, meta.clone());
            records.push(MetaRecord::Partition { tp, meta, new: true });
        }
        self.append_metadata(records);
    }

    /// Partitions without a leader get another chance (a broker returned, or unclean election was
    /// switched on).
    pub(crate) fn controller_retry_offline(&mut self) {
        let offline: Vec<(Tp, Vec<BrokerId>)> = self
            .controller
            .partitions
            .iter()
            .filter(|(_, m)| m.leader.is_none())
            .map(|(&tp, m)| (tp, m.isr.clone()))
            .collect();
        let mut changed = Vec::new();
        for (tp, isr) in offline {
            if let Some(meta) = self.change_partition(tp, isr, ElectionType::Online, "a replica became available") {
                changed.push((tp, meta));
            }
        }
        self.broadcast(changed);
    }

    /// Removes `b` from every ISR and moves its leaderships (fencing, controlled shutdown).
    fn move_away_from(&mut self, b: BrokerId, reason: &str) -> Vec<(Tp, PartitionMeta)> {
        let affected: Vec<(Tp, Vec<BrokerId>)> = self
            .controller
            .partitions
            .iter()
            .filter(|(_, m)| m.isr.contains(&b) || m.leader == Some(b))
            .map(|(&tp, m)| (tp, m.isr.iter().copied().filter(|&x| x != b).collect()))
            .collect();
        let mut changed = Vec::new();
        for (tp, isr) in affected {
            if let Some(meta) = self.change_partition(tp, isr, ElectionType::Online, reason) {
                changed.push((tp, meta));
            }
        }
        changed
    }

    fn fence(&mut self, b: BrokerId, silent_ms: Millis, controlled: bool) {
        let reg = self.controller.brokers.get_mut(&b).expect("registered");
        reg.fenced = true;
        let broker_epoch = reg.broker_epoch;
        self.log_event(SimEvent::BrokerFenced { broker: b, silent_ms, controlled });
        let reason = if controlled { format!("broker {b} shut down") } else { format!("broker {b} was fenced") };
        self.broker_record(MetaRecord::FenceBroker { broker: b, broker_epoch });
        let changed = self.move_away_from(b, &reason);
        self.broadcast(changed);
    }

    /// `auto.leader.rebalance.enable`: every `leader.imbalance.check.interval.seconds`, brokers whose
    /// share of "preferred but not leading" partitions is above
    /// `leader.imbalance.per.broker.percentage` get their preferred leaderships back.
    pub(crate) fn controller_leader_imbalance_check(&mut self) {
        let every = self.config.leader_imbalance_check_interval_ms;
        self.net.timer(every, Timer::LeaderImbalanceCheck);
        if !self.config.auto_leader_rebalance_enable || self.controller.owner.is_none() {
            return;
        }
        let mut preferred: BTreeMap<BrokerId, (u32, Vec<Tp>)> = BTreeMap::new();
        for (&tp, m) in &self.controller.partitions {
            let Some(&p) = m.replicas.first() else { continue };
            let e = preferred.entry(p).or_default();
            e.0 += 1;
            if m.leader != Some(p) && m.isr.contains(&p) && self.acceptable(p) {
                e.1.push(tp);
            }
        }
        let pct = self.config.leader_imbalance_per_broker_percentage as u64;
        let tps: Vec<Tp> = preferred
            .into_values()
            .filter(|(total, off)| !off.is_empty() && off.len() as u64 * 100 > pct * *total as u64)
            .flat_map(|(_, off)| off)
            .collect();
        if !tps.is_empty() {
            self.elect_leaders_with_reason(
                &tps,
                ElectionType::Preferred,
                "the leader imbalance check (auto.leader.rebalance.enable) found it away from its preferred replica",
            );
        }
    }

    pub(crate) fn controller_session_check(&mut self, b: BrokerId) {
        if self.controller.owner.is_none() {
            return; // no active controller: nobody fences
        }
        let now = self.net.now;
        let timeout = self.config.broker_session_timeout_ms;
        let Some(reg) = self.controller.brokers.get(&b) else {
            return;
        };
        if !reg.fenced && now >= reg.last_heartbeat_ms + timeout {
            let silent = now - reg.last_heartbeat_ms;
            self.fence(b, silent, false);
        }
    }

    /// A broker's request at the active controller. Answers go out once the records the request
    /// caused are committed.
    pub(crate) fn controller_handle(&mut self, msg: Message) {
        let Node::Broker(b) = msg.from else { return };
        let Some(me) = self.controller.owner else { return };
        let now = self.net.now;
        match msg.payload {
            Payload::BrokerHeartbeat { broker_epoch, incarnation, metadata_offset, want_shutdown } => {
                let known = self.controller.brokers.get(&b).map(|r| (r.broker_epoch, r.incarnation));
                // A new process registers; the same one (a retry before it learned its broker
                // epoch, or a stale epoch) is answered with its registration.
                let same_process = known.is_some_and(|(_, inc)| inc == incarnation);
                let broker_epoch = match known {
                    Some((current, _)) if same_process => current,
                    _ => broker_epoch,
                };
                if !same_process {
                    // A (re)registration. A restarted broker lost its memory: take it out of every
                    // ISR first (as KRaft does after an unclean shutdown), then let it catch up.
                    if self.controller.brokers.get(&b).is_some_and(|r| !r.fenced) {
                        self.fence(b, 0, false);
                    }
                    // Its broker epoch is the offset of its RegisterBrokerRecord; it starts fenced.
                    let epoch = self.next_metadata_offset();
                    let rack = self.brokers.get(&b).and_then(|br| br.rack.clone());
                    let reg = Registration {
                        broker_epoch: epoch,
                        fenced: true,
                        last_heartbeat_ms: now,
                        in_controlled_shutdown: false,
                        rack: rack.clone(),
                        controlled_shutdown_offset: None,
                        incarnation,
                    };
                    self.controller.brokers.insert(b, reg);
                    self.broker_record(MetaRecord::RegisterBroker {
                        broker: b,
                        broker_epoch: epoch,
                        incarnation,
                        rack,
                    });
                    self.log_event(SimEvent::BrokerRegistered { broker: b, broker_epoch: epoch });
                } else if want_shutdown {
                    // Controlled shutdown: move its leaderships and ISR memberships away, fence it,
                    // then tell it to stop. Repeated heartbeats get the same answer.
                } else if self
                    .controller
                    .brokers
                    .get(&b)
                    .is_some_and(|r| r.fenced && !r.in_controlled_shutdown && metadata_offset > r.broker_epoch)
                {
                    // A fenced broker that has caught up with the metadata log past its own
                    // registration (a new broker, or one whose network came back) is unfenced.
                    self.controller.brokers.get_mut(&b).expect("checked").fenced = false;
                    self.broker_record(MetaRecord::UnfenceBroker { broker: b, broker_epoch });
                    self.log_event(SimEvent::BrokerUnfenced { broker: b });
                    self.controller_retry_offline();
                }
                if want_shutdown {
                    let reg = self.controller.brokers.get_mut(&b).expect("registered above");
                    let epoch = reg.broker_epoch;
                    if !reg.in_controlled_shutdown {
                        reg.in_controlled_shutdown = true;
                        self.broker_record(MetaRecord::BrokerShuttingDown { broker: b, broker_epoch: epoch });
                        let changed = self.move_away_from(b, &format!("broker {b} is shutting down"));
                        self.broadcast(changed);
                        if self.controller.brokers.get(&b).is_some_and(|r| !r.fenced) {
                            self.fence(b, 0, true);
                        }
                    }
                    // BrokerHeartbeatManager: it may shut down once it has applied the metadata
                    // up to the moves (a new active controller takes the log end as that point).
                    let end = self.next_metadata_offset();
                    let reg = self.controller.brokers.get_mut(&b).expect("registered above");
                    let target = *reg.controlled_shutdown_offset.get_or_insert(end);
                    let payload = Payload::BrokerHeartbeatResponse {
                        broker_epoch: epoch,
                        fenced: true,
                        should_shutdown: metadata_offset >= target,
                    };
                    self.respond_when_committed(Node::Broker(b), payload);
                    return;
                }
                let reg = self.controller.brokers.get_mut(&b).expect("registered above");
                reg.last_heartbeat_ms = now;
                let payload = Payload::BrokerHeartbeatResponse {
                    broker_epoch: reg.broker_epoch,
                    fenced: reg.fenced,
                    should_shutdown: false,
                };
                self.respond_when_committed(Node::Broker(b), payload);
                let timeout = self.config.broker_session_timeout_ms;
                self.net.timer(timeout, Timer::SessionCheck { broker: b });
            }
            Payload::AlterPartition { tp, leader_epoch, partition_epoch, new_isr } => {
                let result = self.alter_partition(b, tp, leader_epoch, partition_epoch, new_isr);
                match result {
                    Ok(meta) => {
                        // The ISR change may complete a reassignment (KRaft does both in one record).
                        let altered = meta.clone();
                        let meta = self.complete_reassignment_if_ready(tp).unwrap_or(meta);
                        self.broadcast(vec![(tp, meta)]);
                        let payload = Payload::AlterPartitionResponse { tp, result: Ok(altered) };
                        self.respond_when_committed(Node::Broker(b), payload);
                    }
                    Err(e) => {
                        let payload = Payload::AlterPartitionResponse { tp, result: Err(e) };
                        self.net.send(Node::Controller(me), Node::Broker(b), payload);
                    }
                }
            }
            _ => {}
        }
    }

    fn alter_partition(
        &mut self,
        b: BrokerId,
        tp: Tp,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<BrokerId>,
    ) -> Result<PartitionMeta, ErrorCode> {
        let Some(meta) = self.controller.partitions.get(&tp) else {
            return Err(ErrorCode::UnknownTopicOrPartition);
        };
        if meta.leader != Some(b) || meta.leader_epoch != leader_epoch {
            return Err(ErrorCode::FencedLeaderEpoch);
        }
        if meta.partition_epoch != partition_epoch {
            return Err(ErrorCode::InvalidUpdateVersion);
        }
        if new_isr.iter().any(|&x| !meta.isr.contains(&x) && !self.acceptable(x)) {
            return Err(ErrorCode::IneligibleReplica);
        }
        if new_isr.is_empty() || !new_isr.contains(&b) {
            return Err(ErrorCode::InvalidUpdateVersion);
        }
        let old = meta.clone();
        let mut meta = old.clone();
        meta.isr = new_isr.clone();
        meta.partition_epoch += 1;
        let added: Vec<BrokerId> = new_isr.iter().copied().filter(|x| !old.isr.contains(x)).collect();
        let removed: Vec<BrokerId> = old.isr.iter().copied().filter(|x| !new_isr.contains(x)).collect();
        if !added.is_empty() {
            self.log_event(SimEvent::IsrExpanded { tp, added, isr: new_isr.clone() });
        }
        if !removed.is_empty() {
            self.log_event(SimEvent::IsrShrunk { tp, removed, isr: new_isr.clone(), by_controller: false });
        }
        self.controller.partitions.insert(tp, meta.clone());
        Ok(meta)
    }

    /// `AlterPartitionReassignments` (KIP-455, `ReplicationControlManager` with
    /// `PartitionReassignmentReplicas`): per partition, the replicas become the target followed by
    /// the ones it removes; the ISR is unchanged. A reassignment with nothing to add completes at
    /// once. The caller (`kafka-reassign-partitions --execute`) has validated everything.
    pub fn start_reassignments(&mut self, targets: &[(Tp, Vec<BrokerId>)]) {
        let mut changed = Vec::new();
        for (tp, target) in targets {
            let tp = *tp;
            let Some(old) = self.controller.partitions.get(&tp).cloned() else { continue };
            let original = old.original_replicas();
            let removing: Vec<BrokerId> = original.iter().copied().filter(|b| !target.contains(b)).collect();
            let adding: Vec<BrokerId> = target.iter().copied().filter(|b| !original.contains(b)).collect();
            let mut meta = old.clone();
            meta.replicas = target.iter().copied().chain(removing.iter().copied()).collect();
            meta.adding = adding.clone();
            meta.removing = removing.clone();
            meta.partition_epoch += 1;
            self.log_event(SimEvent::ReassignmentStarted { tp, target: target.clone(), adding, removing });
            self.controller.partitions.insert(tp, meta.clone());
            let meta = self.complete_reassignment_if_ready(tp).unwrap_or(meta);
            changed.push((tp, meta));
        }
        self.broadcast(changed);
        self.await_metadata_commit();
    }

    /// The leader of `meta` once a reassignment ends (completed or cancelled): the old leader if
    /// it is still in the ISR and acceptable, else an online election. The leader epoch bumps when
    /// the leader changes or replicas were `removed` (`PartitionChangeBuilder`); a change is
    /// journalled with `reason`.
    fn rechoose_leader(&mut self, tp: Tp, old: &PartitionMeta, meta: &mut PartitionMeta, removed: bool, reason: &str) {
        let keeps_leader = old.leader.is_some_and(|l| meta.isr.contains(&l) && self.acceptable(l));
        let leader = if keeps_leader {
            old.leader
        } else {
            elect_leader(ElectionType::Online, &meta.replicas, &meta.isr, None, |b| self.acceptable(b)).0
        };
        if removed || leader != old.leader {
            meta.leader_epoch += 1;
        }
        meta.leader = leader;
        if leader != old.leader {
            self.log_event(SimEvent::LeaderChanged {
                tp,
                from: old.leader,
                to: leader,
                epoch: meta.leader_epoch,
                isr: meta.isr.clone(),
                unclean: false,
                reason: reason.to_string(),
            });
        }
    }

    /// `PartitionReassignmentReplicas.maybeCompleteReassignment`: once every target replica is in
    /// the ISR, the replicas become the target and the removing ones leave the ISR (unless that
    /// would empty it). A removed leader gives way to the first target replica in the ISR; the
    /// leader epoch is bumped whenever replicas are removed. Returns the new state if it completed.
    pub(crate) fn complete_reassignment_if_ready(&mut self, tp: Tp) -> Option<PartitionMeta> {
        let old = self.controller.partitions.get(&tp)?.clone();
        if !old.reassigning() || !old.target_replicas().iter().all(|b| old.isr.contains(b)) {
            return None;
        }
        let target = old.target_replicas();
        let isr: Vec<BrokerId> = old.isr.iter().copied().filter(|b| !old.removing.contains(b)).collect();
        if isr.is_empty() {
            return None;
        }
        let mut meta = old.clone();
        meta.replicas = target;
        meta.isr = isr.clone();
        meta.adding.clear();
        meta.removing.clear();
        meta.partition_epoch += 1;
        let removed = !old.removing.is_empty();
        self.rechoose_leader(tp, &old, &mut meta, removed, "the reassignment removed its leader");
        self.log_event(SimEvent::ReassignmentCompleted {
            tp,
            replicas: meta.replicas.clone(),
            isr,
            removed: old.removing.clone(),
            isr_before: old.isr.clone(),
            leader_epoch: meta.leader_epoch,
        });
        if tp.partition == 0 {
            // New partitions of the topic take partition 0's replica count.
            self.topics[tp.topic as usize].replication_factor = meta.replicas.len() as u32;
        }
        self.controller.partitions.insert(tp, meta.clone());
        Some(meta)
    }

    /// `cancelPartitionReassignment` (`PartitionReassignmentRevert`): the replicas and the ISR
    /// lose the adding replicas; a leader among them gives way (epoch bump). Err when the
    /// reverted ISR would be empty (Kafka's `InvalidReplicaAssignmentException` text).
    pub fn cancel_reassignments(&mut self, tps: &[Tp]) -> Result<(), String> {
        for &tp in tps {
            let m = &self.controller.partitions[&tp];
            if m.isr.iter().all(|b| m.adding.contains(b)) {
                let t = &self.topics[tp.topic as usize].name;
                return Err(format!(
                    "{}: Unable to revert partition assignment for {t}:{} because it would require an unclean leader election.",
                    self.tp_name(tp),
                    tp.partition
                ));
            }
        }
        let mut changed = Vec::new();
        for &tp in tps {
            let old = self.controller.partitions[&tp].clone();
            let mut meta = old.clone();
            meta.replicas = old.original_replicas();
            meta.isr = old.isr.iter().copied().filter(|b| !old.adding.contains(b)).collect();
            meta.adding.clear();
            meta.removing.clear();
            meta.partition_epoch += 1;
            let removed = !old.adding.is_empty();
            self.rechoose_leader(tp, &old, &mut meta, removed, "the cancelled reassignment removed its leader");
            self.log_event(SimEvent::ReassignmentCancelled { tp, replicas: meta.replicas.clone() });
            self.controller.partitions.insert(tp, meta.clone());
            changed.push((tp, meta));
        }
        self.broadcast(changed);
        self.await_metadata_commit();
        Ok(())
    }

    /// `kafka-leader-election --election-type preferred|unclean`.
    /// `kafka-leader-election`: per partition, Ok or the exception the admin client reports.
    pub fn elect_leaders(&mut self, tps: &[Tp], election: ElectionType) -> Vec<(Tp, Result<(), String>)> {
        let reason = match election {
            ElectionType::Preferred => "of a preferred leader election",
            ElectionType::Unclean => "of an unclean leader election (requested)",
            ElectionType::Online => "of a leader election",
        };
        let results = self.elect_leaders_with_reason(tps, election, reason);
        self.await_metadata_commit();
        results
    }

    fn elect_leaders_with_reason(
        &mut self,
        tps: &[Tp],
        election: ElectionType,
        reason: &str,
    ) -> Vec<(Tp, Result<(), String>)> {
        let mut changed = Vec::new();
        let mut results = Vec::new();
        for &tp in tps {
            let Some(meta) = self.controller.partitions.get(&tp).cloned() else {
                results.push((tp, Err("This server does not host this topic-partition.".to_string())));
                continue;
            };
            let before = meta.leader;
            match self.change_partition(tp, meta.isr.clone(), election, reason) {
                Some(m) => {
                    changed.push((tp, m));
                    results.push((tp, Ok(())));
                }
                None => {
                    // ReplicationControlManager.electLeader: the error code's default text.
                    let why = match (election, before) {
                        (ElectionType::Preferred, Some(l)) if meta.replicas.first() == Some(&l) => {
                            ELECTION_NOT_NEEDED.to_string()
                        }
                        (ElectionType::Unclean, Some(_)) => ELECTION_NOT_NEEDED.to_string(),
                        (ElectionType::Unclean, None) => {
                            "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException: Eligible topic partition leaders are not available.".to_string()
                        }
                        _ => "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.".to_string(),
                    };
                    results.push((tp, Err(why)));
                }
            }
        }
        self.broadcast(changed);
        results
    }
}

/// `ELECTION_NOT_NEEDED`: the partition already has the leader the election would pick.
pub const ELECTION_NOT_NEEDED: &str =
    "org.apache.kafka.common.errors.ElectionNotNeededException: Leader election not needed for topic partition.";

#[cfg(test)]
mod tests {
    use super::*;

    /// `PartitionChangeBuilderTest.testElectLeader`, row by row (reference section 3.6).
    #[test]
    fn elect_leader_matches_kafka_table() {
        use ElectionType::*;
        let foo_ok = |b: BrokerId| b != 3;
        let all_ok = |_: BrokerId| true;
        let foo = [2, 1, 3];
        assert_eq!(elect_leader(Preferred, &foo, &[2, 1, 3], Some(1), foo_ok), (Some(2), false));
        assert_eq!(elect_leader(Online, &foo, &[2, 1, 3], Some(1), foo_ok), (Some(1), false));
        assert_eq!(elect_leader(Unclean, &foo, &[2, 1, 3], Some(1), foo_ok), (Some(1), false));
        assert_eq!(elect_leader(Online, &foo, &[1, 3], Some(1), foo_ok), (Some(1), false));
        assert_eq!(elect_leader(Unclean, &foo, &[1, 3], Some(1), foo_ok), (Some(1), false));
        assert_eq!(elect_leader(Online, &foo, &[3], Some(1), foo_ok), (None, false));
        assert_eq!(elect_leader(Unclean, &foo, &[3], Some(1), foo_ok), (Some(2), true));
        assert_eq!(elect_leader(Unclean, &[2, 1, 3, 4], &[4], Some(1), foo_ok), (Some(4), false));
        let baz = [2, 1, 3];
        assert_eq!(elect_leader(Preferred, &baz, &[1, 3], Some(3), all_ok), (Some(3), false));
        assert_eq!(elect_leader(Online, &baz, &[1, 3], Some(3), all_ok), (Some(3), false));
        assert_eq!(elect_leader(Unclean, &baz, &[1, 3], Some(3), all_ok), (Some(3), false));
    }
}

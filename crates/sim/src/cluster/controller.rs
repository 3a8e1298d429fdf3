//! The KRaft controller: broker registration and liveness by heartbeats, fencing, partition
//! metadata, leader election (section 3.6) and ISR changes (AlterPartition).
//!
//! Simplification (said in the UI's help): the controller quorum is one always-available node; its
//! own Raft replication and failover are not modelled. Brokers get metadata changes pushed as
//! messages instead of fetching the metadata log.

use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
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
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Controller {
    pub brokers: BTreeMap<BrokerId, Registration>,
    pub partitions: BTreeMap<Tp, PartitionMeta>,
    next_broker_epoch: u64,
    /// Metadata log position: bumped by every published change.
    pub metadata_version: u64,
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

    /// Sends changed partitions to every unfenced broker.
    fn broadcast(&mut self, parts: Vec<(Tp, PartitionMeta)>) {
        if !parts.is_empty() {
            self.publish(parts);
        }
    }

    /// One metadata update (a new metadata-log position) to every unfenced broker; with no
    /// partitions it still carries the brokers' fencing.
    fn publish(&mut self, parts: Vec<(Tp, PartitionMeta)>) {
        self.publish_with(parts, Vec::new());
    }

    fn publish_with(&mut self, parts: Vec<(Tp, PartitionMeta)>, deleted: Vec<Tp>) {
        let targets: Vec<BrokerId> =
            self.controller.brokers.iter().filter(|(_, r)| !r.fenced).map(|(&b, _)| b).collect();
        let fenced = self.fenced_brokers();
        self.controller.metadata_version += 1;
        let version = self.controller.metadata_version;
        for b in targets {
            let payload = Payload::MetadataUpdate {
                partitions: parts.clone(),
                deleted: deleted.clone(),
                fenced: fenced.clone(),
                version,
                full: false,
            };
            self.net.send(Node::Controller, Node::Broker(b), payload);
        }
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
        self.publish_with(Vec::new(), gone);
    }

    /// UnregisterBroker: a broker that is down and holds no replica leaves the cluster metadata.
    pub(crate) fn controller_unregister(&mut self, b: BrokerId) {
        if self.controller.brokers.remove(&b).is_some() {
            self.publish(Vec::new());
        }
    }

    /// Brokers that may not join an ISR (fenced or shutting down), as the metadata image says.
    fn fenced_brokers(&self) -> Vec<BrokerId> {
        self.controller.brokers.iter().filter(|(_, r)| r.fenced || r.in_controlled_shutdown).map(|(&b, _)| b).collect()
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
        let mut changed = Vec::new();
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
            changed.push((tp, meta));
        }
        self.broadcast(changed);
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
        self.log_event(SimEvent::BrokerFenced { broker: b, silent_ms, controlled });
        let reason = if controlled { format!("broker {b} shut down") } else { format!("broker {b} was fenced") };
        let mut changed = self.move_away_from(b, &reason);
        if changed.is_empty() {
            // Nothing moved, but brokers must still learn that `b` is fenced (ISR eligibility).
            if let Some((&tp, m)) = self.controller.partitions.iter().next() {
                changed.push((tp, m.clone()));
            }
        }
        self.broadcast(changed);
    }

    /// `auto.leader.rebalance.enable`: every `leader.imbalance.check.interval.seconds`, brokers whose
    /// share of "preferred but not leading" partitions is above
    /// `leader.imbalance.per.broker.percentage` get their preferred leaderships back.
    pub(crate) fn controller_leader_imbalance_check(&mut self) {
        let every = self.config.leader_imbalance_check_interval_ms;
        self.net.timer(every, Timer::LeaderImbalanceCheck);
        if !self.config.auto_leader_rebalance_enable {
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

    /// Gives a (re)joining broker the whole metadata image, then retries offline partitions.
    fn send_image_and_retry(&mut self, b: BrokerId) {
        self.send_image(b);
        self.controller_retry_offline();
        // Every broker learns that `b` is eligible again (leaders may now add it to their ISR).
        self.publish(Vec::new());
    }

    /// The whole metadata image, for a broker that joins or fell behind.
    fn send_image(&mut self, b: BrokerId) {
        let image: Vec<(Tp, PartitionMeta)> =
            self.controller.partitions.iter().map(|(&tp, m)| (tp, m.clone())).collect();
        let fenced = self.fenced_brokers();
        let version = self.controller.metadata_version;
        let payload = Payload::MetadataUpdate { partitions: image, deleted: Vec::new(), fenced, version, full: true };
        self.net.send(Node::Controller, Node::Broker(b), payload);
    }

    pub(crate) fn controller_session_check(&mut self, b: BrokerId) {
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

    pub(crate) fn controller_handle(&mut self, msg: Message) {
        let Node::Broker(b) = msg.from else { return };
        let now = self.net.now;
        match msg.payload {
            Payload::BrokerHeartbeat { broker_epoch, metadata_version, want_shutdown } => {
                let current = self.controller.brokers.get(&b).map(|r| r.broker_epoch);
                if current != Some(broker_epoch) || broker_epoch == 0 {
                    // A (re)registration. A restarted broker lost its memory: take it out of every
                    // ISR first (as KRaft does after an unclean shutdown), then let it catch up.
                    if self.controller.brokers.get(&b).is_some_and(|r| !r.fenced) {
                        self.fence(b, 0, false);
                    }
                    self.controller.next_broker_epoch += 1;
                    let epoch = self.controller.next_broker_epoch;
                    let reg = Registration {
                        broker_epoch: epoch,
                        fenced: false,
                        last_heartbeat_ms: now,
                        in_controlled_shutdown: false,
                        rack: self.brokers.get(&b).and_then(|br| br.rack.clone()),
                    };
                    self.controller.brokers.insert(b, reg);
                    self.log_event(SimEvent::BrokerRegistered { broker: b, broker_epoch: epoch });
                    self.send_image_and_retry(b);
                } else if want_shutdown {
                    // Controlled shutdown: move its leaderships and ISR memberships away, fence it,
                    // then tell it to stop. Repeated heartbeats get the same answer.
                } else if self.controller.brokers.get(&b).is_some_and(|r| r.fenced && !r.in_controlled_shutdown) {
                    // A fenced broker that heartbeats again (its network came back) is unfenced.
                    let reg = self.controller.brokers.get_mut(&b).expect("checked");
                    reg.fenced = false;
                    self.log_event(SimEvent::BrokerUnfenced { broker: b });
                    self.send_image_and_retry(b);
                } else if metadata_version < self.controller.metadata_version {
                    // It missed updates (its links were cut): it catches up from the image.
                    self.send_image(b);
                }
                if want_shutdown {
                    let reg = self.controller.brokers.get_mut(&b).expect("registered above");
                    let epoch = reg.broker_epoch;
                    if !reg.in_controlled_shutdown {
                        reg.in_controlled_shutdown = true;
                        let changed = self.move_away_from(b, &format!("broker {b} is shutting down"));
                        self.broadcast(changed);
                        if self.controller.brokers.get(&b).is_some_and(|r| !r.fenced) {
                            self.fence(b, 0, true);
                        }
                    }
                    let payload =
                        Payload::BrokerHeartbeatResponse { broker_epoch: epoch, fenced: true, should_shutdown: true };
                    self.net.send(Node::Controller, Node::Broker(b), payload);
                    return;
                }
                let reg = self.controller.brokers.get_mut(&b).expect("registered above");
                reg.last_heartbeat_ms = now;
                let payload = Payload::BrokerHeartbeatResponse {
                    broker_epoch: reg.broker_epoch,
                    fenced: reg.fenced,
                    should_shutdown: false,
                };
                self.net.send(Node::Controller, Node::Broker(b), payload);
                let timeout = self.config.broker_session_timeout_ms;
                self.net.timer(timeout, Timer::SessionCheck { broker: b });
            }
            Payload::AlterPartition { tp, leader_epoch, partition_epoch, new_isr } => {
                let result = self.alter_partition(b, tp, leader_epoch, partition_epoch, new_isr);
                self.net.send(
                    Node::Controller,
                    Node::Broker(b),
                    Payload::AlterPartitionResponse { tp, result: result.clone() },
                );
                if let Ok(meta) = result {
                    // The ISR change may complete a reassignment (KRaft does both in one record).
                    let meta = self.complete_reassignment_if_ready(tp).unwrap_or(meta);
                    self.broadcast(vec![(tp, meta)]);
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
        self.elect_leaders_with_reason(tps, election, reason)
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
            let meta = self.controller.partitions[&tp].clone();
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

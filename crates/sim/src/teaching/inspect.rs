//! Read-only views for the UI's inspect panel and picture: a partition's replicas with their roles
//! and offsets, its ISR and leader history derived from the journal, a consumer's state as drawn,
//! and a group's assignment as its coordinator knows it. Nothing here changes the model.

use crate::clients::consumer::{ConsumerStatus, MemberState};
use crate::cluster::broker::BrokerStatus;
use crate::cluster::journal::SimEvent;
use crate::cluster::sim::Sim;
use crate::model::{BrokerId, ConsumerIdx, Log, Millis, Tp};

/// One replica of a partition as the inspect panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaInfo {
    pub broker: BrokerId,
    /// "leader" or "follower" (by the controller's metadata).
    pub role: &'static str,
    pub in_isr: bool,
    /// First in the assignment: the preferred leader.
    pub preferred: bool,
    /// "alive", "dead", "stopped", "fenced" (running, fenced by the controller) or "isolated".
    pub broker_state: &'static str,
    pub leo: u64,
    pub hw: u64,
    pub log_start: u64,
    /// The leader-epoch cache: (epoch, first offset written in it).
    pub epochs: Vec<(u32, u64)>,
}

/// A change of a partition's ISR or leader, in time order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsrChange {
    pub at_ms: Millis,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub epoch: Option<u32>,
    /// What happened, in a few words ("created", "broker 2 removed", "leader 3 elected", …).
    pub what: String,
}

impl Sim {
    /// The partition's replicas in assignment order, with each copy's offsets.
    pub fn replica_infos(&self, tp: Tp) -> Vec<ReplicaInfo> {
        let Some(meta) = self.partition(tp) else { return Vec::new() };
        meta.replicas
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let log = self.replica_log(b, tp);
                let empty = Log::default();
                let log = log.unwrap_or(&empty);
                ReplicaInfo {
                    broker: b,
                    role: if meta.leader == Some(b) { "leader" } else { "follower" },
                    in_isr: meta.isr.contains(&b),
                    preferred: i == 0,
                    broker_state: self.broker_state_name(b),
                    leo: log.leo(),
                    hw: log.hw,
                    log_start: log.log_start,
                    epochs: log.epochs.clone(),
                }
            })
            .collect()
    }

    /// A broker's state as the picture draws it: "alive", "dead", "stopped" or "fenced" (fenced: the
    /// controller no longer counts it, though the process may run).
    pub fn broker_state(&self, b: BrokerId) -> &'static str {
        let Some(br) = self.brokers.get(&b) else { return "dead" };
        match br.status {
            BrokerStatus::Dead => "dead",
            BrokerStatus::Stopped => "stopped",
            BrokerStatus::Running | BrokerStatus::ShuttingDown => {
                if self.controller.brokers.get(&b).is_none_or(|r| r.fenced) {
                    "fenced"
                } else {
                    "alive"
                }
            }
        }
    }

    /// How many partitions of application topics broker `b` leads (internal topics left out).
    pub fn leaderships(&self, b: BrokerId) -> usize {
        self.controller
            .partitions
            .iter()
            .filter(|(tp, m)| m.leader == Some(b) && !self.topic(tp.topic).name.starts_with("__"))
            .count()
    }

    /// A consumer as the picture draws it: "crashed", "closed", "paused", "idle" (stable, no
    /// partitions), "consuming", "left the group" (max.poll.interval.ms) or "rebalancing".
    pub fn consumer_state(&self, c: ConsumerIdx) -> &'static str {
        let Some(c) = self.consumers.get(c as usize) else { return "closed" };
        match (c.status, c.state) {
            (ConsumerStatus::Dead, _) => "crashed",
            (ConsumerStatus::Stopped, _) => "closed",
            (ConsumerStatus::Paused, _) => "paused",
            (_, MemberState::Stable) if c.assigned.is_empty() => "idle",
            (_, MemberState::Stable) => "consuming",
            (_, MemberState::Left) => "left the group",
            _ => "rebalancing",
        }
    }

    /// What the group coordinator records as each member's assignment (client id, partitions),
    /// in member-id order. A crashed consumer keeps its partitions here until `session.timeout.ms`
    /// removes it from the group; after that it is not listed. During a rebalance the members keep
    /// the previous generation's assignment until the leader's SyncGroup replaces it. Empty for a
    /// group the coordinator does not know.
    pub fn coordinator_assignment(&self, group: &str) -> Vec<(String, Vec<Tp>)> {
        let Some(g) = self.interner.find(group).and_then(|s| self.groups.get(&s)) else { return Vec::new() };
        g.members.values().map(|m| (m.client_id.clone(), m.assignment.clone())).collect()
    }

    /// `broker_state`, with "isolated" for a live broker whose links are cut (menus, inspect).
    pub fn broker_state_name(&self, b: BrokerId) -> &'static str {
        match self.broker_state(b) {
            "alive" if self.net.isolated.contains(&b) => "isolated",
            s => s,
        }
    }

    /// The partition's ISR and leader over time, from the journal (creation, leader elections,
    /// shrinks and expansions), oldest first.
    pub fn isr_history(&self, tp: Tp) -> Vec<IsrChange> {
        let mut out: Vec<IsrChange> = Vec::new();
        let mut leader: Option<BrokerId> = None;
        for e in &self.journal {
            let change = match &e.event {
                SimEvent::TopicCreated { topic } if *topic == tp.topic => {
                    // The first leader and ISR are the ones in the assignment at creation: read the
                    // first LeaderChanged if there is one, else today's assignment.
                    let meta = self.partition(tp);
                    leader = meta.and_then(|m| m.replicas.first().copied());
                    Some(IsrChange {
                        at_ms: e.at_ms,
                        isr: meta.map(|m| m.replicas.clone()).unwrap_or_default(),
                        leader,
                        epoch: Some(0),
                        what: "created; every replica in sync".into(),
                    })
                }
                SimEvent::PartitionsAdded { topic, from, to }
                    if *topic == tp.topic && (*from..*to).contains(&tp.partition) =>
                {
                    let meta = self.partition(tp);
                    leader = meta.and_then(|m| m.replicas.first().copied());
                    Some(IsrChange {
                        at_ms: e.at_ms,
                        isr: meta.map(|m| m.replicas.clone()).unwrap_or_default(),
                        leader,
                        epoch: Some(0),
                        what: "partition added".into(),
                    })
                }
                SimEvent::LeaderChanged { tp: t, to, epoch, isr, unclean, reason, .. } if *t == tp => {
                    leader = *to;
                    let who = to.map_or("no leader (offline)".to_string(), |b| format!("leader {b}"));
                    Some(IsrChange {
                        at_ms: e.at_ms,
                        isr: isr.clone(),
                        leader,
                        epoch: Some(*epoch),
                        what: format!("{who}{}: {reason}", if *unclean { " (unclean)" } else { "" }),
                    })
                }
                SimEvent::IsrShrunk { tp: t, removed, isr, by_controller } if *t == tp => Some(IsrChange {
                    at_ms: e.at_ms,
                    isr: isr.clone(),
                    leader,
                    epoch: None,
                    what: format!(
                        "removed {} ({})",
                        crate::cluster::journal::join_ids(removed),
                        if *by_controller { "fenced by the controller" } else { "fell behind the leader" }
                    ),
                }),
                SimEvent::IsrExpanded { tp: t, added, isr } if *t == tp => Some(IsrChange {
                    at_ms: e.at_ms,
                    isr: isr.clone(),
                    leader,
                    epoch: None,
                    what: format!("added {} (caught up)", crate::cluster::journal::join_ids(added)),
                }),
                _ => None,
            };
            out.extend(change);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Tp;
    use crate::session::exec::Session;

    #[test]
    fn isr_history_follows_a_failover_and_rejoin() {
        let s = Session::run_script_session(
            "seed 1\nkafka-topics --create --topic t --partitions 1 --replication-factor 3\n\
             produce --topic t --value a\nbroker kill 1\nbroker kill 2\nbroker kill 3\nadvance 12s\n\
             broker start 1\nbroker start 2\nbroker start 3\nadvance 40s\n",
        )
        .unwrap();
        let tp = Tp { topic: s.sim.topic_by_name("t").unwrap(), partition: 0 };
        let h = s.sim.isr_history(tp);
        assert!(h.len() >= 3, "{h:?}");
        assert_eq!(h[0].epoch, Some(0));
        assert!(h.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        let last = h.last().unwrap();
        assert_eq!(last.isr.len(), 3, "everyone back in sync at the end: {h:?}");
        let infos = s.sim.replica_infos(tp);
        assert_eq!(infos.len(), 3);
        assert_eq!(infos.iter().filter(|r| r.role == "leader").count(), 1);
        assert!(infos.iter().all(|r| r.leo == 1 && r.in_isr));
        assert!(infos[0].preferred && !infos[1].preferred);
    }
}

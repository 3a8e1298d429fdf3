//! Read-only views for the UI's inspect panel and picture: a partition's replicas with their roles
//! and offsets, its ISR and leader history derived from the journal, a consumer's state as drawn,
//! a group's assignment as its coordinator knows it, and how a replica's log is stored (its
//! segments, what compaction removed or will remove, the cleaner's passes). Nothing here changes
//! the model.

use crate::clients::consumer::{ConsumerStatus, MemberState};
use crate::cluster::broker::BrokerStatus;
use crate::cluster::journal::SimEvent;
use crate::cluster::sim::Sim;
use crate::model::{BrokerId, ConsumerIdx, Log, Millis, Tp, Value};

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

/// One segment of a replica's log as the inspect panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Kafka's file name (`00000000000000000012.log`).
    pub file_name: String,
    pub base_offset: u64,
    /// The first offset of the next segment (the log end for the active one).
    pub end_offset: u64,
    pub bytes: u64,
    /// Append times of its first record and of its newest (`segment.ms` counts from the first,
    /// `retention.ms` compares the newest).
    pub first_ms: Millis,
    pub max_ms: Millis,
    /// The active segment: appends go there; retention and the cleaner never touch it.
    pub active: bool,
}

/// A replica's storage: its segments, oldest first, the log start offset and the log cleaner's
/// checkpoint (offsets below it are clean; the dirty section runs from it to the active segment).
/// `compacted`: the topic's `cleanup.policy` includes `compact`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageInfo {
    pub segments: Vec<SegmentInfo>,
    pub log_start: u64,
    pub clean_end: u64,
    pub compacted: bool,
}

/// An offset the log cleaner emptied (a gap readers skip), with what the picture says of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanedSlot {
    pub offset: u64,
    /// The removed record's key (None when it is no longer stored, or had none).
    pub key: Option<String>,
    /// Where that key's latest record is now, if one remains (None: a tombstone deleted the key
    /// and has gone itself).
    pub latest: Option<u64>,
    /// The removed record was a tombstone whose delete horizon had passed.
    pub was_tombstone: bool,
    /// The removed record as it was stored (for the picture's fade-out), while storage keeps it.
    pub removed: Option<crate::model::Record>,
}

/// What compaction means for offsets `from .. to` of a replica's log (`Sim::compaction_facts`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactionFacts {
    /// Records still stored but superseded by a later record of their key: the cleaner removes
    /// them on a pass that reaches them (once they are out of the active segment and below the HW).
    /// Each with the offset of its key's latest record.
    pub superseded: Vec<(u64, u64)>,
    /// Tombstones (null values) in the range, with their delete horizon once the cleaner has
    /// passed over them (KIP-534: first cleaning + `delete.retention.ms`).
    pub tombstones: Vec<(u64, Option<Millis>)>,
    /// Offsets the cleaner emptied.
    pub cleaned: Vec<CleanedSlot>,
}

/// One pass of a broker's log cleaner over a replica (from the journal): when, and over which
/// offsets (`from .. to`, the dirty section it cleaned), and how many records it removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanerPass {
    pub at_ms: Millis,
    pub broker: BrokerId,
    pub tp: Tp,
    pub from: u64,
    pub to: u64,
    pub removed: usize,
}

impl Sim {
    /// How broker `b`'s copy of `tp` is stored: its segments, log start and cleaner checkpoint
    /// (None: no copy on that broker).
    pub fn storage_info(&self, b: BrokerId, tp: Tp) -> Option<StorageInfo> {
        let log = self.replica_log(b, tp)?;
        let n = log.segments.len();
        let segments = log
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| SegmentInfo {
                file_name: s.file_name(),
                base_offset: s.base_offset,
                end_offset: log.segments.get(i + 1).map_or(log.leo(), |n| n.base_offset),
                bytes: s.bytes,
                first_ms: s.first_ms,
                max_ms: s.max_ms,
                active: i + 1 == n,
            })
            .collect();
        Some(StorageInfo {
            segments,
            log_start: log.log_start,
            clean_end: log.clean_end,
            compacted: self.topic(tp.topic).config.compacts(),
        })
    }

    /// For offsets `from .. to` of broker `b`'s copy of a compacted topic: which stored records a
    /// later record of their key supersedes, the tombstones with their delete horizons, and the
    /// gaps the cleaner left (with where the removed key's latest record is). Empty for a topic
    /// that is not compacted. Walks the log from `from` to its end.
    pub fn compaction_facts(&self, b: BrokerId, tp: Tp, from: u64, to: u64) -> CompactionFacts {
        let mut out = CompactionFacts::default();
        let Some(log) = self.replica_log(b, tp) else { return out };
        if !self.topic(tp.topic).config.compacts() || from >= to {
            return out;
        }
        let head = log.records.head();
        let first = from.max(log.log_start).max(head);
        // The latest live offset of every key seen from `first` to the log end (the cleaner's map).
        let map = crate::cluster::cleaner::OffsetMap::of(log, log.iter_from(first));
        // Offsets below the storage's first position were gaps that left storage with their keys.
        for offset in from.max(log.log_start)..first.min(to) {
            if log.is_cleaned(offset) {
                out.cleaned.push(CleanedSlot { offset, key: None, latest: None, was_tombstone: false, removed: None });
            }
        }
        for r in log.records.iter_from((first - head) as usize).take_while(|r| r.offset < to) {
            if matches!(r.value, Value::Marker { .. }) {
                continue;
            }
            if r.cleaned {
                // A follower's gap (taken from a leader's cleaned batch) carries no key.
                let gap = r.id == crate::model::INTERNAL_RECORD && r.key.is_none();
                let key = if gap { None } else { r.key };
                let later = if gap { None } else { map.superseded(r) };
                out.cleaned.push(CleanedSlot {
                    offset: r.offset,
                    key: key.map(|k| self.interner.get(k).to_string()),
                    latest: later,
                    was_tombstone: !gap && crate::cluster::cleaner::is_tombstone(r),
                    removed: (!gap).then_some(*r),
                });
                continue;
            }
            if let Some(l) = map.superseded(r) {
                out.superseded.push((r.offset, l));
            }
            if crate::cluster::cleaner::is_tombstone(r) {
                out.tombstones.push((r.offset, log.tombstones.get(&r.offset).copied()));
            }
        }
        out
    }

    /// The log cleaner's passes journalled at or after `since_ms` (the leader's passes: the
    /// journal records those), oldest first. Reads the journal from its end.
    pub fn cleaner_passes_since(&self, since_ms: Millis) -> Vec<CleanerPass> {
        let mut out: Vec<CleanerPass> = self
            .journal
            .iter()
            .rev()
            .take_while(|e| e.at_ms >= since_ms)
            .filter_map(|e| match e.event {
                SimEvent::LogCompacted { broker, tp, from, to, removed } => {
                    Some(CleanerPass { at_ms: e.at_ms, broker, tp, from, to, removed })
                }
                _ => None,
            })
            .collect();
        out.reverse();
        out
    }

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
                // Narrated when its record commits: a slow commit can come after a first election.
                SimEvent::TopicCreated { topic } if *topic == tp.topic && out.is_empty() => {
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

    /// A compacted topic with small segments: the segment list, the records a later value of
    /// their key supersedes, the tombstone's horizon, the cleaner's pass and the gap it left.
    #[test]
    fn storage_and_compaction_facts_follow_the_cleaner() {
        let mut s = Session::run_script_session(
            "seed 1\nkafka-topics --create --topic prices --partitions 1 --replication-factor 3 \
             --config cleanup.policy=compact --config segment.ms=10000 --config delete.retention.ms=30000\n\
             produce --topic prices --key kiwi --value 1\nproduce --topic prices --key apple --value 2\n\
             produce --topic prices --key apple --value 3\nproduce --topic prices --key pear --tombstone\n\
             advance 11s\nproduce --topic prices --key apple --value 6\n",
        )
        .unwrap();
        let run = |s: &mut Session, line: &str| {
            let cmd = crate::session::command::parse_line(line).unwrap().unwrap();
            s.execute(&cmd);
        };
        let tp = Tp { topic: s.sim.topic_by_name("prices").unwrap(), partition: 0 };
        let b = s.sim.partition(tp).unwrap().leader.unwrap();
        let st = s.sim.storage_info(b, tp).unwrap();
        assert!(st.compacted);
        assert_eq!(st.segments.len(), 2, "segment.ms rolled one: {st:?}");
        assert_eq!(st.segments[0].file_name, "00000000000000000000.log");
        assert_eq!((st.segments[0].base_offset, st.segments[0].end_offset), (0, 4));
        assert!(!st.segments[0].active && st.segments[1].active && st.segments[1].base_offset == 4);
        assert!(st.segments[0].bytes > 0 && st.segments[0].first_ms <= st.segments[0].max_ms);
        // Before the cleaner's pass: apple@1 and apple@2 are superseded (by apple@4, the latest);
        // the tombstone has no horizon yet.
        let f = s.sim.compaction_facts(b, tp, 0, 5);
        assert_eq!(f.superseded, vec![(1, 4), (2, 4)]);
        assert_eq!(f.tombstones, vec![(3, None)]);
        assert!(f.cleaned.is_empty());
        let before = s.sim.now();
        run(&mut s, "advance 20s");
        let passes = s.sim.cleaner_passes_since(before);
        assert!(passes.iter().any(|p| p.broker == b && p.tp == tp && p.from == 0 && p.to == 4), "{passes:?}");
        // The pass's offset map covers the dirty section only (not the active segment): apple@2
        // is its latest apple, so it stays, still superseded by apple@4 in the active segment.
        let f = s.sim.compaction_facts(b, tp, 0, 5);
        assert_eq!(f.cleaned.iter().map(|c| c.offset).collect::<Vec<_>>(), vec![1], "{f:?}");
        let gap = &f.cleaned[0];
        assert_eq!((gap.key.as_deref(), gap.latest, gap.was_tombstone), (Some("apple"), Some(4), false));
        assert!(gap.removed.is_some_and(|r| r.offset == 1 && r.cleaned), "the removed record, for its fade-out");
        assert_eq!(f.superseded, vec![(2, 4)]);
        assert!(matches!(f.tombstones.as_slice(), [(3, Some(h))] if *h > before), "{f:?}");
        let st = s.sim.storage_info(b, tp).unwrap();
        assert_eq!(st.clean_end, 4, "the checkpoint is at the active segment");
        // A topic that is not compacted has no compaction facts.
        run(&mut s, "kafka-topics --create --topic plain --partitions 1 --replication-factor 1");
        run(&mut s, "produce --topic plain --key a --value 1");
        run(&mut s, "produce --topic plain --key a --value 2");
        let plain = Tp { topic: s.sim.topic_by_name("plain").unwrap(), partition: 0 };
        let pb = s.sim.partition(plain).unwrap().leader.unwrap();
        assert_eq!(s.sim.compaction_facts(pb, plain, 0, 10), super::CompactionFacts::default());
    }
}

//! What must always hold, checked after every step by the tests (and available to any caller).
//! Each failure names the broken invariant; the property tests add the seed and the script.

use crate::audit::ledger::{Audit, Delivery, RemovedDelivery};
use crate::cluster::sim::Sim;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// State the checker keeps between steps, for the invariants that speak about history.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    /// Which broker led each (partition, leader epoch): at most one may.
    leaders: BTreeMap<(Tp, u32), BrokerId>,
    /// The HW last seen on each (partition, leader broker, epoch, power losses of that replica
    /// so far): a power loss may take the HW back with the log (Kafka's recovery).
    hw: BTreeMap<(Tp, BrokerId, u32, usize), u64>,
    /// Journal entries already checked (the reassignment invariants read the journal).
    journal_seen: usize,
    /// The KRaft quorum: which controller led each epoch (at most one may).
    quorum_leaders: BTreeMap<u32, u32>,
    /// The committed metadata log as first seen committed (by any controller's high watermark).
    committed: Vec<crate::cluster::quorum::MetaEntry>,
}

impl Checker {
    pub fn check(&mut self, sim: &Sim) -> Result<(), String> {
        self.check_quorum(sim)?;
        // A completed reassignment took replicas out only after every new one was in the ISR:
        // the new ISR is the old one less the removed replicas, never empty, and the whole target
        // when every target replica was in sync (so never below min.insync.replicas then).
        for e in sim.journal.iter_from(self.journal_seen) {
            if let crate::cluster::journal::SimEvent::ReassignmentCompleted {
                tp,
                replicas,
                isr,
                removed,
                isr_before,
                ..
            } = &e.event
            {
                let expected: Vec<BrokerId> = isr_before.iter().copied().filter(|b| !removed.contains(b)).collect();
                if isr.is_empty() || *isr != expected {
                    return Err(format!(
                        "reassignment of {} completed with ISR {isr:?} from {isr_before:?} removing {removed:?}",
                        sim.tp_name(*tp)
                    ));
                }
                if replicas.iter().all(|b| isr_before.contains(b)) && isr.len() != replicas.len() {
                    return Err(format!(
                        "reassignment of {} dropped below its caught-up target: ISR {isr:?} of {replicas:?}",
                        sim.tp_name(*tp)
                    ));
                }
            }
        }
        self.journal_seen = sim.journal.len();
        for (&b, broker) in &sim.brokers {
            for (&tp, r) in &broker.replicas {
                let log = &r.log;
                let name = || format!("{} on broker {b}", sim.tp_name(tp));
                // Offsets are contiguous and increasing; epochs never go down along the log.
                let mut prev_epoch = 0;
                for (i, rec) in log.records.iter().enumerate() {
                    if rec.offset != log.records.head() + i as u64 {
                        return Err(format!(
                            "offsets not contiguous in {}: index {i} holds offset {}",
                            name(),
                            rec.offset
                        ));
                    }
                    if rec.epoch < prev_epoch {
                        return Err(format!("leader epochs go backwards in {} at offset {}", name(), rec.offset));
                    }
                    prev_epoch = rec.epoch;
                }
                if log.hw > log.leo() {
                    return Err(format!("HW {} above LEO {} in {}", log.hw, log.leo(), name()));
                }
                if log.epochs.windows(2).any(|w| w[0].0 >= w[1].0 || w[0].1 > w[1].1) {
                    return Err(format!("epoch cache not increasing in {}: {:?}", name(), log.epochs));
                }
                if !r.is_leader(b) || !broker.is_running() {
                    continue;
                }
                // At most one leader per partition per epoch.
                match self.leaders.insert((tp, r.leader_epoch), b) {
                    Some(other) if other != b => {
                        return Err(format!(
                            "two leaders for {} in epoch {}: brokers {other} and {b}",
                            sim.tp_name(tp),
                            r.leader_epoch
                        ))
                    }
                    _ => {}
                }
                // The HW never goes back on a stable leader.
                let cuts = sim.power_cuts.iter().filter(|c| c.tp == tp && c.broker == b).count();
                let key = (tp, b, r.leader_epoch, cuts);
                if let Some(&before) = self.hw.get(&key) {
                    if log.hw < before {
                        return Err(format!(
                            "HW of {} went back from {before} to {} (epoch {})",
                            name(),
                            log.hw,
                            r.leader_epoch
                        ));
                    }
                }
                self.hw.insert(key, log.hw);
                // Everything below the HW is on every member of the ISR the leader acts on, but
                // a member whose machine lost power: it is behind until the controller takes it
                // out of the ISR (when it fences it, or when it re-registers after its restart).
                if sim.partition(tp).is_some_and(|m| m.leader == Some(b) && m.leader_epoch == r.leader_epoch) {
                    for &f in &r.isr {
                        let lost_power = sim.power_cuts.iter().any(|c| c.tp == tp && c.broker == f);
                        if let Some(flog) = sim.replica_log(f, tp) {
                            if flog.leo() < log.hw && !lost_power {
                                return Err(format!(
                                    "{}: HW {} is above the LEO {} of ISR member {f}",
                                    name(),
                                    log.hw,
                                    flog.leo()
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The KRaft quorum's promises: one leader per epoch; the metadata log is prefix-consistent
    /// (no two controllers ever hold different records below their high watermarks, and no
    /// committed record is lost); a record is committed only once a majority of voters holds it;
    /// a broker applies only committed records, in order.
    fn check_quorum(&mut self, sim: &Sim) -> Result<(), String> {
        use crate::cluster::quorum::Role;
        let q = &sim.quorum;
        for n in q.nodes.values() {
            if n.role == Role::Leader {
                if let Some(&other) = self.quorum_leaders.get(&n.epoch).filter(|&&o| o != n.id) {
                    return Err(format!("controllers {other} and {} both led epoch {}", n.id, n.epoch));
                }
                self.quorum_leaders.insert(n.epoch, n.id);
            }
        }
        // Every record below a controller's HW is the committed record at that offset, and the
        // committed log never shrinks below what was once committed on any running log.
        for n in q.nodes.values() {
            let known = (self.committed.len() as u64).min(n.hw);
            // Records already committed: check the last few each step (a rewrite below them would
            // first rewrite these, the log being truncated from the end).
            for off in known.saturating_sub(4)..known {
                match n.entry(off) {
                    Some(e) if *e == self.committed[off as usize] => {}
                    Some(e) => {
                        return Err(format!(
                            "controller {} holds {} (epoch {}) at committed offset {off} of __cluster_metadata, where {} (epoch {}) was committed",
                            n.id,
                            e.record.type_name(),
                            e.epoch,
                            self.committed[off as usize].record.type_name(),
                            self.committed[off as usize].epoch
                        ))
                    }
                    None => return Err(format!("controller {} lost committed metadata offset {off} (HW {})", n.id, n.hw)),
                }
            }
            if n.hw > self.committed.len() as u64 {
                // Newly committed records: a majority of voters must hold each.
                for off in self.committed.len() as u64..n.hw {
                    let Some(e) = n.entry(off) else {
                        return Err(format!(
                            "controller {} has HW {} above its log end {}",
                            n.id,
                            n.hw,
                            n.log_end_offset()
                        ));
                    };
                    let holders = q.nodes.values().filter(|m| m.entry(off) == Some(e)).count();
                    if holders < q.majority() {
                        return Err(format!(
                            "{} at metadata offset {off} committed by controller {} while only {holders} of {} voters hold it",
                            e.record.type_name(),
                            n.id,
                            q.nodes.len()
                        ));
                    }
                    self.committed.push(e.clone());
                }
            }
        }
        for (b, br) in &sim.brokers {
            if br.metadata_offset > self.committed.len() as u64 {
                return Err(format!(
                    "broker {b} applied metadata up to offset {} but only {} records are committed",
                    br.metadata_offset,
                    self.committed.len()
                ));
            }
            if let Some(last) = br.metadata_offset.checked_sub(1) {
                if self.committed[last as usize].epoch != br.metadata_epoch {
                    return Err(format!(
                        "broker {b} applied metadata offset {last} of epoch {}, but the committed record there is of epoch {}",
                        br.metadata_epoch, self.committed[last as usize].epoch
                    ));
                }
            }
        }
        Ok(())
    }

    /// The committed metadata log the checker has seen so far.
    pub fn committed_metadata(&self) -> &[crate::cluster::quorum::MetaEntry] {
        &self.committed
    }
}

impl Sim {
    /// The log the audits judge a partition by: its leader's, or (offline) the longest in the ISR,
    /// since one of those will lead again. (`exec::serving_log` is what clients can read now:
    /// the leader's only.)
    pub fn audited_log(&self, tp: Tp) -> Option<&Log> {
        let meta = self.partition(tp)?;
        match meta.leader {
            Some(l) => self.replica_log(l, tp),
            None => meta.isr.iter().filter_map(|&b| self.replica_log(b, tp)).max_by_key(|l| l.leo()),
        }
    }

    /// Compares the ledger with the logs: which acked records no serving replica holds (lost) and
    /// which appear more than once (duplicated). A partition without a leader is judged by the
    /// longest log among its ISR members, since one of them will lead again.
    pub fn audit(&self) -> Audit {
        let mut audit = Audit {
            acked: self.ledger.acked,
            failed: self.ledger.failed,
            removed: self.removed_acked.by_retention,
            compacted: self.removed_acked.by_compaction,
            ..Audit::default()
        };
        let mut present: BTreeMap<Tp, BTreeSet<RecordId>> = BTreeMap::new();
        let mut log_starts: BTreeMap<Tp, u64> = BTreeMap::new();
        let mut logs: BTreeMap<Tp, &Log> = BTreeMap::new();
        for &tp in self.controller.partitions.keys() {
            let Some(log) = self.audited_log(tp) else { continue };
            let mut seen = BTreeSet::new();
            for rec in log.iter().filter(|r| r.id != INTERNAL_RECORD) {
                if !seen.insert(rec.id) {
                    audit.duplicated.push(rec.id);
                }
            }
            present.insert(tp, seen);
            log_starts.insert(tp, log.log_start);
            logs.insert(tp, log);
        }
        for (id, e) in self.ledger.iter() {
            match e.state {
                Delivery::Pending => audit.pending += 1,
                Delivery::Failed(_) => {}
                Delivery::Acked { offset } => {
                    let start = log_starts.get(&e.tp).copied().unwrap_or(0);
                    let topic = &self.topics[e.tp.topic as usize];
                    let retained = match offset {
                        Some(o) => o >= start,
                        None => !crate::audit::ledger::out_of_retention(topic, e.created_ms, self.net.now),
                    };
                    if topic.deleted {
                        continue; // deleted with its topic: not a loss
                    }
                    if !retained {
                        if offset.is_some() {
                            audit.removed += 1; // deleted by retention or delete-records: not a loss
                        }
                        continue;
                    }
                    if offset.is_some_and(|o| logs.get(&e.tp).is_some_and(|l| l.is_cleaned(o))) {
                        audit.compacted += 1; // the cleaner removed it: a newer value of its key
                        continue;
                    }
                    if !present.get(&e.tp).is_some_and(|s| s.contains(&id)) {
                        match offset {
                            Some(o) if self.power_cuts_of(e.tp, o, e.created_ms).next().is_some() => {
                                audit.power_lost.push(id)
                            }
                            _ => audit.lost.push(id),
                        }
                    }
                }
            }
        }
        crate::sort::sort(&mut audit.duplicated);
        audit.duplicated.dedup();
        audit.groups = self.group_deliveries();
        audit
    }

    /// The power losses that took offset `o` of `tp` from a replica's log after a record sent at
    /// `sent_ms` could be there: how the audit explains an acked record that no serving log holds
    /// as lost in a power loss.
    pub fn power_cuts_of(
        &self,
        tp: Tp,
        o: u64,
        sent_ms: Millis,
    ) -> impl Iterator<Item = &crate::cluster::sim::PowerCut> + '_ {
        self.power_cuts.iter().filter(move |c| c.tp == tp && (c.from..c.to).contains(&o) && sent_ms <= c.at_ms)
    }

    /// For every group, each committed record of the topics its consumers read: processed once,
    /// more than once, before the group's start (it began at the log end, `auto.offset.reset`
    /// with no committed offset, and never meant to read them), skipped (committed past without
    /// processing) or not yet.
    /// How a group dealt with record `id` (at `offset` of `tp`) that has left the log: it came
    /// before the group's start, or the group never read it, read it once, or more than once.
    pub(crate) fn removed_delivery(&self, sym: Sym, tp: Tp, id: RecordId, offset: u64) -> RemovedDelivery {
        let start = self.group_starts.get(&(sym, tp)).copied().unwrap_or(0);
        match self.deliveries.count(sym, id) {
            0 if offset < start => RemovedDelivery::BeforeStart,
            0 => RemovedDelivery::Unread,
            1 => RemovedDelivery::Once,
            _ => RemovedDelivery::Twice,
        }
    }

    /// The topics a group's consumers read, in id order.
    pub(crate) fn group_topics(&self, sym: Sym) -> Vec<TopicId> {
        let mut topics: Vec<TopicId> =
            self.consumers.iter().filter(|c| c.group == sym).flat_map(|c| c.topics.iter().copied()).collect();
        crate::sort::sort(&mut topics);
        topics.dedup();
        topics
    }

    /// Every group (by symbol) with the topics its consumers read.
    pub(crate) fn group_reads(&self) -> Vec<(Sym, Vec<TopicId>)> {
        self.groups.values().filter_map(|g| self.interner.find(&g.name)).map(|s| (s, self.group_topics(s))).collect()
    }

    pub fn group_deliveries(&self) -> Vec<crate::audit::ledger::GroupDelivery> {
        let mut out = Vec::new();
        for g in self.groups.values() {
            let Some(sym) = self.interner.find(&g.name) else { continue };
            let topics = self.group_topics(sym);
            let committed = self.committed_offsets(&g.name);
            let read_committed = self.consumers.iter().any(|c| c.group == sym && c.config.read_committed);
            let mut d = crate::audit::ledger::GroupDelivery { group: g.name.clone(), ..Default::default() };
            for &t in &topics {
                for p in 0..self.topics[t as usize].partitions {
                    let tp = Tp { topic: t, partition: p };
                    let Some(log) = self.partition(tp).and_then(|m| m.leader).and_then(|l| self.replica_log(l, tp))
                    else {
                        continue;
                    };
                    let done = committed.get(&tp).copied().unwrap_or(0);
                    let start = self.group_starts.get(&(sym, tp)).copied().unwrap_or(0);
                    let end = if read_committed { log.lso() } else { log.hw };
                    for rec in log.iter().take_while(|r| r.offset < end) {
                        // Markers are never delivered; read_committed readers skip aborted records.
                        if rec.id == INTERNAL_RECORD
                            || (read_committed && !crate::clients::processor::visible(log, rec))
                        {
                            continue;
                        }
                        match self.deliveries.count(sym, rec.id) {
                            0 if rec.offset < start => d.before_start += 1,
                            0 if rec.offset < done => d.skipped.push(rec.id),
                            0 => d.pending += 1,
                            1 => d.once += 1,
                            _ => d.more_than_once.push(rec.id),
                        }
                    }
                }
            }
            // Records that left the log (still in the ledger, or tallied once summarized away).
            let mut serving: BTreeMap<Tp, Option<&Log>> = BTreeMap::new();
            for (id, e) in self.ledger.iter() {
                let (Delivery::Acked { offset: Some(o) }, true) = (e.state, topics.contains(&e.tp.topic)) else {
                    continue;
                };
                let serving_log =
                    |tp: Tp| self.partition(tp).and_then(|m| m.leader).and_then(|l| self.replica_log(l, tp));
                let Some(log) = *serving.entry(e.tp).or_insert_with(|| serving_log(e.tp)) else {
                    continue;
                };
                if self.topics[e.tp.topic as usize].deleted || (o >= log.log_start && !log.is_cleaned(o)) {
                    continue;
                }
                match self.removed_delivery(sym, e.tp, id, o) {
                    RemovedDelivery::BeforeStart => d.before_start += 1,
                    RemovedDelivery::Unread => d.removed_unread += 1,
                    RemovedDelivery::Once => d.once += 1,
                    RemovedDelivery::Twice => d.more_than_once.push(id),
                }
            }
            if let Some(t) = self.removed_deliveries.get(&sym) {
                d.once += t.once;
                d.before_start += t.before_start;
                d.removed_unread += t.unread;
                d.removed_twice += t.more_than_once;
            }
            out.push(d);
        }
        out
    }
}

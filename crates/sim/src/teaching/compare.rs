//! Side-by-side comparisons: one script, the same seed, two configurations. The script names the
//! setting that differs as `$CONFIG`; each side substitutes its value. `facts` reads the key facts
//! (ledger counters, group and processor accounting, leaders) that the compare view lines up.

use crate::cluster::sim::Sim;
use crate::session::command::{parse_script, Command, ParseError};
use crate::session::exec::{Output, Session, DEFAULT_SEED};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub id: &'static str,
    pub title: &'static str,
    /// What to look for once both sides have run.
    pub explain: &'static str,
    pub left: &'static str,
    pub right: &'static str,
    /// The script, with `$CONFIG` where the sides differ.
    pub script: &'static str,
}

pub const COMPARISONS: &[Comparison] = &[
    Comparison {
        id: "acks",
        title: "acks=1 vs acks=all",
        explain: "The leader dies 100 ms after the record was sent, before its slow followers copied it. With acks=1 the leader had already acknowledged it: the new leader never had it, so an acknowledged record is lost. With acks=all there was no ack yet; the producer retries on the new leader, the record is acknowledged there, and nothing acknowledged is lost.",
        left: "acks=1",
        right: "acks=all",
        script: "seed 11
network --latency 20ms --jitter 0ms
network --latency 300ms --jitter 0ms --link 1:2
network --latency 300ms --jitter 0ms --link 1:3
kafka-topics --create --topic orders --replica-assignment 1:2:3
producer start app --producer-property acks=$CONFIG --producer-property enable.idempotence=false
produce --topic orders --value order-1 --producer app --async
advance 100ms
broker kill 1
advance 10s
advance 30s",
    },
    Comparison {
        id: "unclean",
        title: "Unclean leader election off vs on",
        explain: "Every in-sync replica is gone and only a stale replica is back. Off: the partition stays offline (no leader) and nothing acknowledged is lost. On: the stale replica leads at once, and the records it never had are lost.",
        left: "unclean.leader.election.enable=false",
        right: "unclean.leader.election.enable=true",
        script: "seed 5
kafka-topics --create --topic orders --replica-assignment 1:2:3 --config unclean.leader.election.enable=$CONFIG
broker kill 3
advance 10s
produce --topic orders --value a --count 2
broker kill 2
advance 10s
produce --topic orders --value b
broker kill 1
advance 10s
broker start 3
advance 5s",
    },
    Comparison {
        id: "assignor",
        title: "Eager vs cooperative rebalancing",
        explain: "A third consumer joins. Eager (range) revokes every partition from everyone first: a stop-the-world pause, and a higher generation. Cooperative-sticky keeps what does not move and hands over only the moved partitions in a second, short rebalance.",
        left: "range (eager)",
        right: "cooperative-sticky",
        script: "seed 17
kafka-topics --create --topic clicks --partitions 6 --replication-factor 3
producer start p1 --topic clicks --rate 10/s --keys a,b,c,d,e,f,g,h,i,j
consumer start c1 --group readers --topic clicks --consumer-property partition.assignment.strategy=$CONFIG --commit after
consumer start c2 --group readers --topic clicks --consumer-property partition.assignment.strategy=$CONFIG --commit after
advance 6s
consumer start c3 --group readers --topic clicks --consumer-property partition.assignment.strategy=$CONFIG --commit after
advance 300ms
advance 10s",
    },
    Comparison {
        id: "eos",
        title: "At-least-once vs exactly-once processing",
        explain: "A read-process-write app crashes mid-batch. At-least-once sent its outputs but had not committed its input offsets: its replacement processes them again, and the output holds duplicates. Exactly-once wrote outputs and offsets in one transaction: the open transaction is aborted and redone, and a read_committed reader sees each output once. (The exactly-once app may still process a record twice, in the aborted attempt: exactly-once is about the results in Kafka, not about running the code once.)",
        left: "at_least_once",
        right: "exactly_once_v2",
        script: "seed 56
kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2
kafka-topics --create --topic out --partitions 3 --replication-factor 3 --config min.insync.replicas=2
producer start source --topic orders --rate 20/s --keys alice,bob,carol,dave,erin
processor start app --group app --input orders --output out --processing-guarantee $CONFIG --processing 20ms --consumer-property auto.offset.reset=earliest --consumer-property session.timeout.ms=10000
advance 15s
produce --topic orders --count 60 --async
advance 600ms
processor kill app
advance 2s
processor start app --group app --input orders --output out --processing-guarantee $CONFIG --processing 20ms --consumer-property auto.offset.reset=earliest --consumer-property session.timeout.ms=10000
advance 30s
producer stop source
advance 15s",
    },
    Comparison {
        id: "cleanup",
        title: "Retention vs compaction",
        explain: "The same keyed stream (five keys, 2 records a second) for five and a half minutes, into a topic that rolls a segment every 10 s. With cleanup.policy=delete, retention deletes whole segments older than retention.ms (30 s) at each check (every 5 minutes): the log start moves up, only the last half minute or so is kept, and a key written only long ago would be gone. With compact, nothing is deleted by age: the log cleaner keeps the latest record of every key (and the active segment as it is), the log start stays at 0 and the offsets keep gaps. Neither loses an acknowledged record: both are what the topic was configured to do.",
        left: "cleanup.policy=delete",
        right: "cleanup.policy=compact",
        script: "seed 21
kafka-topics --create --topic prices --partitions 1 --replication-factor 3 --config cleanup.policy=$CONFIG --config segment.ms=10000 --config retention.ms=30000 --config min.cleanable.dirty.ratio=0.01
producer start p1 --topic prices --rate 2/s --keys apple,pear,plum,fig,kiwi
advance 60s
advance 60s
advance 60s
advance 60s
advance 60s
advance 30s",
    },
    Comparison {
        id: "flush",
        title: "Power loss: flush left to the OS vs flush.messages=1",
        explain: "All three brokers of one rack lose power within a second, a moment after 10 records were acknowledged with acks=all. Kafka appends to the page cache and by default leaves writing it to disk to the OS (kafkascope's stand-in writes pages back after 30 s): every copy of those 10 records was in memory only, so they are lost although acks=all acknowledged them (counted as lost in a power loss). With flush.messages=1 every append is forced to disk before it counts, and nothing is lost, at the cost of an fsync per message. Kafka's answer is replication across failure domains (racks, power feeds), not fsync: one machine losing power loses nothing acknowledged.",
        left: "flush.messages=9223372036854775807 (the default: the OS flushes)",
        right: "flush.messages=1",
        script: "seed 16
kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=2 --config flush.messages=$CONFIG
producer start p
produce --topic orders --count 20 --producer p
advance 40s
produce --topic orders --count 10 --producer p
broker kill 1 --power-loss
advance 300ms
broker kill 2 --power-loss
advance 300ms
broker kill 3 --power-loss
advance 20s
broker start 1
broker start 2
broker start 3
advance 20s",
    },
];

impl Comparison {
    /// The script one side runs: `$CONFIG` replaced by that side's value.
    pub fn script(&self, right: bool) -> String {
        let label = if right { self.right } else { self.left };
        // The value is what follows the last '=' of the label ("acks=all" → "all"), or the label.
        let value = label.rsplit('=').next().unwrap_or(label).split_whitespace().next().unwrap_or(label);
        self.script.replace("$CONFIG", value)
    }

    /// The script's commands, parsed (for running both sides in lockstep).
    pub fn commands(&self, right: bool) -> Result<Vec<Command>, ParseError> {
        Ok(parse_script(&self.script(right))?.into_iter().map(|l| l.command).collect())
    }
}

/// Two sessions from the same seed, run command by command in lockstep.
#[derive(Clone, Debug)]
pub struct Pair {
    pub left: Session,
    pub right: Session,
    left_cmds: Vec<Command>,
    right_cmds: Vec<Command>,
    /// How many commands each side has run.
    pub next: usize,
}

impl Pair {
    pub fn new(c: &Comparison) -> Result<Pair, ParseError> {
        let (left_cmds, right_cmds) = (c.commands(false)?, c.commands(true)?);
        let seed = match left_cmds.first() {
            Some(Command::Seed(s)) => *s,
            _ => DEFAULT_SEED,
        };
        Ok(Pair { left: Session::new(seed), right: Session::new(seed), left_cmds, right_cmds, next: 0 })
    }

    pub fn len(&self) -> usize {
        self.left_cmds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.left_cmds.is_empty()
    }

    pub fn done(&self) -> bool {
        self.next >= self.left_cmds.len()
    }

    /// The next command of each side, as text.
    pub fn upcoming(&self) -> Option<(String, String)> {
        Some((self.left_cmds.get(self.next)?.to_line(), self.right_cmds.get(self.next)?.to_line()))
    }

    /// Runs the next command on both sides.
    pub fn step(&mut self) -> Option<(Output, Output)> {
        let (l, r) = (self.left_cmds.get(self.next)?.clone(), self.right_cmds.get(self.next)?.clone());
        self.next += 1;
        Some((self.left.execute(&l), self.right.execute(&r)))
    }

    pub fn run_all(&mut self) {
        while self.step().is_some() {}
    }
}

/// The facts the compare view lines up, in a fixed order: (label, value).
pub fn facts(sim: &Sim) -> Vec<(String, String)> {
    let a = sim.audit();
    let mut out = vec![
        ("acked".to_string(), a.acked.to_string()),
        ("failed".to_string(), a.failed.to_string()),
        ("pending".to_string(), a.pending.to_string()),
        ("lost".to_string(), a.lost.len().to_string()),
        ("duplicated".to_string(), a.duplicated.len().to_string()),
    ];
    if !sim.power_cuts.is_empty() {
        out.push(("lost in a power loss".to_string(), a.power_lost.len().to_string()));
    }
    for g in &a.groups {
        if g.group.starts_with("__") {
            continue;
        }
        out.push((format!("{}: processed once", g.group), g.once.to_string()));
        out.push((format!("{}: processed twice", g.group), g.twice().to_string()));
        out.push((format!("{}: skipped", g.group), g.skipped.len().to_string()));
        if let Some(gr) = sim.groups.values().find(|x| x.name == g.group) {
            out.push((format!("{}: state", g.group), gr.state.name().to_string()));
            out.push((format!("{}: generation", g.group), gr.generation.to_string()));
        }
    }
    for p in sim.processor_audit() {
        out.push((format!("{} → {}: outputs seen", p.group, p.output), p.outputs.to_string()));
        out.push((format!("{} → {}: inputs lost", p.group, p.output), p.lost.len().to_string()));
        out.push((format!("{} → {}: inputs duplicated", p.group, p.output), p.duplicated.len().to_string()));
    }
    // Storage facts, for topics whose logs shrink (compaction, or a retention set on the topic).
    let default_retention = crate::model::TopicConfig::default().retention_ms;
    let shrinks =
        |topic: &crate::cluster::sim::Topic| topic.config.compacts() || topic.config.retention_ms != default_retention;
    let storage = sim.topics.iter().any(|t| !t.name.starts_with("__") && !t.deleted && shrinks(t));
    if storage {
        out.push(("removed by retention".to_string(), a.removed.to_string()));
        out.push(("compacted away".to_string(), a.compacted.to_string()));
    }
    for (t, topic) in sim.topics.iter().enumerate() {
        if topic.name.starts_with("__") {
            continue;
        }
        for p in 0..topic.partitions {
            let tp = crate::model::Tp { topic: t as u32, partition: p };
            if let Some(m) = sim.partition(tp) {
                let leader = m.leader.map_or("none".to_string(), |l| l.to_string());
                out.push((format!("{}-{p}: leader", topic.name), leader));
            }
            if let Some(log) = shrinks(topic).then(|| crate::session::exec::serving_log(sim, tp)).flatten() {
                let data = || log.iter().filter(|r| r.id != crate::model::INTERNAL_RECORD);
                let keys: std::collections::BTreeSet<_> = data().filter_map(|r| r.key).collect();
                out.push((format!("{}-{p}: log start offset", topic.name), log.log_start.to_string()));
                out.push((format!("{}-{p}: records in the log", topic.name), data().count().to_string()));
                out.push((format!("{}-{p}: keys in the log", topic.name), keys.len().to_string()));
                out.push((format!("{}-{p}: segments", topic.name), log.segments.len().to_string()));
            }
        }
    }
    out
}

/// Both sides' facts merged by label, in the left side's order then the right's: (label, left,
/// right); a fact one side lacks is `—`.
pub fn side_by_side(left: &Sim, right: &Sim) -> Vec<(String, String, String)> {
    let (l, r) = (facts(left), facts(right));
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for (k, v) in &l {
        let rv = r.iter().find(|(rk, _)| rk == k).map_or("—".to_string(), |(_, v)| v.clone());
        rows.push((k.clone(), v.clone(), rv));
    }
    for (k, v) in &r {
        if !l.iter().any(|(lk, _)| lk == k) {
            rows.push((k.clone(), "—".to_string(), v.clone()));
        }
    }
    rows
}

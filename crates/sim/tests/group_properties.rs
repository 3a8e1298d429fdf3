//! Property tests for consumer groups: random sequences of consumer start/stop/kill/pause/resume,
//! broker kill/start and produce, with the group invariants checked after every event. A failure
//! prints the minimal script that reproduces it.

mod common;

use kafkascope_sim::clients::consumer::{ConsumerStatus, MemberState};
use kafkascope_sim::coordinators::group::GroupState;
use kafkascope_sim::session::exec::Session;
use kafkascope_sim::{parse_script, Command, Sim, Tp};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug)]
enum Op {
    Start(u8),
    Stop(u8),
    Kill(u8),
    Pause(u8),
    Resume(u8),
    BrokerKill(u32),
    BrokerStart(u32),
    Produce(u8),
    Advance(u32),
    /// `consumer remove` (a clean close, then off the picture).
    Remove(u8),
    /// `kafka-consumer-groups --delete` (refused while the group has members).
    DeleteGroup(bool),
    /// Topic `x` (2 partitions, read by both groups besides `t`) deleted / created again.
    DeleteX,
    CreateX,
}

/// Consumers 0..3 are in group `eg` (eager, default strategies); 4..7 in `cg` (cooperative-sticky).
/// A group sees x deleted or created again when its leader refreshes its metadata (as in Kafka,
/// only the leader watches): `metadata.max.age.ms=30000` lets that happen within the settle time.
fn consumer_line(c: u8) -> String {
    let (group, extra) = if c < 4 {
        ("eg", "")
    } else {
        ("cg", " --consumer-property partition.assignment.strategy=cooperative-sticky")
    };
    format!(
        "consumer start c{c} --group {group} --topic t,x --consumer-property auto.offset.reset=earliest --consumer-property session.timeout.ms=10000 --consumer-property max.poll.interval.ms=15000 --consumer-property metadata.max.age.ms=30000 --processing 30ms{extra}"
    )
}

impl Op {
    fn line(&self) -> String {
        match self {
            Op::Start(c) => consumer_line(*c),
            Op::Stop(c) => format!("consumer stop c{c}"),
            Op::Kill(c) => format!("consumer kill c{c}"),
            Op::Pause(c) => format!("consumer pause c{c}"),
            Op::Resume(c) => format!("consumer resume c{c}"),
            Op::BrokerKill(b) => format!("broker kill {b}"),
            Op::BrokerStart(b) => format!("broker start {b}"),
            Op::Produce(k) => format!("produce --topic t --key k{k} --count 3 --async"),
            Op::Advance(ms) => format!("advance {ms}ms"),
            Op::Remove(c) => format!("consumer remove c{c}"),
            Op::DeleteGroup(eager) => {
                format!("kafka-consumer-groups --delete --group {}", if *eager { "eg" } else { "cg" })
            }
            Op::DeleteX => "kafka-topics --delete --topic x".to_string(),
            Op::CreateX => "kafka-topics --create --topic x --partitions 2 --replication-factor 3".to_string(),
        }
    }
}

/// `__consumer_offsets` rolls a segment every 3 s and is cleaned whenever anything is dirty, so the
/// log cleaner compacts it while the groups commit (with its 100 MiB default segments it would never
/// be cleaned in a test). The first reset-offsets creates the topic (as a FindCoordinator does).
const COMPACT_OFFSETS: &str = "advance 1s
kafka-consumer-groups --reset-offsets --group zz --topic t --to-earliest --execute
kafka-configs --alter --entity-type topics --entity-name __consumer_offsets --add-config segment.ms=3000,min.cleanable.dirty.ratio=0.01,delete.retention.ms=5000
";

#[derive(Clone)]
struct Case {
    seed: u64,
    ops: Vec<Op>,
}

impl Case {
    fn script(&self) -> String {
        let mut s = format!(
            "seed {}\nkafka-topics --create --topic t --partitions 4 --replication-factor 3 --config min.insync.replicas=2\n{}\n{}",
            self.seed,
            Op::CreateX.line(),
            COMPACT_OFFSETS
        );
        for op in &self.ops {
            s.push_str(&op.line());
            s.push('\n');
        }
        s
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common::fmt_script(f, &self.script())
    }
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0u8..8;
    prop_oneof![
        4 => c.clone().prop_map(Op::Start),
        1 => c.clone().prop_map(Op::Stop),
        1 => c.clone().prop_map(Op::Kill),
        1 => c.clone().prop_map(Op::Pause),
        1 => c.prop_map(Op::Resume),
        1 => (1u32..=3).prop_map(Op::BrokerKill),
        1 => (1u32..=3).prop_map(Op::BrokerStart),
        3 => (0u8..8).prop_map(Op::Produce),
        5 => prop_oneof![Just(50u32), Just(400), Just(2000), Just(6000), Just(20_000)].prop_map(Op::Advance),
        1 => (0u8..8).prop_map(Op::Remove),
        1 => any::<bool>().prop_map(Op::DeleteGroup),
        1 => Just(Op::DeleteX),
        1 => Just(Op::CreateX),
    ]
}

/// The group invariants, with the history they need (committed offsets per coordinator).
#[derive(Default)]
struct GroupChecker {
    committed: BTreeMap<(String, Tp, Option<(u32, u32)>), u64>,
    /// Each group's generation when a topic it reads was last deleted or created: a stable
    /// generation from before that may still hold the old assignment.
    topics_changed: BTreeMap<String, i32>,
}

/// Partitions the groups read now: t's 4, and x's 2 while x exists.
fn expected_partitions(sim: &Sim) -> usize {
    4 + if sim.topic_by_name("x").is_some() { 2 } else { 0 }
}

impl GroupChecker {
    fn check(&mut self, sim: &Sim) -> Result<(), String> {
        for g in sim.groups.values() {
            // Members (as the coordinator knows them) and what their consumers hold now.
            let mut owners: BTreeMap<Tp, Vec<(String, i32)>> = BTreeMap::new();
            for c in sim.consumers.iter().filter(|c| c.group_name == g.name) {
                let member = c.member_id.as_deref().filter(|m| g.members.contains_key(*m));
                if member.is_none() || !matches!(c.status, ConsumerStatus::Running | ConsumerStatus::Paused) {
                    continue;
                }
                if c.state == MemberState::Left {
                    continue;
                }
                for tp in &c.assigned {
                    owners.entry(*tp).or_default().push((c.client_id.clone(), c.generation));
                }
            }
            let cooperative = g.name == "cg";
            for (tp, who) in &owners {
                if cooperative && who.len() > 1 {
                    return Err(format!(
                        "cooperative group {}: {} owned by {:?} at once",
                        g.name,
                        sim.tp_name(*tp),
                        who
                    ));
                }
                for i in 0..who.len() {
                    for j in i + 1..who.len() {
                        if who[i].1 == who[j].1 {
                            return Err(format!(
                                "group {}: {} owned by {} and {} in generation {}",
                                g.name,
                                sim.tp_name(*tp),
                                who[i].0,
                                who[j].0,
                                who[i].1
                            ));
                        }
                    }
                }
            }
            // A stable eager group has every partition assigned to someone (once it rebalanced
            // after the last topic change) and nothing of a deleted topic.
            let settled = self.topics_changed.get(&g.name).is_none_or(|&gen| g.generation > gen);
            if !cooperative && g.state == GroupState::Stable && !g.members.is_empty() && settled {
                let assigned: usize = g.members.values().map(|m| m.assignment.len()).sum();
                let expected = expected_partitions(sim);
                if assigned != expected {
                    return Err(format!("stable group {} assigns {assigned} of {expected} partitions", g.name));
                }
                if let Some(tp) = g.members.values().flat_map(|m| &m.assignment).find(|tp| sim.topic(tp.topic).deleted)
                {
                    return Err(format!("stable group {} assigns {} of a deleted topic", g.name, sim.tp_name(*tp)));
                }
            }
            // Committed offsets never go back while the coordinator stays the same.
            let coord = sim
                .offsets_tp(&g.name)
                .and_then(|tp| sim.partition(tp))
                .and_then(|m| m.leader.map(|l| (l, m.leader_epoch)));
            let now = sim.committed_offsets(&g.name);
            // Nor does one vanish (the log cleaner keeps each partition's last commit) unless its
            // topic or its group was deleted.
            let vanished = self.committed.keys().find(|(name, tp, c)| {
                *name == g.name && *c == coord && !now.contains_key(tp) && !sim.topic(tp.topic).deleted
            });
            if let Some((_, tp, _)) = vanished {
                return Err(format!("group {}: the committed offset of {} vanished", g.name, sim.tp_name(*tp)));
            }
            for (tp, o) in now {
                let key = (g.name.clone(), tp, coord);
                if let Some(&before) = self.committed.get(&key) {
                    if o < before {
                        return Err(format!(
                            "group {}: committed offset of {} went back {before} → {o}",
                            g.name,
                            sim.tp_name(tp)
                        ));
                    }
                }
                self.committed.insert(key, o);
            }
        }
        Ok(())
    }
}

fn run_case(case: &Case) -> Result<(), String> {
    let lines = parse_script(&case.script()).map_err(|e| e.to_string())?;
    let mut session = Session::new(case.seed);
    let mut checker = GroupChecker::default();
    let mut broker_checker = kafkascope_sim::audit::invariants::Checker::default();
    for l in &lines {
        let cmd = &l.command;
        if matches!(cmd, Command::TopicsDelete { .. } | Command::TopicsCreate { .. }) {
            for g in session.sim.groups.values() {
                checker.topics_changed.insert(g.name.clone(), g.generation);
            }
        }
        if let Command::GroupsDelete(name) = cmd {
            checker.committed.retain(|(g, _, _), _| g != name);
        }
        common::run_checked(&mut session, cmd, |sim| {
            checker
                .check(sim)
                .and_then(|_| broker_checker.check(sim))
                .map_err(|e| format!("during or after `{}`: {e}", l.text))
        })?;
    }
    // Everyone back, the cooperative group settles too: every partition is assigned.
    for b in 1..=3 {
        session.execute(&Command::BrokerStart(b));
    }
    for c in 0..8 {
        session.execute(&Command::ConsumerResume(format!("c{c}")));
    }
    session.sim.run_for(120_000);
    checker.check(&session.sim)?;
    for g in session.sim.groups.values() {
        let live = session
            .sim
            .consumers
            .iter()
            .filter(|c| c.group_name == g.name && c.status == ConsumerStatus::Running)
            .count();
        if live == 0 {
            continue;
        }
        if g.state != GroupState::Stable {
            return Err(format!("group {} did not settle: {:?}", g.name, g.state));
        }
        let assigned: usize = g.members.values().map(|m| m.assignment.len()).sum();
        let expected = expected_partitions(&session.sim);
        if assigned != expected {
            return Err(format!("settled group {} assigns {assigned} of {expected} partitions", g.name));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("PROPTEST_GROUP_CASES", 1000, 1000, 0x6772_6f75_70))]

    #[test]
    fn group_invariants_hold(case in (any::<u64>(), prop::collection::vec(op(), 1..25)).prop_map(|(seed, ops)| Case { seed, ops })) {
        if let Err(e) = run_case(&case) {
            return Err(TestCaseError::fail(e));
        }
    }
}

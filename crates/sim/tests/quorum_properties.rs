//! Property tests of the KRaft quorum: random controller and broker faults (kill, stop, start,
//! isolate, heal) while records are produced and topics change, checked after every event by
//! the invariants (`Checker`, which holds the quorum's: one leader per epoch, a prefix-consistent
//! metadata log committed only by a majority, brokers applying only committed records). After
//! the faults heal, the cluster must recover: one active controller, every broker caught up with
//! the committed log and its metadata cache what that log says, no acked record of the safe
//! topic lost. A failing case prints its script, which `kafkascope run` reproduces.

mod common;

use kafkascope_sim::audit::invariants::Checker;
use kafkascope_sim::cluster::net::PartitionMeta;
use kafkascope_sim::cluster::quorum::{MetaEntry, MetaRecord};
use kafkascope_sim::model::Tp;
use kafkascope_sim::session::exec::Session;
use kafkascope_sim::{parse_script, Command};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug)]
enum Op {
    Produce(u8),
    Controller(&'static str, u32),
    Broker(&'static str, u32),
    /// `rack kill|start a|b` (rack a: brokers 1 and 3, rack b: broker 2).
    Rack(&'static str, &'static str),
    Advance(u32),
    CreateTopic(u8),
    DeleteTopic(u8),
    Elect,
}

impl Op {
    fn line(&self) -> String {
        match self {
            Op::Produce(k) => format!("produce --topic safe --key k{k} --count 2 --producer safe-p --async"),
            Op::Controller(verb, id) => format!("controller {verb} {id}"),
            Op::Broker(verb, b) => format!("broker {verb} {b}"),
            Op::Rack(verb, r) => format!("rack {verb} {r}"),
            Op::Advance(ms) => format!("advance {ms}ms"),
            Op::CreateTopic(i) => {
                format!("kafka-topics --create --topic extra{i} --partitions 2 --replication-factor 2")
            }
            Op::DeleteTopic(i) => format!("kafka-topics --delete --topic extra{i}"),
            Op::Elect => "kafka-leader-election --election-type preferred --all-topic-partitions".to_string(),
        }
    }
}

#[derive(Clone)]
struct Case {
    seed: u64,
    ops: Vec<Op>,
}

impl Case {
    fn script(&self) -> String {
        let mut s = format!(
            "seed {}\n\
             cluster --brokers 3 --racks a,b\n\
             kafka-topics --create --topic safe --partitions 2 --replication-factor 3 --config min.insync.replicas=2\n\
             producer start safe-p --topic safe\n",
            self.seed
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
    let controller = 100u32..=102;
    let verb = prop::sample::select(vec!["kill", "stop", "start", "isolate", "heal"]);
    let broker_verb = prop::sample::select(vec!["kill", "start", "isolate", "heal"]);
    prop_oneof![
        4 => (0u8..4).prop_map(Op::Produce),
        5 => (verb, controller).prop_map(|(v, c)| Op::Controller(v, c)),
        2 => (broker_verb, 1u32..=3).prop_map(|(v, b)| Op::Broker(v, b)),
        1 => (prop::sample::select(vec!["kill", "start"]), prop::sample::select(vec!["a", "b"])).prop_map(|(v, r)| Op::Rack(v, r)),
        5 => prop_oneof![Just(50u32), Just(300), Just(1200), Just(2500), Just(6000), Just(20_000)].prop_map(Op::Advance),
        1 => (0u8..2).prop_map(Op::CreateTopic),
        1 => (0u8..2).prop_map(Op::DeleteTopic),
        1 => Just(Op::Elect),
    ]
}

/// The partitions the committed records up to `end` describe (what a broker that applied them
/// must hold in its metadata cache).
fn replay(committed: &[MetaEntry], end: u64) -> BTreeMap<Tp, PartitionMeta> {
    let mut parts = BTreeMap::new();
    for e in &committed[..end as usize] {
        match &e.record {
            MetaRecord::Partition { tp, meta, .. } => {
                parts.insert(*tp, meta.clone());
            }
            MetaRecord::RemoveTopic { topic } => parts.retain(|tp: &Tp, _| tp.topic != *topic),
            _ => {}
        }
    }
    parts
}

fn run_case(case: &Case) -> Result<(), String> {
    let lines = parse_script(&case.script()).map_err(|e| e.to_string())?;
    // The cluster the script's first two lines make (`seed`, `cluster --racks`), built at once: the
    // checker follows one metadata log, not the ones those lines replace.
    let mut session = Session::with_cluster(case.seed, 3, &["a".to_string(), "b".to_string()], 3);
    let mut checker = Checker::default();
    for l in lines.iter().filter(|l| !matches!(l.command, Command::Seed(_) | Command::Cluster { .. })) {
        common::run_checked(&mut session, &l.command, |sim| checker.check(sim))
            .map_err(|e| format!("after `{}`: {e}", l.text))?;
    }
    // Heal and start everything; the quorum and the cluster must recover.
    for id in 100..=102 {
        for verb in ["heal", "start"] {
            let cmd = kafkascope_sim::parse_line(&format!("controller {verb} {id}")).unwrap().unwrap();
            session.execute(&cmd);
        }
    }
    for b in 1..=3 {
        session.execute(&Command::BrokerHeal(b));
        session.execute(&Command::BrokerStart(b));
    }
    common::run_checked(&mut session, &Command::Advance(60_000), |sim| checker.check(sim))
        .map_err(|e| format!("while recovering: {e}"))?;
    let sim = &session.sim;
    let Some(active) = sim.active_controller() else { return Err("no active controller after recovery".into()) };
    let leaders = sim.quorum.nodes.values().filter(|n| n.role == kafkascope_sim::cluster::quorum::Role::Leader).count();
    if leaders != 1 {
        return Err(format!("{leaders} controllers think they lead after recovery"));
    }
    let committed = checker.committed_metadata();
    let end = committed.len() as u64;
    // Every record answers a command or an event: no storm of records feeding itself.
    let bound = 100 + 25 * case.ops.len() as u64;
    if end > bound {
        return Err(format!(
            "the metadata log grew to {end} records (more than {bound} for {} commands)",
            case.ops.len()
        ));
    }
    for n in sim.quorum.nodes.values() {
        if n.hw != end || n.log_end_offset() != end {
            return Err(format!(
                "controller {} has log end {} and HW {} after recovery; {end} records are committed (active: {active})",
                n.id,
                n.log_end_offset(),
                n.hw
            ));
        }
    }
    for (b, br) in &sim.brokers {
        if br.metadata_offset != end {
            return Err(format!(
                "broker {b} applied {} of {end} committed metadata records after recovery",
                br.metadata_offset
            ));
        }
        let expected = replay(committed, end);
        if br.metadata != expected {
            let differs = expected
                .iter()
                .find(|(tp, m)| br.metadata.get(*tp) != Some(*m))
                .map(|(tp, m)| format!("{}: log says {m:?}, broker has {:?}", sim.tp_name(*tp), br.metadata.get(tp)));
            return Err(format!(
                "broker {b}'s metadata cache is not what the committed log says: {}",
                differs.unwrap_or_else(|| "it holds partitions the log removed".into())
            ));
        }
        if br.fenced_brokers.contains(b) || sim.controller.brokers.get(b).is_none_or(|r| r.fenced) {
            return Err(format!("broker {b} is still fenced after recovery"));
        }
    }
    // The controller's state is the committed log's.
    if sim.controller.partitions != replay(committed, end) {
        return Err("the active controller's partitions differ from the committed log".into());
    }
    for (&tp, m) in &sim.controller.partitions {
        if m.leader.is_none() {
            return Err(format!("after recovery {} has no leader", sim.tp_name(tp)));
        }
    }
    let safe = sim.topic_by_name("safe").unwrap();
    let audit = sim.audit();
    for id in &audit.lost {
        if sim.ledger.get(*id).is_some_and(|e| e.tp.topic == safe) {
            return Err(format!("acked record {} of `safe` lost", id.0));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("PROPTEST_QUORUM_CASES", 2000, 1000, 0x6b72_6166_74))]

    #[test]
    fn quorum_invariants_hold_under_controller_faults(case in (any::<u64>(), prop::collection::vec(op(), 1..30)).prop_map(|(seed, ops)| Case { seed, ops })) {
        if let Err(e) = run_case(&case) {
            return Err(TestCaseError::fail(e));
        }
    }
}

/// The properties are not vacuous: in this run the active controller is killed, another is
/// elected in a higher epoch, and the leader changes of a killed broker still commit.
#[test]
fn a_killed_active_controller_is_replaced_and_metadata_keeps_committing() {
    let case = Case {
        seed: 3,
        ops: vec![
            Op::Produce(1),
            Op::Controller("kill", 100),
            Op::Advance(6000),
            Op::Broker("kill", 1),
            Op::Advance(20_000),
        ],
    };
    run_case(&case).unwrap();
    let lines = parse_script(&case.script()).unwrap();
    let mut session = Session::new(case.seed);
    for l in &lines {
        session.execute(&l.command);
    }
    let sim = &session.sim;
    let active = sim.active_controller().expect("a new leader");
    assert_ne!(active, 100);
    assert!(sim.quorum.node(active).unwrap().epoch > 1);
    // Broker 1's partitions got new leaders, committed while controller 100 was down.
    for m in sim.controller.partitions.values() {
        assert_ne!(m.leader, Some(1));
    }
}

/// With a majority of controllers down nothing commits: a killed broker stays the leader of
/// its partitions in the metadata until the quorum returns.
#[test]
fn without_a_majority_no_leader_changes() {
    let case = Case {
        seed: 5,
        ops: vec![
            Op::Controller("kill", 101),
            Op::Controller("kill", 102),
            Op::Advance(6000),
            Op::Broker("kill", 1),
            Op::Advance(20_000),
        ],
    };
    let lines = parse_script(&case.script()).unwrap();
    let mut session = Session::new(case.seed);
    for l in &lines {
        session.execute(&l.command);
    }
    let sim = &session.sim;
    assert_eq!(sim.active_controller(), None, "a lone controller of three cannot lead");
    let led_by_1 = sim.brokers[&2].metadata.values().filter(|m| m.leader == Some(1)).count();
    assert!(led_by_1 > 0, "broker 2's metadata still names the dead broker 1 as a leader");
    run_case(&case).unwrap();
}

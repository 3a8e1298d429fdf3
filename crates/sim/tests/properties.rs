//! Property tests: random command sequences (produce, kill, start, stop, isolate, heal, advance,
//! config changes) against the invariants, checked after every event. A failing case prints its
//! minimal script (seed included), which `kafkascope run` reproduces.

mod common;

use kafkascope_sim::audit::invariants::Checker;
use kafkascope_sim::audit::ledger::Delivery;
use kafkascope_sim::session::exec::Session;
use kafkascope_sim::{parse_script, Command};
use proptest::prelude::*;
use std::fmt;

#[derive(Clone, Debug)]
enum Op {
    Produce {
        safe: bool,
        key: u8,
        count: u8,
    },
    Kill(u32),
    Start(u32),
    Stop(u32),
    Isolate(u32),
    Heal(u32),
    Advance(u32),
    WildMinIsr(u8),
    WildUnclean(bool),
    /// Broker removal (only a stopped broker without replicas goes; broker 4 is an extra one).
    Remove(u32),
    /// Topic `temp` (RF 2) deleted, created again, written to.
    DeleteTemp,
    CreateTemp,
    ProduceTemp(u8),
    /// A reassignment of a partition of `safe` (acks=all, min.insync.replicas=2) to these
    /// brokers (4 may not exist or be up: the tool then refuses), and its cancellation.
    Reassign(u8, Vec<u32>),
    CancelReassign(u8),
}

impl Op {
    fn line(&self) -> String {
        match self {
            Op::Produce { safe: true, key, count } => {
                format!("produce --topic safe --key k{key} --count {count} --producer safe-p --async")
            }
            Op::Produce { safe: false, key, count } => {
                format!("produce --topic wild --key k{key} --count {count} --producer wild-p --async")
            }
            Op::Kill(b) => format!("broker kill {b}"),
            Op::Start(b) => format!("broker start {b}"),
            Op::Stop(b) => format!("broker stop {b}"),
            Op::Isolate(b) => format!("broker isolate {b}"),
            Op::Heal(b) => format!("broker heal {b}"),
            Op::Advance(ms) => format!("advance {ms}ms"),
            Op::WildMinIsr(n) => format!(
                "kafka-configs --alter --entity-type topics --entity-name wild --add-config min.insync.replicas={n}"
            ),
            Op::Remove(b) => format!("broker remove {b}"),
            Op::DeleteTemp => "kafka-topics --delete --topic temp".to_string(),
            Op::CreateTemp => "kafka-topics --create --topic temp --partitions 2 --replication-factor 2".to_string(),
            Op::ProduceTemp(k) => format!("produce --topic temp --key k{k} --count 2 --producer wild-p --async"),
            Op::Reassign(p, replicas) => {
                let r: Vec<String> = replicas.iter().map(|b| b.to_string()).collect();
                format!(
                    "kafka-reassign-partitions --execute --reassignment-json '{{\"version\":1,\"partitions\":[{{\"topic\":\"safe\",\"partition\":{p},\"replicas\":[{}]}}]}}' --throttle 3000",
                    r.join(",")
                )
            }
            Op::CancelReassign(p) => format!(
                "kafka-reassign-partitions --cancel --reassignment-json '{{\"version\":1,\"partitions\":[{{\"topic\":\"safe\",\"partition\":{p},\"replicas\":[1]}}]}}'"
            ),
            Op::WildUnclean(on) => {
                format!("kafka-configs --alter --entity-type topics --entity-name wild --add-config unclean.leader.election.enable={on}")
            }
        }
    }
}

/// A generated case; its Debug output is the script, so a failure prints something runnable.
#[derive(Clone)]
struct Case {
    seed: u64,
    ops: Vec<Op>,
}

impl Case {
    fn script(&self) -> String {
        let mut s = format!(
            "seed {}\n\
             kafka-topics --create --topic temp --partitions 2 --replication-factor 2\n\
             kafka-topics --create --topic safe --partitions 2 --replication-factor 3 --config min.insync.replicas=2\n\
             kafka-topics --create --topic wild --partitions 2 --replication-factor 3\n\
             producer start safe-p --topic safe\n\
             producer start wild-p --producer-property acks=1 --producer-property max.in.flight.requests.per.connection=5\n",
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
    let broker = 1u32..=3;
    prop_oneof![
        6 => (any::<bool>(), 0u8..6, 1u8..4).prop_map(|(safe, key, count)| Op::Produce { safe, key, count }),
        2 => (1u32..=4).prop_map(Op::Kill),
        2 => (1u32..=4).prop_map(Op::Start),
        1 => (1u32..=4).prop_map(Op::Stop),
        1 => (1u32..=4).prop_map(Op::Remove),
        1 => Just(Op::DeleteTemp),
        1 => Just(Op::CreateTemp),
        1 => (0u8..4).prop_map(Op::ProduceTemp),
        1 => broker.clone().prop_map(Op::Isolate),
        1 => broker.prop_map(Op::Heal),
        5 => prop_oneof![Just(20u32), Just(150), Just(700), Just(3000), Just(10_000), Just(35_000)].prop_map(Op::Advance),
        1 => (1u8..=3).prop_map(Op::WildMinIsr),
        1 => any::<bool>().prop_map(Op::WildUnclean),
        1 => (0u8..2, prop::sample::subsequence(vec![1u32, 2, 3, 4], 2..=4).prop_shuffle())
            .prop_map(|(p, r)| Op::Reassign(p, r)),
        1 => (0u8..2).prop_map(Op::CancelReassign),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (any::<u64>(), prop::collection::vec(op(), 1..30)).prop_map(|(seed, ops)| Case { seed, ops })
}

fn run_case(case: &Case) -> Result<(), String> {
    let lines = parse_script(&case.script()).map_err(|e| e.to_string())?;
    let mut session = Session::new(case.seed);
    let mut checker = Checker::default();
    for l in &lines {
        common::run_checked(&mut session, &l.command, |sim| checker.check(sim))
            .map_err(|e| format!("after `{}`: {e}", l.text))?;
    }
    // Heal everything and let the cluster settle (a controlled shutdown in progress finishes
    // first): it must recover fully.
    for b in 1..=3 {
        session.execute(&Command::BrokerHeal(b));
    }
    common::run_checked(&mut session, &Command::Advance(5_000), |sim| checker.check(sim))?;
    let brokers: Vec<u32> = session.sim.brokers.keys().copied().collect();
    for b in brokers {
        session.execute(&Command::BrokerStart(b));
    }
    common::run_checked(&mut session, &Command::Advance(150_000), |sim| checker.check(sim))?;
    // No broker keeps a replica of a deleted topic (deleted while it was down: gone on return).
    for (b, br) in &session.sim.brokers {
        if let Some(tp) = br.replicas.keys().find(|tp| session.sim.topic(tp.topic).deleted) {
            return Err(format!("broker {b} still holds {} of a deleted topic", session.sim.tp_name(*tp)));
        }
    }
    let sim = &session.sim;
    for (&tp, m) in &sim.controller.partitions {
        if m.leader.is_none() {
            return Err(format!("after recovery {} has no leader", sim.tp_name(tp)));
        }
        if m.isr.len() != m.replicas.len() {
            return Err(format!("after recovery {} has ISR {:?} of replicas {:?}", sim.tp_name(tp), m.isr, m.replicas));
        }
    }
    // acks=all + min.insync.replicas=2 + no unclean election: no acked record is ever lost.
    let safe = sim.topic_by_name("safe").unwrap();
    let audit = sim.audit();
    for id in &audit.lost {
        let Some(e) = sim.ledger.get(*id) else { return Err(format!("lost record {} has no ledger entry", id.0)) };
        if e.tp.topic == safe {
            return Err(format!("acked record {} of `safe` lost ({:?})", id.0, e.state));
        }
    }
    // The idempotent producer settles everything it was given, one way or the other.
    let p = sim.producer_by_name("safe-p").unwrap();
    if let Some(e) = sim.ledger.iter().map(|(_, e)| e).find(|e| e.producer == p && e.state == Delivery::Pending) {
        return Err(format!("safe-p still has a pending record after recovery: {e:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("PROPTEST_CASES", 10_000, 2000, 0x6b61_666b_61))]

    #[test]
    fn invariants_hold_under_random_faults(case in case()) {
        if let Err(e) = run_case(&case) {
            return Err(TestCaseError::fail(e));
        }
    }

    /// The parser never panics, whatever it is given.
    #[test]
    fn parser_never_panics(s in "\\PC{0,80}") {
        let _ = kafkascope_sim::parse_line(&s);
        let _ = kafkascope_sim::parse_script(&s);
    }

    #[test]
    fn parser_never_panics_on_command_like_input(
        words in prop::collection::vec(prop_oneof![
            Just("kafka-topics".to_string()), Just("--create".to_string()), Just("--topic".to_string()),
            Just("--partitions".to_string()), Just("broker".to_string()), Just("kill".to_string()),
            Just("produce".to_string()), Just("advance".to_string()), Just("'".to_string()),
            Just("--config".to_string()), Just("=".to_string()), "[a-z0-9=:,-]{0,6}",
        ], 0..8)
    ) {
        let line = words.join(" ");
        let _ = kafkascope_sim::parse_line(&line);
    }
}

/// Same seed and same commands give the same trace, byte for byte.
#[test]
fn determinism_same_seed_same_journal() {
    let script = "seed 99\nkafka-topics --create --topic t --partitions 3 --replication-factor 3\n\
                  producer start p --topic t --rate 50/s --keys a,b,c\nadvance 3s\nbroker kill 2\nadvance 12s\n\
                  broker start 2\nadvance 5s\n";
    let run = || {
        let lines = parse_script(script).unwrap();
        let mut s = Session::new(99);
        for l in &lines {
            s.execute(&l.command);
        }
        serde_json::to_string(&s.sim.journal).unwrap() + &serde_json::to_string(&s.sim.ledger).unwrap()
    };
    assert_eq!(run(), run());
}

proptest! {
    /// Share-link decoding never panics, whatever text a URL carries.
    #[test]
    fn share_links_never_panic(s in "[A-Za-z0-9_-]{0,400}") {
        let _ = kafkascope_sim::session::share::decode(&s);
    }
}

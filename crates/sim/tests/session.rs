//! The session as the page drives it: a console `produce` that never waits and reports each
//! record's outcome as it happens, the script export without
//! failed commands, and what the ledger and the picture are told about groups (records before a
//! group's start are not "skipped"; a crashed member's partitions as its coordinator sees them).

use kafkascope_sim::session::exec::{Trace, DEFAULT_SEED};
use kafkascope_sim::session::script::trace_script;
use kafkascope_sim::{parse_line, Command, Session};

fn cmd(line: &str) -> Command {
    parse_line(line).unwrap().unwrap()
}

fn session(lines: &[&str]) -> Session {
    let mut s = Session::new(DEFAULT_SEED);
    for l in lines {
        s.execute(&cmd(l));
    }
    s
}

/// A console `produce` returns at once, without moving virtual time, and is recorded as it
/// applied (`--async`); its records' outcomes come later, one report each, as they happen.
#[test]
fn console_produce_sends_without_waiting_and_reports_as_results_arrive() {
    let mut s = session(&["kafka-topics --create --topic t --partitions 2 --replication-factor 3", "advance 1s"]);
    let (t0, events) = (s.sim.now(), s.sim.net.processed);
    let out = s.execute_interactive(&cmd("produce --topic t --key k --count 3"));
    assert!(!out.error, "{out:?}");
    assert_eq!((s.sim.now(), s.sim.net.processed), (t0, events), "no virtual time for a console produce");
    let recorded = &s.history.last().unwrap().command;
    assert!(matches!(recorded, Command::Produce { wait: false, count: 3, .. }), "{recorded:?}");
    assert!(recorded.to_line().ends_with("--async"));
    assert!(s.take_reports().is_empty(), "nothing is acked before time runs");
    let index = s.history.len() - 1;
    let mut reports = Vec::new();
    while reports.len() < 3 && s.sim.now() < t0 + 5000 {
        s.sim.run_for(1);
        reports.extend(s.take_reports());
    }
    assert_eq!(reports.len(), 3, "{reports:?}");
    assert!(reports.iter().all(|r| r.command == index && !r.error), "{reports:?}");
    assert_eq!(reports.iter().map(|r| r.record).collect::<Vec<_>>(), [0, 1, 2]);
    let p = reports[0].line.split('\t').next().unwrap().to_string();
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r.line, format!("{p}\tOffset:{i}"));
    }
    s.sim.run_for(10_000);
    assert!(s.take_reports().is_empty(), "each outcome is reported once");
}

/// Where a produce can only fail, the console does not run two minutes of virtual time: it
/// returns at once and the failures are reported when the producer gives up.
#[test]
fn console_produce_that_can_only_fail_reports_the_failure_later() {
    let mut s = session(&[
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3 --config min.insync.replicas=3",
        "advance 1s",
        "broker kill 3",
        "advance 15s",
    ]);
    let t0 = s.sim.now();
    let out = s.execute_interactive(&cmd("produce --topic t --value v --count 2"));
    assert_eq!(s.sim.now(), t0);
    assert!(out.lines.len() <= 2, "{out:?}");
    let mut reports = Vec::new();
    while reports.len() < 2 && s.sim.now() < t0 + 200_000 {
        s.sim.run_for(1000);
        reports.extend(s.take_reports());
    }
    assert_eq!(reports.len(), 2, "{reports:?}");
    // Kafka's client prints the exception the send failed with.
    assert!(reports.iter().all(|r| r.error && r.line.contains("NotEnoughReplicasException")), "{reports:?}");
    // A script's produce still waits, as send().get() does.
    let mut w = s.clone();
    let t1 = w.sim.now();
    let out = w.execute(&cmd("produce --topic t --value v"));
    assert!(w.sim.now() > t1 && out.lines[0].contains("NotEnoughReplicasException"), "{out:?}");
}

/// The script export leaves out commands that failed (they changed nothing), and the exported
/// script still replays to the same journal and ledger. Traces without the `applied` flag read
/// as applied.
#[test]
fn script_export_leaves_out_failed_commands() {
    let s = session(&[
        "kafka-topics --create --topic t --partitions 1 --replication-factor 3",
        "broker kill 7",
        "produce --topic nope --value x",
        "advance 2s",
        "broker kill 2",
        "broker kill 2",
        "advance 1s",
    ]);
    let applied: Vec<bool> = s.history.iter().map(|c| c.applied).collect();
    assert_eq!(applied, [true, false, false, true, true, false, true]);
    let script = trace_script(&s.trace());
    assert!(!script.contains("broker kill 7") && !script.contains("nope"), "{script}");
    assert_eq!(script.matches("broker kill 2").count(), 1, "{script}");
    let replayed = Session::run_script_session(&script).unwrap();
    assert_eq!(replayed.sim.journal, s.sim.journal);
    // Old traces (no `applied`) read as applied; new ones only spell it out when false.
    let json = serde_json::to_string(&s.trace()).unwrap();
    assert_eq!(json.matches("\"applied\":false").count(), 3);
    assert!(!json.contains("\"applied\":true"));
    let old: Trace = serde_json::from_str(&json.replace(",\"applied\":false", "")).unwrap();
    assert!(old.commands.iter().all(|c| c.applied));
}

/// The default scenario, healthy, shows nothing skipped: the records produced before the group
/// first joined (auto.offset.reset=latest) are counted as before its start.
#[test]
fn the_default_scenario_skips_nothing() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/default.ks")).unwrap();
    let mut s = Session::run_script_session(&src).unwrap();
    for secs in [10, 60, 300] {
        s.sim.run_until(secs * 1000);
        let g = s.sim.audit().groups.into_iter().find(|g| g.group == "billing").unwrap();
        assert_eq!(g.skipped.len(), 0, "at {secs} s: {g:?}");
        assert!(g.before_start > 0, "at {secs} s: {g:?}");
        assert_eq!(g.more_than_once.len(), 0, "at {secs} s: {g:?}");
    }
}

/// Skipped still means skipped: a group that commits before processing and crashes mid-batch
/// has skipped records, whatever it missed before its start.
#[test]
fn at_most_once_still_skips() {
    let mut s = session(&[
        "kafka-topics --create --topic e --partitions 1 --replication-factor 3",
        "produce --topic e --count 20",
        "consumer start c1 --group g --topic e --processing 100ms --commit before --consumer-property max.poll.records=10 --consumer-property auto.offset.reset=earliest --consumer-property session.timeout.ms=6000",
        "advance 4500ms",
        "consumer kill c1",
        "consumer start c2 --group g --topic e --processing 100ms --commit before --consumer-property max.poll.records=10 --consumer-property auto.offset.reset=earliest",
        "advance 30s",
    ]);
    s.sim.run_for(1000);
    let g = s.sim.audit().groups.into_iter().find(|g| g.group == "g").unwrap();
    assert!(!g.skipped.is_empty() && g.before_start == 0, "{g:?}");
}

/// What the coordinator knows of each member's assignment: a crashed consumer keeps its
/// partitions there until session.timeout.ms removes it, then it is gone and the survivor has
/// them all.
#[test]
fn a_crashed_member_keeps_its_partitions_until_its_session_expires() {
    let mut s = session(&[
        "kafka-topics --create --topic t --partitions 3 --replication-factor 3",
        "consumer start c1 --group g --topic t",
        "consumer start c2 --group g --topic t",
        "advance 10s",
    ]);
    let names = |s: &Session| -> Vec<(String, Vec<String>)> {
        s.sim
            .coordinator_assignment("g")
            .into_iter()
            .map(|(c, tps)| (c, tps.iter().map(|tp| s.sim.tp_name(*tp)).collect()))
            .collect()
    };
    let before = names(&s);
    let c2: Vec<String> = before.iter().find(|(c, _)| c == "c2").unwrap().1.clone();
    assert!(!c2.is_empty(), "{before:?}");
    s.execute(&cmd("consumer kill c2"));
    let c2_idx = s.sim.consumer_by_id("c2").unwrap();
    assert_eq!(s.sim.consumer_state(c2_idx), "crashed");
    s.sim.run_for(20_000);
    assert_eq!(names(&s), before, "the coordinator has not noticed yet");
    s.sim.run_for(40_000);
    let after = names(&s);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].0, "c1");
    assert_eq!(after[0].1, ["t-0", "t-1", "t-2"]);
    assert!(s.sim.coordinator_assignment("nobody").is_empty());
}

/// A replica a reassignment adds does not hold back the high watermark while it catches up, even
/// in a session's first replica.lag.time.max.ms (30 s): it was never caught up, so only the ISR
/// counts and acks=all writes go on. (Its "last caught up" time once started at 0, which virtual
/// time read as just now: every write to the partition waited for the new replica.)
#[test]
fn a_replica_being_added_does_not_hold_back_the_high_watermark() {
    use kafkascope_sim::teaching::tour::Probe;
    let mut s = session(&[
        "kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --config min.insync.replicas=2",
        "producer start p1 --topic orders --rate 20/s --producer-property acks=all",
        "advance 10s",
        "broker start 4",
        "advance 1s",
        "kafka-reassign-partitions --execute --reassignment-json '{\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[4,2,3]}]}' --throttle 1000",
    ]);
    let probe = |s: &Session, p: &str| Probe::parse(p).unwrap().eval(&s.sim);
    let hw: u64 = probe(&s, "hw orders-0").parse().unwrap();
    s.execute(&cmd("advance 3s"));
    assert_eq!(probe(&s, "adding orders-0"), "4", "broker 4 is still catching up");
    let later: u64 = probe(&s, "hw orders-0").parse().unwrap();
    assert!(later >= hw + 40, "the high watermark moved on with the ISR: {hw} then {later}");
}

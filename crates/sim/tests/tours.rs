//! Tours are data, checked against the model: every `tours/*.tour` parses, plays headless with
//! every command applying, every probe evaluates, and every answer a tour declares is what the model
//! computes (and one of its choices). Also: comparisons show their difference, and an exported
//! session script replays to the same journal and ledger.

use kafkascope_sim::session::exec::Trace;
use kafkascope_sim::session::script::trace_script;
use kafkascope_sim::teaching::compare::{side_by_side, Pair, COMPARISONS};
use kafkascope_sim::teaching::tour;
use kafkascope_sim::Session;
use std::path::PathBuf;

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} exists", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn every_tour_parses_plays_and_agrees_with_the_model() {
    let tours = files("tours", "tour");
    assert!(tours.len() >= 8, "at least eight tours, found {}", tours.len());
    let mut problems = Vec::new();
    let mut questions = 0;
    for path in &tours {
        let src = std::fs::read_to_string(path).unwrap();
        let t = match tour::parse(&src) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        assert!(!t.summary.is_empty() && !t.point.is_empty(), "{}", path.display());
        questions += t.steps.iter().filter(|s| s.question.is_some()).count();
        assert!(t.steps.iter().any(|s| s.question.is_some()), "{} asks nothing", path.display());
        for p in t.check() {
            problems.push(format!("{}: {p}", path.display()));
        }
    }
    assert!(problems.is_empty(), "tours disagree with the model:\n{}", problems.join("\n"));
    assert!(questions >= 16, "{questions} questions");
}

#[test]
fn tours_play_the_same_twice() {
    for path in files("tours", "tour") {
        let t = tour::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (a, ra) = t.play();
        let (b, rb) = t.play();
        assert_eq!(ra, rb, "{}", path.display());
        assert_eq!(a.sim.journal, b.sim.journal, "{}", path.display());
    }
}

#[test]
fn every_comparison_shows_a_difference() {
    for c in COMPARISONS {
        let mut pair = Pair::new(c).unwrap();
        pair.run_all();
        let rows = side_by_side(&pair.left.sim, &pair.right.sim);
        let differing: Vec<&str> = rows.iter().filter(|r| r.1 != r.2).map(|r| r.0.as_str()).collect();
        assert!(!differing.is_empty(), "{}: both sides agree on everything", c.id);
        let lost = |s: &Session| s.sim.audit().lost.len();
        match c.id {
            "acks" => assert!(lost(&pair.left) > 0 && lost(&pair.right) == 0, "{rows:?}"),
            "unclean" => assert!(lost(&pair.left) == 0 && lost(&pair.right) > 0, "{rows:?}"),
            "eos" => {
                let dup = |s: &Session| s.sim.processor_audit().iter().map(|a| a.duplicated.len()).sum::<usize>();
                assert!(dup(&pair.left) > 0 && dup(&pair.right) == 0, "{rows:?}");
            }
            _ => {}
        }
    }
}

/// A session exported as a script (the app's "Export script") replays with the headless runner's
/// code to the same journal and ledger: for every scenario, and for a session driven like the app
/// (commands between events, a `step`, commands at one virtual millisecond).
#[test]
fn exported_scripts_replay_to_the_same_session() {
    let mut sessions: Vec<(String, Session)> = Vec::new();
    for path in files("scenarios", "ks") {
        if let Ok(s) = Session::run_script_session(&std::fs::read_to_string(&path).unwrap()) {
            sessions.push((path.display().to_string(), s));
        }
    }
    let mut app_like = Session::new(42);
    for (line, run_ms) in [
        ("kafka-topics --create --topic orders --partitions 3 --replication-factor 3", 1234),
        ("producer start p1 --topic orders --rate 7/s --keys \"a b\",\"it's\"", 2500),
        ("step", 0),
        ("broker kill 2", 0),
        ("produce --topic orders --value \"say \\\"hi\\\"\" --async", 777),
        ("consumer start c1 --group g --topic orders", 15_000),
    ] {
        let cmd = kafkascope_sim::parse_line(line).unwrap().unwrap();
        app_like.execute(&cmd);
        app_like.sim.run_until(app_like.sim.now() + run_ms);
    }
    sessions.push(("app-like".into(), app_like));
    for (name, s) in sessions {
        let script = trace_script(&s.trace());
        let replayed = Session::run_script_session(&script).unwrap_or_else(|e| panic!("{name}: {e}\n{script}"));
        assert_eq!(replayed.sim.now(), s.sim.now(), "{name}");
        assert_eq!(replayed.sim.journal, s.sim.journal, "{name}\n{script}");
        assert_eq!(
            serde_json::to_string(&replayed.sim.ledger).unwrap(),
            serde_json::to_string(&s.sim.ledger).unwrap(),
            "{name}"
        );
        // The trace JSON round-trips too.
        let t: Trace = serde_json::from_str(&serde_json::to_string(&s.trace()).unwrap()).unwrap();
        assert_eq!(t, s.trace());
    }
}

#[test]
fn awkward_words_print_back_to_themselves() {
    for line in [
        r#"produce --topic orders --key "a b" --value 'say "hi"' --async"#,
        r##"produce --topic orders --key "it's" --value "#hash" --count 3"##,
        r#"produce --topic orders --value "" --producer "p 1""#,
        "producer start p1 --topic orders --rate 7/s --keys a,b",
        "consumer start c1 --group g --topic a,b --consumer-property max.poll.records=10 --processing 5ms --commit before",
        "kafka-consumer-groups --reset-offsets --group g --topic t --shift-by -3 --execute",
        "network --latency 5ms --link 1:controller",
        "kafka-leader-election --election-type unclean --topic t --partition 0",
        "processor remove app1",
    ] {
        let cmd = kafkascope_sim::parse_line(line).unwrap().unwrap();
        let text = cmd.to_line();
        assert_eq!(kafkascope_sim::parse_line(&text), Ok(Some(cmd)), "{line} → {text}");
    }
}

#[test]
fn every_command_prints_back_to_itself() {
    for path in files("scenarios", "ks") {
        let Ok(lines) = kafkascope_sim::parse_script(&std::fs::read_to_string(&path).unwrap()) else { continue };
        for l in lines {
            let text = l.command.to_line();
            assert_eq!(kafkascope_sim::parse_line(&text), Ok(Some(l.command.clone())), "{text}");
        }
    }
}

mod parsing {
    use proptest::prelude::*;

    fn tour_lines() -> Vec<String> {
        let mut v = Vec::new();
        for p in super::files("tours", "tour") {
            v.extend(std::fs::read_to_string(p).unwrap().lines().map(String::from));
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Arbitrary text never panics the tour parser.
        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,400}") {
            let _ = kafkascope_sim::teaching::tour::parse(&src);
        }

        /// Nor do real tour lines shuffled, dropped, cut and repeated; and whatever parses plays
        /// without panicking and its probes evaluate.
        #[test]
        fn mangled_tours_never_panic(picks in proptest::collection::vec((0usize..10_000, 0usize..200), 0..40)) {
            let lines = tour_lines();
            let mut src = String::new();
            for (i, cut) in picks {
                let l = &lines[i % lines.len()];
                let cut = l.char_indices().map(|(b, _)| b).chain([l.len()]).nth(cut % (l.chars().count() + 1)).unwrap_or(l.len());
                src.push_str(&l[..cut]);
                src.push('\n');
            }
            if let Ok(t) = kafkascope_sim::teaching::tour::parse(&src) {
                // Keep it quick: only tours without long advances are played.
                if t.steps.len() <= 4 {
                    let _ = t.play();
                }
            }
        }
    }
}

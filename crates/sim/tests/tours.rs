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

fn tours() -> Vec<(PathBuf, tour::Tour)> {
    files("tours", "tour")
        .into_iter()
        .map(|p| {
            let t =
                tour::parse(&std::fs::read_to_string(&p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, t)
        })
        .collect()
}

/// What a step says is checked, and what it shows is pointed at: every step declares at least one
/// fact, and a step with a `look:` highlights what it speaks of.
#[test]
fn every_step_declares_its_facts_and_highlights() {
    for (path, t) in tours() {
        for s in &t.steps {
            assert!(
                !s.facts.is_empty() || !s.reveal_facts.is_empty(),
                "{}: step `{}` states nothing the tests can check",
                path.display(),
                s.title
            );
            assert!(
                s.look.is_empty() || !s.highlights.is_empty(),
                "{}: step `{}` has a `look:` but highlights nothing",
                path.display(),
                s.title
            );
        }
    }
}

/// Tours play time instead of jumping it: no `advance` longer than 20 s (a longer stretch is a
/// `wait:` that stops at the moment the question is about), and no heading gives a worded answer.
#[test]
fn tours_stop_at_the_moment_and_keep_answers_for_the_reveal() {
    for (path, t) in tours() {
        for s in &t.steps {
            let cmds = s.run.iter().chain(s.then.iter()).filter_map(|l| match l {
                tour::Line::Command(c) => Some(c),
                tour::Line::Wait(_) | tour::Line::Skip(_) => None,
            });
            for c in cmds.chain(s.action.iter()) {
                if let Some(ms) = c.advance_ms() {
                    assert!(ms <= 20_000, "{} line {}: `{}` jumps; use a wait:", path.display(), c.line, c.text);
                }
            }
            if let Some(q) = &s.question {
                let worded = q.answer.chars().count() >= 3 && q.answer.chars().any(|c| c.is_alphabetic());
                assert!(
                    !(worded && s.title.to_lowercase().contains(&q.answer.to_lowercase())),
                    "{}: the heading `{}` gives the answer",
                    path.display(),
                    s.title
                );
            }
        }
    }
}

/// The ledger's counters never show a counter question's answer before it is asked: at every
/// earlier moment the counters are on screen (a step's say/look and its reveal, unless the step
/// hides them), the probe reads something else, or zero (nothing has happened yet). A question
/// about a counter hides the counters until its own reveal.
#[test]
fn counter_answers_stay_hidden_until_asked() {
    for (path, t) in tours() {
        let mut s = t.session();
        // (step index, value seen) for every counter question, each time the counters showed.
        let mut seen: Vec<(usize, usize, String)> = Vec::new();
        let counters: Vec<(usize, &tour::Question)> = t
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, st)| st.question.as_ref().filter(|q| q.probe.is_counter()).map(|q| (i, q)))
            .collect();
        for (i, st) in t.steps.iter().enumerate() {
            if st.question.as_ref().is_some_and(|q| q.probe.is_counter()) {
                assert!(st.hides_counters(), "{}: step `{}`", path.display(), st.title);
            }
            let mut errors = Vec::new();
            tour::play_lines(&mut s, &st.run, &mut errors);
            let look = |s: &kafkascope_sim::Session, seen: &mut Vec<(usize, usize, String)>| {
                for (j, q) in counters.iter().filter(|(j, _)| *j >= i) {
                    seen.push((i, *j, q.probe.eval(&s.sim)));
                }
            };
            if !st.hides_counters() {
                look(&s, &mut seen);
            }
            if let Some(a) = &st.action {
                s.execute_interactive(&a.command);
            }
            tour::play_lines(&mut s, &st.then, &mut errors);
            if !st.hides_counters_at_reveal() {
                // At its own reveal a step may show its own answer.
                seen.extend(counters.iter().filter(|(j, _)| *j > i).map(|(j, q)| (i, *j, q.probe.eval(&s.sim))));
            }
        }
        for (shown_at, j, v) in seen {
            let q = counters.iter().find(|(k, _)| *k == j).unwrap().1;
            assert!(
                v != q.answer || v == "0",
                "{}: the answer `{}` to step {} (`{}`) is on screen at step {}",
                path.display(),
                q.answer,
                j + 1,
                q.probe_text,
                shown_at + 1
            );
        }
    }
}

/// The UI plays a step frame by frame (an `advance` animated, each wait checked per frame with
/// `wait_step`); the headless player runs them at once. Both reach the same state, event for event.
#[test]
fn playing_by_frames_is_playing_at_once() {
    use kafkascope_sim::teaching::tour::{wait_step, Line};
    const FRAME_MS: u64 = 97;
    let play_frames = |s: &mut Session, lines: &[Line]| {
        for l in lines {
            match l {
                Line::Command(c) => match c.advance_ms() {
                    Some(d) => {
                        let end = s.sim.now() + d;
                        while s.sim.now() < end {
                            let t = (s.sim.now() + FRAME_MS).min(end);
                            s.sim.run_until(t);
                        }
                    }
                    None => {
                        s.execute_interactive(&c.command);
                    }
                },
                Line::Skip(k) => {
                    let to = s.sim.now() + k.ms;
                    s.sim.run_until(to);
                }
                Line::Wait(w) => {
                    let deadline = s.sim.now() + w.within_ms;
                    let mut t = s.sim.now();
                    while !wait_step(s, w, t.min(deadline)) && t < deadline {
                        t += FRAME_MS;
                    }
                }
            }
        }
    };
    for (path, t) in tours() {
        let (headless, _) = t.play();
        let mut s = t.session();
        for st in &t.steps {
            play_frames(&mut s, &st.run);
            if let Some(a) = &st.action {
                s.execute_interactive(&a.command);
            }
            play_frames(&mut s, &st.then);
        }
        assert_eq!(s.sim.now(), headless.sim.now(), "{}", path.display());
        assert_eq!(s.sim.net.processed, headless.sim.net.processed, "{}", path.display());
        assert_eq!(s.sim.journal, headless.sim.journal, "{}", path.display());
        // Back: the session before a step is the one the headless player had there.
        let last = t.steps.len() - 1;
        let mut before = t.session();
        for st in &t.steps[..last] {
            tour::play_step(&mut before, st);
        }
        assert_eq!(t.session_before(last).sim.journal, before.sim.journal, "{}", path.display());
    }
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
        // The trace JSON round-trips too: with its journal as `kafkascope replay` reads it, and its
        // commands as script lines, which is all a share link carries.
        let json = serde_json::to_string(&s.trace()).unwrap();
        let t: kafkascope_sim::session::exec::RecordedTrace = serde_json::from_str(&json).unwrap();
        assert_eq!(t.into_trace(), s.trace());
        let link: Trace = serde_json::from_str(&json).unwrap();
        assert_eq!(link, Trace { journal: Vec::new(), ..s.trace() });
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

//! Data-driven scenario tests: every `scenarios/NAME.ks` runs through the headless runner's code and
//! its output must equal `scenarios/NAME.out`, byte for byte. Adding a case is adding two files.
//! After an intended change in behaviour, regenerate with `UPDATE_EXPECT=1 cargo test --test scenarios`
//! and review the diff.

use kafkascope_sim::Session;
use std::path::PathBuf;

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[test]
fn every_scenario_matches_its_expected_output() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ks"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no scenarios found");
    let mut failures = Vec::new();
    for script in &scripts {
        let src = std::fs::read_to_string(script).expect("readable script");
        let actual = match Session::run_script(&src) {
            Ok(out) => out,
            Err(e) => format!("parse error: {e}\n"),
        };
        let expected_path = script.with_extension("out");
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected output");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no expected output; run with UPDATE_EXPECT=1", script.display()));
        if actual != expected {
            let first_diff = actual
                .lines()
                .zip(expected.lines())
                .enumerate()
                .find(|(_, (a, e))| a != e)
                .map(|(i, (a, e))| {
                    format!("first difference at output line {}:\n  expected: {e}\n  actual:   {a}", i + 1)
                })
                .unwrap_or_else(|| "outputs differ in length".to_string());
            failures.push(format!("{}: {first_diff}", script.display()));
        }
    }
    assert!(failures.is_empty(), "scenario output changed:\n{}", failures.join("\n"));
}

#[test]
fn same_seed_same_output_twice() {
    for script in std::fs::read_dir(scenario_dir()).unwrap() {
        let path = script.unwrap().path();
        if path.extension().is_some_and(|e| e == "ks") {
            let src = std::fs::read_to_string(&path).unwrap();
            assert_eq!(Session::run_script(&src).ok(), Session::run_script(&src).ok(), "{}", path.display());
        }
    }
}

/// A trace exported as JSON and replayed from its seed and timed commands reproduces the session:
/// the same journal and the same ledger, for every scenario.
#[test]
fn traces_replay_exactly() {
    use kafkascope_sim::session::exec::Trace;
    for script in std::fs::read_dir(scenario_dir()).unwrap() {
        let path = script.unwrap().path();
        if path.extension().is_none_or(|e| e != "ks") {
            continue;
        }
        let Ok(session) = Session::run_script_session(&std::fs::read_to_string(&path).unwrap()) else { continue };
        let json = serde_json::to_string(&session.trace()).unwrap();
        let trace: Trace = serde_json::from_str(&json).unwrap();
        let replayed = Session::replay(&trace, None);
        assert_eq!(replayed.sim.journal, session.sim.journal, "{}", path.display());
        assert_eq!(
            serde_json::to_string(&replayed.sim.ledger).unwrap(),
            serde_json::to_string(&session.sim.ledger).unwrap(),
            "{}",
            path.display()
        );
    }
}

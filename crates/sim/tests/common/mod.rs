//! What the property tests share: running a command with a check after every event it causes,
//! the proptest configuration (fixed seed, case count from the environment) and a failing case
//! printed as a script `kafkascope run -` replays.
#![allow(dead_code)] // each test binary uses the part it needs

use kafkascope_sim::session::exec::Session;
use kafkascope_sim::Command;
use kafkascope_sim::Sim;
use proptest::test_runner::{Config, RngSeed};
use std::fmt;

/// Runs `cmd`. When it advances virtual time, `check` runs after every event on the way (so an
/// invariant broken for one event and restored by the next is still caught), then once more.
pub fn run_checked(
    session: &mut Session,
    cmd: &Command,
    mut check: impl FnMut(&Sim) -> Result<(), String>,
) -> Result<(), String> {
    match cmd {
        Command::Advance(ms) => {
            let target = session.sim.now() + ms;
            while session.sim.net.next_event_time().is_some_and(|t| t <= target) {
                session.sim.step();
                check(&session.sim)?;
            }
            session.sim.run_until(target);
        }
        _ => {
            session.execute(cmd);
        }
    }
    check(&session.sim)
}

/// `cases` unless the environment variable `cases_var` says otherwise; a fixed RNG seed so CI is
/// repeatable (`PROPTEST_SEED=N` explores other sequences); no persistence files.
pub fn config(cases_var: &str, cases: u32, max_shrink_iters: u32, seed: u64) -> Config {
    Config {
        cases: std::env::var(cases_var).ok().and_then(|c| c.parse().ok()).unwrap_or(cases),
        max_shrink_iters,
        rng_seed: RngSeed::Fixed(std::env::var("PROPTEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(seed)),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A failing case as proptest prints it: the script that reproduces it.
pub fn fmt_script(f: &mut fmt::Formatter<'_>, script: &str) -> fmt::Result {
    write!(f, "\n--- script (kafkascope run -) ---\n{script}---")
}

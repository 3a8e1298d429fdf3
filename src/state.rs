//! The app's state: the simulation session plus what only the view needs (the virtual time being
//! shown, play/pause, speed, the console). No Kafka logic here: every change to the cluster is a
//! command of the shared vocabulary, applied by `kafkascope_sim::Session`.

use kafkascope_sim::exec::Session;
use kafkascope_sim::ledger::Audit;
use kafkascope_sim::net::MessageKind;
use kafkascope_sim::{parse_line, parse_script, Command};
use std::collections::BTreeSet;

/// The scenario the page opens with (also a scenario test: scenarios/default.ks).
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.ks");

/// Speed slider: 0..=100 maps to 0.01×..20× on a log scale.
pub const SPEED_MIN: f64 = 0.01;
pub const SPEED_MAX: f64 = 20.0;
pub const DEFAULT_SPEED: f64 = 0.5;

pub fn speed_from_slider(v: f64) -> f64 {
    let v = v.clamp(0.0, 100.0) / 100.0;
    SPEED_MIN * (SPEED_MAX / SPEED_MIN).powf(v)
}

pub fn slider_from_speed(speed: f64) -> f64 {
    ((speed / SPEED_MIN).ln() / (SPEED_MAX / SPEED_MIN).ln() * 100.0).clamp(0.0, 100.0)
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleEntry {
    pub input: String,
    pub lines: Vec<String>,
    pub error: bool,
}

pub struct Model {
    pub session: Session,
    /// Virtual time on screen, in ms. The sim has run every event up to its floor.
    pub view_ms: f64,
    pub playing: bool,
    pub speed: f64,
    pub console: Vec<ConsoleEntry>,
    /// Message kinds the user chose to hide.
    pub hidden: BTreeSet<MessageKind>,
    /// The ledger audit, recomputed at most every `AUDIT_EVERY_MS` of virtual time (it scans logs).
    pub audit: Audit,
    audit_at: Option<u64>,
}

const AUDIT_EVERY_MS: u64 = 250;

/// Wall-clock frames longer than this (a background tab) do not jump the model ahead.
const MAX_FRAME_MS: f64 = 100.0;
const CONSOLE_KEEP: usize = 200;

impl Model {
    pub fn new() -> Model {
        let lines = parse_script(DEFAULT_SCENARIO).expect("the default scenario parses");
        let seed = match lines.first().map(|l| &l.command) {
            Some(Command::Seed(s)) => *s,
            _ => kafkascope_sim::exec::DEFAULT_SEED,
        };
        let mut session = Session::new(seed);
        for l in &lines {
            session.execute(&l.command);
        }
        let view_ms = session.sim.now() as f64;
        let mut m = Model {
            session,
            view_ms,
            playing: true,
            speed: DEFAULT_SPEED,
            console: Vec::new(),
            hidden: BTreeSet::new(),
            audit: Audit::default(),
            audit_at: None,
        };
        m.refresh_audit(true);
        m
    }

    /// Refreshes the cached audit when it is older than `AUDIT_EVERY_MS` (or `force`).
    pub fn refresh_audit(&mut self, force: bool) {
        let now = self.session.sim.now();
        if force || self.audit_at.is_none_or(|t| now >= t + AUDIT_EVERY_MS || now < t) {
            self.audit = self.session.sim.audit();
            self.audit_at = Some(now);
        }
    }

    /// Advances virtual time by a wall-clock interval scaled by the speed.
    pub fn tick(&mut self, wall_dt_ms: f64) {
        if !self.playing || !wall_dt_ms.is_finite() || wall_dt_ms <= 0.0 {
            return;
        }
        self.view_ms += wall_dt_ms.min(MAX_FRAME_MS) * self.speed;
        self.session.sim.run_until(self.view_ms.floor() as u64);
        self.refresh_audit(false);
        // Narration reads the journal directly; command output shows only what the command did.
        self.session.journal_seen = self.session.sim.journal.len();
    }

    /// Runs one line of the command language (typed or clicked) and logs it in the console.
    pub fn run(&mut self, input: &str) {
        let input = input.trim();
        if input.is_empty() {
            return;
        }
        let entry = match parse_line(input) {
            Ok(None) => return,
            Ok(Some(cmd)) => {
                if matches!(cmd, Command::Seed(_) | Command::Cluster { .. }) {
                    ConsoleEntry {
                        input: input.to_string(),
                        lines: vec!["Error: `seed` and `cluster` start a new session; reload the page (or use a scenario script).".into()],
                        error: true,
                    }
                } else {
                    let out = self.session.execute(&cmd);
                    // Commands like `advance` and `produce` move virtual time: follow it.
                    self.view_ms = self.view_ms.max(self.session.sim.now() as f64);
                    ConsoleEntry { input: input.to_string(), lines: out.lines, error: out.error }
                }
            }
            Err((col, msg)) => {
                ConsoleEntry { input: input.to_string(), lines: vec![format!("col {col}: {msg}")], error: true }
            }
        };
        self.console.push(entry);
        self.refresh_audit(true);
        if self.console.len() > CONSOLE_KEEP {
            self.console.remove(0);
        }
    }

    /// Runs exactly the next event (the clock jumps to it) and pauses.
    pub fn step(&mut self) {
        self.playing = false;
        self.run("step");
    }

    pub fn now_ms(&self) -> f64 {
        self.view_ms
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn speed_slider_is_log_scale_and_round_trips() {
        assert!((speed_from_slider(0.0) - SPEED_MIN).abs() < 1e-9);
        assert!((speed_from_slider(100.0) - SPEED_MAX).abs() < 1e-9);
        let mid = speed_from_slider(50.0);
        assert!((mid - (SPEED_MIN * SPEED_MAX).sqrt()).abs() < 1e-9);
        assert!((slider_from_speed(DEFAULT_SPEED) - 51.5).abs() < 0.5);
        assert!((speed_from_slider(slider_from_speed(1.0)) - 1.0).abs() < 1e-9);
    }
}

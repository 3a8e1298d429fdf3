//! The app's state: the simulation session plus what only the view needs (the virtual time being
//! shown, play/pause, speed, the console). No Kafka logic here: every change to the cluster is a
//! command of the shared vocabulary, applied by `kafkascope_sim::Session`.

use kafkascope_sim::audit::ledger::Audit;
use kafkascope_sim::cluster::net::MessageKind;
use kafkascope_sim::session::exec::{Session, TimedCommand};
use kafkascope_sim::{parse_line, Command};
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
    /// Each group's committed offsets (read from `__consumer_offsets`), refreshed with the audit.
    pub committed: Vec<(String, std::collections::BTreeMap<kafkascope_sim::model::Tp, u64>)>,
    /// What read_committed readers of each read-process-write app's output see, with the audit.
    pub eos: Vec<kafkascope_sim::clients::processor::EosAudit>,
    audit_at: Option<u64>,
    pub timeline: Timeline,
    /// The guided tour being played, if any (components/tour.rs).
    pub tour: Option<crate::components::tour::TourState>,
    /// The side-by-side comparison on show, if any (components/compare.rs).
    pub compare: Option<crate::components::compare::CompareState>,
}

/// Time travel: snapshots of the session plus the recorded commands. Any moment up to the horizon
/// is rebuilt exactly by replaying from the nearest earlier snapshot (the model is deterministic).
/// Acting in the past forks: the recorded future after that point is dropped.
pub struct Timeline {
    checkpoints: Vec<Session>,
    every_ms: u64,
    /// A snapshot is also taken every this many events. Replay cost is per event, so this is what
    /// keeps seeking within a frame in a busy session (`scripts/bench.sh seek`); the time spacing
    /// only matters for quiet stretches, which replay almost for free.
    every_events: u64,
    /// Every command of this branch, in order; the session's own history is always a prefix.
    pub recorded: Vec<TimedCommand>,
    /// The furthest virtual time reached on this branch.
    pub horizon_ms: u64,
}

/// Snapshots kept at most; beyond that every other one is dropped and the spacing doubles.
const MAX_CHECKPOINTS: usize = 150;
const FIRST_CHECKPOINT_EVERY_MS: u64 = 60_000;
const FIRST_CHECKPOINT_EVERY_EVENTS: u64 = 4000;

impl Timeline {
    fn new(session: &Session) -> Timeline {
        Timeline {
            checkpoints: vec![session.clone()],
            every_ms: FIRST_CHECKPOINT_EVERY_MS,
            every_events: FIRST_CHECKPOINT_EVERY_EVENTS,
            recorded: session.history.clone(),
            horizon_ms: session.sim.now(),
        }
    }

    /// How many snapshots are kept (for the seek bench).
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn start_ms(&self) -> u64 {
        self.checkpoints.first().map_or(0, |c| c.sim.now())
    }

    fn maybe_checkpoint(&mut self, session: &Session) {
        let (last, last_events) = self.checkpoints.last().map_or((0, 0), |c| (c.sim.now(), c.sim.net.processed));
        if session.sim.now() >= last + self.every_ms || session.sim.net.processed >= last_events + self.every_events {
            self.checkpoints.push(session.clone());
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                let first = self.checkpoints.remove(0);
                let mut kept: Vec<Session> =
                    self.checkpoints.drain(..).enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, c)| c).collect();
                kept.insert(0, first);
                self.checkpoints = kept;
                self.every_ms *= 2;
                self.every_events *= 2;
            }
        }
    }

    /// Drops the recorded future after the session's present (acting in the past forks).
    fn fork_at(&mut self, session: &Session) {
        let now = session.sim.now();
        self.recorded.truncate(session.history.len());
        self.checkpoints.retain(|c| c.sim.now() <= now && c.history.len() <= session.history.len());
        if self.checkpoints.is_empty() {
            self.checkpoints.push(session.clone());
        }
        self.horizon_ms = now;
    }

    /// Runs `session` (on this branch) to virtual time `t`, applying recorded commands on the way.
    fn replay_until(&self, session: &mut Session, t: u64) {
        while let Some(c) = self.recorded.get(session.history.len()) {
            if c.at_ms > t {
                break;
            }
            session.sim.run_to_point(c.events, c.at_ms);
            session.execute(&c.command);
        }
        session.sim.run_until(t);
    }

    /// The session as it was at virtual time `t` (or after exactly `events` events).
    fn rebuild(&self, t: u64, events: Option<u64>) -> Session {
        let fits = |c: &&Session| c.sim.now() <= t && events.is_none_or(|n| c.sim.net.processed <= n);
        let mut s = self.checkpoints.iter().rev().find(fits).unwrap_or(&self.checkpoints[0]).clone();
        while let Some(c) = self.recorded.get(s.history.len()) {
            if c.at_ms > t || events.is_some_and(|n| c.events >= n) {
                break;
            }
            s.sim.run_to_point(c.events, c.at_ms);
            s.execute(&c.command);
        }
        match events {
            Some(n) => while s.sim.net.processed < n && s.sim.step().is_some() {},
            None => s.sim.run_until(t),
        }
        s.journal_seen = s.sim.journal.len();
        s
    }
}

const AUDIT_EVERY_MS: u64 = 250;

/// Wall-clock frames longer than this (a background tab) do not jump the model ahead.
const MAX_FRAME_MS: f64 = 100.0;
const CONSOLE_KEEP: usize = 200;

impl Model {
    /// The session a share link carries, or the default one with the reason the link was refused.
    pub fn from_share(link: Option<&str>) -> Model {
        let Some(text) = link else { return Model::new() };
        match kafkascope_sim::session::share::decode(text) {
            Ok(trace) => {
                let mut m = Model::from_trace(&trace, trace.end_ms);
                m.playing = false;
                m.console.push(ConsoleEntry {
                    input: "(opened a shared session)".into(),
                    lines: vec![format!(
                        "Replayed {} command(s) from the link; press Play to go on.",
                        trace.commands.len()
                    )],
                    error: false,
                });
                m.refresh_audit(true);
                m
            }
            Err(why) => {
                let mut m = Model::new();
                m.console.push(ConsoleEntry {
                    input: "(opened a link)".into(),
                    lines: vec![format!(
                        "Error: this share link could not be read: {why}. Started a fresh session instead."
                    )],
                    error: true,
                });
                m
            }
        }
    }

    /// The session a trace describes, shown at virtual time `at_ms` (clamped to the trace), with
    /// the trace's later commands as the recorded future: playing applies them as their time comes.
    pub fn from_trace(trace: &kafkascope_sim::session::exec::Trace, at_ms: u64) -> Model {
        let base = Session::with_brokers(trace.seed, trace.brokers);
        let mut timeline = Timeline {
            checkpoints: vec![base],
            every_ms: FIRST_CHECKPOINT_EVERY_MS,
            every_events: FIRST_CHECKPOINT_EVERY_EVENTS,
            recorded: trace.commands.clone(),
            horizon_ms: trace.end_ms,
        };
        // Checkpoints along the way, so that seeking in a long trace stays within a frame.
        let mut session = timeline.checkpoints[0].clone();
        let at_ms = at_ms.min(trace.end_ms);
        while session.sim.now() < trace.end_ms {
            let next = (session.sim.now() + 1000).min(trace.end_ms);
            timeline.replay_until(&mut session, next);
            timeline.maybe_checkpoint(&session);
        }
        let session = timeline.rebuild(at_ms, None);
        let mut m = Model::new();
        m.view_ms = session.sim.now() as f64;
        m.session = session;
        m.timeline = timeline;
        m.refresh_audit(true);
        m
    }

    /// The whole branch as a trace: seed, every recorded command (the future too) and the horizon.
    pub fn timeline_trace(&self) -> kafkascope_sim::session::exec::Trace {
        let mut t = self.session.trace();
        t.commands = self.timeline.recorded.clone();
        t.end_ms = self.timeline.horizon_ms.max(t.end_ms);
        t.journal = Vec::new();
        t
    }

    /// Runs the model ahead to virtual time `t` at once (a start time from the URL, the seek bench),
    /// applying recorded commands and taking checkpoints on the way; paused afterwards.
    pub fn run_to(&mut self, t: u64) {
        while self.session.sim.now() < t {
            let next = (self.session.sim.now() + 1000).min(t);
            self.timeline.replay_until(&mut self.session, next);
            self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
            self.timeline.maybe_checkpoint(&self.session);
        }
        self.session.journal_seen = self.session.sim.journal.len();
        self.view_ms = self.view_ms.max(t as f64);
        self.refresh_audit(true);
    }

    /// The text a share link carries for this session (up to the present moment).
    pub fn share_text(&self) -> String {
        kafkascope_sim::session::share::encode(&self.session.trace())
    }

    pub fn new() -> Model {
        Model::with_session(Session::run_script_session(DEFAULT_SCENARIO).expect("the default scenario parses"))
    }

    /// A model showing this session at its present moment, playing.
    pub fn with_session(session: Session) -> Model {
        let view_ms = session.sim.now() as f64;
        let timeline = Timeline::new(&session);
        let mut m = Model {
            timeline,
            session,
            view_ms,
            playing: true,
            speed: DEFAULT_SPEED,
            console: Vec::new(),
            hidden: BTreeSet::new(),
            audit: Audit::default(),
            eos: Vec::new(),
            committed: Vec::new(),
            audit_at: None,
            tour: None,
            compare: None,
        };
        m.refresh_audit(true);
        m
    }

    /// Replaces the session (a tour starting): a new timeline, the view at its present, paused.
    /// The console, speed and filters stay.
    pub fn load(&mut self, session: Session) {
        self.view_ms = session.sim.now() as f64;
        self.timeline = Timeline::new(&session);
        self.session = session;
        self.playing = false;
        self.refresh_audit(true);
    }

    /// Refreshes the cached audit when it is older than `AUDIT_EVERY_MS` (or `force`).
    pub fn refresh_audit(&mut self, force: bool) {
        let now = self.session.sim.now();
        if force || self.audit_at.is_none_or(|t| now >= t + AUDIT_EVERY_MS || now < t) {
            self.audit = self.session.sim.audit();
            let sim = &self.session.sim;
            let mut groups: Vec<&str> = sim.consumers.iter().map(|c| c.group_name.as_str()).collect();
            groups.sort();
            groups.dedup();
            self.committed = groups.iter().map(|g| (g.to_string(), sim.committed_offsets(g))).collect();
            self.eos = sim.processor_audit();
            self.audit_at = Some(now);
        }
    }

    /// Advances virtual time by a wall-clock interval scaled by the speed.
    pub fn tick(&mut self, wall_dt_ms: f64) {
        if !self.playing || !wall_dt_ms.is_finite() || wall_dt_ms <= 0.0 {
            return;
        }
        self.view_ms += wall_dt_ms.min(MAX_FRAME_MS) * self.speed;
        let target = self.view_ms.floor() as u64;
        // Playing through a recorded future re-applies its commands when their time comes.
        while let Some(c) = self.timeline.recorded.get(self.session.history.len()) {
            if c.at_ms > target {
                break;
            }
            let c = c.clone();
            self.session.sim.run_to_point(c.events, c.at_ms);
            self.session.execute(&c.command);
        }
        self.session.sim.run_until(target);
        self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
        self.timeline.maybe_checkpoint(&self.session);
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
                    if self.in_past() && !cmd.is_read_only() {
                        self.timeline.fork_at(&self.session);
                    }
                    let out = self.session.execute(&cmd);
                    if let Some(last) = self.session.history.last() {
                        if self.timeline.recorded.len() < self.session.history.len() {
                            self.timeline.recorded.push(last.clone());
                        }
                    }
                    // Commands like `advance` and `produce` move virtual time: follow it (the
                    // timeline's end too, so the scrubber reaches it).
                    self.view_ms = self.view_ms.max(self.session.sim.now() as f64);
                    self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
                    self.timeline.maybe_checkpoint(&self.session);
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
        if self.in_past() {
            // Through a recorded future: take the next event (or the next recorded command).
            match self.timeline.recorded.get(self.session.history.len()).cloned() {
                Some(c) if c.events <= self.session.sim.net.processed => {
                    self.session.execute(&c.command);
                }
                _ => {
                    self.session.sim.step();
                }
            };
            self.session.journal_seen = self.session.sim.journal.len();
            self.view_ms = self.session.sim.now() as f64;
            self.refresh_audit(true);
        } else {
            self.run("step");
        }
    }

    /// Tab completion for the console: command names, then topic names, broker ids and client ids
    /// where the words before call for them.
    pub fn complete(&self, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let last = *words.last().unwrap_or(&"");
        let prev = if words.len() >= 2 { words[words.len() - 2] } else { "" };
        let sim = &self.session.sim;
        let candidates: Vec<String> = if words.len() <= 1 {
            kafkascope_sim::session::command::COMMANDS.iter().map(|s| s.to_string()).collect()
        } else if matches!(prev, "--topic" | "--entity-name") {
            sim.live_topics().map(|(_, t)| t.name.clone()).collect()
        } else if words[0] == "broker" && words.len() == 3 {
            sim.brokers.keys().map(|b| b.to_string()).collect()
        } else if words[0] == "broker" && words.len() == 2 {
            ["kill", "start", "stop", "isolate", "heal", "remove"].map(String::from).to_vec()
        } else if words[0] == "consumer" && words.len() == 3 {
            sim.consumers.iter().map(|c| c.client_id.clone()).collect()
        } else if words[0] == "consumer" && words.len() == 2 {
            ["start", "stop", "kill", "pause", "resume", "remove"].map(String::from).to_vec()
        } else if words[0] == "producer" && words.len() == 3 {
            sim.producers.iter().map(|p| p.name.clone()).collect()
        } else if prev == "--group" {
            sim.groups.values().map(|g| g.name.clone()).collect()
        } else {
            Vec::new()
        };
        candidates.into_iter().filter(|c| c.starts_with(last)).collect()
    }

    /// Whether the view is behind the furthest point of this branch (there is a recorded future).
    pub fn in_past(&self) -> bool {
        self.session.history.len() < self.timeline.recorded.len() || self.session.sim.now() < self.timeline.horizon_ms
    }

    /// Shows the session exactly as it was at virtual time `t` (paused).
    pub fn seek(&mut self, t: u64) {
        let t = t.clamp(self.timeline.start_ms(), self.timeline.horizon_ms);
        self.session = self.timeline.rebuild(t, None);
        self.view_ms = t as f64;
        self.playing = false;
        self.refresh_audit(true);
    }

    /// Goes back exactly one event (paused).
    pub fn step_back(&mut self) {
        let n = self.session.sim.net.processed;
        if n == 0 || self.session.sim.now() <= self.timeline.start_ms() {
            return;
        }
        let t = self.session.sim.now();
        self.session = self.timeline.rebuild(t, Some(n - 1));
        self.view_ms = self.session.sim.now() as f64;
        self.playing = false;
        self.refresh_audit(true);
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

    fn journal_json(m: &Model) -> String {
        serde_json::to_string(&m.session.sim.journal).unwrap() + &serde_json::to_string(&m.session.sim.ledger).unwrap()
    }

    /// Seeking shows exactly what was live at that moment, across a click in between, and acting in
    /// the past forks (the recorded future is dropped).
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn seeking_reproduces_the_past_exactly_and_acting_forks() {
        let mut live = Model::new();
        live.speed = 1.0;
        for _ in 0..50 {
            live.tick(100.0); // 5 s of virtual time
        }
        live.run("broker kill 2");
        for _ in 0..150 {
            live.tick(100.0);
        }
        let at_12s = {
            let mut m = Model::new();
            m.speed = 1.0;
            for _ in 0..50 {
                m.tick(100.0);
            }
            m.run("broker kill 2");
            for _ in 0..70 {
                m.tick(100.0);
            }
            (m.session.sim.now(), journal_json(&m))
        };
        let end = (live.session.sim.now(), journal_json(&live));
        live.seek(at_12s.0);
        assert_eq!((live.session.sim.now(), journal_json(&live)), at_12s, "the past, rebuilt");
        assert!(live.in_past());
        live.seek(end.0);
        assert_eq!((live.session.sim.now(), journal_json(&live)), end, "and back to the present");
        live.seek(at_12s.0);
        live.run("broker start 2");
        assert!(!live.in_past(), "acting in the past starts a new future");
        assert_eq!(live.timeline.horizon_ms, at_12s.0);
        let before = live.session.sim.net.processed;
        live.step_back();
        assert_eq!(live.session.sim.net.processed, before - 1, "back exactly one event");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn console_completes_commands_topics_and_ids() {
        let m = Model::new();
        assert_eq!(m.complete("kafka-con"), vec!["kafka-configs", "kafka-console-consumer", "kafka-consumer-groups"]);
        assert_eq!(m.complete("kafka-topics --describe --topic or"), vec!["orders"]);
        assert_eq!(m.complete("broker kill "), vec!["1", "2", "3"]);
        assert_eq!(m.complete("consumer kill c"), vec!["c1", "c2"]);
        assert!(m.complete("nonsense --x y").is_empty());
    }

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

//! The app's state: the simulation session plus what only the view needs (the virtual time being
//! shown, play/pause, speed, the console). No Kafka logic here: every change to the cluster is a
//! command of the shared vocabulary, applied by `kafkascope_sim::Session`.

use kafkascope_sim::audit::ledger::Audit;
use kafkascope_sim::cluster::journal::SimEvent;
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

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConsoleEntry {
    pub input: String,
    pub lines: Vec<String>,
    pub error: bool,
    /// The command's index in the timeline's recorded commands, when it was recorded.
    pub recorded: Option<usize>,
    /// Acting in the past dropped this command's future: it no longer happens on this branch.
    pub dropped: bool,
}

/// How fast virtual time is shown in slow motion (virtual ms per wall ms), at most.
pub const SLOW_SPEED: f64 = 0.2;
/// How long slow motion lasts after an event that is over at once (an election, a fencing).
pub const SLOW_HOLD_MS: u64 = 1200;

/// Slow motion around significant events: when one happens, the clock is stopped at its moment and
/// shown at `SLOW_SPEED` until `until_ms` (a rebalance: until its group is stable again), then
/// eases back to the chosen speed. Only how fast time is *shown* changes; the model is the same.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SlowMotion {
    pub enabled: bool,
    /// Virtual time until which it holds.
    pub until_ms: u64,
    /// 1 while it holds, easing to 0 after.
    pub level: f64,
    /// The event that started it, in words (shown beside the clock).
    pub why: String,
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
    pub slow: SlowMotion,
    /// Playing stops exactly at this virtual time (a tour playing a step), then pauses.
    pub stop_at: Option<u64>,
    /// Playing stops right after the event that makes this tour wait hold, or at its deadline
    /// (`wait_held` then says which).
    pub wait: Option<(kafkascope_sim::teaching::tour::Wait, u64)>,
    pub wait_held: Option<bool>,
    /// The learner's own session while a tour runs on its own cluster (`begin_detour`).
    detour: Option<Box<Detour>>,
    /// Reports of earlier console commands already shown: (history index, record).
    reported: BTreeSet<(usize, usize)>,
}

/// What `begin_detour` keeps of the learner's session to give it back.
struct Detour {
    session: Session,
    timeline: Timeline,
    view_ms: f64,
    speed: f64,
}

/// Time travel: snapshots of the session plus the recorded commands. Any moment up to the horizon
/// is rebuilt exactly by replaying from the nearest earlier snapshot (the model is deterministic).
/// Acting in the past forks: the recorded future after that point is dropped.
///
/// A snapshot is a clone of the session, which shares the logs, the ledger and the journal with
/// its neighbours (kafkascope_sim::chunked), so most of it costs pointers. One is taken every
/// `EVERY_EVENTS` events or `EVERY_MS` of virtual time; at most `MAX_CHECKPOINTS` are kept, and
/// beyond that the one whose neighbours are closest (in events: replay cost is per event) goes, so
/// they spread evenly over the session. The snapshots and the session together stay within
/// `BUDGET_BYTES` (what only a snapshot holds: its own state, and in a busy session the records
/// deleted by retention since): over it, the snapshot that frees the most bytes per event of
/// replay it adds goes; that past is then rebuilt from an earlier snapshot, or from the start, on
/// demand.
pub struct Timeline {
    checkpoints: Vec<Session>,
    /// What each snapshot holds that the next one does not (kafkascope_sim::footprint).
    costs: Vec<usize>,
    /// Every command of this branch, in order; the session's own history is always a prefix.
    pub recorded: Vec<TimedCommand>,
    /// The furthest virtual time reached on this branch.
    pub horizon_ms: u64,
}

/// Snapshots kept at most (reached within minutes, so memory is flat after that).
const MAX_CHECKPOINTS: usize = 150;
const EVERY_MS: u64 = 30_000;
/// Replay cost is per event, so this is what keeps seeking within a frame in a busy session
/// (`scripts/bench.sh seek`); the time spacing only matters for quiet stretches, which replay
/// almost for free.
const EVERY_EVENTS: u64 = 2000;
/// Bytes the session and the snapshots may hold together (estimated, kafkascope_sim::footprint):
/// the snapshots get what the session leaves, at least `MIN_SNAPSHOT_BYTES`.
const BUDGET_BYTES: usize = 96 << 20;
const MIN_SNAPSHOT_BYTES: usize = 16 << 20;

impl Timeline {
    fn new(session: &Session) -> Timeline {
        Timeline::starting(session.clone(), session.history.clone(), session.sim.now())
    }

    fn starting(first: Session, recorded: Vec<TimedCommand>, horizon_ms: u64) -> Timeline {
        let cost = kafkascope_sim::footprint::snapshot_bytes(&first.sim, None);
        Timeline { checkpoints: vec![first], costs: vec![cost], recorded, horizon_ms }
    }

    /// How many snapshots are kept (for the benches).
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// What the snapshots hold beyond what they share, as estimated (for the benches).
    pub fn held_bytes(&self) -> usize {
        self.costs.iter().sum()
    }

    pub fn start_ms(&self) -> u64 {
        self.checkpoints.first().map_or(0, |c| c.sim.now())
    }

    fn maybe_checkpoint(&mut self, session: &Session) {
        let (last, last_events) = self.checkpoints.last().map_or((0, 0), |c| (c.sim.now(), c.sim.net.processed));
        if session.sim.now() >= last + EVERY_MS || session.sim.net.processed >= last_events + EVERY_EVENTS {
            if let (Some(prev), Some(cost)) = (self.checkpoints.last(), self.costs.last_mut()) {
                *cost = kafkascope_sim::footprint::snapshot_bytes(&prev.sim, Some(&session.sim));
            }
            self.checkpoints.push(session.clone());
            self.costs.push(kafkascope_sim::footprint::snapshot_bytes(&session.sim, None));
            while self.checkpoints.len() > MAX_CHECKPOINTS {
                self.evict(false);
            }
            let budget = BUDGET_BYTES
                .saturating_sub(kafkascope_sim::footprint::session_bytes(&session.sim))
                .max(MIN_SNAPSHOT_BYTES);
            while self.held_bytes() > budget && self.checkpoints.len() > 2 {
                self.evict(true);
            }
        }
    }

    /// Drops one snapshot, never the first (the start) nor the newest: the one whose neighbours are
    /// closest in events, or (`by_bytes`) the one that frees the most bytes per event it adds to
    /// the replay of its stretch.
    fn evict(&mut self, by_bytes: bool) {
        let n = self.checkpoints.len();
        if n <= 2 {
            return;
        }
        let events = |i: usize| self.checkpoints[i].sim.net.processed;
        let score = |i: usize| {
            let gap = (events(i + 1) - events(i - 1)) as f64;
            if by_bytes {
                gap / (self.costs[i] as f64 + 1.0)
            } else {
                gap
            }
        };
        let Some(i) = (1..n - 1).min_by(|&a, &b| score(a).total_cmp(&score(b))) else { return };
        self.checkpoints.remove(i);
        self.costs.remove(i);
        self.costs[i - 1] =
            kafkascope_sim::footprint::snapshot_bytes(&self.checkpoints[i - 1].sim, Some(&self.checkpoints[i].sim));
    }

    /// Drops the recorded future after the session's present (acting in the past forks).
    fn fork_at(&mut self, session: &Session) {
        let now = session.sim.now();
        self.recorded.truncate(session.history.len());
        let keep: Vec<bool> =
            self.checkpoints.iter().map(|c| c.sim.now() <= now && c.history.len() <= session.history.len()).collect();
        let mut k = keep.iter();
        self.checkpoints.retain(|_| *k.next().expect("one flag each"));
        let mut k = keep.iter();
        self.costs.retain(|_| *k.next().expect("one flag each"));
        if self.checkpoints.is_empty() {
            self.checkpoints.push(session.clone());
            self.costs.push(kafkascope_sim::footprint::snapshot_bytes(&session.sim, None));
        }
        if let Some(c) = self.costs.last_mut() {
            *c = kafkascope_sim::footprint::snapshot_bytes(&self.checkpoints[self.checkpoints.len() - 1].sim, None);
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

/// Whether a journal event is worth watching in slow motion, for how long (virtual ms), and a few
/// words for it. Internal topics' replication is not.
pub fn significant(sim: &kafkascope_sim::Sim, e: &SimEvent) -> Option<(u64, String)> {
    let user_tp = |tp: &kafkascope_sim::model::Tp| !sim.topic(tp.topic).name.starts_with("__");
    Some(match e {
        SimEvent::BrokerFenced { broker, .. } => (SLOW_HOLD_MS, format!("the controller fenced broker {broker}")),
        SimEvent::LeaderChanged { tp, .. } if user_tp(tp) => {
            (SLOW_HOLD_MS, format!("{}: a leader election", sim.tp_name(*tp)))
        }
        SimEvent::IsrShrunk { tp, .. } if user_tp(tp) => (800, format!("{}: the ISR shrank", sim.tp_name(*tp))),
        SimEvent::IsrExpanded { tp, .. } if user_tp(tp) => (800, format!("{}: a follower caught up", sim.tp_name(*tp))),
        SimEvent::Truncated { tp, .. } if user_tp(tp) => {
            (800, format!("{}: a replica truncated its log", sim.tp_name(*tp)))
        }
        SimEvent::RebalanceStarted { group, .. } => (800, format!("group {group} started a rebalance")),
        SimEvent::GroupStable { group, .. } => (SLOW_HOLD_MS, format!("group {group} assigned its partitions")),
        SimEvent::MemberRemoved { group, member, .. } => (800, format!("group {group} removed {member}")),
        SimEvent::TxnFenced { tid, .. } => (SLOW_HOLD_MS, format!("transactional id {tid} was fenced")),
        SimEvent::LogCompacted { tp, removed, .. } if user_tp(tp) => (
            crate::components::cluster::CLEAN_MS as u64,
            format!("{}: the log cleaner removed {removed} superseded record(s)", sim.tp_name(*tp)),
        ),
        SimEvent::RecordsLost { tp, .. } if user_tp(tp) => {
            (SLOW_HOLD_MS, format!("{}: acknowledged records lost", sim.tp_name(*tp)))
        }
        _ => return None,
    })
}

/// Wall-clock frames longer than this (a background tab) do not jump the model ahead.
const MAX_FRAME_MS: f64 = 100.0;
const CONSOLE_KEEP: usize = 200;
/// `step_narrated` looks this far ahead at most.
pub const STEP_NARRATED_MAX_MS: u64 = 60_000;

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
                    ..ConsoleEntry::default()
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
                    ..ConsoleEntry::default()
                });
                m
            }
        }
    }

    /// The session a trace describes, shown at virtual time `at_ms` (clamped to the trace), with
    /// the trace's later commands as the recorded future: playing applies them as their time comes.
    pub fn from_trace(trace: &kafkascope_sim::session::exec::Trace, at_ms: u64) -> Model {
        let base = Session::for_trace(trace);
        let mut timeline = Timeline::starting(base, trace.commands.clone(), trace.end_ms);
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
            slow: SlowMotion { enabled: true, ..SlowMotion::default() },
            stop_at: None,
            wait: None,
            wait_held: None,
            detour: None,
            reported: BTreeSet::new(),
        };
        m.refresh_audit(true);
        m
    }

    /// Replaces the session (a tour starting): a new timeline, the view at its present, paused.
    /// The console, speed and filters stay.
    pub fn load(&mut self, session: Session) {
        self.slow = SlowMotion { enabled: self.slow.enabled, ..SlowMotion::default() };
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
            kafkascope_sim::sort::sort(&mut groups);
            groups.dedup();
            self.committed = groups.iter().map(|g| (g.to_string(), sim.committed_offsets(g))).collect();
            self.eos = sim.processor_audit();
            self.audit_at = Some(now);
        }
    }

    /// How fast virtual time is shown now: the chosen speed, or slower in slow motion.
    pub fn effective_speed(&self) -> f64 {
        let slow = self.speed.min(SLOW_SPEED);
        self.speed + (slow - self.speed) * self.slow.level
    }

    /// Advances virtual time by a wall-clock interval scaled by the speed (slower in slow motion;
    /// stopping at a significant event, or at `stop_at`).
    pub fn tick(&mut self, wall_dt_ms: f64) {
        if !self.playing || !wall_dt_ms.is_finite() || wall_dt_ms <= 0.0 {
            return;
        }
        let wall = wall_dt_ms.min(MAX_FRAME_MS);
        self.ease_slow_motion(wall);
        let mut target_f = self.view_ms + wall * self.effective_speed();
        if let Some(stop) = self.stop_at {
            target_f = target_f.min(stop as f64);
        }
        let target = target_f.floor() as u64;
        // Playing through a recorded future re-applies its commands when their time comes.
        while let Some(c) = self.timeline.recorded.get(self.session.history.len()) {
            if c.at_ms > target {
                break;
            }
            let c = c.clone();
            self.session.sim.run_to_point(c.events, c.at_ms);
            self.session.execute(&c.command);
        }
        let braked = match self.wait.clone() {
            Some((w, deadline)) => {
                let until = target.min(deadline);
                let held = kafkascope_sim::teaching::tour::wait_step(&mut self.session, &w, until);
                if held || until >= deadline {
                    self.wait = None;
                    self.wait_held = Some(held);
                    self.playing = false;
                    Some(self.session.sim.now())
                } else {
                    None
                }
            }
            None => self.run_watching(target),
        };
        self.view_ms = match braked {
            Some(at) => at as f64,
            None => target_f,
        };
        if self.stop_at.is_some_and(|s| self.view_ms >= s as f64) {
            self.stop_at = None;
            self.playing = false;
        }
        self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
        self.timeline.maybe_checkpoint(&self.session);
        // Throttled while time runs; exact where it stops (a tour's wait ends at its moment, and
        // the reveal reads the ledger then).
        self.refresh_audit(!self.playing);
        self.collect_reports();
        // Narration reads the journal directly; command output shows only what the command did.
        self.session.journal_seen = self.session.sim.journal.len();
    }

    /// Adds what earlier console commands report as it happens (a `produce`'s records acked or
    /// failed) to their console entries, each once.
    pub fn collect_reports(&mut self) {
        for r in self.session.take_reports() {
            if !self.reported.insert((r.command, r.record)) {
                continue;
            }
            if let Some(e) = self.console.iter_mut().rev().find(|c| c.recorded == Some(r.command)) {
                e.lines.push(r.line);
                e.error |= r.error;
            }
        }
    }

    /// Runs a tour on a cluster of its own: the learner's session (with its timeline and speed) is
    /// kept aside until `end_detour` gives it back.
    pub fn begin_detour(&mut self, session: Session) {
        if self.detour.is_none() {
            let timeline = std::mem::replace(&mut self.timeline, Timeline::new(&session));
            let kept = std::mem::replace(&mut self.session, session);
            self.detour = Some(Box::new(Detour { session: kept, timeline, view_ms: self.view_ms, speed: self.speed }));
            self.slow = SlowMotion { enabled: self.slow.enabled, ..SlowMotion::default() };
            self.view_ms = self.session.sim.now() as f64;
            self.playing = false;
            self.refresh_audit(true);
        } else {
            self.load(session);
        }
    }

    /// Gives the learner's own session back after a tour (as it was, paused).
    pub fn end_detour(&mut self) {
        self.stop_at = None;
        self.wait = None;
        if let Some(d) = self.detour.take() {
            self.slow = SlowMotion { enabled: self.slow.enabled, ..SlowMotion::default() };
            self.session = d.session;
            self.timeline = d.timeline;
            self.view_ms = d.view_ms;
            self.speed = d.speed;
            self.playing = false;
            self.refresh_audit(true);
        }
    }

    /// After the sim was run outside `tick` (a tour skipping ahead): the timeline's end, a
    /// snapshot if one is due, the audit and the narration follow it.
    pub fn timeline_follow(&mut self) {
        self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
        self.timeline.maybe_checkpoint(&self.session);
        self.refresh_audit(true);
        self.collect_reports();
        self.session.journal_seen = self.session.sim.journal.len();
    }

    /// Whether a tour runs on its own cluster, the learner's kept aside.
    pub fn in_detour(&self) -> bool {
        self.detour.is_some()
    }

    /// Runs the sim to `target`, event by event; with slow motion on and time shown faster than
    /// `SLOW_SPEED`, stops right after the first significant event (returning its time) and holds
    /// slow motion from there.
    fn run_watching(&mut self, target: u64) -> Option<u64> {
        let watch = self.slow.enabled && self.speed > SLOW_SPEED;
        if !watch {
            self.session.sim.run_until(target);
            return None;
        }
        loop {
            let Some(t) = self.session.sim.net.next_event_time().filter(|&t| t <= target) else { break };
            let before = self.session.sim.journal.len();
            self.session.sim.step();
            let sim = &self.session.sim;
            if let Some((hold, why)) = sim.journal.iter_from(before).find_map(|e| significant(sim, &e.event)) {
                let until = t + hold;
                if until > self.slow.until_ms || self.slow.level < 1.0 {
                    let was_slow = self.slow.level >= 1.0 && self.view_ms <= self.slow.until_ms as f64;
                    self.slow.until_ms = self.slow.until_ms.max(until);
                    self.slow.why = why;
                    self.slow.level = 1.0;
                    if !was_slow {
                        return Some(t);
                    }
                }
            }
        }
        self.session.sim.run_until(target);
        None
    }

    /// Holds slow motion while its event lasts, then eases back to the chosen speed.
    fn ease_slow_motion(&mut self, wall_ms: f64) {
        if !self.slow.enabled {
            self.slow.level = 0.0;
            return;
        }
        if (self.view_ms as u64) < self.slow.until_ms {
            self.slow.level = 1.0;
        } else {
            self.slow.level = (self.slow.level - wall_ms / 600.0).max(0.0);
        }
    }

    /// Starts a fresh session: an empty cluster of `brokers` brokers from `seed`, a new timeline,
    /// playing. The console keeps its history (with a note), the speed and the filters stay.
    pub fn new_session(&mut self, seed: u64, brokers: u32) {
        self.new_cluster(seed, brokers, &[], kafkascope_sim::cluster::sim::DEFAULT_CONTROLLERS);
    }

    /// `new_session` with broker racks (`cluster --brokers N --racks a,b,c`: round-robin).
    pub fn new_cluster(&mut self, seed: u64, brokers: u32, racks: &[String], controllers: u32) {
        let session = Session::with_cluster(seed, brokers, racks, controllers);
        self.view_ms = session.sim.now() as f64;
        self.timeline = Timeline::new(&session);
        self.session = session;
        self.playing = true;
        self.stop_at = None;
        self.slow = SlowMotion { enabled: self.slow.enabled, ..SlowMotion::default() };
        for c in &mut self.console {
            c.recorded = None;
        }
        self.refresh_audit(true);
    }

    /// The Import dialog's script (`session::import`) as the new session, at its end and paused;
    /// the console says what was imported. `Err` (the script did not run) changes nothing.
    pub fn import_script(&mut self, script: &str) -> Result<(), String> {
        let session = Session::run_script_session(script).map_err(|e| e.to_string())?;
        self.load(session);
        self.stop_at = None;
        for c in &mut self.console {
            c.recorded = None;
        }
        let topics = script.lines().filter(|l| l.starts_with("kafka-topics --create")).count();
        self.console.push(ConsoleEntry {
            input: "(import)".into(),
            lines: vec![format!(
                "Imported {topics} topic(s) from kafka-topics --describe output: {} brokers, seed {}.",
                self.session.sim.brokers.len(),
                self.session.sim.seed
            )],
            ..Default::default()
        });
        Ok(())
    }

    /// Runs one line of the command language (typed or clicked) and logs it in the console.
    /// `cluster --brokers N` and `seed N` start a new session (`new_session`).
    pub fn run(&mut self, input: &str) {
        let input = input.trim();
        if input.is_empty() {
            return;
        }
        let entry = match parse_line(input) {
            Ok(None) => return,
            Ok(Some(Command::Cluster { brokers, racks, controllers })) => {
                let seed = self.session.sim.seed;
                self.new_cluster(seed, brokers, &racks, controllers);
                let on_racks = if racks.is_empty() {
                    String::new()
                } else {
                    format!(" on racks {} (round-robin)", racks.join(", "))
                };
                ConsoleEntry {
                    input: input.to_string(),
                    lines: vec![format!(
                        "Started a new session: {brokers} broker(s){on_racks}, {controllers} KRaft controller(s), seed {seed}, no topics yet."
                    )],
                    ..ConsoleEntry::default()
                }
            }
            Ok(Some(Command::Seed(seed))) => {
                let brokers = self.session.sim.brokers.len().max(1) as u32;
                let racks = self.session.racks().to_vec();
                let controllers = self.session.controllers();
                self.new_cluster(seed, brokers, &racks, controllers);
                ConsoleEntry {
                    input: input.to_string(),
                    lines: vec![format!("Started a new session: {brokers} broker(s), seed {seed}, no topics yet.")],
                    ..ConsoleEntry::default()
                }
            }
            Ok(Some(cmd)) => {
                if self.in_past() && !cmd.is_read_only() {
                    self.timeline.fork_at(&self.session);
                    // The commands of the dropped future are shown as dropped.
                    let kept = self.session.history.len();
                    for c in &mut self.console {
                        if c.recorded.is_some_and(|i| i >= kept) {
                            c.dropped = true;
                        }
                    }
                }
                let before = self.session.history.len();
                // As a console runs it: a `produce` sends without waiting; what becomes of its
                // records is reported as it happens (`collect_reports`).
                let out = self.session.execute_interactive(&cmd);
                let recorded = (self.session.history.len() > before).then_some(before);
                if let Some(last) = self.session.history.last() {
                    if self.timeline.recorded.len() < self.session.history.len() {
                        self.timeline.recorded.push(last.clone());
                    }
                }
                // Commands like `advance` move virtual time: follow it (the timeline's end too, so
                // the scrubber reaches it).
                self.view_ms = self.view_ms.max(self.session.sim.now() as f64);
                self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
                self.timeline.maybe_checkpoint(&self.session);
                ConsoleEntry { input: input.to_string(), lines: out.lines, error: out.error, recorded, dropped: false }
            }
            Err((col, msg)) => ConsoleEntry {
                input: input.to_string(),
                lines: vec![format!("col {col}: {msg}")],
                error: true,
                ..ConsoleEntry::default()
            },
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

    /// Runs to the next event the narration tells (a leader elected, a rebalance, a record lost…),
    /// at most `STEP_NARRATED_MAX_MS` ahead, and pauses there.
    pub fn step_narrated(&mut self) {
        self.playing = false;
        let start = self.session.sim.now();
        let seen = self.session.sim.journal.len();
        loop {
            let before = self.session.sim.journal.len();
            let next_cmd = self.timeline.recorded.get(self.session.history.len()).cloned();
            match next_cmd {
                Some(c) if c.events <= self.session.sim.net.processed => {
                    self.session.execute(&c.command);
                }
                _ => match self.session.sim.net.next_event_time() {
                    Some(t) if t <= start + STEP_NARRATED_MAX_MS => {
                        self.session.sim.step();
                    }
                    _ => {
                        self.session.sim.run_until(start + STEP_NARRATED_MAX_MS);
                        break;
                    }
                },
            }
            let sim = &self.session.sim;
            if sim.journal.iter_from(before.max(seen)).any(|e| sim.narrate(e).is_some()) {
                break;
            }
        }
        self.session.journal_seen = self.session.sim.journal.len();
        self.view_ms = self.session.sim.now() as f64;
        self.timeline.horizon_ms = self.timeline.horizon_ms.max(self.session.sim.now());
        self.timeline.maybe_checkpoint(&self.session);
        self.refresh_audit(true);
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
        } else if words[0] == "rack" && words.len() == 2 {
            ["kill", "start"].map(String::from).to_vec()
        } else if words[0] == "rack" && words.len() == 3 {
            sim.racks().into_iter().collect()
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

    /// `cluster --brokers N --racks ...` typed in the console starts a cluster on those racks
    /// (round-robin), and `seed N` keeps them.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn console_cluster_keeps_its_racks() {
        let mut m = Model::new();
        let racks =
            |m: &Model| -> Vec<Option<String>> { m.session.sim.brokers.values().map(|b| b.rack.clone()).collect() };
        m.run("cluster --brokers 3 --racks a,b");
        let want = vec![Some("a".to_string()), Some("b".to_string()), Some("a".to_string())];
        assert_eq!(racks(&m), want);
        assert!(m.console.last().is_some_and(|c| c.lines[0].contains("on racks a, b")), "{:?}", m.console.last());
        m.run("seed 7");
        assert_eq!(racks(&m), want);
        m.run("cluster --brokers 2");
        assert_eq!(racks(&m), vec![None, None]);
    }

    /// "Step" goes to the next event the narration tells and stops right after it; with nothing
    /// narrated within the limit, the clock stands at the limit.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn step_goes_to_the_next_narrated_event() {
        let mut m = Model::new();
        m.new_session(kafkascope_sim::session::exec::DEFAULT_SEED, 3);
        m.run("kafka-topics --create --topic t --partitions 1 --replication-factor 3");
        m.run("advance 1s");
        m.run("broker kill 1");
        let (t0, seen) = (m.session.sim.now(), m.session.sim.journal.len());
        m.step_narrated();
        let sim = &m.session.sim;
        let fenced_at = sim.now();
        let told: Vec<(u64, String)> =
            sim.journal.iter_from(seen).filter_map(|e| Some((e.at_ms, sim.narrate(e)?))).collect();
        assert!(told.iter().any(|(_, t)| t.contains("fenced broker 1")), "{told:?}");
        assert!(told.iter().all(|(at, _)| *at == fenced_at), "stopped right after the event: {told:?}");
        assert!(fenced_at > t0 && fenced_at <= t0 + 9000, "{fenced_at}");
        // Nothing more to tell: the clock moves to the limit.
        let mut quiet = Model::new();
        quiet.new_session(kafkascope_sim::session::exec::DEFAULT_SEED, 3);
        let t = quiet.session.sim.now();
        quiet.step_narrated();
        assert_eq!(quiet.session.sim.now(), t + STEP_NARRATED_MAX_MS);
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

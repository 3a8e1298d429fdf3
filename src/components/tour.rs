//! The guided-tour player. Tours are data (`tours/*.tour`, parsed by `kafkascope_sim::teaching::tour`,
//! which also plays them headless for the tests). A tour runs on a cluster of its own (the
//! learner's session is kept aside and comes back when the tour closes: `Model::begin_detour`).
//! A step plays in the phases the format defines: its `run` lines *play* (a command goes through
//! `Model::run`, so it echoes in the console; an `advance` is played at the tour's speed, in slow
//! motion around significant events; a `wait` plays until its probe holds, and stops there), then
//! the text, the question and the highlights are shown; the learner predicts, acts, the `then`
//! lines play the same way, and the reveal is the probe's value read from the model, never text
//! from the tour file. `drive` moves the play on from the app's animation frame.

use crate::state::{ConsoleEntry, Model};
use kafkascope_sim::teaching::tour::{parse, resolve_all, Element, Line, Step, Tour};
use std::collections::VecDeque;
use yew::prelude::*;

/// The tours, in order, embedded at build time (the sim's tests check each against the model).
pub const TOURS: [&str; 11] = [
    include_str!("../../tours/1-entities.tour"),
    include_str!("../../tours/2-log-offsets.tour"),
    include_str!("../../tours/3-partitioning.tour"),
    include_str!("../../tours/4-replication.tour"),
    include_str!("../../tours/5-delivery-semantics.tour"),
    include_str!("../../tours/6-ordering.tour"),
    include_str!("../../tours/7-broker-failure.tour"),
    include_str!("../../tours/8-consumer-failure.tour"),
    include_str!("../../tours/9-log-storage.tour"),
    include_str!("../../tours/10-scaling-out.tour"),
    include_str!("../../tours/11-controller-failure.tour"),
];

thread_local! {
    /// The tours parsed once: (index into `TOURS`, tour). A tour that does not parse is left out
    /// (the sim's tests make sure none is).
    static PARSED: Vec<(usize, Tour)> = TOURS.iter().enumerate().filter_map(|(i, s)| parse(s).ok().map(|t| (i, t))).collect();
}

/// Changes to the model, sent up to the App (which redraws).
pub type Act = Callback<Box<dyn FnOnce(&mut Model)>>;

/// How fast a tour plays its steps (virtual ms per wall ms; slow motion slows it further around
/// elections and rebalances).
pub const TOUR_SPEED: f64 = 1.5;

/// Where the learner is in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The `run` lines play (phase a).
    Opening,
    /// The text and the question are shown; waiting for the learner's prediction (b, c).
    Asking,
    /// The prediction is in; waiting for the learner's action (d).
    Acting,
    /// The action and the `then` lines play (d).
    Playing,
    /// The probe's value and the explanation (e).
    Revealed,
}

/// Where the learner is in a tour.
#[derive(Clone, Debug)]
pub struct TourState {
    pub tour: Tour,
    /// Index into `TOURS`.
    pub index: usize,
    /// The step on show; `steps.len()` is the summary.
    pub step: usize,
    pub phase: Phase,
    /// Lines still to play in this phase.
    queue: VecDeque<Line>,
    /// What is playing now, in words (shown while a phase plays).
    pub playing_what: String,
    /// The choice the learner picked (index into the question's choices).
    pub picked: Option<usize>,
    /// The probe's value, read from the model at the reveal.
    pub value: Option<String>,
    /// Predictions that matched the model, and questions asked.
    pub right: usize,
    pub asked: usize,
    /// A line of the tour that did not go as the tour says (a wait that ran out): shown, and the
    /// tests make sure it never happens.
    pub problem: Option<String>,
    /// A `skip:` of this step: the jump, in words (shown until the next step).
    pub jumped: Option<String>,
    /// The session's history length when the learner was asked to act (to notice them doing it).
    mark: usize,
}

impl TourState {
    pub fn current(&self) -> Option<&Step> {
        self.tour.steps.get(self.step)
    }
}

fn note(m: &mut Model, text: String) {
    m.console.push(ConsoleEntry { input: "(tour)".into(), lines: vec![text], ..ConsoleEntry::default() });
}

/// Whether the learner already did the step's action themselves (e.g. clicked the broker).
fn action_seen(m: &Model, t: &TourState) -> bool {
    let Some(a) = t.current().and_then(|s| s.action.as_ref()) else { return false };
    m.session.history.get(t.mark..).is_some_and(|h| h.iter().any(|c| c.command == a.command))
}

/// Starts tour `i` on a cluster of its own (the learner's is kept and comes back at the end).
pub fn start(m: &mut Model, i: usize) {
    let Some(tour) = PARSED.with(|p| p.iter().find(|(j, _)| *j == i).map(|(_, t)| t.clone())) else { return };
    m.compare = None;
    let kept = m.in_detour();
    m.begin_detour(tour.session());
    m.speed = TOUR_SPEED;
    note(
        m,
        format!(
            "Tour: {}. It runs on a cluster of its own (seed {}){}; time moves with the tour.",
            tour.title,
            tour.seed,
            if kept { "" } else { ": your session is kept and comes back when you close the tour" }
        ),
    );
    m.tour = Some(TourState {
        tour,
        index: i,
        step: 0,
        phase: Phase::Opening,
        queue: VecDeque::new(),
        playing_what: String::new(),
        picked: None,
        value: None,
        right: 0,
        asked: 0,
        problem: None,
        jumped: None,
        mark: 0,
    });
    open_step(m);
}

/// Opens the current step: its `run` lines start to play.
fn open_step(m: &mut Model) {
    let Some(t) = m.tour.as_mut() else { return };
    t.picked = None;
    t.value = None;
    t.problem = None;
    t.jumped = None;
    t.phase = Phase::Opening;
    t.queue = t.current().map(|s| s.run.iter().cloned().collect()).unwrap_or_default();
    drive(m);
}

/// Moves the play on: runs the next lines of the phase until one plays over time (an `advance`,
/// a `wait`), or the phase's lines are done and the step moves to its next phase. Called after
/// every change and from every animation frame; returns whether anything changed.
pub fn drive(m: &mut Model) -> bool {
    let Some(mut t) = m.tour.take() else { return false };
    // Something still plays: an advance not reached yet, or a wait not decided (the learner may
    // have paused it: it goes on when they play).
    if m.stop_at.is_some() || m.wait.is_some() {
        m.tour = Some(t);
        return false;
    }
    let mut changed = false;
    if let Some(held) = m.wait_held.take() {
        changed = true;
        if !held {
            t.problem =
                Some("This step waited longer than the tour allows for what it shows; press Next to go on.".into());
        }
    }
    if matches!(t.phase, Phase::Opening | Phase::Playing) {
        while let Some(line) = t.queue.pop_front() {
            changed = true;
            match line {
                Line::Command(c) => match c.advance_ms() {
                    Some(d) => {
                        let at = m.session.sim.now() + d;
                        t.playing_what =
                            format!("{} of virtual time", kafkascope_sim::cluster::journal::format_time(d));
                        m.stop_at = Some(at);
                        m.playing = true;
                        m.tour = Some(t);
                        return true;
                    }
                    None => m.run(&c.text),
                },
                Line::Skip(k) => {
                    let to = m.session.sim.now() + k.ms;
                    m.session.sim.run_until(to);
                    m.view_ms = m.session.sim.now() as f64;
                    m.timeline_follow();
                    m.refresh_audit(true);
                    let text = format!(
                        "The clock jumped {} ahead (virtual time now {}): nothing this step is about happened meanwhile.",
                        kafkascope_sim::teaching::tour::duration_words(k.ms),
                        kafkascope_sim::cluster::journal::format_time(m.session.sim.now())
                    );
                    note(m, text.clone());
                    t.jumped = Some(text);
                }
                Line::Wait(w) => {
                    let deadline = m.session.sim.now() + w.within_ms;
                    t.playing_what = format!("until {}", w.until.text());
                    m.wait = Some((w, deadline));
                    m.wait_held = None;
                    m.playing = true;
                    m.tour = Some(t);
                    return true;
                }
            }
        }
        // The phase's lines are done.
        t.playing_what.clear();
        t.phase = match t.phase {
            Phase::Opening => Phase::Asking,
            _ => reveal(m, &mut t),
        };
        if t.phase == Phase::Asking && t.current().is_some_and(|s| s.question.is_none()) {
            t.phase = Phase::Acting;
            t.mark = m.session.history.len();
        }
        if t.phase == Phase::Acting && t.current().is_some_and(|s| s.action.is_none()) {
            t.phase = Phase::Playing;
            t.queue = t.current().map(|s| s.then.iter().cloned().collect()).unwrap_or_default();
            m.tour = Some(t);
            return drive(m) || true;
        }
        m.playing = false;
    }
    m.tour = Some(t);
    changed
}

/// The reveal: the probe's value from the model, and the score.
fn reveal(m: &Model, t: &mut TourState) -> Phase {
    let q = t.current().and_then(|s| s.question.clone());
    if let Some(q) = q {
        let v = q.probe.eval(&m.session.sim);
        t.asked += 1;
        if t.picked.and_then(|i| q.choices.get(i)) == Some(&v) {
            t.right += 1;
        }
        t.value = Some(v);
    }
    Phase::Revealed
}

fn pick(m: &mut Model, choice: usize) {
    if let Some(t) = m.tour.as_mut() {
        if t.phase == Phase::Asking {
            t.picked = Some(choice);
            t.phase = Phase::Acting;
            t.mark = m.session.history.len();
            if t.current().is_some_and(|s| s.action.is_none()) {
                t.phase = Phase::Playing;
                t.queue = t.current().map(|s| s.then.iter().cloned().collect()).unwrap_or_default();
            }
        }
    }
    drive(m);
}

/// The learner's action: run it (unless they already did it in the picture), then play on.
fn act(m: &mut Model) {
    let Some(t) = m.tour.as_ref().filter(|t| t.phase == Phase::Acting) else { return };
    let seen = action_seen(m, t);
    let text = t.current().and_then(|s| s.action.as_ref()).map(|a| a.text.clone());
    if let (false, Some(text)) = (seen, text) {
        m.run(&text);
    }
    if let Some(t) = m.tour.as_mut() {
        t.phase = Phase::Playing;
        t.queue = t.current().map(|s| s.then.iter().cloned().collect()).unwrap_or_default();
    }
    drive(m);
}

/// Plays the rest of the phase at once (the learner does not want to watch it).
fn skip(m: &mut Model) {
    // Finish what is playing (an advance or a wait) at once, then any phases that follow on
    // their own, until the tour waits for the learner.
    let finish_now = |m: &mut Model| {
        if let Some(at) = m.stop_at.take() {
            m.session.sim.run_until(at);
        }
        if let Some((w, deadline)) = m.wait.take() {
            m.wait_held = Some(kafkascope_sim::teaching::tour::wait_step(&mut m.session, &w, deadline));
        }
        m.view_ms = m.session.sim.now() as f64;
        m.playing = false;
    };
    finish_now(m);
    while m.tour.as_ref().is_some_and(|t| matches!(t.phase, Phase::Opening | Phase::Playing)) {
        drive(m);
        finish_now(m);
    }
    m.timeline_follow();
}

fn next(m: &mut Model) {
    if let Some(t) = m.tour.as_mut() {
        if t.step < t.tour.steps.len() {
            t.step += 1;
        }
        if t.step < t.tour.steps.len() {
            open_step(m);
        }
    }
}

/// Back one step: the session is rebuilt as it was when that step opened (the model is
/// deterministic: every earlier step played headless), then the step opens again.
fn back(m: &mut Model) {
    let Some(t) = m.tour.take() else { return };
    let target = t.step.saturating_sub(1);
    m.stop_at = None;
    m.wait = None;
    m.load(t.tour.session_before(target));
    note(m, format!("Back to step {} of {}: the cluster is rebuilt as it was.", target + 1, t.tour.steps.len()));
    m.tour = Some(TourState { step: target, queue: VecDeque::new(), ..t });
    open_step(m);
}

fn exit(m: &mut Model) {
    m.tour = None;
    m.end_detour();
    note(m, "Tour closed: your own session is back, as you left it.".into());
}

/// From the summary: the next tour in the list.
fn next_tour(m: &mut Model) {
    let Some(i) = m.tour.as_ref().map(|t| t.index + 1) else { return };
    if i < TOURS.len() {
        m.tour = None;
        start(m, i);
    }
}

fn button(act_cb: &Act, id: &str, label: String, f: fn(&mut Model)) -> Html {
    let cb = act_cb.clone();
    html! { <button id={id.to_string()} onclick={Callback::from(move |_: MouseEvent| cb.emit(Box::new(f)))}>{label}</button> }
}

/// The tours panel: a list of tours, or the tour being played.
pub fn panel(m: &Model, act_cb: &Act) -> Html {
    let Some(t) = &m.tour else { return list(act_cb) };
    let n = t.tour.steps.len();
    let controls = html! {
        <div class="tour-nav">
            if t.step > 0 && t.step < n { { button(act_cb, "tour-back", "◀ Back".into(), back) } }
            if t.step < n {
                <span class="tour-progress">{ format!("Step {} of {n}", t.step + 1) }</span>
            }
            { button(act_cb, "tour-exit", "Close tour".into(), exit) }
        </div>
    };
    let Some(step) = t.current() else {
        let next_title = PARSED.with(|p| p.iter().find(|(j, _)| *j == t.index + 1).map(|(_, t)| t.point.clone()));
        return html! {
            <section class="panel tour" id="tour" aria-labelledby="tour-h">
                <h2 id="tour-h">{ t.tour.title.clone() }</h2>
                <p class="score" id="tour-score">{ if t.asked > 0 {
                    format!("You predicted {} of {} correctly.", t.right, t.asked)
                } else {
                    "Done.".to_string()
                } }</p>
                <div class="tour-summary" id="tour-summary">
                    <h3>{"Say it in the interview"}</h3>
                    <p>{ t.tour.summary.clone() }</p>
                </div>
                if let Some(title) = next_title {
                    { button(act_cb, "tour-next-tour", format!("Next tour: {title} ▶"), next_tour) }
                }
                { button(act_cb, "tour-done", "Back to your session".into(), exit) }
            </section>
        };
    };
    let playing = matches!(t.phase, Phase::Opening | Phase::Playing);
    let shown = t.phase != Phase::Opening;
    let question = step.question.as_ref().filter(|_| shown).map(|q| {
        let choices = q.choices.iter().enumerate().map(|(i, c)| {
            let picked = t.picked == Some(i);
            let state = match &t.value {
                Some(v) if v == c => Some("correct"),
                Some(_) if picked => Some("wrong"),
                _ => None,
            };
            let cb = act_cb.clone();
            let onclick = Callback::from(move |_: MouseEvent| cb.emit(Box::new(move |m: &mut Model| pick(m, i))));
            html! {
                <li>
                    <button class={classes!("choice", state, picked.then_some("picked"))} aria-pressed={picked.to_string()}
                            disabled={t.phase != Phase::Asking} {onclick}>{ c.clone() }</button>
                </li>
            }
        });
        html! {
            <div class="tour-question" role="group" aria-labelledby="tour-q">
                <p id="tour-q" class="ask"><span class="badge">{"Predict"}</span>{" "}{ q.text.clone() }</p>
                <ul class="choices">{ for choices }</ul>
                if let Some(v) = &t.value {
                    <div class="reveal" id="tour-reveal" role="status">
                        <p>{"The model says: "}<strong id="tour-value">{ v.clone() }</strong>
                            <span class="probe">{ format!(" (read from the simulation: {})", q.probe_text) }</span></p>
                        if let Some(p) = t.picked.and_then(|i| q.choices.get(i)) {
                            <p class={if p == v { "verdict right" } else { "verdict" }}>
                                { if p == v { "You predicted that.".to_string() } else { format!("You predicted {p}; the model disagrees.") } }
                            </p>
                        }
                    </div>
                }
            </div>
        }
    });
    let action = step.action.as_ref().filter(|_| t.phase == Phase::Acting).map(|a| {
        let seen = action_seen(m, t);
        let label = if seen { "Done — continue".to_string() } else { format!("Do it: {}", a.text) };
        html! {
            <div class="tour-action">
                { button(act_cb, "tour-act", label, act) }
                if !seen { <span class="hint">{" (or do it in the picture or the console)"}</span> }
            </div>
        }
    });
    html! {
        <section class="panel tour" id="tour" aria-labelledby="tour-h" data-phase={format!("{:?}", t.phase).to_lowercase()}>
            <h2 id="tour-h">{ t.tour.title.clone() }</h2>
            <h3 class="step-title">{ step.title.clone() }</h3>
            if playing {
                <p class="playing" id="tour-playing" role="status">
                    <span class="badge">{"Watch"}</span>{" playing "}{ t.playing_what.clone() }{"… "}
                    { button(act_cb, "tour-skip", "Skip ▶▶".into(), skip) }
                </p>
            }
            if let Some(j) = &t.jumped {
                <p class="jumped" id="tour-jumped" role="status"><span class="badge">{"▶▶ Skipped"}</span>{" "}{ j.clone() }</p>
            }
            if shown {
                <p class="say">{ step.say.clone() }</p>
                if !step.look.is_empty() {
                    <p class="look"><span class="badge">{"Look"}</span>{" "}{ step.look.clone() }</p>
                }
            }
            { for question }
            { for action }
            if t.phase == Phase::Revealed && !step.explain.is_empty() {
                <p class="explain">{ step.explain.clone() }</p>
            }
            if let Some(p) = &t.problem {
                <p class="problem" role="alert">{ p.clone() }</p>
            }
            { controls }
            if t.phase == Phase::Revealed || t.problem.is_some() {
                { button(act_cb, "tour-next", if t.step + 1 < n { "Next ▶".into() } else { "Finish ▶".into() }, next) }
            }
        </section>
    }
}

/// The list of tours, one per interview point.
fn list(act_cb: &Act) -> Html {
    let tours: Vec<(usize, String)> = PARSED.with(|p| p.iter().map(|(i, t)| (*i, t.point.clone())).collect());
    html! {
        <section class="panel tours" aria-labelledby="tours-h">
            <h2 id="tours-h">{"Guided tours"}<span class="hint">{" the interview question, one point at a time"}</span></h2>
            <p class="muted">{"Each tour runs on a cluster of its own; your session waits and comes back when the tour closes."}</p>
            <ol class="tour-list">
                { for tours.into_iter().map(|(i, point)| {
                    let cb = act_cb.clone();
                    let onclick = Callback::from(move |_: MouseEvent| cb.emit(Box::new(move |m: &mut Model| start(m, i))));
                    html! {
                        <li><button class="tour-start" data-tour={i.to_string()} {onclick}>{ point }</button></li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// What the tour step on show speaks of, to ring in the picture: its highlights while its text
/// and question show, its reveal highlights at the reveal.
pub fn marks(m: &Model) -> Vec<crate::components::cluster::Mark> {
    use crate::components::cluster::Mark;
    let Some(t) = &m.tour else { return Vec::new() };
    let Some(step) = t.current() else { return Vec::new() };
    let hs = match t.phase {
        Phase::Opening => return Vec::new(),
        Phase::Revealed => &step.reveal_highlights,
        _ => &step.highlights,
    };
    let sim = &m.session.sim;
    resolve_all(sim, hs)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match e {
            Element::Broker(b) => Some(Mark::Broker(b)),
            Element::Replica(tp, b) => Some(Mark::Replica(tp, b)),
            Element::Partition(tp) => Some(Mark::Partition(tp)),
            Element::Producer(p) => sim.producers.get(p as usize).map(|p| Mark::Producer(p.name.clone())),
            Element::Consumer(c) => sim.consumers.get(c as usize).map(|c| Mark::Consumer(c.client_id.clone())),
            Element::Group(g) => Some(Mark::Group(g)),
            Element::Controller => Some(Mark::Controller),
            Element::Ledger => None,
        })
        .collect()
}

/// Whether the ledger's counts are hidden now: while the step's question could be answered by
/// reading them (until the reveal; through it with `hide: ledger`).
pub fn hides_counters(m: &Model) -> bool {
    let Some(t) = &m.tour else { return false };
    let Some(step) = t.current() else { return false };
    match t.phase {
        Phase::Revealed => step.hides_counters_at_reveal(),
        _ => step.hides_counters(),
    }
}

/// Whether the step on show rings the ledger (its counters panel is then marked).
pub fn marks_ledger(m: &Model) -> bool {
    let Some(t) = &m.tour else { return false };
    let Some(step) = t.current() else { return false };
    let hs = if t.phase == Phase::Revealed { &step.reveal_highlights } else { &step.highlights };
    t.phase != Phase::Opening && resolve_all(&m.session.sim, hs).is_ok_and(|es| es.contains(&Element::Ledger))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays what is playing to its end, as the animation frames would (one virtual second per
    /// frame), and lets the player move on.
    fn play_out(m: &mut Model) {
        for _ in 0..10_000 {
            drive(m);
            if !m.playing {
                break;
            }
            m.tick(1000.0 / m.effective_speed().max(1e-3));
        }
        drive(m);
    }

    /// The player, driven like a learner (pick the first choice, do every action, Next), playing
    /// every step frame by frame, reveals exactly what the headless run of the same tour computes,
    /// step by step, for every tour; the learner's own session comes back afterwards.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_player_reveals_what_the_model_computes_and_gives_the_session_back() {
        for (i, src) in TOURS.iter().enumerate() {
            let tour = parse(src).expect("every tour parses");
            let expected: Vec<Option<String>> = tour.play().1.into_iter().map(|r| r.value).collect();
            let mut m = Model::new();
            m.run("broker kill 3");
            let own = m.session.sim.now();
            start(&mut m, i);
            let mut seen = Vec::new();
            while let Some(step) = m.tour.as_ref().and_then(|t| t.current().cloned()) {
                play_out(&mut m);
                if step.question.is_some() {
                    assert_eq!(m.tour.as_ref().unwrap().phase, Phase::Asking, "{}: `{}` asks", tour.title, step.title);
                    assert!(m.tour.as_ref().unwrap().value.is_none(), "no answer before the prediction");
                    pick(&mut m, 0);
                }
                if step.action.is_some() {
                    act(&mut m);
                }
                play_out(&mut m);
                let t = m.tour.as_ref().expect("the tour is on");
                assert_eq!(t.phase, Phase::Revealed, "{}: step `{}` played", tour.title, step.title);
                assert!(t.problem.is_none(), "{}: {:?}", tour.title, t.problem);
                seen.push(t.value.clone());
                next(&mut m);
            }
            assert_eq!(seen, expected, "{}", tour.title);
            let t = m.tour.as_ref().expect("at the summary");
            assert_eq!(t.step, tour.steps.len());
            assert!(t.asked > 0 && t.right <= t.asked);
            assert!(!m.console.iter().any(|c| c.error), "{}: a tour command failed", tour.title);
            exit(&mut m);
            assert_eq!(m.session.sim.now(), own, "{}: the learner's session is back", tour.title);
            assert_eq!(m.session.sim.broker_state(3), "dead");
        }
    }
}

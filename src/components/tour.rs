//! The guided-tour player. Tours are data (`tours/*.tour`, parsed by `kafkascope_sim::teaching::tour`); this
//! panel plays one against the page's own session: every command goes through `Model::run`, so it
//! echoes in the console, and every reveal is the probe's value read from the model after the step
//! played, never text from the tour file.

use crate::state::{ConsoleEntry, Model};
use kafkascope_sim::teaching::tour::{parse, Step, Tour};
use kafkascope_sim::Session;
use yew::prelude::*;

/// The tours, in order, embedded at build time (the sim's tests check each against the model).
pub const TOURS: [&str; 8] = [
    include_str!("../../tours/1-entities.tour"),
    include_str!("../../tours/2-log-offsets.tour"),
    include_str!("../../tours/3-partitioning.tour"),
    include_str!("../../tours/4-replication.tour"),
    include_str!("../../tours/5-delivery-semantics.tour"),
    include_str!("../../tours/6-ordering.tour"),
    include_str!("../../tours/7-broker-failure.tour"),
    include_str!("../../tours/8-consumer-failure.tour"),
];

thread_local! {
    /// The tours parsed once: (index into `TOURS`, tour). A tour that does not parse is left out
    /// (the sim's tests make sure none is).
    static PARSED: Vec<(usize, Tour)> = TOURS.iter().enumerate().filter_map(|(i, s)| parse(s).ok().map(|t| (i, t))).collect();
}

/// Changes to the model, sent up to the App (which redraws).
pub type Act = Callback<Box<dyn FnOnce(&mut Model)>>;

/// Where the learner is in a tour.
#[derive(Clone, Debug)]
pub struct TourState {
    pub tour: Tour,
    /// The step on show; `steps.len()` is the summary.
    pub step: usize,
    /// The choice the learner picked (index into the question's choices).
    pub picked: Option<usize>,
    /// Whether the step's action was done (by the button, or by the learner in the picture).
    pub acted: bool,
    /// Whether the step's `then` commands ran and the probe was read.
    pub played: bool,
    /// The probe's value, read from the model once the step played.
    pub value: Option<String>,
    /// The session's history length when the step opened (to notice the learner's own action).
    mark: usize,
}

impl TourState {
    fn current(&self) -> Option<&Step> {
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

/// Starts tour `i` on a fresh session with the tour's seed.
pub fn start(m: &mut Model, i: usize) {
    let Some(tour) = PARSED.with(|p| p.iter().find(|(j, _)| *j == i).map(|(_, t)| t.clone())) else { return };
    m.compare = None;
    m.load(tour.session());
    note(
        m,
        format!("Tour: {}. A fresh cluster (seed {}); time is paused and moves with the tour.", tour.title, tour.seed),
    );
    m.tour = Some(TourState { tour, step: 0, picked: None, acted: false, played: false, value: None, mark: 0 });
    enter(m);
}

/// Opens the current step: its `run` commands, then plays on if nothing waits for the learner.
fn enter(m: &mut Model) {
    let Some(mut t) = m.tour.take() else { return };
    t.picked = None;
    t.acted = false;
    t.played = false;
    t.value = None;
    t.mark = m.session.history.len();
    if let Some(step) = t.current().cloned() {
        for c in &step.run {
            m.run(&c.text);
        }
    }
    m.playing = false;
    m.tour = Some(t);
    settle(m);
}

/// Plays the step (its `then` commands, then the probe) once nothing waits for the learner.
fn settle(m: &mut Model) {
    let Some(mut t) = m.tour.take() else { return };
    if let Some(step) = t.current().cloned() {
        let waiting_pick = step.question.is_some() && t.picked.is_none();
        let waiting_act = step.action.is_some() && !t.acted;
        if !waiting_pick && !waiting_act && !t.played {
            for c in &step.then {
                m.run(&c.text);
            }
            t.value = step.question.as_ref().map(|q| q.probe.eval(&m.session.sim));
            t.played = true;
        }
    }
    m.playing = false;
    m.tour = Some(t);
}

fn pick(m: &mut Model, choice: usize) {
    if let Some(t) = m.tour.as_mut() {
        if t.picked.is_none() {
            t.picked = Some(choice);
        }
    }
    settle(m);
}

/// The learner's action: run it (unless they already did it in the picture), then play on.
fn act(m: &mut Model) {
    let seen = m.tour.as_ref().is_some_and(|t| action_seen(m, t));
    let Some(text) = m.tour.as_ref().and_then(|t| t.current()).and_then(|s| s.action.as_ref()).map(|a| a.text.clone())
    else {
        return;
    };
    if !seen {
        m.run(&text);
    }
    if let Some(t) = m.tour.as_mut() {
        t.acted = true;
    }
    settle(m);
}

fn next(m: &mut Model) {
    if let Some(t) = m.tour.as_mut() {
        if t.step < t.tour.steps.len() {
            t.step += 1;
        }
    }
    enter(m);
}

/// Back one step: the session is rebuilt from the seed with every earlier step played (the model
/// is deterministic), then that step opens again.
fn back(m: &mut Model) {
    let Some(t) = m.tour.take() else { return };
    let target = t.step.saturating_sub(1);
    let mut s: Session = t.tour.session();
    for step in &t.tour.steps[..target] {
        for c in step.run.iter().chain(step.action.iter()).chain(step.then.iter()) {
            s.execute(&c.command);
        }
    }
    m.load(s);
    note(m, format!("Back to step {} of {}: the cluster is rebuilt as it was.", target + 1, t.tour.steps.len()));
    m.tour = Some(TourState { step: target, ..t });
    enter(m);
}

fn exit(m: &mut Model) {
    m.tour = None;
    note(m, "Tour closed. The cluster is yours: press Play, click brokers, type commands.".into());
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
            if t.step > 0 { { button(act_cb, "tour-back", "◀ Back".into(), back) } }
            if t.step < n {
                <span class="tour-progress">{ format!("Step {} of {n}", t.step + 1) }</span>
            }
            { button(act_cb, "tour-exit", "Close tour".into(), exit) }
        </div>
    };
    let Some(step) = t.current() else {
        return html! {
            <section class="panel tour" id="tour" aria-labelledby="tour-h">
                <h2 id="tour-h">{ t.tour.title.clone() }</h2>
                <div class="tour-summary" id="tour-summary">
                    <h3>{"Say it in the interview"}</h3>
                    <p>{ t.tour.summary.clone() }</p>
                </div>
                { controls }
            </section>
        };
    };
    let waiting_pick = step.question.is_some() && t.picked.is_none();
    let waiting_act = step.action.is_some() && !t.acted;
    let question = step.question.as_ref().map(|q| {
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
                            disabled={t.picked.is_some()} {onclick}>{ c.clone() }</button>
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
                } else if !waiting_pick && waiting_act {
                    <p class="hint">{"Now do it, and the model will answer."}</p>
                }
            </div>
        }
    });
    let action = step.action.as_ref().filter(|_| waiting_act && !waiting_pick).map(|a| {
        let seen = action_seen(m, t);
        let label = if seen { "Done — continue".to_string() } else { format!("Do it: {}", a.text) };
        html! {
            <div class="tour-action">
                { button(act_cb, "tour-act", label, act) }
                if !seen { <span class="hint">{" (or do it in the picture or the console)"}</span> }
            </div>
        }
    });
    let ready = t.played;
    html! {
        <section class="panel tour" id="tour" aria-labelledby="tour-h">
            <h2 id="tour-h">{ t.tour.title.clone() }</h2>
            <h3 class="step-title">{ step.title.clone() }</h3>
            <p class="say">{ step.say.clone() }</p>
            if !step.look.is_empty() {
                <p class="look"><span class="badge">{"Look"}</span>{" "}{ step.look.clone() }</p>
            }
            { for question }
            { for action }
            if ready && !step.explain.is_empty() {
                <p class="explain">{ step.explain.clone() }</p>
            }
            { controls }
            if ready {
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
            <details id="tours" open=true>
                <summary><h2 id="tours-h">{"Guided tours"}<span class="hint">{" the interview question, one point at a time"}</span></h2></summary>
                <ol class="tour-list">
                    { for tours.into_iter().map(|(i, point)| {
                        let cb = act_cb.clone();
                        let onclick = Callback::from(move |_: MouseEvent| cb.emit(Box::new(move |m: &mut Model| start(m, i))));
                        html! {
                            <li><button class="tour-start" data-tour={i.to_string()} {onclick}>{ point }</button></li>
                        }
                    }) }
                </ol>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The player, driven like a learner (pick the first choice, do every action, Next), reveals
    /// exactly what the headless run of the same tour computes, step by step, for every tour.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_player_reveals_what_the_model_computes() {
        for (i, src) in TOURS.iter().enumerate() {
            let tour = parse(src).expect("every tour parses");
            let expected: Vec<Option<String>> = tour.play().1.into_iter().map(|r| r.value).collect();
            let mut m = Model::new();
            start(&mut m, i);
            let mut seen = Vec::new();
            while let Some(step) = m.tour.as_ref().and_then(|t| t.current().cloned()) {
                if step.question.is_some() {
                    pick(&mut m, 0);
                }
                if step.action.is_some() {
                    act(&mut m);
                }
                let t = m.tour.as_ref().expect("the tour is on");
                assert!(t.played, "{}: step `{}` played", tour.title, step.title);
                seen.push(t.value.clone());
                next(&mut m);
            }
            assert_eq!(seen, expected, "{}", tour.title);
            assert_eq!(m.tour.as_ref().map(|t| t.step), Some(tour.steps.len()), "at the summary");
            assert!(!m.console.iter().any(|c| c.error), "{}: a tour command failed", tour.title);
        }
    }
}

/// What the tour step on show speaks of, to ring in the picture.
pub fn marks(m: &Model) -> Vec<crate::components::cluster::Mark> {
    let _ = m;
    Vec::new()
}

/// Whether the tour's open question is about the ledger's counts (they stay hidden until the
/// reveal: they would give the answer away).
pub fn hides_counters(m: &Model) -> bool {
    let Some(t) = &m.tour else { return false };
    let Some(step) = t.current() else { return false };
    let open = step.question.is_some() && t.value.is_none();
    open && step.question.as_ref().is_some_and(|q| {
        let p = q.probe_text.trim_start();
        p.starts_with("ledger") || p.starts_with("group") || p.starts_with("processor") || p.starts_with("app")
    })
}

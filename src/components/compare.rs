//! Compare: the same seed and the same commands under two configurations, side by side. Both
//! sessions run in lockstep (`kafkascope_sim::teaching::compare::Pair`); each side is drawn with the cluster
//! picture, and the key facts (ledger counters, group and processor accounting, leaders) are lined
//! up with the differences highlighted.

use crate::components::cluster;
use crate::components::tour::Act;
use crate::state::Model;
use kafkascope_sim::teaching::compare::{side_by_side, Pair, COMPARISONS};
use yew::prelude::*;

pub struct CompareState {
    pub index: usize,
    pub pair: Pair,
    /// Each side as a model the picture can draw (rebuilt after each lockstep command).
    pub left: Box<Model>,
    pub right: Box<Model>,
    /// Each side's drawing cache (the picture memoizes replicas by fingerprint).
    pub caches: [std::cell::RefCell<cluster::ViewCache>; 2],
    /// The last command and what each side printed.
    pub last: Option<(String, Vec<String>, Vec<String>)>,
}

impl std::fmt::Debug for CompareState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompareState({}, {}/{})", COMPARISONS[self.index].id, self.pair.next, self.pair.len())
    }
}

fn side(session: &kafkascope_sim::Session) -> Box<Model> {
    let mut m = Model::with_session(session.clone());
    m.playing = false;
    Box::new(m)
}

/// Opens comparison `i`, with nothing run yet on either side.
pub fn open(m: &mut Model, i: usize) {
    let Some(c) = COMPARISONS.get(i) else { return };
    let Ok(pair) = Pair::new(c) else { return };
    m.tour = None;
    m.playing = false;
    let (left, right) = (side(&pair.left), side(&pair.right));
    let caches = Default::default();
    m.compare = Some(CompareState { index: i, pair, left, right, caches, last: None });
}

/// Runs the next command on both sides (`all`: every remaining one).
fn step(m: &mut Model, all: bool) {
    let Some(cs) = m.compare.as_mut() else { return };
    loop {
        let Some((text, _)) = cs.pair.upcoming() else { break };
        let Some((l, r)) = cs.pair.step() else { break };
        cs.last = Some((text, l.lines, r.lines));
        if !all {
            break;
        }
    }
    cs.left = side(&cs.pair.left);
    cs.right = side(&cs.pair.right);
}

fn close(m: &mut Model) {
    m.compare = None;
}

/// The "Compare" menu: one button per comparison.
pub fn menu(act_cb: &Act) -> Html {
    html! {
        <span class="compare-menu" role="group" aria-label="Compare two configurations">
            <span class="hint">{"Compare: "}</span>
            { for COMPARISONS.iter().enumerate().map(|(i, c)| {
                let cb = act_cb.clone();
                let onclick = Callback::from(move |_: MouseEvent| cb.emit(Box::new(move |m: &mut Model| open(m, i))));
                html! { <button class="compare-open" data-compare={c.id} {onclick}>{ c.title }</button> }
            }) }
        </span>
    }
}

/// The comparison on show: both pictures and the facts, differences highlighted.
/// The compare view, laid out for a stage `frame_w` × `frame_h` CSS px: the two pictures one above
/// the other, each at the full width and half the height left under the controls (side by side,
/// each would be half as readable), so both are on screen at once.
pub fn view(m: &Model, act_cb: &Act, frame_w: f64, frame_h: f64) -> Html {
    let Some(cs) = &m.compare else { return Html::default() };
    let c = &COMPARISONS[cs.index];
    let rows = side_by_side(&cs.pair.left.sim, &cs.pair.right.sim);
    let differing = rows.iter().filter(|r| r.1 != r.2).count();
    // The two pictures are to look at: clicks do nothing (both sides run the same commands).
    let events = cluster::Events {
        on_broker: Callback::from(|_| ()),
        on_controller: Callback::from(|_| ()),
        on_consumer: Callback::from(|_| ()),
        on_producer: Callback::from(|_| ()),
        on_group: Callback::from(|_| ()),
        on_partition: Callback::from(|_| ()),
        on_replica: Callback::from(|_| ()),
    };
    let opts = cluster::Options {
        frame_w: (frame_w - 40.0).max(300.0),
        frame_h: ((frame_h - 200.0) / 2.0).max(180.0),
        ..cluster::Options::default()
    };
    let btn = |id: &str, label: String, all: bool, disabled: bool| {
        let cb = act_cb.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(Box::new(move |m: &mut Model| step(m, all))));
        html! { <button id={id.to_string()} {onclick} {disabled}>{label}</button> }
    };
    let upcoming = cs.pair.upcoming();
    let close_cb = {
        let cb = act_cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Box::new(close)))
    };
    html! {
        <section class="panel compare" id="compare" aria-labelledby="compare-h">
            <h2 id="compare-h">{ format!("Compare: {}", c.title) }</h2>
            <p class="explain">{ c.explain }</p>
            <div class="compare-controls">
                { btn("compare-step", "Next command ▶".into(), false, cs.pair.done()) }
                { btn("compare-run", "Run to the end ▶▶".into(), true, cs.pair.done()) }
                <button id="compare-close" onclick={close_cb}>{"Close"}</button>
                <span class="compare-progress">{ format!("{} of {} commands, same seed on both sides (two clusters of their own; Close returns to yours)", cs.pair.next, cs.pair.len()) }</span>
            </div>
            if let Some((l, r)) = &upcoming {
                <p class="compare-next">{"Next: "}<code>{ l.clone() }</code>
                    if l != r { {" / "}<code>{ r.clone() }</code> }
                </p>
            }
            <div class="compare-sides">
                <div class="compare-side">
                    <h3>{ c.left }</h3>
                    <div class="picture picture-frame">{ cluster::view_as(&cs.left, "cluster-left", &events, &opts, &cs.caches[0]) }</div>
                    if let Some((_, lines, _)) = &cs.last { <pre class="compare-out">{ lines.join("\n") }</pre> }
                </div>
                <div class="compare-side">
                    <h3>{ c.right }</h3>
                    <div class="picture picture-frame">{ cluster::view_as(&cs.right, "cluster-right", &events, &opts, &cs.caches[1]) }</div>
                    if let Some((_, _, lines)) = &cs.last { <pre class="compare-out">{ lines.join("\n") }</pre> }
                </div>
            </div>
            <table class="compare-facts" id="compare-facts">
                <caption>{ format!("{differing} fact(s) differ") }</caption>
                <thead><tr><th scope="col">{"fact"}</th><th scope="col">{ c.left }</th><th scope="col">{ c.right }</th></tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(k, l, r)| {
                        let differs = l != r;
                        html! {
                            <tr class={classes!(differs.then_some("differs"))} data-fact={k.clone()}>
                                <th scope="row">{ k }</th><td class="left">{ l }</td><td class="right">{ r }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}

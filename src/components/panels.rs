//! Everything around the picture: transport controls, legend with the message filter, narration,
//! console. Plain functions of the model; events go back to the App as callbacks.

use crate::components::cluster::kind_class;
use crate::state::{slider_from_speed, Model};
use kafkascope_sim::journal::format_time;
use kafkascope_sim::net::MessageKind;
use web_sys::HtmlInputElement;
use yew::prelude::*;

pub struct Handlers {
    pub toggle_play: Callback<()>,
    pub step: Callback<()>,
    pub set_speed: Callback<f64>,
    pub toggle_kind: Callback<MessageKind>,
    pub run: Callback<String>,
}

pub fn topbar(model: &Model, h: &Handlers) -> Html {
    let playing = model.playing;
    let toggle = h.toggle_play.reform(|_: MouseEvent| ());
    let step = h.step.reform(|_: MouseEvent| ());
    let set_speed = h.set_speed.clone();
    let on_speed = Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Ok(v) = input.value().parse::<f64>() {
            set_speed.emit(v);
        }
    });
    let speed = model.speed;
    let speed_text = if speed >= 1.0 { format!("{speed:.1}×") } else { format!("{speed:.2}×") };
    html! {
        <header class="topbar">
            <h1><span class="logo" aria-hidden="true">{"▤"}</span>{"kafkascope"}</h1>
            <div class="transport" role="toolbar" aria-label="Time controls">
                <button id="play" aria-pressed={playing.to_string()} onclick={toggle} title="Play or pause virtual time (Space)">
                    { if playing { "❚❚ Pause" } else { "▶ Play" } }
                </button>
                <button id="step" onclick={step} title="Run exactly the next event and pause (.)">{"▶| Step"}</button>
                <label for="speed" class="speed-label">{"Speed"}</label>
                <input id="speed" type="range" min="0" max="100" step="0.1"
                       value={format!("{:.1}", slider_from_speed(speed))} oninput={on_speed}
                       aria-valuetext={speed_text.clone()} title="Virtual time per wall-clock second (log scale)" />
                <output for="speed" class="speed-value">{speed_text}</output>
                <span id="clock" class="clock" title="Virtual time since the session started">
                    { format!("t = {}", format_time(model.now_ms() as u64)) }
                </span>
            </div>
        </header>
    }
}

pub fn legend(model: &Model, h: &Handlers) -> Html {
    html! {
        <section class="panel legend" aria-labelledby="legend-h">
            <h2 id="legend-h">{"How to read it"}</h2>
            <ul class="keys">
                <li><span class="sw leader" aria-hidden="true"></span>{"solid outline, ★: the leader replica (serves produce and fetch)"}</li>
                <li><span class="sw follower" aria-hidden="true"></span>{"dashed outline: a follower, copying the leader by fetching"}</li>
                <li><span class="sw oos" aria-hidden="true"></span>{"faded: out of the ISR (in-sync replicas) or on a dead broker"}</li>
                <li><span class="sw hatched" aria-hidden="true"></span>{"hatched record: above the high watermark (HW), not yet committed, invisible to consumers"}</li>
                <li><span class="sw hwline" aria-hidden="true"></span>{"bar: the high watermark; dotted slot: the log end offset (LEO), where the next record goes"}</li>
                <li>{"record colour and letter: its key (same key, same partition, in order)"}</li>
            </ul>
            <h3>{"Messages in flight"}</h3>
            <ul class="kinds">
                { for MessageKind::ALL.iter().map(|&k| {
                    let hidden = model.hidden.contains(&k);
                    let cb = h.toggle_kind.clone();
                    let id = format!("kind-{}", kind_class(k));
                    html! {
                        <li>
                            <input type="checkbox" id={id.clone()} checked={!hidden} onchange={Callback::from(move |_| cb.emit(k))} />
                            <label for={id}><svg class="swatch" viewBox="0 0 16 16" aria-hidden="true">
                                <circle class={classes!("msg", kind_class(k))} cx="8" cy="8" r="5" />
                            </svg>{k.label()}</label>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

pub fn narration(model: &Model) -> Html {
    let sim = &model.session.sim;
    let recent: Vec<(u64, String)> =
        sim.journal.iter().rev().filter_map(|e| sim.narrate(e).map(|t| (e.at_ms, t))).take(14).collect();
    html! {
        <section class="panel narration" aria-labelledby="narration-h">
            <h2 id="narration-h">{"What just happened"}</h2>
            <ol aria-live="polite" aria-relevant="additions">
                { for recent.into_iter().map(|(at, text)| html! {
                    <li><time>{format_time(at)}</time>{" "}{text}</li>
                }) }
            </ol>
        </section>
    }
}

pub fn console(model: &Model, h: &Handlers, input_ref: &NodeRef) -> Html {
    let run = h.run.clone();
    let input_ref2 = input_ref.clone();
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        if let Some(input) = input_ref2.cast::<HtmlInputElement>() {
            run.emit(input.value());
            input.set_value("");
        }
    });
    html! {
        <section class="panel console" aria-labelledby="console-h">
            <h2 id="console-h">{"Console"}<span class="hint">{" every click is one of these commands; type `help`"}</span></h2>
            <div class="console-log" role="log">
                { for model.console.iter().rev().take(30).collect::<Vec<_>>().into_iter().rev().map(|c| html! {
                    <div class={classes!("entry", c.error.then_some("error"))}>
                        <div class="in">{"> "}{c.input.clone()}</div>
                        { for c.lines.iter().map(|l| html! { <div class="out">{l.clone()}</div> }) }
                    </div>
                }) }
            </div>
            <form {onsubmit}>
                <label for="console-input" class="visually-hidden">{"Command"}</label>
                <input id="console-input" ref={input_ref.clone()} type="text" autocomplete="off" spellcheck="false"
                       placeholder="kafka-topics --describe --topic orders" />
            </form>
        </section>
    }
}

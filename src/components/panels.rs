//! Everything around the picture: transport controls, legend with the message filter, narration,
//! console. Plain functions of the model; events go back to the App as callbacks.

use crate::components::cluster::kind_class;
use crate::state::{slider_from_speed, Model};
use kafkascope_sim::cluster::journal::format_time;
use kafkascope_sim::cluster::net::MessageKind;
use web_sys::HtmlInputElement;
use yew::prelude::*;

pub struct Handlers {
    pub toggle_play: Callback<()>,
    pub step: Callback<()>,
    pub set_speed: Callback<f64>,
    pub toggle_kind: Callback<MessageKind>,
    pub run: Callback<String>,
    pub seek: Callback<f64>,
    pub back: Callback<()>,
    /// The n-th most recent typed command (1 = the last), for ArrowUp / ArrowDown.
    pub recall: Callback<usize, Option<String>>,
    /// Completions of the last word of a console line, for Tab.
    pub complete: Callback<String, Vec<String>>,
}

/// The timeline: scrub to any moment of this session; the picture is exactly what it was.
pub fn timeline(model: &Model, h: &Handlers) -> Html {
    let (start, end) = (model.timeline.start_ms(), model.timeline.horizon_ms.max(model.timeline.start_ms() + 1));
    let seek = h.seek.clone();
    let on_input = Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Ok(v) = input.value().parse::<f64>() {
            seek.emit(v);
        }
    });
    let back = h.back.reform(|_: MouseEvent| ());
    let past = model.in_past();
    html! {
        <section class="panel timeline" aria-label="Timeline">
            <button id="back" onclick={back} title="Go back exactly one event">{"|◀ Back"}</button>
            <input id="timeline" type="range" min={start.to_string()} max={end.to_string()} step="1"
                   value={format!("{:.0}", model.now_ms())} oninput={on_input}
                   aria-valuetext={format_time(model.now_ms() as u64)} title="Scrub through the session" />
            <span class="clock">{ format!("{} / {}", format_time(model.now_ms() as u64), format_time(end)) }</span>
            if past {
                <span class="past-note" role="status">{"Viewing the past: play to replay it, or act to start a new future from here (the old one is dropped)."}</span>
            }
        </section>
    }
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

pub fn legend(model: &Model, h: &Handlers, on_term: &Callback<&'static str>) -> Html {
    let t = |id: &'static str, label: &'static str| crate::components::glossary::term(id, label, on_term);
    html! {
        <section class="panel legend" aria-labelledby="legend-h">
            <h2 id="legend-h">{"How to read it"}</h2>
            <ul class="keys">
                <li><span class="sw leader" aria-hidden="true"></span><span>{"solid outline, ★: the "}{t("leader", "leader")}{" replica (serves produce and fetch)"}</span></li>
                <li><span class="sw follower" aria-hidden="true"></span><span>{"dashed outline: a "}{t("follower", "follower")}{", copying the leader by fetching"}</span></li>
                <li><span class="sw oos" aria-hidden="true"></span><span>{"faded: out of the "}{t("isr", "ISR")}{" (in-sync replicas) or on a dead broker"}</span></li>
                <li><span class="sw hatched" aria-hidden="true"></span><span>{"hatched record: above the "}{t("hw", "high watermark (HW)")}{", not yet committed, invisible to consumers"}</span></li>
                <li><span class="sw hwline" aria-hidden="true"></span><span>{"bar: the high watermark; dotted slot: the "}{t("leo", "log end offset (LEO)")}{", where the next record goes"}</span></li>
                <li><span class="sw committed" aria-hidden="true"></span><span>{"▲ under a leader's log: a group's "}{t("committed-offset", "committed offset")}</span></li>
                <li><span class="sw marker" aria-hidden="true">{"C"}</span><span>{"C / A cell: a "}{t("marker", "transaction marker")}{" (COMMIT or ABORT control record, one offset, never shown to applications); struck-through record: its "}{t("transaction", "transaction")}{" aborted"}</span></li>
                <li><span class="sw lsoline" aria-hidden="true"></span><span>{"purple bar: the "}{t("lso", "last stable offset (LSO)")}{" where a transaction is still open; read_committed consumers stop there"}</span></li>
                <li><span>{"record colour and letter: its key (same key, same "}{t("partition", "partition")}{", in order); small number: its "}{t("offset", "offset")}</span></li>
                <li><span>{"consumer line pN@X lag L: owns partition N, its "}{t("position", "position")}{" is X, "}{t("lag", "lag")}{" L; groups show their "}{t("group-state", "state")}{", "}{t("generation", "generation")}{" and "}{t("coordinator", "coordinator")}</span></li>
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

/// What became of the records: from the ledger, checked against the logs.
pub fn counters(model: &Model) -> Html {
    let a = &model.audit;
    let bad = |n: usize| if n > 0 { "bad" } else { "" };
    html! {
        <section class="panel counters" aria-labelledby="counters-h">
            <h2 id="counters-h">{"Ledger"}<span class="hint">{" every record producers were given"}</span></h2>
            <dl>
                <div><dt title="The producer got an acknowledgement">{"acked"}</dt><dd id="count-acked">{a.acked}</dd></div>
                <div><dt title="The producer gave up (retries or delivery.timeout.ms ran out)">{"failed"}</dt><dd>{a.failed}</dd></div>
                <div><dt title="Queued or in flight">{"pending"}</dt><dd>{a.pending}</dd></div>
                <div class={bad(a.lost.len())}><dt title="Acked, but in no log that can serve it: truncated away, or only on a replica that can no longer lead">{"lost"}</dt><dd id="count-lost">{a.lost.len()}</dd></div>
                <div class={bad(a.duplicated.len())}><dt title="Written to the log more than once (a retry that landed twice)">{"duplicated"}</dt><dd id="count-dup">{a.duplicated.len()}</dd></div>
            </dl>
            { for a.groups.iter().map(|g| html! {
                <div class="group-counts">
                    <h3>{format!("group {}", g.group)}</h3>
                    <dl>
                        <div><dt title="Processed exactly once">{"once"}</dt><dd>{g.once}</dd></div>
                        <div class={bad(g.more_than_once.len())}><dt title="Processed two or more times: at-least-once after a crash or rebalance">{"twice+"}</dt><dd>{g.more_than_once.len()}</dd></div>
                        <div class={bad(g.skipped.len())}><dt title="Never processed although the group committed past them: at-most-once after a crash">{"skipped"}</dt><dd>{g.skipped.len()}</dd></div>
                        <div><dt title="At or after the committed offset, not processed yet">{"not yet"}</dt><dd>{g.pending}</dd></div>
                    </dl>
                </div>
            }) }
            { crate::components::txn::eos_counters(&model.eos) }
        </section>
    }
}

/// Send one record with a chosen key (each click is a `produce` command).
pub fn produce_form(model: &Model, h: &Handlers, key_ref: &NodeRef, value_ref: &NodeRef) -> Html {
    let topic = model.session.sim.live_topics().find(|(_, t)| !t.name.starts_with("__")).map(|(_, t)| t.name.clone());
    let Some(topic) = topic else { return Html::default() };
    let run = h.run.clone();
    let (kr, vr) = (key_ref.clone(), value_ref.clone());
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let key = kr.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
        let value = vr.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
        let mut cmd = format!("produce --topic {topic} --async");
        // Quoted for the command language; keys and values are never parsed as markup.
        if !key.trim().is_empty() {
            cmd.push_str(&format!(" --key '{}'", key.replace('\'', "")));
        }
        if !value.trim().is_empty() {
            cmd.push_str(&format!(" --value '{}'", value.replace('\'', "")));
        }
        run.emit(cmd);
    });
    html! {
        <section class="panel produce" aria-labelledby="produce-h">
            <h2 id="produce-h">{"Produce a record"}<span class="hint">{" same key → same partition: murmur2(key) mod partitions"}</span></h2>
            <form {onsubmit} class="produce-form">
                <label>{"key"}<input id="produce-key" ref={key_ref.clone()} type="text" placeholder="alice (empty = null key)" maxlength="40" /></label>
                <label>{"value"}<input id="produce-value" ref={value_ref.clone()} type="text" placeholder="order-1" maxlength="60" /></label>
                <button id="produce-send" type="submit">{"Send"}</button>
            </form>
        </section>
    }
}

pub fn narration(model: &Model, on_term: &Callback<&'static str>) -> Html {
    let sim = &model.session.sim;
    let recent: Vec<(u64, String)> =
        sim.journal.iter().rev().filter_map(|e| sim.narrate(e).map(|t| (e.at_ms, t))).take(14).collect();
    html! {
        <section class="panel narration" aria-labelledby="narration-h">
            <h2 id="narration-h">{"What just happened"}</h2>
            <ol aria-live="polite" aria-relevant="additions">
                { for recent.into_iter().map(|(at, text)| html! {
                    <li><time>{format_time(at)}</time>{" "}{crate::components::glossary::linked_text(&text, on_term)}</li>
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
    // ArrowUp/ArrowDown walk the history (the position is kept on the input element itself);
    // Tab completes the last word when there is exactly one way to, or lists the choices.
    let (recall, complete) = (h.recall.clone(), h.complete.clone());
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let back: usize = input.get_attribute("data-back").and_then(|v| v.parse().ok()).unwrap_or(0);
        match e.key().as_str() {
            "ArrowUp" | "ArrowDown" => {
                e.prevent_default();
                let next = if e.key() == "ArrowUp" { back + 1 } else { back.saturating_sub(1) };
                let text = if next == 0 { Some(String::new()) } else { recall.emit(next) };
                if let Some(t) = text {
                    input.set_value(&t);
                    input.set_attribute("data-back", &next.to_string()).ok();
                }
            }
            "Tab" => {
                let line = input.value();
                let options = complete.emit(line.clone());
                if options.len() == 1 {
                    e.prevent_default();
                    let cut = line.rfind(' ').map_or(0, |i| i + 1);
                    input.set_value(&format!("{}{} ", &line[..cut], options[0]));
                } else if !options.is_empty() {
                    e.prevent_default();
                    input.set_attribute("title", &options.join("  ")).ok();
                    input.set_attribute("placeholder", &options.join("  ")).ok();
                }
            }
            _ => {
                input.remove_attribute("data-back").ok();
            }
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
                       placeholder="kafka-topics --describe --topic orders   (↑↓ history, Tab completes)" {onkeydown} />
            </form>
        </section>
    }
}

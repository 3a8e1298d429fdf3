//! Everything around the picture: transport controls, legend with the message filter, narration,
//! console. Plain functions of the model; events go back to the App as callbacks.

use crate::components::cluster::{kind_class, shape_d};
use crate::prefs::Tab;
use crate::state::{slider_from_speed, Model};
use kafkascope_sim::cluster::journal::format_time;
use kafkascope_sim::cluster::net::MessageKind;
use web_sys::HtmlInputElement;
use yew::prelude::*;

pub struct Handlers {
    pub toggle_play: Callback<()>,
    /// Runs to the next narrated event.
    pub step: Callback<()>,
    /// Runs exactly one event.
    pub step_event: Callback<()>,
    pub set_speed: Callback<f64>,
    pub toggle_kind: Callback<MessageKind>,
    pub run: Callback<String>,
    pub seek: Callback<f64>,
    pub back: Callback<()>,
    /// The n-th most recent typed command (1 = the last), for ArrowUp / ArrowDown.
    pub recall: Callback<usize, Option<String>>,
    /// Completions of the last word of a console line, for Tab.
    pub complete: Callback<String, Vec<String>>,
    /// Opens the drawer on a tab (or closes it, for the tab on show).
    pub set_tab: Callback<crate::prefs::Tab>,
    pub toggle_labels: Callback<()>,
    pub toggle_slow: Callback<()>,
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

/// The top bar: the name, the time controls (play, step to the next narrated event, step one
/// event, speed, clock, slow motion), and `extra` (the drawer's tabs and the More menu).
pub fn topbar(model: &Model, h: &Handlers, extra: Option<Html>) -> Html {
    let playing = model.playing;
    let toggle = h.toggle_play.reform(|_: MouseEvent| ());
    let step = h.step.reform(|_: MouseEvent| ());
    let step_event = h.step_event.reform(|_: MouseEvent| ());
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
                    { if playing { "❚❚" } else { "▶" } }<span class="word">{ if playing { " Pause" } else { " Play" } }</span>
                </button>
                <button id="step" onclick={step} title="Run to the next event the narration tells, and pause (.)">{"▶|"}<span class="word">{" Step"}</span></button>
                <button id="step-event" onclick={step_event} title="Run exactly one event (a message delivered or a timer), and pause (>)" aria-label="Step one event">{"+1"}</button>
                <label for="speed" class="visually-hidden">{"Speed"}</label>
                <input id="speed" type="range" min="0" max="100" step="0.1"
                       value={format!("{:.1}", slider_from_speed(speed))} oninput={on_speed}
                       aria-valuetext={speed_text.clone()} title="Virtual time per wall-clock second (log scale)" />
                <output for="speed" class="speed-value">{speed_text}</output>
                <span id="clock" class="clock" title="Virtual time since the session started">
                    { format!("t = {}", format_time(model.now_ms() as u64)) }
                </span>
            </div>
            { for extra }
        </header>
    }
}

/// The drawer's tabs: each opens the drawer on its panel; the one on show closes it.
/// `marked`: a tab the tour step speaks of (the ledger), drawn ringed.
pub fn drawer_tabs(tab: Tab, open: bool, inspecting: bool, marked: Option<Tab>, set_tab: &Callback<Tab>) -> Html {
    html! {
        <div class="drawer-tabs" role="tablist" aria-label="Panels">
            { for Tab::ALL.iter().filter(|&&t| t != Tab::Inspect || inspecting).map(|&t| {
                let selected = open && t == tab;
                let cb = set_tab.clone();
                html! {
                    <button role="tab" id={format!("drawer-tab-{}", t.id())} aria-selected={selected.to_string()}
                            aria-controls="drawer" class={classes!("tab", selected.then_some("selected"), (marked == Some(t)).then_some("marked"))}
                            onclick={Callback::from(move |_: MouseEvent| cb.emit(t))}>
                        { t.label() }
                    </button>
                }
            }) }
        </div>
    }
}

/// Over the picture while time is shown slower around an event: what the event is.
pub fn slow_badge(model: &Model) -> Html {
    let slow = model.slow.level > 0.0 && model.playing && model.effective_speed() < model.speed - 1e-6;
    if !slow {
        return Html::default();
    }
    html! {
        <p class="slow-badge" id="slow-badge" role="status" title="Time is shown slower around this event so that it can be watched (More → slow motion turns it off). Virtual time itself is exact.">
            { format!("Slow motion: {}", model.slow.why) }
        </p>
    }
}

/// The picture's zoom tools: out, the zoom in per cent (click: back to fit), in, fit, follow.
pub fn picture_tools(
    zoom: f64,
    drawn: f64,
    follow: bool,
    set_zoom: &Callback<f64>,
    toggle_follow: &Callback<()>,
) -> Html {
    let z = |f: f64| {
        let set = set_zoom.clone();
        Callback::from(move |_: MouseEvent| set.emit(f))
    };
    let follow_cb = toggle_follow.reform(|_: MouseEvent| ());
    html! {
        <div class="picture-tools" role="toolbar" aria-label="Picture">
            <button id="zoom-out" onclick={z(zoom / 1.25)} title="Zoom out (−)" aria-label="Zoom out">{"−"}</button>
            <button id="zoom-fit" onclick={z(1.0)} title="Fit the picture to its frame (0)" aria-label={format!("Zoom {:.0}%, press to fit", drawn * 100.0)}>
                { format!("{:.0}%", drawn * 100.0) }
            </button>
            <button id="zoom-in" onclick={z(zoom * 1.25)} title="Zoom in (+)" aria-label="Zoom in">{"+"}</button>
            <button id="follow" aria-pressed={follow.to_string()} onclick={follow_cb} title="Keep what you selected (a menu's broker or client, an inspected partition) in view">{"Follow"}</button>
        </div>
    }
}

/// The message kinds under the picture: each kind's shape and colour, a checkbox to hide it, and
/// the option to label every message while playing slowly.
pub fn legend_strip(model: &Model, h: &Handlers, labels: bool) -> Html {
    let toggle = h.toggle_labels.reform(|_| ());
    html! {
        <section class="legend-strip" aria-label="Messages in flight">
            <ul class="kinds">
                { for MessageKind::ALL.iter().map(|&k| {
                    let hidden = model.hidden.contains(&k);
                    let cb = h.toggle_kind.clone();
                    let id = format!("kind-{}", kind_class(k));
                    html! {
                        <li>
                            <input type="checkbox" id={id.clone()} checked={!hidden} onchange={Callback::from(move |_| cb.emit(k))} />
                            <label for={id} title={k.label()}><svg class="swatch" viewBox="-8 -8 16 16" aria-hidden="true">
                                <path class={classes!("msg", kind_class(k))} d={shape_d(k, matches!(k, MessageKind::Produce | MessageKind::FetchData | MessageKind::ConsumerData), 0.0, 0.0)} />
                            </svg>{crate::components::cluster::kind_legend(k)}</label>
                        </li>
                    }
                }) }
            </ul>
            <label class="check label-all" title="While playing at 0.25× or slower, or paused, every message in flight is labelled">
                <input type="checkbox" id="label-messages" checked={labels} onchange={toggle} />{" label them when slow"}
            </label>
        </section>
    }
}

pub fn legend(on_term: &Callback<&'static str>) -> Html {
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
                <li><span class="sw segbar" aria-hidden="true"></span><span>{"bar under a log: a "}{t("segment", "segment")}{" (one file); dashed divider and bold offset: where a segment begins (its base offset); blue bar: the active segment, where appends go"}</span></li>
                <li><span class="sw deleted" aria-hidden="true"></span><span>{"dashed slot, grey bracket: offsets before the "}{t("log-start", "log start offset")}{", deleted by retention (whole segments) or kafka-delete-records"}</span></li>
                <li><span class="sw gap" aria-hidden="true"></span><span>{"small dotted square: an offset the "}{t("compaction", "log cleaner")}{" removed (compaction); offsets keep their gaps"}</span></li>
                <li><span class="sw superseded" aria-hidden="true"></span><span>{"faded record with a corner: superseded by a later record of its key, removed when the cleaner passes"}</span></li>
                <li><span class="sw tomb" aria-hidden="true"></span><span>{"hollow record: a "}{t("tombstone", "tombstone")}{" (null value) that deletes its key from a compacted topic"}</span></li>
                <li><span>{"record colour and letter: its key (same key, same "}{t("partition", "partition")}{", in order); small number: its "}{t("offset", "offset")}</span></li>
                <li><span>{"consumer line pN@X lag L: owns partition N, its "}{t("position", "position")}{" is X, "}{t("lag", "lag")}{" L; groups show their "}{t("group-state", "state")}{", "}{t("generation", "generation")}{" and "}{t("coordinator", "coordinator")}</span></li>
            </ul>
            <h3>{"Messages in flight"}</h3>
            <p class="muted">{"Under the picture: each kind of message has its shape and colour; point at one for what it is. Large discs carry records (coloured by the first record's key), small triangles are requests, rings responses, diamonds heartbeats, squares control messages."}</p>
            <h3>{"What this model leaves out"}</h3>
            <p class="muted">{"A model of Apache Kafka 4.0 in KRaft mode, not a cluster: the controllers' metadata log is kept whole (no snapshots), records are counted rather than serialized, and every append reaches disk. Type "}<code>{"help"}</code>{" in the console for the full list of simplifications."}</p>
        </section>
    }
}

/// What became of the records: from the ledger, checked against the logs. `hidden` while a tour's
/// question asks about them (they would give the answer away).
pub fn counters(model: &Model, hidden: bool) -> Html {
    if hidden {
        return html! {
            <section class="panel counters" aria-labelledby="counters-h">
                <h2 id="counters-h">{"Ledger"}</h2>
                <p class="muted" id="counters-hidden">{"Hidden until you answer the tour's question: the counts would give the answer away."}</p>
            </section>
        };
    }
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
                if a.removed > 0 {
                    <div class="removed"><dt title="Acked records that retention (retention.ms, retention.bytes: whole segments) or kafka-delete-records removed from the log, as configured. Not a loss.">{"removed by retention"}</dt><dd id="count-removed">{a.removed}</dd></div>
                }
                if a.compacted > 0 {
                    <div class="removed"><dt title="Acked records the log cleaner removed: an older value of a key with a newer one, an expired tombstone, or aborted data. Not a loss: the latest value of every key stays.">{"compacted away"}</dt><dd id="count-compacted">{a.compacted}</dd></div>
                }
            </dl>
            { for a.groups.iter().map(|g| html! {
                <div class="group-counts">
                    <h3>{format!("group {}", g.group)}</h3>
                    <dl>
                        <div><dt title="Processed exactly once">{"once"}</dt><dd>{g.once}</dd></div>
                        <div class={bad(g.twice() as usize)}><dt title="Processed two or more times: at-least-once after a crash or rebalance">{"twice+"}</dt><dd>{g.twice()}</dd></div>
                        <div class={bad(g.skipped.len())}><dt title="Never processed although the group committed past them: at-most-once after a crash">{"skipped"}</dt><dd>{g.skipped.len()}</dd></div>
                        if g.before_start > 0 {
                            <div class="before-start"><dt title="Written before the group first started: with no committed offset, auto.offset.reset=latest (the default) started it at the log end, so it never reads them. Not a loss: set auto.offset.reset=earliest to read them.">{"before its start"}</dt><dd>{g.before_start}</dd></div>
                        }
                        <div><dt title="At or after the committed offset, not processed yet">{"not yet"}</dt><dd>{g.pending}</dd></div>
                        if g.removed_unread > 0 {
                            <div class="removed"><dt title="Removed from the log (retention, delete-records or compaction) before the group read them: Kafka deletes by time, size or key and never waits for consumers. The group fell behind; its next fetch got OFFSET_OUT_OF_RANGE and followed auto.offset.reset.">{"removed before read"}</dt><dd>{g.removed_unread}</dd></div>
                        }
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
            // Tab completes a word being typed; on an empty line, with Shift, or when nothing
            // completes, Tab moves focus on as everywhere else (no keyboard trap).
            "Tab" if !e.shift_key() && !input.value().trim().is_empty() => {
                let line = input.value();
                let options = complete.emit(line.clone());
                let listed = input.get_attribute("data-listed").is_some_and(|l| l == line);
                if listed {
                    input.remove_attribute("data-listed").ok();
                } else if options.len() == 1 {
                    e.prevent_default();
                    let cut = line.rfind(' ').map_or(0, |i| i + 1);
                    input.set_value(&format!("{}{} ", &line[..cut], options[0]));
                } else if !options.is_empty() {
                    // The choices are shown; a second Tab on the same line moves on.
                    e.prevent_default();
                    input.set_attribute("title", &options.join("  ")).ok();
                    input.set_attribute("data-listed", &line).ok();
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
            <div class="console-log" role="log" id="console-log" tabindex="0" aria-label="Console output, newest last">
                { for model.console.iter().rev().take(40).collect::<Vec<_>>().into_iter().rev().map(|c| html! {
                    <div class={classes!("entry", c.error.then_some("error"), c.dropped.then_some("dropped"))}>
                        <div class="in">{"> "}{c.input.clone()}
                            if c.dropped {
                                <span class="dropped-note">{" — dropped: you acted in the past, so this command's future was replaced"}</span>
                            }
                        </div>
                        { for c.lines.iter().map(|l| html! { <div class="out">{l.clone()}</div> }) }
                    </div>
                }) }
                <div class="console-end" id="console-end"></div>
            </div>
            <form {onsubmit}>
                <label for="console-input" class="visually-hidden">{"Command"}</label>
                <input id="console-input" ref={input_ref.clone()} type="text" autocomplete="off" spellcheck="false"
                       placeholder="kafka-topics --describe --topic orders  (↑↓ history, Tab completes, Esc leaves)" {onkeydown} />
            </form>
        </section>
    }
}

/// The latest narrated event, in one line under the picture (the Events tab has the history).
pub fn ticker(model: &Model, on_term: &Callback<&'static str>) -> Html {
    let sim = &model.session.sim;
    let latest = sim.journal.iter().rev().take(400).find_map(|e| sim.narrate(e).map(|t| (e.at_ms, t)));
    html! {
        <p class="ticker" id="ticker" aria-live="polite">
            if let Some((at, text)) = latest {
                <time>{format_time(at)}</time>{" "}{crate::components::glossary::linked_text(&text, on_term)}
            } else {
                <span class="muted">{"Nothing has happened yet: press Play, or act on the picture."}</span>
            }
        </p>
    }
}

//! Configuration panels with Kafka's real names, defaults and a one-line help each: a topic (create,
//! or alter an existing one), a new producer, a new consumer. Applying a panel runs the equivalent
//! commands (`kafka-topics --create`, `kafka-configs --alter`, `producer start … --producer-property`,
//! `consumer start … --consumer-property`), which echo in the console; a refused one shows Kafka's
//! error there and under the form. Only settings that differ from the default are passed, as a user
//! who leaves a field alone has not set it (this matters for Kafka's idempotence rules).

use crate::glossary::find;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A topic as the panel needs it (current values, to prefill and to send only what changed).
#[derive(Clone, Debug, PartialEq)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    pub min_isr: u32,
    pub unclean: bool,
    pub retention_ms: i64,
    pub retention_bytes: i64,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub topics: Rc<Vec<TopicInfo>>,
    pub groups: Rc<Vec<String>>,
    pub next_producer: String,
    pub next_consumer: String,
    pub live_brokers: usize,
    /// The console's last entry (input, output lines, error), to show what applying did.
    pub last: Option<(String, Vec<String>, bool)>,
    pub run: Callback<String>,
    pub on_term: Callback<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Topic,
    Producer,
    Consumer,
}

/// The value of the input or select with this id.
fn val(id: &str) -> String {
    let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return String::new();
    };
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        return i.value().trim().to_string();
    }
    el.dyn_ref::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// One labelled field: Kafka's name, the input, its default and a one-line help.
fn field(
    id: &str,
    name: &'static str,
    input: Html,
    default: &str,
    help: &str,
    term_id: Option<&'static str>,
    on_term: &Callback<&'static str>,
) -> Html {
    let more = term_id.filter(|t| find(t).is_some()).map(|t| {
        let onclick = on_term.reform(move |_: MouseEvent| t);
        html! { <button type="button" class="term more" data-term={t} aria-haspopup="dialog" aria-label={format!("What is {name}?")} {onclick}>{"?"}</button> }
    });
    html! {
        <div class="field">
            <label for={id.to_string()}><code>{name}</code></label>
            {input}
            {more}
            <p class="field-help">{help}<span class="default">{format!(" Default: {default}.")}</span></p>
        </div>
    }
}

fn number(id: &str, value: String, min: &str) -> Html {
    html! { <input id={id.to_string()} type="number" min={min.to_string()} value={value} /> }
}

fn select(id: &str, options: &[&str], selected: &str) -> Html {
    html! {
        <select id={id.to_string()}>
            { for options.iter().map(|o| html! { <option value={o.to_string()} selected={*o == selected}>{*o}</option> }) }
        </select>
    }
}

fn text(id: &str, value: String, placeholder: &str) -> Html {
    html! { <input id={id.to_string()} type="text" value={value} placeholder={placeholder.to_string()} autocomplete="off" spellcheck="false" /> }
}

/// `--config`/`--add-config` pairs for the topic form's values that differ from `base`.
fn topic_changes(base: &TopicInfo, min_isr: &str, unclean: &str, ret_ms: &str, ret_bytes: &str) -> Vec<String> {
    let mut out = Vec::new();
    if min_isr != base.min_isr.to_string() {
        out.push(format!("min.insync.replicas={min_isr}"));
    }
    if unclean != base.unclean.to_string() {
        out.push(format!("unclean.leader.election.enable={unclean}"));
    }
    if ret_ms != base.retention_ms.to_string() {
        out.push(format!("retention.ms={ret_ms}"));
    }
    if ret_bytes != base.retention_bytes.to_string() {
        out.push(format!("retention.bytes={ret_bytes}"));
    }
    out
}

const NEW_TOPIC: &str = "(new topic)";

fn default_topic(name: &str) -> TopicInfo {
    TopicInfo {
        name: name.to_string(),
        partitions: 3,
        replication_factor: 3,
        min_isr: 1,
        unclean: false,
        retention_ms: 604_800_000,
        retention_bytes: -1,
    }
}

#[component]
pub fn ConfigPanel(props: &Props) -> Html {
    let tab = use_state(|| Tab::Topic);
    let chosen = use_state(|| None::<String>);
    let submitted = use_state(|| false);
    let on_term = &props.on_term;
    let tab_button = |t: Tab, id: &'static str, label: &'static str| {
        let (tab, submitted) = (tab.clone(), submitted.clone());
        let selected = *tab == t;
        html! {
            <button type="button" role="tab" id={id} aria-selected={selected.to_string()} aria-controls="config-body"
                    class={classes!("tab", selected.then_some("selected"))}
                    onclick={Callback::from(move |_: MouseEvent| { tab.set(t); submitted.set(false); })}>{label}</button>
        }
    };
    let topic_names: Vec<&str> = props.topics.iter().map(|t| t.name.as_str()).collect();
    let body = match *tab {
        Tab::Topic => {
            let current = (*chosen).clone().filter(|c| c == NEW_TOPIC || topic_names.contains(&c.as_str()));
            let current = current.or_else(|| topic_names.first().map(|s| s.to_string())).unwrap_or(NEW_TOPIC.into());
            let existing = props.topics.iter().find(|t| t.name == current).cloned();
            let info = existing.clone().unwrap_or_else(|| default_topic(""));
            let onchange = {
                let chosen = chosen.clone();
                Callback::from(move |e: Event| {
                    let s: HtmlSelectElement = e.target_unchecked_into();
                    chosen.set(Some(s.value()));
                })
            };
            let onsubmit = {
                let (run, submitted, existing) = (props.run.clone(), submitted.clone(), existing.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let (parts, rf) = (val("cfg-partitions"), val("cfg-rf"));
                    let (min_isr, unclean) = (val("cfg-min-isr"), val("cfg-unclean"));
                    let (ret_ms, ret_bytes) = (val("cfg-retention-ms"), val("cfg-retention-bytes"));
                    match &existing {
                        Some(t) => {
                            if parts != t.partitions.to_string() {
                                run.emit(format!("kafka-topics --alter --topic {} --partitions {parts}", t.name));
                            }
                            let changes = topic_changes(t, &min_isr, &unclean, &ret_ms, &ret_bytes);
                            if !changes.is_empty() {
                                run.emit(format!(
                                    "kafka-configs --alter --entity-type topics --entity-name {} --add-config {}",
                                    t.name,
                                    changes.join(",")
                                ));
                            }
                        }
                        None => {
                            let name = val("cfg-topic-name");
                            let name = if name.is_empty() { "topic".to_string() } else { name };
                            let mut line = format!(
                                "kafka-topics --create --topic {name} --partitions {parts} --replication-factor {rf}"
                            );
                            for c in topic_changes(&default_topic(&name), &min_isr, &unclean, &ret_ms, &ret_bytes) {
                                line.push_str(&format!(" --config {c}"));
                            }
                            run.emit(line);
                        }
                    }
                    submitted.set(true);
                })
            };
            let mut options: Vec<&str> = topic_names.clone();
            options.push(NEW_TOPIC);
            html! {
                <form class="config-form" id="config-topic" {onsubmit} key={current.clone()}>
                    <div class="field">
                        <label for="cfg-topic">{"Topic"}</label>
                        <select id="cfg-topic" {onchange}>
                            { for options.iter().map(|o| html! { <option value={o.to_string()} selected={*o == current}>{*o}</option> }) }
                        </select>
                    </div>
                    if existing.is_none() {
                        { field("cfg-topic-name", "name", text("cfg-topic-name", "payments".into(), "payments"), "—", "Letters, digits, '.', '_' and '-'.", Some("topic"), on_term) }
                    }
                    { field("cfg-partitions", "partitions", number("cfg-partitions", info.partitions.to_string(), "1"), "1 (kafka-topics asks for it)",
                        if existing.is_some() { "Can only grow: adding partitions moves keys to other partitions." } else { "Parallelism: a group has at most this many busy consumers." }, Some("partition"), on_term) }
                    { field("cfg-rf", "replication factor", html! {
                        <input id="cfg-rf" type="number" min="1" value={info.replication_factor.to_string()} disabled={existing.is_some()} />
                      }, "broker default 1",
                        if existing.is_some() { "Fixed after creation here (Kafka changes it by reassigning partitions)." } else { "Copies of each partition; at most the number of live brokers." }, Some("replica"), on_term) }
                    { field("cfg-min-isr", "min.insync.replicas", number("cfg-min-isr", info.min_isr.to_string(), "1"), "1",
                        "With acks=all, writes are refused while the ISR is smaller than this.", Some("min-isr"), on_term) }
                    { field("cfg-unclean", "unclean.leader.election.enable", select("cfg-unclean", &["false", "true"], &info.unclean.to_string()), "false",
                        "Let an out-of-sync replica lead when no ISR member is left (may lose acked records).", Some("unclean"), on_term) }
                    { field("cfg-retention-ms", "retention.ms", number("cfg-retention-ms", info.retention_ms.to_string(), "-1"), "604800000 (7 days)",
                        "Delete records older than this; -1 keeps them forever.", Some("retention"), on_term) }
                    { field("cfg-retention-bytes", "retention.bytes", number("cfg-retention-bytes", info.retention_bytes.to_string(), "-1"), "-1 (no limit)",
                        "Per partition: delete the oldest records beyond this size.", Some("retention"), on_term) }
                    <button type="submit" id="cfg-topic-apply">{ if existing.is_some() { "Apply (kafka-configs --alter)" } else { "Create (kafka-topics --create)" } }</button>
                </form>
            }
        }
        Tab::Producer => {
            let onsubmit = {
                let (run, submitted) = (props.run.clone(), submitted.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let name = val("cfg-p-name");
                    let mut line = format!(
                        "producer start {} --topic {}",
                        if name.is_empty() { "p" } else { &name },
                        val("cfg-p-topic")
                    );
                    let rate = val("cfg-p-rate");
                    if rate != "0" && !rate.is_empty() {
                        line.push_str(&format!(" --rate {rate}/s"));
                    }
                    let keys = val("cfg-p-keys");
                    if !keys.is_empty() {
                        line.push_str(&format!(" --keys {}", keys.replace(' ', "")));
                    }
                    for (id, key, default) in [
                        ("cfg-acks", "acks", "all"),
                        ("cfg-idempotence", "enable.idempotence", "true"),
                        ("cfg-max-in-flight", "max.in.flight.requests.per.connection", "5"),
                        ("cfg-linger", "linger.ms", "5"),
                    ] {
                        let v = val(id);
                        if v != default {
                            line.push_str(&format!(" --producer-property {key}={v}"));
                        }
                    }
                    run.emit(line);
                    submitted.set(true);
                })
            };
            html! {
                <form class="config-form" id="config-producer" {onsubmit}>
                    { field("cfg-p-name", "name", text("cfg-p-name", props.next_producer.clone(), "p2"), "—", "The producer's client id in the picture and the console.", Some("producer"), on_term) }
                    { field("cfg-p-topic", "topic", select("cfg-p-topic", &topic_names, topic_names.first().copied().unwrap_or("")), "—", "Where its records go.", Some("topic"), on_term) }
                    { field("cfg-p-rate", "rate (records/s)", number("cfg-p-rate", "1".into(), "0"), "simulator knob", "0 sends only on demand (its menu's Send).", None, on_term) }
                    { field("cfg-p-keys", "keys", text("cfg-p-keys", "alice,bob,carol".into(), "empty = null keys"), "simulator knob", "Comma-separated; each record takes one. Empty: null keys, spread by the sticky partitioner.", None, on_term) }
                    { field("cfg-acks", "acks", select("cfg-acks", &["all", "1", "0"], "all"), "all", "Replicas that must have a record before it is acknowledged.", Some("acks"), on_term) }
                    { field("cfg-idempotence", "enable.idempotence", select("cfg-idempotence", &["true", "false"], "true"), "true", "Broker drops retried duplicates; needs acks=all and max.in.flight ≤ 5.", Some("idempotence"), on_term) }
                    { field("cfg-max-in-flight", "max.in.flight.requests.per.connection", number("cfg-max-in-flight", "5".into(), "1"), "5", "Unanswered produce requests allowed at once.", Some("max-in-flight"), on_term) }
                    { field("cfg-linger", "linger.ms", number("cfg-linger", "5".into(), "0"), "5", "Wait this long to fill a batch before sending.", Some("linger"), on_term) }
                    <button type="submit" id="cfg-producer-start">{"Start producer"}</button>
                </form>
            }
        }
        Tab::Consumer => {
            let onsubmit = {
                let (run, submitted) = (props.run.clone(), submitted.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let id = val("cfg-c-id");
                    let group = val("cfg-c-group");
                    let mut line = format!(
                        "consumer start {} --group {} --topic {}",
                        if id.is_empty() { "c" } else { &id },
                        if group.is_empty() { "group" } else { &group },
                        val("cfg-c-topic")
                    );
                    for (fid, key, default) in [
                        ("cfg-strategy", "partition.assignment.strategy", "range,cooperative-sticky"),
                        ("cfg-auto-commit", "enable.auto.commit", "true"),
                        ("cfg-offset-reset", "auto.offset.reset", "latest"),
                        ("cfg-isolation", "isolation.level", "read_uncommitted"),
                        ("cfg-session", "session.timeout.ms", "45000"),
                        ("cfg-max-poll", "max.poll.interval.ms", "300000"),
                    ] {
                        let v = val(fid);
                        if v != default {
                            line.push_str(&format!(" --consumer-property {key}={v}"));
                        }
                    }
                    let processing = val("cfg-c-processing");
                    if processing != "0" && !processing.is_empty() {
                        line.push_str(&format!(" --processing {processing}ms"));
                    }
                    run.emit(line);
                    submitted.set(true);
                })
            };
            let group = props.groups.first().cloned().unwrap_or_else(|| "billing".into());
            html! {
                <form class="config-form" id="config-consumer" {onsubmit}>
                    { field("cfg-c-id", "client.id", text("cfg-c-id", props.next_consumer.clone(), "c3"), "—", "The consumer's name in the picture and the console.", Some("consumer"), on_term) }
                    { field("cfg-c-group", "group.id", text("cfg-c-group", group, "billing"), "—", "An existing group to join it, or a new name to start a group.", Some("group"), on_term) }
                    { field("cfg-c-topic", "topic", select("cfg-c-topic", &topic_names, topic_names.first().copied().unwrap_or("")), "—", "What it subscribes to.", Some("topic"), on_term) }
                    { field("cfg-c-processing", "processing time (ms/record)", number("cfg-c-processing", "200".into(), "0"), "0 (simulator knob)", "How long the application takes per record.", None, on_term) }
                    { field("cfg-strategy", "partition.assignment.strategy", select("cfg-strategy", &["range,cooperative-sticky", "range", "roundrobin", "sticky", "cooperative-sticky"], "range,cooperative-sticky"),
                        "range,cooperative-sticky", "How the group splits partitions; cooperative moves only what changes.", Some("assignor"), on_term) }
                    { field("cfg-auto-commit", "enable.auto.commit", select("cfg-auto-commit", &["true", "false"], "true"), "true",
                        "Commit the position every 5 s; false commits after processing (at-least-once).", Some("auto-commit"), on_term) }
                    { field("cfg-offset-reset", "auto.offset.reset", select("cfg-offset-reset", &["latest", "earliest", "none"], "latest"), "latest",
                        "Where to start without a committed offset.", Some("offset-reset"), on_term) }
                    { field("cfg-isolation", "isolation.level", select("cfg-isolation", &["read_uncommitted", "read_committed"], "read_uncommitted"), "read_uncommitted",
                        "read_committed hides records of open or aborted transactions.", Some("isolation"), on_term) }
                    { field("cfg-session", "session.timeout.ms", number("cfg-session", "45000".into(), "6000"), "45000",
                        "Without heartbeats this long, the member is removed and the group rebalances.", Some("session-timeout"), on_term) }
                    { field("cfg-max-poll", "max.poll.interval.ms", number("cfg-max-poll", "300000".into(), "1"), "300000",
                        "Longest gap between poll() calls before the member leaves.", Some("max-poll"), on_term) }
                    <button type="submit" id="cfg-consumer-start">{"Start consumer"}</button>
                </form>
            }
        }
    };
    let result = match (&props.last, *submitted) {
        (Some((input, lines, error)), true) => html! {
            <div class={classes!("config-result", error.then_some("error"))} role="status">
                <code>{format!("> {input}")}</code>
                { for lines.iter().take(4).map(|l| html! { <div>{l.clone()}</div> }) }
            </div>
        },
        _ => Html::default(),
    };
    html! {
        <section class="panel config" id="config" aria-labelledby="config-h">
            <h2 id="config-h">{"Configure"}<span class="hint">{" Kafka's names and defaults; applying runs the command"}</span></h2>
            <div role="tablist" aria-label="What to configure" class="tabs">
                { tab_button(Tab::Topic, "tab-topic", "Topic") }
                { tab_button(Tab::Producer, "tab-producer", "New producer") }
                { tab_button(Tab::Consumer, "tab-consumer", "New consumer") }
            </div>
            <div id="config-body" role="tabpanel">{body}</div>
            {result}
            if props.live_brokers == 0 {
                <p class="muted">{"No live broker: start one first."}</p>
            }
        </section>
    }
}

/// The props for the panel, read from the model.
pub fn props_for(model: &crate::state::Model, run: Callback<String>, on_term: Callback<&'static str>) -> Props {
    let sim = &model.session.sim;
    let topics: Vec<TopicInfo> = sim
        .live_topics()
        .map(|(_, t)| t)
        .filter(|t| !t.name.starts_with("__"))
        .map(|t| TopicInfo {
            name: t.name.clone(),
            partitions: t.partitions,
            replication_factor: t.replication_factor,
            min_isr: t.config.min_insync_replicas,
            unclean: t.config.unclean_leader_election_enable,
            retention_ms: t.config.retention_ms,
            retention_bytes: t.config.retention_bytes,
        })
        .collect();
    let mut groups: Vec<String> = sim.consumers.iter().filter(|c| !c.removed).map(|c| c.group_name.clone()).collect();
    kafkascope_sim::sort::sort(&mut groups);
    groups.dedup();
    let next = |prefix: &str, taken: &dyn Fn(&str) -> bool| {
        (1..).map(|n| format!("{prefix}{n}")).find(|n| !taken(n)).unwrap_or_default()
    };
    Props {
        topics: Rc::new(topics),
        groups: Rc::new(groups),
        next_producer: next("p", &|n| sim.producer_by_name(n).is_some()),
        next_consumer: next("c", &|n| sim.consumer_by_id(n).is_some()),
        live_brokers: sim.live_broker_ids().len(),
        last: model.console.last().map(|c| (c.input.clone(), c.lines.clone(), c.error)),
        run,
        on_term,
    }
}

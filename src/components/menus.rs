//! Action menus: clicking (or Enter on) a broker, consumer, producer or group opens a small sheet of
//! the things one can do to it. Every button is one or more command lines of the shared vocabulary,
//! run through the same path as the console (so each shows there as the CLI it stands for). The
//! "Add" bar adds brokers, producers, consumers, topics and groups the same way.

use crate::state::Model;
use kafkascope_sim::clients::consumer::{CommitMode, ConsumerStatus, OffsetReset};
use kafkascope_sim::clients::producer::{ClientStatus, KeySpec};
use kafkascope_sim::model::{BrokerId, ProducerConfig};
use kafkascope_sim::Sim;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What a menu is open on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Broker(BrokerId),
    Consumer(u32),
    Producer(u32),
    Group(String),
    /// A KRaft controller of the quorum, by id.
    Controller(u32),
}

impl Target {
    /// A CSS selector for the drawn element, to give focus back when the menu closes.
    pub fn selector(&self) -> String {
        match self {
            Target::Broker(b) => format!("svg#cluster g.broker[data-broker=\"{b}\"]"),
            Target::Group(g) => format!("svg#cluster g.group-header[data-group=\"{g}\"]"),
            Target::Producer(i) => format!("svg#cluster g.producer[data-index=\"{i}\"]"),
            Target::Consumer(i) => format!("svg#cluster g.consumer[data-index=\"{i}\"]"),
            Target::Controller(id) => format!("svg#cluster g.quorum-node[data-controller=\"{id}\"]"),
        }
    }
}

/// The `consumer start` line that restarts consumer `ci` with the settings it had (Kafka's
/// property names, only those that differ from the defaults), optionally with a new processing time.
pub fn consumer_start_line(sim: &Sim, ci: u32, processing_ms: Option<u64>) -> Option<String> {
    let c = sim.consumers.get(ci as usize)?;
    let d = kafkascope_sim::clients::consumer::ConsumerConfig::default();
    let topics: Vec<String> = c.topics.iter().map(|t| sim.topic(*t).name.clone()).collect();
    let mut line = format!("consumer start {} --group {} --topic {}", c.client_id, c.group_name, topics.join(","));
    let cfg = &c.config;
    if cfg.strategies != d.strategies {
        let names: Vec<&str> = cfg.strategies.iter().map(|s| s.name()).collect();
        line.push_str(&format!(" --consumer-property partition.assignment.strategy={}", names.join(",")));
    }
    if let Some(id) = &cfg.group_instance_id {
        line.push_str(&format!(" --consumer-property group.instance.id={id}"));
    }
    if cfg.read_committed {
        line.push_str(" --consumer-property isolation.level=read_committed");
    }
    if cfg.auto_offset_reset != d.auto_offset_reset {
        let v = match cfg.auto_offset_reset {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        };
        line.push_str(&format!(" --consumer-property auto.offset.reset={v}"));
    }
    for (name, v, dv) in [
        ("session.timeout.ms", cfg.session_timeout_ms, d.session_timeout_ms),
        ("heartbeat.interval.ms", cfg.heartbeat_interval_ms, d.heartbeat_interval_ms),
        ("max.poll.interval.ms", cfg.max_poll_interval_ms, d.max_poll_interval_ms),
        ("max.poll.records", cfg.max_poll_records as u64, d.max_poll_records as u64),
        ("auto.commit.interval.ms", cfg.auto_commit_interval_ms, d.auto_commit_interval_ms),
    ] {
        if v != dv {
            line.push_str(&format!(" --consumer-property {name}={v}"));
        }
    }
    let processing = processing_ms.unwrap_or(cfg.processing_ms);
    if processing > 0 {
        line.push_str(&format!(" --processing {processing}ms"));
    }
    if cfg.commit != CommitMode::Auto {
        line.push_str(&format!(" --commit {}", cfg.commit.name()));
    }
    Some(line)
}

/// The `producer start` line that restarts producer `pi` with its settings.
pub fn producer_start_line(sim: &Sim, pi: u32) -> Option<String> {
    let p = sim.producers.get(pi as usize)?;
    let d = ProducerConfig::default();
    let mut line = format!("producer start {}", p.name);
    if let Some(t) = p.topic {
        line.push_str(&format!(" --topic {}", sim.topic(t).name));
    }
    if p.rate_per_s > 0 {
        line.push_str(&format!(" --rate {}/s", p.rate_per_s));
    }
    match &p.keys {
        KeySpec::Keys(ks) if !ks.is_empty() => {
            let names: Vec<&str> = ks.iter().map(|k| sim.interner.get(*k)).collect();
            line.push_str(&format!(" --keys {}", names.join(",")));
        }
        _ => {}
    }
    let c = &p.config;
    if c.acks != d.acks {
        line.push_str(&format!(" --producer-property acks={}", c.acks.name()));
    }
    if let Some(id) = &c.transactional_id {
        line.push_str(&format!(" --producer-property transactional.id={id}"));
    }
    if c.enable_idempotence != d.enable_idempotence {
        line.push_str(&format!(" --producer-property enable.idempotence={}", c.enable_idempotence));
    }
    for (name, v, dv) in [
        ("max.in.flight.requests.per.connection", c.max_in_flight as u64, d.max_in_flight as u64),
        ("linger.ms", c.linger_ms, d.linger_ms),
        ("retries", c.retries as u64, d.retries as u64),
        ("delivery.timeout.ms", c.delivery_timeout_ms, d.delivery_timeout_ms),
        ("request.timeout.ms", c.request_timeout_ms, d.request_timeout_ms),
    ] {
        if v != dv {
            line.push_str(&format!(" --producer-property {name}={v}"));
        }
    }
    Some(line)
}

/// One button of a menu: a label, what it does in a few words, and the command lines it runs.
struct Item {
    id: &'static str,
    label: String,
    help: &'static str,
    lines: Vec<String>,
}

fn item(id: &'static str, label: impl Into<String>, help: &'static str, lines: Vec<String>) -> Item {
    Item { id, label: label.into(), help, lines }
}

/// Runs each line in order (each is echoed in the console), then closes the menu.
fn run_all(run: &Callback<String>, close: &Callback<()>, lines: Vec<String>) -> Callback<MouseEvent> {
    let (run, close) = (run.clone(), close.clone());
    Callback::from(move |_| {
        for l in &lines {
            run.emit(l.clone());
        }
        close.emit(());
    })
}

fn broker_items(sim: &Sim, b: BrokerId) -> (String, Vec<Item>) {
    let state = sim.broker_state_name(b);
    let isolated = sim.net.isolated.contains(&b);
    let down = matches!(state, "dead" | "stopped");
    let mut items = Vec::new();
    if down {
        items.push(item(
            "restart",
            "Restart",
            "start the broker again; it registers and catches up",
            vec![format!("broker start {b}")],
        ));
        items.push(item(
            "remove",
            "Remove from the cluster",
            "unregister it: only a broker that holds no replica (move its replicas with kafka-reassign-partitions first)",
            vec![format!("broker remove {b}")],
        ));
    } else {
        items.push(item(
            "kill",
            "Kill",
            "crash: no clean shutdown, found by missed heartbeats",
            vec![format!("broker kill {b}")],
        ));
        items.push(item(
            "stop",
            "Controlled stop",
            "clean shutdown: leadership moves away first",
            vec![format!("broker stop {b}")],
        ));
    }
    if isolated {
        items.push(item(
            "heal",
            "Heal network",
            "restore its links to the controller and brokers",
            vec![format!("broker heal {b}")],
        ));
    } else if !down {
        items.push(item(
            "isolate",
            "Isolate",
            "cut its links to the controller and other brokers",
            vec![format!("broker isolate {b}")],
        ));
    }
    if let Some(rack) = sim.broker_rack(b) {
        // The whole rack: its power or its switch.
        let on = sim.rack_brokers(&rack);
        let ids = on.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        if on.iter().any(|x| sim.brokers.get(x).is_some_and(|br| br.is_running())) {
            items.push(item(
                "kill-rack",
                format!("Kill rack {rack} (brokers {ids})"),
                "the rack fails (power or switch): every broker on it crashes at once",
                vec![format!("rack kill {rack}")],
            ));
        }
        if on.iter().any(|x| sim.brokers.get(x).is_some_and(|br| !br.is_running())) {
            items.push(item(
                "start-rack",
                format!("Start rack {rack} (brokers {ids})"),
                "the rack comes back: its brokers that are down start and catch up",
                vec![format!("rack start {rack}")],
            ));
        }
    }
    let leads = sim.leaderships(b);
    let rack = sim.broker_rack(b).map_or(String::new(), |r| format!(" · rack {r}"));
    let meta = sim.brokers.get(&b).map_or(String::new(), |br| {
        format!(" · metadata offset {} of {}", br.metadata_offset, sim.quorum.committed_end())
    });
    (format!("Broker {b}{rack} · {state}{} · leads {leads}{meta}", if isolated { " · isolated" } else { "" }), items)
}

/// The `processor start` line that restarts read-process-write app `ci` with its settings.
pub fn processor_start_line(sim: &Sim, ci: u32) -> Option<String> {
    let c = sim.consumers.get(ci as usize)?;
    let app = c.app.as_ref()?;
    let inputs = c.topics.iter().map(|t| sim.topic(*t).name.clone()).collect::<Vec<_>>().join(",");
    let guarantee = if app.eos { "exactly_once_v2" } else { "at_least_once" };
    let mut line = format!(
        "processor start {} --group {} --input {inputs} --output {} --processing-guarantee {guarantee}",
        c.client_id,
        c.group_name,
        sim.topic(app.output).name
    );
    if c.config.processing_ms > 0 {
        line.push_str(&format!(" --processing {}ms", c.config.processing_ms));
    }
    if c.config.auto_offset_reset == kafkascope_sim::clients::consumer::OffsetReset::Earliest {
        line.push_str(" --consumer-property auto.offset.reset=earliest");
    }
    Some(line)
}

/// A read-process-write app: its consumer and producer are one process.
fn processor_items(sim: &Sim, ci: u32) -> (String, Vec<Item>) {
    let Some(c) = sim.consumers.get(ci as usize) else { return (String::new(), Vec::new()) };
    let id = &c.client_id;
    let mut items = Vec::new();
    if c.is_alive() {
        items.push(item(
            "kill",
            "Kill the app",
            "crash mid-batch: its consumer and producer die together",
            vec![format!("processor kill {id}")],
        ));
        items.push(item(
            "stop",
            "Stop the app",
            "close its consumer and producer",
            vec![format!("processor stop {id}")],
        ));
    } else if let Some(l) = processor_start_line(sim, ci) {
        items.push(item(
            "restart",
            "Restart the app",
            "a new instance: initTransactions() fences the old one, the group rebalances",
            vec![l],
        ));
    }
    items.push(item(
        "remove",
        "Remove the app",
        "stop it if it runs, then take it off the picture",
        vec![format!("processor remove {id}")],
    ));
    let guarantee = c.app.as_ref().map_or("", |a| if a.eos { "exactly_once_v2" } else { "at_least_once" });
    (format!("App {id} · group {} · {guarantee}", c.group_name), items)
}

fn consumer_items(sim: &Sim, ci: u32) -> (String, Vec<Item>) {
    let Some(c) = sim.consumers.get(ci as usize) else { return (String::new(), Vec::new()) };
    if c.app.is_some() {
        return processor_items(sim, ci);
    }
    let id = &c.client_id;
    let mut items = Vec::new();
    match c.status {
        ConsumerStatus::Dead | ConsumerStatus::Stopped => {
            if let Some(l) = consumer_start_line(sim, ci, None) {
                items.push(item(
                    "restart",
                    "Restart",
                    "start it again with the same settings; it rejoins the group",
                    vec![l],
                ));
            }
        }
        status => {
            items.push(item(
                "kill",
                "Kill",
                "crash: no LeaveGroup, removed after session.timeout.ms",
                vec![format!("consumer kill {id}")],
            ));
            items.push(item(
                "stop",
                "Stop",
                "close(): commit, LeaveGroup, immediate rebalance",
                vec![format!("consumer stop {id}")],
            ));
            if status == ConsumerStatus::Paused {
                items.push(item("resume", "Resume", "call poll() again", vec![format!("consumer resume {id}")]));
            } else {
                items.push(item(
                    "pause",
                    "Pause",
                    "stop calling poll(): heartbeats go on until max.poll.interval.ms",
                    vec![format!("consumer pause {id}")],
                ));
            }
        }
    }
    items.push(item(
        "remove",
        "Remove",
        "close() it if it runs (commit, LeaveGroup), then take it off the picture",
        vec![format!("consumer remove {id}")],
    ));
    (format!("Consumer {id} · group {} · processing {} ms/record", c.group_name, c.config.processing_ms), items)
}

fn producer_items(sim: &Sim, pi: u32) -> (String, Vec<Item>) {
    let Some(p) = sim.producers.get(pi as usize) else { return (String::new(), Vec::new()) };
    let mut items = Vec::new();
    if p.status == ClientStatus::Running {
        items.push(item(
            "kill",
            "Kill",
            "crash: what it was sending is lost",
            vec![format!("producer kill {}", p.name)],
        ));
        items.push(item(
            "stop",
            "Stop",
            "close(): sends what it has, then stops",
            vec![format!("producer stop {}", p.name)],
        ));
        if let (Some(t), None) = (p.topic, &p.txn) {
            items.push(item(
                "produce",
                "Send one record",
                "one record through this producer",
                vec![format!("produce --topic {} --producer {} --async", sim.topic(t).name, p.name)],
            ));
        }
        if let (Some(t), None) = (&p.txn, p.app) {
            use kafkascope_sim::coordinators::txn::TxnClientState as S;
            let topic = p
                .topic
                .or_else(|| sim.live_topics().find(|(_, t)| !t.name.starts_with("__")).map(|(i, _)| i))
                .map(|t| sim.topic(t).name.clone());
            let txn = |verb: &str| vec![format!("transaction {verb} --producer {} --async", p.name)];
            match t.state {
                S::Ready => items.push(item("begin", "Begin transaction", "beginTransaction()", txn("begin"))),
                S::InTransaction => {
                    if let Some(topic) = topic {
                        items.push(item(
                            "produce",
                            "Send one record in the transaction",
                            "invisible to read_committed readers until the commit",
                            vec![format!("produce --topic {topic} --producer {} --async", p.name)],
                        ));
                    }
                    items.push(item(
                        "commit",
                        "Commit transaction",
                        "EndTxn(COMMIT): markers, then visible",
                        txn("commit"),
                    ));
                    items.push(item(
                        "abort",
                        "Abort transaction",
                        "EndTxn(ABORT): its records are skipped",
                        txn("abort"),
                    ));
                }
                S::AbortableError(_) => {
                    items.push(item("abort", "Abort transaction", "a send failed: the only way on", txn("abort")))
                }
                _ => {}
            }
        }
    } else if let Some(l) = producer_start_line(sim, pi) {
        items.push(item("restart", "Restart", "start it again with the same settings", vec![l]));
    }
    if p.app.is_none() {
        items.push(item(
            "remove",
            "Remove",
            "close() it if it runs (what it holds is still sent), then take it off the picture",
            vec![format!("producer remove {}", p.name)],
        ));
    }
    (
        format!("Producer {} · acks={} · idempotence={}", p.name, p.config.acks.name(), p.config.enable_idempotence),
        items,
    )
}

fn group_items(sim: &Sim, group: &str) -> (String, Vec<Item>) {
    let mut items = vec![item(
        "describe",
        "Describe",
        "committed offsets, lag and owners (kafka-consumer-groups)",
        vec![format!("kafka-consumer-groups --describe --group {group}")],
    )];
    // A new member: the next free client id in this group's pattern, the topics of its members.
    let members: Vec<&kafkascope_sim::clients::consumer::Consumer> =
        sim.consumers.iter().filter(|c| c.group_name == group).collect();
    if let Some(first) = members.first() {
        let mut n = members.len() + 1;
        let id = loop {
            let id = format!("{group}-c{n}");
            if sim.consumer_by_id(&id).is_none() {
                break id;
            }
            n += 1;
        };
        let topics: Vec<String> = first.topics.iter().map(|t| sim.topic(*t).name.clone()).collect();
        let mut line = format!("consumer start {id} --group {group} --topic {}", topics.join(","));
        if first.config.processing_ms > 0 {
            line.push_str(&format!(" --processing {}ms", first.config.processing_ms));
        }
        items.push(item(
            "add-member",
            format!("Add consumer {id}"),
            "a new member joins: the group rebalances",
            vec![line],
        ));
        for t in topics {
            items.push(item(
                "reset-earliest",
                format!("Reset {t} to earliest"),
                "rewind committed offsets (only while the group is empty)",
                vec![format!(
                    "kafka-consumer-groups --reset-offsets --group {group} --topic {t} --to-earliest --execute"
                )],
            ));
        }
    }
    let known = sim.interner.find(group).and_then(|s| sim.groups.get(&s));
    if let Some(g) = known {
        let help = if g.members.is_empty() {
            "delete the group and its committed offsets (it has no members)"
        } else {
            "Kafka refuses while the group has members: stop or remove them first"
        };
        items.push(item(
            "delete",
            "Delete group",
            help,
            vec![format!("kafka-consumer-groups --delete --group {group}")],
        ));
    }
    let state =
        known.map_or("not joined yet".to_string(), |g| format!("{} · generation {}", g.state.name(), g.generation));
    (format!("Group {group} · {state}"), items)
}

/// The newest records of a controller's copy of the metadata log, committed ones plain and the
/// rest marked (they count only once a majority holds them).
fn metadata_log(sim: &Sim, id: u32) -> Html {
    const SHOWN: u64 = 8;
    let Some(node) = sim.quorum.node(id) else { return Html::default() };
    let end = node.log_end_offset();
    let from = end.saturating_sub(SHOWN);
    html! {
        <section class="metadata-log" aria-label={format!("Controller {id}'s copy of __cluster_metadata")}>
            <h3>{format!("__cluster_metadata on controller {id}: offsets {from}..{end}, HW {}", node.hw)}</h3>
            <ol class="meta-records" start={from.to_string()}>
                { for (from..end).filter_map(|o| node.entry(o)).map(|e| {
                    let committed = e.offset < node.hw;
                    html! {
                        <li class={classes!((!committed).then_some("uncommitted"))} value={e.offset.to_string()}>
                            <code>{format!("{} · e{} · {}", e.offset, e.epoch, e.record.summary(sim))}</code>
                            if !committed { <span class="muted">{" (not committed yet)"}</span> }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

fn controller_items(sim: &Sim, id: u32) -> (String, Vec<Item>) {
    use kafkascope_sim::cluster::quorum::ControllerStatus;
    let Some(node) = sim.quorum.node(id) else { return (format!("Controller {id} · not in the quorum"), Vec::new()) };
    let isolated = sim.net.isolated_controllers.contains(&id);
    let mut items = Vec::new();
    if node.is_running() {
        items.push(item(
            "kill",
            "Kill",
            "crash: its log survives on disk; the others elect a leader if it led",
            vec![format!("controller kill {id}")],
        ));
        items.push(item(
            "stop",
            "Clean stop",
            "shut down; a leader resigns first (EndQuorumEpoch) so the election is quick",
            vec![format!("controller stop {id}")],
        ));
    } else {
        items.push(item(
            "restart",
            "Restart",
            "start it again: it learns the leader, truncates what was never committed and catches up",
            vec![format!("controller start {id}")],
        ));
    }
    if isolated {
        items.push(item(
            "heal",
            "Heal network",
            "restore its links to the other controllers and the brokers",
            vec![format!("controller heal {id}")],
        ));
    } else if node.is_running() {
        items.push(item(
            "isolate",
            "Isolate",
            "cut its links to the other controllers and the brokers",
            vec![format!("controller isolate {id}")],
        ));
    }
    let state = match node.status {
        ControllerStatus::Running => node.role.name(),
        ControllerStatus::Dead => "dead",
        ControllerStatus::Stopped => "stopped",
    };
    (
        format!(
            "Controller {id} · {state}{} · epoch {} · log end {} · HW {}",
            if isolated { " · isolated" } else { "" },
            node.epoch,
            node.log_end_offset(),
            node.hw
        ),
        items,
    )
}

/// The open menu, drawn as a sheet under the picture. `None` when nothing is open.
pub fn view(model: &Model, target: Option<&Target>, run: &Callback<String>, close: &Callback<()>) -> Html {
    let Some(target) = target else { return Html::default() };
    let sim = &model.session.sim;
    let (title, items) = match target {
        Target::Broker(b) => broker_items(sim, *b),
        Target::Consumer(c) => consumer_items(sim, *c),
        Target::Producer(p) => producer_items(sim, *p),
        Target::Group(g) => group_items(sim, g),
        Target::Controller(id) => controller_items(sim, *id),
    };
    let onclose = close.reform(|_: MouseEvent| ());
    let onkeydown = crate::components::escape_closes(close);
    let processing = match target {
        Target::Consumer(ci) => processing_form(sim, *ci, run, close),
        Target::Controller(id) => metadata_log(sim, *id),
        _ => Html::default(),
    };
    html! {
        <section class="panel action-menu" role="dialog" aria-labelledby="menu-title" {onkeydown}>
            <h2 id="menu-title">{title}</h2>
            <ul class="menu-items">
                { for items.into_iter().map(|it| html! {
                    <li>
                        <button type="button" class="menu-item" data-action={it.id} onclick={run_all(run, close, it.lines.clone())}
                                title={it.lines.join("\n")}>
                            {it.label}
                        </button>
                        <span class="menu-help">{it.help}</span>
                    </li>
                }) }
            </ul>
            {processing}
            <button type="button" class="menu-close" onclick={onclose}>{"Close (Esc)"}</button>
        </section>
    }
}

/// Change a consumer's processing time per record. The simulator sets it when a consumer starts
/// (`--processing`), so this closes the consumer and starts it again with the new time.
fn processing_form(sim: &Sim, ci: u32, run: &Callback<String>, close: &Callback<()>) -> Html {
    let Some(c) = sim.consumers.get(ci as usize) else { return Html::default() };
    let running = c.is_alive();
    let (run, close, client) = (run.clone(), close.clone(), c.client_id.clone());
    // The start line without a processing time; the submitted value is inserted into it.
    let base = consumer_start_line(sim, ci, Some(0)).unwrap_or_default();
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let input = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("menu-processing"))
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(el).ok());
        let Some(ms) = input.and_then(|i| i.value().trim().parse::<u64>().ok()) else { return };
        let line = with_processing(&base, ms);
        if running {
            run.emit(format!("consumer stop {client}"));
        }
        run.emit(line);
        close.emit(());
    });
    html! {
        <form class="processing-form" {onsubmit}>
            <label for="menu-processing">{"Processing time per record (ms)"}</label>
            <input id="menu-processing" type="number" min="0" max="600000" step="10" value={c.config.processing_ms.to_string()} />
            <button type="submit" class="menu-item" data-action="processing">
                { if running { "Restart with this time" } else { "Start with this time" } }
            </button>
            <span class="menu-help">{"the simulator sets it at start (--processing), so a running consumer is stopped and started again: the group rebalances"}</span>
        </form>
    }
}

/// `line` (a start line built with no processing time) with `--processing MSms` inserted.
fn with_processing(line: &str, ms: u64) -> String {
    if ms == 0 {
        return line.to_string();
    }
    match line.find(" --commit ") {
        Some(i) => format!("{} --processing {ms}ms{}", &line[..i], &line[i..]),
        None => format!("{line} --processing {ms}ms"),
    }
}

/// The bar of "add" actions above the picture: a broker with the next free id; producers,
/// consumers, topics and groups come from the configuration panel's forms.
pub fn add_bar(model: &Model, run: &Callback<String>) -> Html {
    let sim = &model.session.sim;
    let next = sim.brokers.keys().max().map_or(1, |b| b + 1);
    let line = format!("broker start {next}");
    let onclick = {
        let (run, line) = (run.clone(), line.clone());
        Callback::from(move |_: MouseEvent| run.emit(line.clone()))
    };
    html! {
        <button type="button" id="add-broker" {onclick} title={line}>{format!("+ Broker {next}")}</button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn restart_lines_keep_the_settings_and_parse() {
        let m = Model::new();
        let sim = &m.session.sim;
        let c1 = sim.consumer_by_id("c1").unwrap();
        let line = consumer_start_line(sim, c1, None).unwrap();
        assert_eq!(line, "consumer start c1 --group billing --topic orders --processing 200ms");
        assert_eq!(with_processing(&consumer_start_line(sim, c1, Some(0)).unwrap(), 50), line.replace("200ms", "50ms"));
        let p = producer_start_line(sim, 0).unwrap();
        assert!(p.starts_with("producer start p1 --topic orders --rate 1/s --keys alice,bob"), "{p}");
        for l in [line, p] {
            assert!(kafkascope_sim::parse_line(&l).is_ok(), "{l}");
        }
    }
}

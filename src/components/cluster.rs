//! The cluster picture: controller, brokers (columns), partition replicas (rows) as append-only
//! logs, producers, and the messages in flight. A pure function of the model and the virtual time
//! on screen.

use crate::geometry::*;
use crate::state::Model;
use kafkascope_sim::clients::producer::{ClientStatus, KeySpec};
use kafkascope_sim::cluster::net::{Message, MessageKind, Payload};
use kafkascope_sim::model::{BrokerId, Node, Record, Tp};
use kafkascope_sim::session::exec::value_text;
use kafkascope_sim::Sim;
use yew::prelude::*;

/// Okabe–Ito, colour-blind safe; grey is reserved for null keys.
pub const KEY_COLOURS: [&str; 7] = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"];
pub const NULL_KEY_COLOUR: &str = "#9a9a9a";

pub fn key_colour(rec: &Record) -> &'static str {
    match rec.key {
        Some(k) => KEY_COLOURS[k.0 as usize % KEY_COLOURS.len()],
        None => NULL_KEY_COLOUR,
    }
}

/// The CSS class that colours a message carrying `rec` by its key (no inline styles: strict CSP).
pub fn key_class(rec: &Record) -> &'static str {
    const CLASSES: [&str; 7] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6"];
    match rec.key {
        Some(k) => CLASSES[k.0 as usize % KEY_COLOURS.len()],
        None => "knull",
    }
}

fn key_letter(sim: &Sim, rec: &Record) -> String {
    match rec.key {
        Some(k) => sim.interner.get(k).chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default(),
        None => "∅".into(),
    }
}

/// In `Layout::consumers`, the slot of a group that has no consumer drawn (all removed; the
/// coordinator still knows the group and its offsets): drawn as an empty box under its header.
pub const NO_MEMBER: u32 = u32::MAX;

/// Groups in the order they are drawn: by name. Those of drawn consumers, and those the
/// coordinator knows (an Empty group with committed offsets is still a group).
fn group_names(sim: &Sim) -> Vec<&str> {
    let mut names: Vec<&str> = sim.consumers.iter().filter(|c| !c.removed).map(|c| c.group_name.as_str()).collect();
    names.extend(sim.groups.values().map(|g| g.name.as_str()));
    names.sort();
    names.dedup();
    names
}

/// Beyond this many partition rows the logs are drawn compactly (see `compact_slots`).
pub const COMPACT_ABOVE_ROWS: usize = 16;

pub fn layout(sim: &Sim) -> Layout {
    let mut rows = Vec::new();
    for (t, topic) in sim.topics.iter().enumerate() {
        // Internal topics (__consumer_offsets: 50 partitions) are not drawn row by row.
        if topic.name.starts_with("__") || topic.deleted {
            continue;
        }
        for p in 0..topic.partitions {
            rows.push(Tp { topic: t as u32, partition: p });
        }
    }
    let groups = group_names(sim);
    let mut consumers = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let before = consumers.len();
        for (i, c) in sim.consumers.iter().enumerate() {
            if c.group_name == *g && !c.removed {
                consumers.push((i as u32, gi));
            }
        }
        if consumers.len() == before {
            consumers.push((NO_MEMBER, gi));
        }
    }
    let compact = rows.len() > COMPACT_ABOVE_ROWS;
    Layout {
        compact,
        brokers: sim.brokers.keys().copied().collect(),
        rows,
        producers: (0..sim.producers.len() as u32).filter(|&i| !sim.producers[i as usize].removed).collect(),
        consumers,
        groups: groups.len(),
        committed: Vec::new(),
        lost: Default::default(),
        duplicated: Default::default(),
        stacked: false,
        hosted: Vec::new(),
    }
}

/// The stacked (phone) picture: each broker's block lists the partitions it holds a replica of.
fn stack(sim: &Sim, lay: &mut Layout) {
    lay.stacked = true;
    lay.hosted = lay
        .brokers
        .iter()
        .map(|&b| {
            lay.rows.iter().copied().filter(|&tp| sim.partition(tp).is_some_and(|m| m.replicas.contains(&b))).collect()
        })
        .collect();
}

/// What clicking (or Enter / Space on) a drawn thing asks for. The app decides what it opens.
#[derive(Clone)]
pub struct Events {
    pub on_broker: Callback<BrokerId>,
    pub on_consumer: Callback<u32>,
    pub on_producer: Callback<u32>,
    pub on_group: Callback<String>,
    pub on_partition: Callback<Tp>,
    pub on_replica: Callback<(Tp, BrokerId)>,
}

/// Skips rebuilding (and Yew's diffing of) a subtree whose inputs did not change: `content` is
/// only compared by `hash`, a fingerprint of everything it was drawn from.
#[derive(Properties)]
pub struct MemoProps {
    pub hash: u64,
    pub content: Html,
}

impl PartialEq for MemoProps {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}

#[component]
pub fn Memo(props: &MemoProps) -> Html {
    props.content.clone()
}

/// The last drawing of each replica, consumer and larger part of the picture with its fingerprint
/// (owned by the app across frames).
#[derive(Default)]
pub struct ViewCache {
    replicas: std::collections::HashMap<(Tp, BrokerId), (u64, Html)>,
    consumers: std::collections::HashMap<u32, (u64, Html)>,
    parts: std::collections::HashMap<Part, (u64, Html)>,
}

/// The parts of the picture memoized as a whole: when nothing a part shows changed, Yew compares
/// one fingerprint instead of diffing the part's subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Part {
    Controller,
    Row(Tp),
    Broker(BrokerId),
    Producer(usize),
    Groups,
}

/// `build()`'s drawing of `part`, or the cached one when `hash` is unchanged, wrapped in `Memo`.
fn memo_part(cache: &std::cell::RefCell<ViewCache>, part: Part, hash: u64, build: impl FnOnce() -> Html) -> Html {
    let hit = cache.borrow().parts.get(&part).filter(|(h, _)| *h == hash).map(|(_, html)| html.clone());
    let content = hit.unwrap_or_else(|| {
        let html = build();
        let mut c = cache.borrow_mut();
        if c.parts.len() > 4096 {
            c.parts.clear();
        }
        c.parts.insert(part, (hash, html.clone()));
        html
    });
    html! { <Memo {hash} {content} /> }
}

/// A fingerprint of the given values (std's SipHash with fixed keys: stable within a page).
pub fn fingerprint(h: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut s = std::collections::hash_map::DefaultHasher::new();
    h.hash(&mut s);
    s.finish()
}

/// Drawing options that come from the browser rather than the model.
#[derive(Clone, Copy, Default, PartialEq)]
pub struct Options {
    /// `prefers-reduced-motion: reduce`: messages fade in and out at mid-path instead of moving.
    pub reduced_motion: bool,
    /// A phone-sized screen: the picture in one column (`Layout::stacked`).
    pub stacked: bool,
}

pub fn view(model: &Model, ev: &Events, opts: Options, cache: &std::cell::RefCell<ViewCache>) -> Html {
    view_as(model, "cluster", ev, opts, cache)
}

/// The picture with another element id (compare draws two beside each other).
pub fn view_as(model: &Model, id: &str, ev: &Events, opts: Options, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let sim = &model.session.sim;
    let mut lay = layout(sim);
    lay.committed = model.committed.clone();
    lay.lost = model.audit.lost.iter().copied().collect();
    lay.duplicated = model.audit.duplicated.iter().copied().collect();
    if opts.stacked {
        stack(sim, &mut lay);
    }
    let now = model.now_ms();
    let (w, h) = (lay.width(), lay.height());
    let view_box = format!("0 0 {w:.0} {h:.0}");
    // Messages in flight move every frame: they are drawn in a second SVG laid exactly over the
    // picture (same viewBox, own compositing layer), so their motion does not repaint the logs.
    html! {
        <>
        <svg id={id.to_string()} class={classes!("cluster", lay.stacked.then_some("stacked"))} viewBox={view_box.clone()} role="group"
             data-layout={if lay.stacked { "stacked" } else { "grid" }}
             aria-label={if lay.stacked {
                 "Cluster: controller, producers, each broker with its partition replicas, consumer groups"
             } else {
                 "Cluster: controller, brokers as columns, partitions as rows"
             }}>
            <defs>
                <pattern id="uncommitted" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="6" height="6" fill="var(--hatch-bg)" />
                    <line x1="0" y1="0" x2="0" y2="6" stroke="var(--hatch)" stroke-width="2.5" />
                </pattern>
            </defs>
            { controller_view(sim, &lay, cache) }
            if !lay.stacked {
                { for lay.rows.iter().map(|&tp| row_label(sim, &lay, tp, &ev.on_partition, cache)) }
            }
            { for lay.brokers.iter().map(|&b| broker_view(sim, &lay, b, ev, cache)) }
            { for lay.producers.iter().enumerate().map(|(slot, &i)| producer_view(sim, &lay, slot, i as usize, &ev.on_producer, cache)) }
            { groups_view(sim, &lay, ev, cache) }
        </svg>
        <svg class={classes!("cluster", "messages-layer", lay.stacked.then_some("stacked"))} viewBox={view_box} aria-hidden="true" focusable="false">
            <g class="messages">
                if lay.compact && !opts.reduced_motion {
                    { message_batches(&lay, sim.net.in_flight().filter(|m| !model.hidden.contains(&m.payload.kind())), now) }
                } else {
                    { for sim.net.in_flight().filter(|m| !model.hidden.contains(&m.payload.kind())).map(|m| message_view(&lay, m, now, 1.0, opts.reduced_motion, false)) }
                }
                { for sim.net.dropped.iter().filter(|d| !model.hidden.contains(&d.message.payload.kind())).map(|d| {
                    let age = (now - d.dropped_ms as f64).max(0.0);
                    let fade = (1.0 - age / 200.0).clamp(0.0, 1.0);
                    message_view(&lay, &d.message, d.dropped_ms as f64, fade * 0.8, opts.reduced_motion, true)
                }) }
            </g>
        </svg>
        </>
    }
}

fn controller_view(sim: &Sim, lay: &Layout, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let (x, y, w, h) = lay.controller_box();
    let fenced: Vec<String> =
        sim.controller.brokers.iter().filter(|(_, r)| r.fenced).map(|(b, _)| b.to_string()).collect();
    let status =
        if fenced.is_empty() { "all brokers registered".to_string() } else { format!("fenced: {}", fenced.join(", ")) };
    let hash = fingerprint((&status, x.to_bits()));
    memo_part(cache, Part::Controller, hash, || {
        html! {
            <g class="controller" aria-label={format!("KRaft controller; {status}")}>
                <title>{"The KRaft controller: tracks broker liveness by heartbeats, fences silent brokers after broker.session.timeout.ms, elects partition leaders and commits ISR changes."}</title>
                <rect x={x.to_string()} y={y.to_string()} width={w.to_string()} height={h.to_string()} rx="8" />
                <text x={(x + w / 2.0).to_string()} y={(y + 17.0).to_string()} class="title" text-anchor="middle">{"★ KRaft controller"}</text>
                <text x={(x + w / 2.0).to_string()} y={(y + 32.0).to_string()} class="sub" text-anchor="middle">{status}</text>
            </g>
        }
    })
}

fn row_label(
    sim: &Sim,
    lay: &Layout,
    tp: Tp,
    on_partition: &Callback<Tp>,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let y = lay.row_y(tp).unwrap_or(0.0);
    let meta = sim.partition(tp);
    let offline = meta.is_some_and(|m| m.leader.is_none());
    let epoch = meta.map_or(0, |m| m.leader_epoch);
    let preferred = meta.and_then(|m| m.replicas.first().copied());
    let name = sim.tp_name(tp);
    let hash = fingerprint((&name, y.to_bits(), offline, epoch, preferred, lay.compact));
    memo_part(cache, Part::Row(tp), hash, || {
        let preferred = preferred.map_or(String::new(), |p| format!("preferred {p}"));
        let (onclick, onkeydown) = activation(on_partition.clone(), tp);
        let label = format!(
            "Partition {name}, {}. Activate to inspect its replicas, offsets and history.",
            if offline { "offline".to_string() } else { format!("leader epoch {epoch}") }
        );
        let epoch_text = if offline { "OFFLINE".to_string() } else { format!("epoch {epoch}") };
        html! {
            <g class={classes!("row-label", offline.then_some("offline"))} data-topic={sim.topic(tp.topic).name.clone()}
               data-partition={tp.partition.to_string()} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
                <rect class="hit" x={(LABEL_X - 4.0).to_string()} y={(y + 6.0).to_string()} width={(COLS_X - LABEL_X).to_string()} height={(ROW_H - 12.0).to_string()} rx="5" />
                <text x={LABEL_X.to_string()} y={(y + 24.0).to_string()} class="tp">{name.clone()}</text>
                if lay.compact {
                    // Many partitions: one title for the label, not one per line.
                    <title>{"Click to inspect. Leader epoch: grows by one at every leader change. Preferred leader: the first replica in the assignment."}</title>
                    <text x={LABEL_X.to_string()} y={(y + 40.0).to_string()} class="sub">{epoch_text}</text>
                    <text x={LABEL_X.to_string()} y={(y + 54.0).to_string()} class="sub">{preferred}</text>
                } else {
                    <text x={LABEL_X.to_string()} y={(y + 40.0).to_string()} class="sub">
                        <title>{if offline { "Offline: no leader, every eligible replica is down; nobody can write or read it." } else { "Leader epoch: grows by one at every leader change; each record is stamped with the epoch that wrote it." }}</title>
                        { epoch_text }
                    </text>
                    <text x={LABEL_X.to_string()} y={(y + 54.0).to_string()} class="sub">
                        <title>{"The preferred leader is the first replica in the assignment; a preferred-leader election moves leadership back to it."}</title>
                        { preferred }
                    </text>
                }
            </g>
        }
    })
}

/// Stacked (phone): a partition's name at the start of each of its replica rows, a button that
/// inspects the partition like the row label of the wide picture.
fn stacked_partition_label(sim: &Sim, tp: Tp, x: f64, y: f64, on_partition: &Callback<Tp>) -> Html {
    let meta = sim.partition(tp);
    let offline = meta.is_some_and(|m| m.leader.is_none());
    let name = sim.tp_name(tp);
    let (onclick, onkeydown) = activation(on_partition.clone(), tp);
    let label = format!(
        "Partition {name}, {}. Activate to inspect its replicas, offsets and history.",
        if offline { "offline".to_string() } else { format!("leader epoch {}", meta.map_or(0, |m| m.leader_epoch)) }
    );
    let w = stacked_name_w(&name);
    html! {
        <g class={classes!("row-label", offline.then_some("offline"))} data-topic={sim.topic(tp.topic).name.clone()}
           data-partition={tp.partition.to_string()} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
            <rect class="hit" x={(x - 4.0).to_string()} y={(y - 13.0).to_string()} width={(w + 6.0).to_string()} height="18" rx="4" />
            <text x={x.to_string()} y={y.to_string()} class="tp">{name}</text>
        </g>
    }
}

/// About how wide a partition name is in the label's monospaced 12 px bold font.
fn stacked_name_w(name: &str) -> f64 {
    name.chars().count() as f64 * 7.4
}

/// A drawn thing that acts like a button: a click, or Enter / Space when it has focus.
fn activation<T: Clone + 'static>(cb: Callback<T>, id: T) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let id2 = id.clone();
    let click = cb.reform(move |_: MouseEvent| id2.clone());
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            cb.emit(id.clone());
        }
    });
    (click, key)
}

fn broker_view(sim: &Sim, lay: &Layout, b: BrokerId, ev: &Events, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let Some(col) = lay.broker_box(b) else { return Html::default() };
    let state = sim.broker_state(b);
    let isolated = sim.net.isolated.contains(&b);
    let leads = sim.leaderships(b);
    let hosted: Vec<Tp> = match lay.brokers.iter().position(|&x| x == b).and_then(|i| lay.hosted.get(i)) {
        Some(h) if lay.stacked => h.clone(),
        _ => lay.rows.clone(),
    };
    // The column's fingerprint combines its replicas' (each computed without drawing it), so an
    // unchanged column costs Yew one comparison.
    let replicas: Vec<(Tp, u64)> =
        hosted.iter().filter_map(|&tp| replica_hash(sim, lay, b, tp).map(|h| (tp, h))).collect();
    let labels: Vec<(String, bool)> = if lay.stacked {
        hosted.iter().map(|&tp| (sim.tp_name(tp), sim.partition(tp).is_some_and(|m| m.leader.is_none()))).collect()
    } else {
        Vec::new()
    };
    let hash = fingerprint((
        (state, isolated, leads),
        (col.x.to_bits(), col.y.to_bits(), col.w.to_bits(), col.h.to_bits()),
        &replicas,
        labels,
    ));
    memo_part(cache, Part::Broker(b), hash, || {
        let label = format!(
            "Broker {b}, {state}{}. Activate for actions: kill, restart, controlled stop, isolate or heal.",
            if isolated { ", isolated" } else { "" }
        );
        let (onclick, onkeydown) = activation(ev.on_broker.clone(), b);
        let sub = match state {
            "dead" => "✕ crashed · click for actions".to_string(),
            "stopped" => "stopped · click for actions".to_string(),
            "fenced" => "fenced by the controller".to_string(),
            _ if lay.stacked => format!("leads {leads} of its {} replicas · click for actions", hosted.len()),
            _ => format!("leads {leads} · click for actions"),
        };
        html! {
            <>
                <rect class={classes!("column", state)} x={col.x.to_string()} y={col.y.to_string()} width={col.w.to_string()} height={col.h.to_string()} rx="10" />
                <g class={classes!("broker", state, isolated.then_some("isolated"))} data-broker={b.to_string()} data-state={state}
                   data-isolated={isolated.to_string()} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
                    <title>{"A broker stores partition replicas. Click (or Enter) for its actions: kill, restart, controlled stop, isolate, heal."}</title>
                    <rect x={(col.x + 6.0).to_string()} y={(col.y + 6.0).to_string()} width={(col.w - 12.0).to_string()} height={(BROKER_H - 12.0).to_string()} rx="7" />
                    <text x={(col.x + col.w / 2.0).to_string()} y={(col.y + 24.0).to_string()} class="title" text-anchor="middle">
                        { format!("Broker {b}{}", if isolated { " ⚡ isolated" } else { "" }) }
                    </text>
                    <text x={(col.x + col.w / 2.0).to_string()} y={(col.y + 39.0).to_string()} class="sub" text-anchor="middle">{sub}</text>
                </g>
                { for replicas.iter().map(|&(tp, hash)| memo_replica(sim, lay, b, tp, hash, &ev.on_replica, cache)) }
                if lay.compact {
                    { column_logs(sim, lay, b, &hosted) }
                }
                if lay.stacked {
                    { for hosted.iter().filter_map(|&tp| {
                        let band = lay.replica_band(b, tp)?;
                        Some(stacked_partition_label(sim, tp, band.x + 16.0, band.y + 16.0, &ev.on_partition))
                    }) }
                }
            </>
        }
    })
}

/// The fingerprint of everything a replica's drawing shows (None: no replica of `tp` on `b`).
fn replica_hash(sim: &Sim, lay: &Layout, b: BrokerId, tp: Tp) -> Option<u64> {
    let meta = sim.partition(tp)?;
    if !meta.replicas.contains(&b) {
        return None;
    }
    let band = lay.replica_band(b, tp)?;
    let log = sim.replica_log(b, tp);
    let max_leo = meta.replicas.iter().filter_map(|&r| sim.replica_log(r, tp)).map(|l| l.leo()).max().unwrap_or(0);
    let start = Layout::window_start(max_leo);
    let window: Vec<(u64, bool, bool, u8)> = (start..start + SLOTS)
        .filter_map(|o| log.and_then(|l| l.get(o).map(|r| (l, r))))
        .map(|(l, r)| (r.id.0, lay.lost.contains(&r.id), lay.duplicated.contains(&r.id), txn_kind(l, r)))
        .collect();
    let committed: Vec<(&str, u64)> = if meta.leader == Some(b) {
        lay.committed.iter().filter_map(|(g, offs)| offs.get(&tp).map(|o| (g.as_str(), *o))).collect()
    } else {
        Vec::new()
    };
    Some(fingerprint((
        (meta.leader, meta.leader_epoch, meta.isr.contains(&b), sim.broker_state(b)),
        log.map(|l| (l.leo(), l.hw, l.log_start, l.lso())),
        (start, window, committed, lay.compact, lay.stacked),
        (band.x.to_bits(), band.y.to_bits(), band.w.to_bits()),
    )))
}

/// A replica's drawing, rebuilt only when something it shows changed (`hash`, from `replica_hash`).
fn memo_replica(
    sim: &Sim,
    lay: &Layout,
    b: BrokerId,
    tp: Tp,
    hash: u64,
    on_replica: &Callback<(Tp, BrokerId)>,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let hit = cache.borrow().replicas.get(&(tp, b)).filter(|(h, _)| *h == hash).map(|(_, html)| html.clone());
    let content = hit.unwrap_or_else(|| {
        let html = replica_view(sim, lay, b, tp, on_replica).unwrap_or_default();
        let mut c = cache.borrow_mut();
        if c.replicas.len() > 4096 {
            c.replicas.clear();
        }
        c.replicas.insert((tp, b), (hash, html.clone()));
        html
    });
    html! { <Memo {hash} {content} /> }
}

fn replica_view(sim: &Sim, lay: &Layout, b: BrokerId, tp: Tp, on_replica: &Callback<(Tp, BrokerId)>) -> Option<Html> {
    let meta = sim.partition(tp)?;
    if !meta.replicas.contains(&b) {
        return None;
    }
    let log = sim.replica_log(b, tp);
    let band = lay.replica_band(b, tp)?;
    let y = band.y;
    let leader = meta.leader == Some(b);
    let in_isr = meta.isr.contains(&b);
    let down = !matches!(sim.broker_state(b), "alive");
    let max_leo = meta.replicas.iter().filter_map(|&r| sim.replica_log(r, tp)).map(|l| l.leo()).max().unwrap_or(0);
    let start = Layout::window_start(max_leo);
    let cell_x = band.x + 6.0;
    let (cw, ch) = (band.w - 12.0, ROW_H - 8.0);
    // Stacked, the partition's name (a button, drawn by the broker) opens the row's header line.
    let badge_x = if lay.stacked { cell_x + 10.0 + stacked_name_w(&sim.tp_name(tp)) + 8.0 } else { cell_x + 10.0 };
    let role = if leader { "leader" } else { "follower" };
    let (leo, hw, log_start) = log.map_or((0, 0, 0), |l| (l.leo(), l.hw, l.log_start));
    let lso = log.map_or(hw, |l| l.lso());
    let badge = match (leader, in_isr) {
        (true, _) => format!("★ leader · epoch {}", meta.leader_epoch),
        (false, true) => "follower · in sync".to_string(),
        (false, false) => "follower · out of ISR".to_string(),
    };
    let label = format!(
        "{} replica on broker {b}: {role}, {}in the ISR; log end offset {leo}, high watermark {hw}",
        sim.tp_name(tp),
        if in_isr { "" } else { "not " }
    );
    let offsets = if lso < hw { format!("LSO {lso} · HW {hw} · LEO {leo}") } else { format!("HW {hw} · LEO {leo}") };
    let offsets_title = format!("HW {hw}: the high watermark, the first offset not yet on every in-sync replica (records below it are committed and visible to consumers). LEO {leo}: the log end offset, where the next record goes.{}", if lso < hw { format!(" LSO {lso}: the last stable offset; a transaction open from there holds back read_committed consumers.") } else { String::new() });
    let slots_y = y + 24.0;
    let hw_x = (hw >= start && hw <= start + SLOTS).then(|| Layout::slot_x(cell_x, hw - start) - SLOT_GAP / 2.0);
    // The last stable offset, drawn only where it differs from the HW (an open transaction).
    let lso_x = (lso < hw && lso >= start && lso <= start + SLOTS)
        .then(|| Layout::slot_x(cell_x, lso - start) - SLOT_GAP / 2.0);
    let leo_x = (leo >= start && leo < start + SLOTS).then(|| Layout::slot_x(cell_x, leo - start));
    // Many partitions: the logs are drawn by the broker's column as a whole (`ColumnLogs`).
    let slots = if lay.compact {
        Html::default()
    } else {
        html! {
            <>
            { for (0..SLOTS).map(|i| {
                let off = start + i;
                let sx = Layout::slot_x(cell_x, i);
                let rec = log.and_then(|l| l.get(off));
                let deleted = off < log_start;
                let kind = match (log, rec) {
                    (Some(l), Some(r)) => txn_kind(l, r),
                    _ => 0,
                };
                let (fill, letter, title, committed) = match rec {
                    Some(r) if kind == TXN_COMMIT || kind == TXN_ABORT => (String::new(), if kind == TXN_COMMIT { "C" } else { "A" }.to_string(), format!(
                        "offset {off}: {} marker for producer id {}, a control record: it takes one offset and is never returned to applications",
                        if kind == TXN_COMMIT { "COMMIT" } else { "ABORT" },
                        r.producer_id.unwrap_or(0)
                    ), off < hw),
                    Some(r) => (key_colour(r).to_string(), key_letter(sim, r), format!(
                        "offset {off}, key {}, value {}, leader epoch {}{}",
                        r.key.map_or("null".to_string(), |k| sim.interner.get(k).to_string()),
                        value_text(sim, r.value),
                        r.epoch,
                        match kind {
                            TXN_ABORTED => " — in an ABORTED transaction: read_committed consumers skip it",
                            TXN_OPEN => " — in a transaction not yet decided: read_committed consumers wait (above the LSO)",
                            _ if r.txn => " — transactional, committed",
                            _ => "",
                        }
                    ), off < hw),
                    None => (String::new(), String::new(), if deleted { format!("offset {off}: deleted by retention") } else { format!("offset {off}: empty") }, true),
                };
                html! {
                    <g class={classes!(
                        "slot",
                        rec.is_some().then_some("filled"),
                        deleted.then_some("deleted"),
                        rec.is_some_and(|r| lay.duplicated.contains(&r.id)).then_some("dup"),
                        rec.is_some_and(|r| lay.lost.contains(&r.id)).then_some("lost-copy"),
                        (kind == TXN_COMMIT).then_some("marker commit"),
                        (kind == TXN_ABORT).then_some("marker abort"),
                        (kind == TXN_ABORTED).then_some("aborted"),
                        (kind == TXN_OPEN).then_some("open-txn"),
                    )} key={off.to_string()}>
                        <title>{title}</title>
                        if rec.is_some() {
                            <rect class="rec" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" fill={fill} />
                            if !committed {
                                <rect class="uncommitted" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" />
                            }
                            if kind == TXN_ABORTED {
                                <line class="strike" x1={(sx + 2.0).to_string()} y1={(slots_y + SLOT_W - 2.0).to_string()} x2={(sx + SLOT_W - 2.0).to_string()} y2={(slots_y + 2.0).to_string()} />
                            }
                            <text class="key" x={(sx + SLOT_W / 2.0).to_string()} y={(slots_y + 16.5).to_string()} text-anchor="middle">{letter}</text>
                        } else {
                            <rect class="empty" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" />
                        }
                        <text class="off" x={(sx + SLOT_W / 2.0).to_string()} y={(slots_y + SLOT_W + 10.0).to_string()} text-anchor="middle">{off.to_string()}</text>
                    </g>
                }
            }) }
            </>
        }
    };
    let class = classes!("replica", role, (!in_isr).then_some("out-of-isr"), down.then_some("down"));
    let onclick = on_replica.reform(move |_: MouseEvent| (tp, b));
    if lay.compact {
        // Many partitions: the level of detail of a map. A replica is its cell, one text line and
        // one title (the markers' meaning is in it, the legend and the inspect panel); its log and
        // markers are drawn with the whole column's (`ColumnLogs`), a few paths per broker.
        let committed: Vec<String> = if leader {
            lay.committed.iter().filter_map(|(g, o)| o.get(&tp).map(|o| format!("{g} at {o}"))).collect()
        } else {
            Vec::new()
        };
        let title = format!(
            "{label}.{}{} {offsets_title} Click to inspect.",
            if leader { format!(" Leader epoch {}.", meta.leader_epoch) } else { String::new() },
            if committed.is_empty() { String::new() } else { format!(" Committed offsets: {}.", committed.join(", ")) }
        );
        let short = match (leader, in_isr) {
            (true, _) => format!("★ epoch {}", meta.leader_epoch),
            (false, true) => "in sync".to_string(),
            (false, false) => "out of ISR".to_string(),
        };
        return Some(html! {
            <g {class} data-topic={sim.topic(tp.topic).name.clone()} data-partition={tp.partition.to_string()} data-broker={b.to_string()}
               data-role={role} data-isr={in_isr.to_string()} data-leo={leo.to_string()} data-hw={hw.to_string()}
               aria-label={label} {onclick}>
                <title>{title}</title>
                <rect class="cell" x={cell_x.to_string()} y={(y + 2.0).to_string()} width={cw.to_string()} height={ch.to_string()} rx="6" />
                <text x={badge_x.to_string()} y={(y + 16.0).to_string()} class="badge">{format!("{short} · {offsets}")}</text>
            </g>
        });
    }
    // Stacked, the offsets sit right of the log (the header line holds the partition's name).
    let offsets_view = if lay.stacked {
        let x = Layout::slot_x(cell_x, SLOTS) + 2.0;
        let mut lines = vec![format!("HW {hw}"), format!("LEO {leo}")];
        if lso < hw {
            lines.insert(0, format!("LSO {lso}"));
        }
        let top = slots_y + SLOT_W / 2.0 + 4.0 - (lines.len() as f64 - 1.0) * 6.0;
        html! {
            <text x={x.to_string()} y={top.to_string()} class="offsets">
                <title>{offsets_title}</title>
                { for lines.into_iter().enumerate().map(|(i, l)| html! {
                    <tspan x={x.to_string()} y={(top + i as f64 * 12.0).to_string()}>{l}</tspan>
                }) }
            </text>
        }
    } else {
        html! {
            <text x={(cell_x + cw - 8.0).to_string()} y={(y + 16.0).to_string()} class="offsets" text-anchor="end">
                <title>{offsets_title}</title>
                { offsets }
            </text>
        }
    };
    html! {
        <g {class}
           data-topic={sim.topic(tp.topic).name.clone()} data-partition={tp.partition.to_string()} data-broker={b.to_string()}
           data-role={role} data-isr={in_isr.to_string()} data-leo={leo.to_string()} data-hw={hw.to_string()}
           aria-label={label} {onclick}>
            <rect class="cell" x={cell_x.to_string()} y={(y + 2.0).to_string()} width={cw.to_string()} height={ch.to_string()} rx="6" />
            <text x={badge_x.to_string()} y={(y + 16.0).to_string()} class="badge">
                { badge }
            </text>
            { offsets_view }
            { slots }
            if let Some(hx) = hw_x {
                <g class="hw-marker">
                    <line x1={hx.to_string()} y1={(slots_y - 4.0).to_string()} x2={hx.to_string()} y2={(slots_y + SLOT_W + 4.0).to_string()} />
                    <title>{format!("High watermark {hw}: records before it are on every in-sync replica (committed) and visible to consumers.")}</title>
                </g>
            }
            if let Some(lx) = lso_x {
                <g class="lso-marker">
                    <line x1={lx.to_string()} y1={(slots_y - 6.0).to_string()} x2={lx.to_string()} y2={(slots_y + SLOT_W + 6.0).to_string()} />
                    <title>{format!("Last stable offset {lso}: a transaction is open from here; read_committed consumers read only below it (read_uncommitted ones read up to the HW {hw}).")}</title>
                </g>
            }
            { for committed_markers(lay, tp, start, cell_x, slots_y, leader) }
            if let Some(lx) = leo_x {
                <rect class="leo-marker" x={lx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3">
                    <title>{format!("Log end offset {leo}: where the next record will be appended.")}</title>
                </rect>
            }
        </g>
    }
    .into()
}

const TXN_COMMIT: u8 = 1;
const TXN_ABORT: u8 = 2;
const TXN_ABORTED: u8 = 3;
const TXN_OPEN: u8 = 4;

/// What a record is to transactions: a COMMIT or ABORT marker, data of an aborted transaction, data
/// of one not decided yet (at or above the LSO), or 0 (anything else).
fn txn_kind(log: &kafkascope_sim::model::Log, r: &kafkascope_sim::model::Record) -> u8 {
    match r.value {
        kafkascope_sim::model::Value::Marker { commit: true } => TXN_COMMIT,
        kafkascope_sim::model::Value::Marker { commit: false } => TXN_ABORT,
        _ if !r.txn => 0,
        _ if log.aborted_txns.iter().any(|a| a.covers(r)) => TXN_ABORTED,
        _ if r.producer_id.is_some_and(|p| log.open_txns.get(&p).is_some_and(|&f| r.offset >= f)) => TXN_OPEN,
        _ => 0,
    }
}

/// Many partitions: the logs and offset markers of every replica in a broker's column, as a few
/// paths for the whole column: records as squares, one path per key colour, one hatched path
/// for those above the high watermark, one outline path for the empty slots, one path per marker
/// kind. Replicas out of the ISR or down go in a second, faded set (`faded`).
#[derive(Default)]
struct ColumnLogs {
    by_colour: Vec<(&'static str, String)>,
    hatched: String,
    empty: String,
    hw: String,
    lso: String,
    leo: String,
    committed: String,
}

impl ColumnLogs {
    fn add(&mut self, lay: &Layout, sim: &Sim, b: BrokerId, tp: Tp) {
        use std::fmt::Write;
        let (Some(meta), Some(band)) = (sim.partition(tp), lay.replica_band(b, tp)) else { return };
        let log = sim.replica_log(b, tp);
        let max_leo = meta.replicas.iter().filter_map(|&r| sim.replica_log(r, tp)).map(|l| l.leo()).max().unwrap_or(0);
        let start = Layout::window_start(max_leo);
        let (cell_x, slots_y) = (band.x + 6.0, band.y + 24.0);
        let (leo, hw) = log.map_or((0, 0), |l| (l.leo(), l.hw));
        let lso = log.map_or(hw, |l| l.lso());
        for i in 0..SLOTS {
            let off = start + i;
            let sq = format!("M{:.1},{slots_y:.1}h{SLOT_W}v{SLOT_W}h-{SLOT_W}z", Layout::slot_x(cell_x, i));
            match log.and_then(|l| l.get(off)) {
                Some(r) => {
                    let c = key_colour(r);
                    match self.by_colour.iter_mut().find(|(k, _)| *k == c) {
                        Some((_, d)) => d.push_str(&sq),
                        None => self.by_colour.push((c, sq.clone())),
                    }
                    if off >= hw {
                        self.hatched.push_str(&sq);
                    }
                }
                None => self.empty.push_str(&sq),
            }
        }
        let marker_x = |off: u64| Layout::slot_x(cell_x, off - start) - SLOT_GAP / 2.0;
        if hw >= start && hw <= start + SLOTS {
            let _ = write!(self.hw, "M{:.1},{:.1}v{}", marker_x(hw), slots_y - 4.0, SLOT_W + 8.0);
        }
        if lso < hw && lso >= start && lso <= start + SLOTS {
            let _ = write!(self.lso, "M{:.1},{:.1}v{}", marker_x(lso), slots_y - 6.0, SLOT_W + 12.0);
        }
        if leo >= start && leo < start + SLOTS {
            let _ = write!(
                self.leo,
                "M{:.1},{slots_y:.1}h{SLOT_W}v{SLOT_W}h-{SLOT_W}z",
                Layout::slot_x(cell_x, leo - start)
            );
        }
        if meta.leader == Some(b) {
            for (_, offsets) in &lay.committed {
                if let Some(&off) = offsets.get(&tp).filter(|&&o| o >= start && o <= start + SLOTS) {
                    let _ = write!(self.committed, "M{:.1},{:.1} l-4,7 h8 z", marker_x(off), slots_y + SLOT_W + 6.0);
                }
            }
        }
    }

    fn view(self, faded: bool) -> Html {
        let path = |class: &'static str, d: String| (!d.is_empty()).then(|| html! { <path {class} {d} /> });
        html! {
            <g class={classes!("logs", faded.then_some("faded"))}>
                { for self.by_colour.into_iter().map(|(c, d)| html! { <path class="rec" d={d} fill={c} /> }) }
                { path("uncommitted", self.hatched) }
                { path("empty", self.empty) }
                { path("hw-marker", self.hw) }
                { path("lso-marker", self.lso) }
                { path("committed-marker", self.committed) }
                { path("leo-marker", self.leo) }
            </g>
        }
    }
}

/// A broker's column of logs in compact mode (see `ColumnLogs`).
fn column_logs(sim: &Sim, lay: &Layout, b: BrokerId, hosted: &[Tp]) -> Html {
    let (mut plain, mut faded) = (ColumnLogs::default(), ColumnLogs::default());
    let down = !matches!(sim.broker_state(b), "alive");
    for &tp in hosted {
        let Some(meta) = sim.partition(tp) else { continue };
        if !meta.replicas.contains(&b) {
            continue;
        }
        if down || !meta.isr.contains(&b) {
            faded.add(lay, sim, b, tp);
        } else {
            plain.add(lay, sim, b, tp);
        }
    }
    html! { <>{ plain.view(false) }{ faded.view(true) }</> }
}

/// Under the leader's log: where each consumer group has committed (the next offset it will read).
fn committed_markers(lay: &Layout, tp: Tp, start: u64, cell_x: f64, slots_y: f64, leader: bool) -> Vec<Html> {
    if !leader {
        return Vec::new();
    }
    lay.committed
        .iter()
        .filter_map(|(g, offsets)| {
            let off = *offsets.get(&tp)?;
            if off < start || off > start + SLOTS {
                return None;
            }
            let x = Layout::slot_x(cell_x, off - start) - SLOT_GAP / 2.0;
            Some(html! {
                <g class="committed-marker">
                    <title>{format!("Group {g} committed offset {off}: it will resume reading there after a restart or rebalance.")}</title>
                    <path d={format!("M{x:.1},{:.1} l-4,7 h8 z", slots_y + SLOT_W + 12.0)} />
                    <text x={(x + 6.0).to_string()} y={(slots_y + SLOT_W + 19.0).to_string()} class="marker-label">{g.to_string()}</text>
                </g>
            })
        })
        .collect()
}

/// Producer `i` (index into `Sim::producers`), drawn in slot `slot` of the producers column.
fn producer_view(
    sim: &Sim,
    lay: &Layout,
    slot: usize,
    i: usize,
    on_producer: &Callback<u32>,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let p = &sim.producers[i];
    let r = lay.producer_box(slot);
    let status = match p.status {
        ClientStatus::Running => "running",
        ClientStatus::Stopped => "closed",
        ClientStatus::Dead => "crashed",
    };
    let topic = p.topic.map(|t| sim.topic(t).name.clone()).unwrap_or_else(|| "—".into());
    let keys = match &p.keys {
        KeySpec::Null => "null keys (sticky)".to_string(),
        KeySpec::Keys(ks) => format!("{} keys", ks.len()),
    };
    let txn = crate::components::txn::producer_txn_lines(sim, i);
    let lines = [
        match &txn {
            Some(_) => format!("acks={} · transactional", p.config.acks.name()),
            None => format!("acks={}", p.config.acks.name()),
        },
        match &txn {
            Some((a, _)) => a.clone(),
            None => format!("idempotence={}", p.config.enable_idempotence),
        },
        format!(
            "{} → {topic}, {keys}",
            if p.rate_per_s > 0 { format!("{}/s", p.rate_per_s) } else { "on demand".into() }
        ),
        match &txn {
            Some((_, b)) => b.clone(),
            None => format!(
                "in flight {} · queued {}",
                p.in_flight.len(),
                p.queues.values().map(|q| q.len()).sum::<usize>()
            ),
        },
    ];
    let txn_class = crate::components::txn::producer_txn_class(sim, i);
    let txn_state = p.txn.as_ref().map(|t| t.state.name());
    let hash =
        fingerprint((&p.name, status, &lines, txn_class, txn_state, (r.x.to_bits(), r.y.to_bits(), r.w.to_bits())));
    memo_part(cache, Part::Producer(i), hash, || {
        let (onclick, onkeydown) = activation(on_producer.clone(), i as u32);
        html! {
            <g class={classes!("producer", status, txn_class)} data-producer={p.name.clone()} data-index={i.to_string()} data-txn-state={txn_state} role="button" tabindex="0"
               aria-label={format!("Producer {}, {status}, acks={}, idempotence={}. Activate for actions.", p.name, p.config.acks.name(), p.config.enable_idempotence)}
               {onclick} {onkeydown}>
                <title>{"A producer sends records to the leader of their partition: keyed records go to murmur2(key) mod partitions; with acks=all it waits until every in-sync replica has them. Click for actions."}</title>
                <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="8" />
                <text x={(r.x + 10.0).to_string()} y={(r.y + 18.0).to_string()} class="title">{format!("Producer {}", p.name)}</text>
                { for lines.iter().enumerate().map(|(j, l)| html! {
                    <text x={(r.x + 10.0).to_string()} y={(r.y + 36.0 + j as f64 * 14.0).to_string()} class="sub">{l.clone()}</text>
                }) }
            </g>
        }
    })
}

/// Consumer groups on the right: each group's state and generation, then its consumers with the
/// partitions they own, their position and lag.
fn groups_view(sim: &Sim, lay: &Layout, ev: &Events, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let names = group_names(sim);
    let headers: Vec<(Option<(f64, f64)>, String, Option<BrokerId>)> = names
        .iter()
        .enumerate()
        .map(|(gi, name)| {
            let g = sim.interner.find(name).and_then(|s| sim.groups.get(&s));
            let state = g.map(|g| (g.state.name(), g.generation, g.strategy.map(|s| s.name())));
            (lay.group_header(gi), format!("{state:?}"), sim.coordinator_of(name))
        })
        .collect();
    let consumers: Vec<(u32, u64)> = lay
        .consumers
        .iter()
        .enumerate()
        .map(|(i, &(ci, _))| (ci, if ci == NO_MEMBER { 0 } else { consumer_hash(sim, lay, i, ci) }))
        .collect();
    let hash = fingerprint((
        &names,
        headers.iter().map(|(p, s, c)| (p.map(|(x, y)| (x.to_bits(), y.to_bits())), s, c)).collect::<Vec<_>>(),
        &consumers,
    ));
    memo_part(cache, Part::Groups, hash, || {
        html! {
            <g class="groups">
                { for names.iter().enumerate().map(|(gi, name)| {
                    let (x, y) = lay.group_header(gi).unwrap_or((0.0, 0.0));
                    let g = sim.interner.find(name).and_then(|s| sim.groups.get(&s));
                    let state = g.map_or("not joined yet".to_string(), |g| format!("{} · gen {}", g.state.name(), g.generation));
                    let strategy = g.and_then(|g| g.strategy).map_or(String::new(), |s| format!(" · {}", s.name()));
                    let coordinator = sim.coordinator_of(name).map_or(String::new(), |b| format!(" (coordinator {b})"));
                    let (onclick, onkeydown) = activation(ev.on_group.clone(), name.to_string());
                    html! {
                        <g class="group-header" data-group={name.to_string()} data-state={g.map_or("none", |g| g.state.name())}
                           role="button" tabindex="0" aria-label={format!("Consumer group {name}{coordinator}: {state}. Activate for actions.")}
                           {onclick} {onkeydown}>
                            <title>{"A consumer group shares the partitions of its topics among its members; the coordinator (a broker) runs rebalances, counted by generation. Click for actions."}</title>
                            <text x={x.to_string()} y={(y + 12.0).to_string()} class="title">{format!("Group {name}{coordinator}")}</text>
                            <text x={x.to_string()} y={(y + 26.0).to_string()} class="sub">{format!("{state}{strategy}")}</text>
                        </g>
                    }
                }) }
                { for lay.consumers.iter().enumerate().zip(&consumers).map(|((i, &(ci, _)), &(_, hash))| if ci == NO_MEMBER {
                    no_member_view(lay, i)
                } else {
                    memo_consumer(sim, lay, i, ci, hash, &ev.on_consumer, cache)
                }) }
            </g>
        }
    })
}

/// The slot under a group with no consumer drawn.
fn no_member_view(lay: &Layout, i: usize) -> Html {
    let (x, y) = lay.consumer_box(i);
    html! {
        <g class="consumer no-member">
            <rect x={x.to_string()} y={y.to_string()} width={lay.consumer_w().to_string()} height={CONSUMER_H.to_string()} rx="8" />
            <text x={(x + 8.0).to_string()} y={(y + 22.0).to_string()} class="sub">{"no consumers: its committed offsets stay"}</text>
            <text x={(x + 8.0).to_string()} y={(y + 38.0).to_string()} class="sub">{"until the group is deleted or expires"}</text>
        </g>
    }
}

/// The fingerprint of what a consumer's drawing shows: its state, partitions, positions and lag.
fn consumer_hash(sim: &Sim, lay: &Layout, i: usize, ci: u32) -> u64 {
    let c = &sim.consumers[ci as usize];
    let lags: Vec<(Tp, Option<u64>, Option<u64>)> = c
        .assigned
        .iter()
        .map(|tp| {
            (*tp, c.positions.get(tp).copied(), kafkascope_sim::session::exec::serving_log(sim, *tp).map(|l| l.hw))
        })
        .collect();
    let (x, y) = lay.consumer_box(i);
    fingerprint((
        (&c.client_id, &c.group_name),
        format!("{:?}{:?}", c.status, c.state),
        c.incarnation,
        lags,
        x.to_bits(),
        y.to_bits(),
        lay.consumer_w().to_bits(),
    ))
}

/// A consumer's drawing, rebuilt only when `hash` (`consumer_hash`) changed.
fn memo_consumer(
    sim: &Sim,
    lay: &Layout,
    i: usize,
    ci: u32,
    hash: u64,
    on_consumer: &Callback<u32>,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let mut cache = cache.borrow_mut();
    let content = match cache.consumers.get(&ci) {
        Some((h, html)) if *h == hash => html.clone(),
        _ => {
            let html = consumer_view(sim, lay, i, ci, on_consumer.clone());
            cache.consumers.insert(ci, (hash, html.clone()));
            html
        }
    };
    html! { <Memo {hash} {content} /> }
}

fn consumer_view(sim: &Sim, lay: &Layout, i: usize, ci: u32, on_consumer: Callback<u32>) -> Html {
    use kafkascope_sim::clients::consumer::{ConsumerStatus, MemberState};
    let c = &sim.consumers[ci as usize];
    let (x, y) = lay.consumer_box(i);
    let status = match (c.status, c.state) {
        (ConsumerStatus::Dead, _) => "crashed",
        (ConsumerStatus::Stopped, _) => "closed",
        (ConsumerStatus::Paused, _) => "paused",
        (_, MemberState::Stable) if c.assigned.is_empty() => "idle",
        (_, MemberState::Stable) => "consuming",
        (_, MemberState::Left) => "left the group",
        _ => "rebalancing",
    };
    let parts: Vec<String> = c
        .assigned
        .iter()
        .map(|tp| {
            let pos = c.positions.get(tp).map_or("?".to_string(), |p| p.to_string());
            let lag = kafkascope_sim::session::exec::serving_log(sim, *tp)
                .zip(c.positions.get(tp))
                .map_or(String::new(), |(l, p)| format!(" lag {}", l.hw.saturating_sub(*p)));
            format!("p{}@{pos}{lag}", tp.partition)
        })
        .collect();
    let line = if parts.is_empty() { "no partitions".to_string() } else { parts.join(" ") };
    let (onclick, onkeydown) = activation(on_consumer, ci);
    html! {
        <g class={classes!("consumer", status.replace(' ', "-"))} data-consumer={c.client_id.clone()} data-state={status}
           data-partitions={c.assigned.iter().map(|tp| sim.tp_name(*tp)).collect::<Vec<_>>().join(",")} data-index={ci.to_string()}
           role="button" tabindex="0" aria-label={format!("Consumer {} in group {}, {status}. Activate for actions: kill, stop, pause or resume, processing time.", c.client_id, c.group_name)}
           {onclick} {onkeydown}>
            <title>{format!("Consumer {}: {} records per poll, commits {}. Click for actions. pN@X lag L: owns partition N, next offset X, L records behind the high watermark.", c.client_id, c.config.max_poll_records, c.config.commit.name())}</title>
            <rect x={x.to_string()} y={y.to_string()} width={lay.consumer_w().to_string()} height={CONSUMER_H.to_string()} rx="8" />
            <text x={(x + 8.0).to_string()} y={(y + 16.0).to_string()} class="title">{match &c.app {
                Some(a) => format!("App {} → {} ({})", c.client_id, sim.topic(a.output).name, if a.eos { "EOS" } else { "ALO" }),
                None => format!("Consumer {}", c.client_id),
            }}</text>
            <text x={(x + 8.0).to_string()} y={(y + 31.0).to_string()} class="sub">{status}</text>
            <text x={(x + 8.0).to_string()} y={(y + 47.0).to_string()} class="sub mono">{line}</text>
        </g>
    }
}

pub fn kind_class(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Produce => "m-produce",
        MessageKind::ProduceAck => "m-ack",
        MessageKind::Fetch => "m-fetch",
        MessageKind::FetchData => "m-data",
        MessageKind::Heartbeat => "m-heartbeat",
        MessageKind::Metadata => "m-metadata",
        MessageKind::IsrChange => "m-isr",
        MessageKind::Shutdown => "m-shutdown",
        MessageKind::Disconnect => "m-disconnect",
        MessageKind::Group => "m-group",
        MessageKind::GroupHeartbeat => "m-gheartbeat",
        MessageKind::OffsetCommit => "m-commit",
        MessageKind::ConsumerFetch => "m-cfetch",
        MessageKind::ConsumerData => "m-cdata",
        MessageKind::Txn => "m-txn",
        MessageKind::TxnMarker => "m-marker",
    }
}

/// Compact mode (a big cluster: hundreds of messages in flight): each kind's messages, by the
/// key colour of the first record they carry, are drawn as one path of dots, so a frame sets a
/// few dozen attributes instead of one transform per message. Same shapes, sizes and colours as
/// `message_view`, without the record-count labels.
fn message_batches<'a>(lay: &Layout, msgs: impl Iterator<Item = &'a Message>, now: f64) -> Html {
    use std::fmt::Write;
    let mut batches: std::collections::BTreeMap<(&'static str, &'static str), String> = Default::default();
    for m in msgs {
        let kind = m.payload.kind();
        if kind == MessageKind::Disconnect {
            continue; // a ✕ glyph: rare, drawn by `message_view` below
        }
        let tp = m.payload.tp();
        let to_ctrl = matches!(m.to, Node::Controller) || matches!(m.from, Node::Controller);
        let (Some(a), Some(b)) = (lay.anchor(m.from, tp, to_ctrl), lay.anchor(m.to, tp, to_ctrl)) else { continue };
        let p = lay.along(a, b, progress(m.sent_ms, m.deliver_ms, now));
        let records = m.payload.records();
        let key = records.first().map_or("", key_class);
        let d = batches.entry((kind_class(kind), key)).or_default();
        if matches!(kind, MessageKind::IsrChange | MessageKind::Shutdown) {
            let _ = write!(d, "M{:.1},{:.1}h10v10h-10z", p.x - 5.0, p.y - 5.0);
        } else {
            let r = if records.is_empty() { 4.0 } else { 6.5 };
            let _ = write!(d, "M{:.1},{:.1}a{r},{r} 0 1,0 {},0a{r},{r} 0 1,0 -{},0", p.x - r, p.y, 2.0 * r, 2.0 * r);
        }
    }
    html! {
        <>
            { for batches.into_iter().map(|((kind, key), d)| html! {
                <path key={format!("{kind}{key}")} class={classes!("msg-batch", kind, (!key.is_empty()).then_some(key))} {d} />
            }) }
        </>
    }
}

/// A message in flight (or fading out after a drop): keyed by its id, so when messages arrive
/// and leave Yew adds and removes their own nodes instead of rewriting the ones after them; its
/// position is one `transform` attribute, the only one that changes from frame to frame.
fn message_view(lay: &Layout, m: &Message, now: f64, opacity: f64, reduced_motion: bool, dropped: bool) -> Html {
    let kind = m.payload.kind();
    let tp = m.payload.tp();
    let to_ctrl = matches!(m.to, Node::Controller) || matches!(m.from, Node::Controller);
    let (Some(a), Some(b)) = (lay.anchor(m.from, tp, to_ctrl), lay.anchor(m.to, tp, to_ctrl)) else {
        return Html::default();
    };
    let t = progress(m.sent_ms, m.deliver_ms, now);
    // Reduced motion: no travel; the message sits at mid-path and fades in, then out.
    let (p, opacity) = if reduced_motion {
        (lay.along(a, b, 0.5), opacity * (1.0 - (2.0 * t - 1.0).abs()).max(0.15))
    } else {
        (lay.along(a, b, t), opacity)
    };
    let records = m.payload.records();
    let key = if dropped { format!("d{}", m.id) } else { m.id.to_string() };
    let transform = format!("translate({:.1},{:.1})", p.x, p.y);
    let op = (opacity < 1.0).then(|| format!("{opacity:.2}"));
    let label = match &m.payload {
        Payload::FetchResponse { result: Ok(d), .. } if d.records.len() > 1 => Some(d.records.len().to_string()),
        Payload::Produce { batch, .. } if batch.records.len() > 1 => Some(batch.records.len().to_string()),
        _ => None,
    };
    let cls = classes!("msg", kind_class(kind));
    match kind {
        MessageKind::IsrChange | MessageKind::Shutdown => html! {
            <g {key} {transform} opacity={op}>
                <rect class={cls} x="-5" y="-5" width="10" height="10" />
            </g>
        },
        MessageKind::Disconnect => html! {
            <g {key} {transform} opacity={op}>
                <text class={cls} y="5" text-anchor="middle">{"✕"}</text>
            </g>
        },
        _ => html! {
            <g {key} class={cls} {transform} opacity={op}>
                <circle r={if records.is_empty() { "4" } else { "6.5" }} class={records.first().map(key_class)} />
                if let Some(l) = label {
                    <text y="-9" text-anchor="middle" class="count">{l}</text>
                }
            </g>
        },
    }
}

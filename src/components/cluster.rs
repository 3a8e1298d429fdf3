//! The cluster picture: controller, brokers (columns), partition replicas (rows) as append-only
//! logs, producers, consumer groups and the messages in flight. A pure function of the model, the
//! virtual time on screen and the frame it is drawn in.
//!
//! Three SVGs of one size are stacked: the backgrounds (column and box fills), the messages in
//! flight, and the picture itself (outlines, records, texts) with no opaque backgrounds, so a
//! message travels *under* every text and never covers it. The picture is laid out for its frame
//! at one unit per CSS pixel times the fit zoom (`geometry`), so texts are drawn at their size:
//! 11 px at the least. Zoomed out below that, texts too small to read are hidden (the overview;
//! `data-detail` on the picture) and each thing's details show on hover or focus instead.

use crate::geometry::*;
use crate::state::Model;
use kafkascope_sim::clients::producer::{ClientStatus, KeySpec};
use kafkascope_sim::cluster::journal::{format_time, SimEvent};
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

/// A record appended this recently (virtual ms) is outlined as new.
pub const FRESH_MS: f64 = 400.0;

/// How long (virtual ms) a partition takes to travel from one consumer to another, or the leader's
/// ★ from one replica to another, after the change.
pub const MOVE_MS: f64 = 700.0;

/// How long (virtual ms) the log cleaner is drawn passing over the dirty section it cleaned, the
/// records it removed fading out behind it (slow motion holds the clock for as long).
pub const CLEAN_MS: f64 = 1000.0;

/// How a replica's log is stored, within the window drawn (`start .. start + slots`): segment
/// boundaries, the active segment, what compaction removed or will remove, and the cleaner's pass
/// being drawn, if any (with its progress: below 0 not yet begun, 0..1 under way).
struct Storage {
    /// Segments overlapping the window: (base offset, end offset, active).
    segments: Vec<(u64, u64, bool)>,
    facts: kafkascope_sim::teaching::inspect::CompactionFacts,
    pass: Option<(kafkascope_sim::teaching::inspect::CleanerPass, f64)>,
}

impl Storage {
    fn of(sim: &Sim, lay: &Layout, b: BrokerId, tp: Tp, start: u64) -> Storage {
        let end = start + lay.slots();
        let Some(log) = sim.replica_log(b, tp) else {
            return Storage { segments: Vec::new(), facts: Default::default(), pass: None };
        };
        let n = log.segments.len();
        let segments = log
            .segments
            .iter()
            .enumerate()
            // The active segment reaches to the log end: its slot is where the next append goes.
            .map(|(i, s)| (s.base_offset, log.segments.get(i + 1).map_or(log.leo() + 1, |n| n.base_offset), i + 1 == n))
            .filter(|&(base, until, _)| base < end && until > start)
            .collect();
        let pass = lay.passes.iter().rev().find(|p| p.broker == b && p.tp == tp).and_then(|p| {
            let t = (lay.now_ms - p.at_ms as f64) / CLEAN_MS;
            (t < 1.0).then_some((*p, t))
        });
        Storage { segments, facts: sim.compaction_facts(b, tp, start, end), pass }
    }

    /// What the drawing depends on, for the replica's fingerprint (the pass's progress in steps).
    fn fingerprint(&self) -> u64 {
        let f = &self.facts;
        fingerprint((
            &self.segments,
            &f.superseded,
            &f.tombstones,
            f.cleaned.iter().map(|c| (c.offset, c.latest)).collect::<Vec<_>>(),
            self.pass.map(|(p, t)| (p.at_ms, p.from, p.to, if t < 0.0 { -1 } else { (t * 48.0) as i64 })),
        ))
    }

    /// How visible a record the cleaner removed at `off` still is (1: not yet passed over, 0:
    /// gone), and the cleaner's position in offsets (fractional) while it passes over the window.
    fn fade(&self, off: u64, start: u64, slots: u64) -> (f64, Option<f64>) {
        let Some((p, t)) = self.pass else { return (0.0, None) };
        if off < p.from || off >= p.to {
            return (0.0, None);
        }
        // The pass is drawn over the part of its section in the window.
        let (a, z) = (p.from.max(start) as f64, p.to.min(start + slots) as f64);
        const FADE: f64 = 2.0;
        if t < 0.0 {
            return (1.0, None);
        }
        let at = a + t * (z - a + FADE);
        (((FADE - (at - off as f64)) / FADE).clamp(0.0, 1.0).min(1.0), Some(at.min(z)))
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

/// Beyond this many partition rows the logs are drawn compactly (see `ColumnLogs`).
pub const COMPACT_ABOVE_ROWS: usize = 16;

/// What a consumer's box lists: the partitions it owns, or for a crashed one those its
/// coordinator still counts as its own until `session.timeout.ms` (then none).
pub fn consumer_partitions(sim: &Sim, ci: u32) -> (Vec<Tp>, bool) {
    use kafkascope_sim::clients::consumer::ConsumerStatus;
    let c = &sim.consumers[ci as usize];
    if c.status != ConsumerStatus::Dead {
        let mut tps = c.assigned.clone();
        tps.sort();
        return (tps, false);
    }
    let held = sim
        .interner
        .find(&c.group_name)
        .and_then(|g| sim.groups.get(&g))
        .and_then(|g| g.members.values().find(|m| m.client == ci))
        .map(|m| {
            let mut tps = m.assignment.clone();
            tps.sort();
            tps
        });
    (held.unwrap_or_default(), true)
}

/// The picture's parts, before they are sized for a frame (`Layout::fit`).
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
    let mut consumer_lines = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let before = consumers.len();
        for (i, c) in sim.consumers.iter().enumerate() {
            if c.group_name == *g && !c.removed {
                consumers.push((i as u32, gi));
                consumer_lines.push(consumer_partitions(sim, i as u32).0.len());
            }
        }
        if consumers.len() == before {
            consumers.push((NO_MEMBER, gi));
            consumer_lines.push(1);
        }
    }
    let name_chars = rows.iter().map(|&tp| sim.tp_name(tp).chars().count()).max().unwrap_or(8).max(8);
    // Brokers with a broker.rack stand together, rack by rack (those without one last).
    let mut brokers: Vec<(Option<String>, BrokerId)> = sim.brokers.keys().map(|&b| (sim.broker_rack(b), b)).collect();
    brokers.sort_by(|a, b| (a.0.is_none(), &a.0, a.1).cmp(&(b.0.is_none(), &b.0, b.1)));
    let (broker_racks, brokers): (Vec<Option<String>>, Vec<BrokerId>) = brokers.into_iter().unzip();
    Layout {
        compact: rows.len() > COMPACT_ABOVE_ROWS,
        brokers,
        broker_racks,
        controllers: sim.quorum.voters(),
        rows,
        producers: (0..sim.producers.len() as u32).filter(|&i| !sim.producers[i as usize].removed).collect(),
        consumers,
        consumer_lines,
        groups: groups.len(),
        name_chars,
        ..Layout::empty()
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
    pub on_controller: Callback<u32>,
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
/// (owned by the app across frames), and the last layout drawn (for pointing at messages).
#[derive(Default)]
pub struct ViewCache {
    replicas: std::collections::HashMap<(Tp, BrokerId), (u64, Html)>,
    consumers: std::collections::HashMap<u32, (u64, Html)>,
    parts: std::collections::HashMap<Part, (u64, Html)>,
    /// The layout last drawn and its zoom (CSS px per unit).
    pub drawn: Option<(Layout, f64)>,
    /// The last sizing (`sized_layout_memo`): its key, the sized layout and its zoom.
    sized: Option<(u64, Layout, f64)>,
}

/// The parts of the picture memoized as a whole: when nothing a part shows changed, Yew compares
/// one fingerprint instead of diffing the part's subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Part {
    Background,
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
    // Parts drawn in lists (rows, brokers, producers) are keyed, so that when the list changes Yew
    // moves each part's nodes with it instead of patching one into another; single parts are not.
    match part {
        Part::Row(_) | Part::Broker(_) | Part::Producer(_) => {
            html! { <Memo key={format!("{part:?}")} {hash} {content} /> }
        }
        _ => html! { <Memo {hash} {content} /> },
    }
}

/// A fingerprint of the given values (std's SipHash with fixed keys: stable within a page).
pub fn fingerprint(h: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut s = std::collections::hash_map::DefaultHasher::new();
    h.hash(&mut s);
    s.finish()
}

/// Something a tour step speaks of, ringed in the picture.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    Controller,
    Broker(BrokerId),
    Replica(Tp, BrokerId),
    Partition(Tp),
    Producer(String),
    Consumer(String),
    Group(String),
}

/// Drawing options that come from the browser rather than the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// `prefers-reduced-motion: reduce`: messages fade in and out at mid-path instead of moving.
    pub reduced_motion: bool,
    /// A phone-sized screen: the picture in one column (`Layout::stacked`).
    pub stacked: bool,
    /// The frame's inner size in CSS px: the picture is laid out for it.
    pub frame_w: f64,
    pub frame_h: f64,
    /// The learner's zoom on top of the fit zoom (1: fit).
    pub zoom: f64,
    /// Label every message in flight (an option of the legend, for slow playing).
    pub label_messages: bool,
    /// The message the pointer is on: drawn labelled.
    pub pointed: Option<u64>,
    /// Zoomed out (texts hidden): the details of the thing under the pointer, and where (units).
    pub card: Option<(String, f64, f64)>,
    /// What the tour step speaks of.
    pub marks: Vec<Mark>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reduced_motion: false,
            stacked: false,
            frame_w: 1200.0,
            frame_h: 600.0,
            zoom: 1.0,
            label_messages: false,
            pointed: None,
            card: None,
            marks: Vec::new(),
        }
    }
}

/// The layout of `model`'s picture for the frame in `opts`, and the zoom it is drawn at, reusing
/// the last sizing while what it depends on (what is drawn, the frame and the zoom) is unchanged:
/// choosing the arrangement and the fit zoom lays the picture out up to forty times, and most
/// frames only move messages.
fn sized_layout_memo(model: &Model, opts: &Options, cache: &std::cell::RefCell<ViewCache>) -> (Layout, f64) {
    let sim = &model.session.sim;
    let mut lay = layout(sim);
    if opts.stacked {
        stack(sim, &mut lay);
    }
    let key = fingerprint((
        (&lay.brokers, &lay.rows, &lay.producers, &lay.consumers, &lay.consumer_lines, &lay.hosted),
        (lay.groups, lay.compact, lay.name_chars, lay.stacked),
        (opts.frame_w.to_bits(), opts.frame_h.to_bits(), opts.zoom.to_bits()),
    ));
    if let Some((k, l, z)) = &cache.borrow().sized {
        if *k == key {
            return (l.clone(), *z);
        }
    }
    let (l, z) = size(lay, opts);
    cache.borrow_mut().sized = Some((key, l.clone(), z));
    (l, z)
}

/// Sizes `lay` (from `layout`, stacked or not) for the frame in `opts`: its arrangement, its fit
/// and the zoom it is drawn at.
fn size(mut lay: Layout, opts: &Options) -> (Layout, f64) {
    if lay.stacked {
        lay.fit(opts.frame_w);
        return (lay, opts.zoom);
    }
    let (flow, fit) = choose_flow(&lay, opts.frame_w, opts.frame_h);
    lay.flow = flow;
    lay.fit(opts.frame_w / fit);
    (lay, fit * opts.zoom)
}

/// The arrangement (clients beside the brokers, or above and below) and fit zoom that show the
/// picture best in a `w` × `h` frame: one that fits the frame first, then the one that covers more
/// of it (bigger and longer logs), then the longer logs.
pub fn choose_flow(lay: &Layout, w: f64, h: f64) -> (Flow, f64) {
    let score = |flow: Flow| {
        let mut l = lay.clone();
        l.flow = flow;
        let relayout = |fw: f64| {
            let mut l = l.clone();
            l.fit(fw);
            (l.width(), l.height(), l.slots())
        };
        let z = fit_zoom(w, h, relayout);
        let (lw, lh, slots) = relayout(w / z);
        let fits = lh * z <= h + 0.5 && lw * z <= w + 0.5;
        let covered = ((lw * z).min(w) * (lh * z).min(h) / (w * h).max(1.0) * 100.0).round() as i64;
        (flow, z, slots, fits, covered)
    };
    let sides = score(Flow::Sides);
    let rows = score(Flow::Rows);
    let key = |a: &(Flow, f64, u64, bool, i64)| (a.3, a.4 / 5, a.2.min(12));
    let pick = if key(&rows) > key(&sides) { rows } else { sides };
    (pick.0, pick.1)
}

/// Which texts are drawn at zoom `z`: all of them at 1 and above; below, those whose size times
/// the zoom would be under 11 px are hidden (`styles/app.css`), down to the bare map.
pub fn detail_level(z: f64) -> &'static str {
    if z * FS_SMALL >= FS_SMALL - 0.01 {
        "full"
    } else if z * FS_BODY >= FS_SMALL - 0.01 {
        "mid"
    } else if z * FS_TITLE >= FS_SMALL - 0.01 {
        "low"
    } else {
        "map"
    }
}

pub fn view(model: &Model, ev: &Events, opts: &Options, cache: &std::cell::RefCell<ViewCache>) -> Html {
    view_as(model, "cluster", ev, opts, cache)
}

/// The picture with another element id (compare draws two, one above the other).
pub fn view_as(model: &Model, id: &str, ev: &Events, opts: &Options, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let sim = &model.session.sim;
    let (mut lay, z) = sized_layout_memo(model, opts, cache);
    lay.committed = model.committed.clone();
    lay.lost = model.audit.lost.iter().copied().collect();
    lay.duplicated = model.audit.duplicated.iter().copied().collect();
    let now = model.now_ms();
    lay.now_ms = now;
    lay.passes = sim.cleaner_passes_since((now - CLEAN_MS).max(0.0) as u64);
    let (w, h) = (lay.width(), lay.height());
    let view_box = format!("0 0 {w:.0} {h:.0}");
    let (px_w, px_h) = (format!("{:.0}", w * z), format!("{:.0}", h * z));
    let detail = detail_level(z);
    let layout_name = if lay.stacked { "stacked" } else { "grid" };
    let stacked_class = lay.stacked.then_some("stacked");
    let html = html! {
        <div class={classes!("picture-layers", stacked_class)} data-zoom={format!("{z:.3}")} data-slots={lay.slots().to_string()} data-flow={if lay.flow == Flow::Rows { "rows" } else { "sides" }}>
            <svg class={classes!("cluster", "backdrop", stacked_class)} viewBox={view_box.clone()} width={px_w.clone()} height={px_h.clone()}
                 aria-hidden="true" focusable="false">
                { background_view(sim, &lay, cache) }
            </svg>
            <svg class={classes!("cluster", "messages-layer", stacked_class)} viewBox={view_box.clone()} width={px_w.clone()} height={px_h.clone()}
                 aria-hidden="true" focusable="false" data-detail={detail}>
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
                    if opts.label_messages && !lay.compact {
                        { message_labels(&lay, sim, sim.net.in_flight().filter(|m| !model.hidden.contains(&m.payload.kind())), now, opts.reduced_motion) }
                    }
                </g>
                // Changes in motion (a partition travelling to its new owner, a new leader's ★)
                // pass under the picture's texts like messages do.
                { moving_view(sim, &lay, now, opts.reduced_motion) }
            </svg>
            <svg id={id.to_string()} class={classes!("cluster", "picture-main", stacked_class)} viewBox={view_box} width={px_w} height={px_h} role="group"
                 data-layout={layout_name} data-detail={detail}
                 aria-label={if lay.stacked {
                     "Cluster: controller, producers, each broker with its partition replicas, consumer groups"
                 } else {
                     "Cluster: controller, brokers as columns, partitions as rows"
                 }}>
                <defs>
                    <pattern id={format!("{id}-uncommitted")} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" fill="var(--hatch-bg)" />
                        <line x1="0" y1="0" x2="0" y2="6" stroke="var(--hatch)" stroke-width="2.5" />
                    </pattern>
                </defs>
                { controller_view(sim, &lay, ev, cache) }
                if !lay.stacked {
                    { for lay.rows.iter().map(|&tp| row_label(sim, &lay, tp, &ev.on_partition, cache)) }
                }
                { for lay.brokers.iter().map(|&b| broker_view(sim, &lay, b, ev, id, cache)) }
                { for lay.producers.iter().enumerate().map(|(slot, &i)| producer_view(sim, &lay, slot, i as usize, &ev.on_producer, cache)) }
                { groups_view(sim, &lay, ev, cache) }
                { marks_view(sim, &lay, &opts.marks) }
            </svg>
            <svg class="tips-layer" viewBox={format!("0 0 {w:.0} {h:.0}")} width={format!("{:.0}", w * z)} height={format!("{:.0}", h * z)} aria-hidden="true" focusable="false">
                { tips_view(sim, &lay, opts, now, z) }
            </svg>
        </div>
    };
    cache.borrow_mut().drawn = Some((lay, z));
    html
}

/// The fills under everything: broker columns, replica cells, boxes. Messages pass over these and
/// under everything else.
fn background_view(sim: &Sim, lay: &Layout, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let states: Vec<(&'static str, Option<BoxAt>)> =
        lay.brokers.iter().map(|&b| (sim.broker_state(b), lay.broker_box(b))).collect();
    let cells: Vec<(u32, u32, BrokerId)> = lay
        .brokers
        .iter()
        .flat_map(|&b| {
            lay.rows
                .iter()
                .filter(move |&&tp| sim.partition(tp).is_some_and(|m| m.replicas.contains(&b)))
                .map(move |&tp| (tp.topic, tp.partition, b))
        })
        .collect();
    let hash = fingerprint((
        states
            .iter()
            .map(|(s, b)| (*s, b.map(|b| (b.x.to_bits(), b.y.to_bits(), b.w.to_bits(), b.h.to_bits()))))
            .collect::<Vec<_>>(),
        &cells,
        (lay.width().to_bits(), lay.height().to_bits(), lay.stacked),
        (&lay.producers, &lay.consumers, &lay.consumer_lines, &lay.broker_racks),
    ));
    memo_part(cache, Part::Background, hash, || {
        let rect = |class: &'static str, b: BoxAt, rx: &'static str| {
            html! { <rect class={class} x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)} width={format!("{:.1}", b.w)} height={format!("{:.1}", b.h)} rx={rx} /> }
        };
        html! {
            <>
                { rect("bg-controller", lay.controller_box(), "8") }
                { for lay.rack_boxes().into_iter().map(|(rack, b)| html! {
                    <rect class="rack" data-rack={rack} x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)} width={format!("{:.1}", b.w)} height={format!("{:.1}", b.h)} rx="12" />
                }) }
                { for states.iter().filter_map(|(s, b)| b.map(|b| html! {
                    <rect class={classes!("bg-column", *s)} x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)} width={format!("{:.1}", b.w)} height={format!("{:.1}", b.h)} rx="10" />
                })) }
                { for cells.iter().filter_map(|&(t, p, b)| lay.replica_band(b, Tp { topic: t, partition: p }).map(|band| rect("bg-cell", Layout::cell(band), "6"))) }
                { for (0..lay.producers.len()).map(|i| rect("bg-box", lay.producer_box(i), "8")) }
                { for (0..lay.consumers.len()).map(|i| rect("bg-box", lay.consumer_box(i), "8")) }
            </>
        }
    })
}

fn controller_view(sim: &Sim, lay: &Layout, ev: &Events, cache: &std::cell::RefCell<ViewCache>) -> Html {
    use kafkascope_sim::cluster::quorum::{ControllerStatus, Role};
    let b = lay.controller_box();
    let fenced: Vec<String> =
        sim.controller.brokers.iter().filter(|(_, r)| r.fenced).map(|(b, _)| b.to_string()).collect();
    let status =
        if fenced.is_empty() { "all brokers unfenced".to_string() } else { format!("fenced: {}", fenced.join(", ")) };
    // Per controller: what its cell shows.
    let cells: Vec<(u32, &'static str, bool, u32, u64, u64)> = lay
        .controllers
        .iter()
        .filter_map(|&id| sim.quorum.node(id).map(|n| (id, n)))
        .map(|(id, n)| {
            let state = match n.status {
                ControllerStatus::Running => n.role.name(),
                ControllerStatus::Dead => "dead",
                ControllerStatus::Stopped => "stopped",
            };
            (id, state, sim.net.isolated_controllers.contains(&id), n.epoch, n.log_end_offset(), n.hw)
        })
        .collect();
    let active = sim.quorum.active();
    let hash = fingerprint((&status, b.x.to_bits(), b.w.to_bits(), &cells, active));
    memo_part(cache, Part::Controller, hash, || {
        let quorum = match active {
            Some(l) => format!("active controller {l}"),
            None => "no active controller: metadata cannot change".to_string(),
        };
        html! {
            <g class={classes!("controller", active.is_none().then_some("leaderless"))}
               aria-label={format!("KRaft controller quorum of {}; {quorum}; {status}", cells.len())} data-mark="controller">
                <title>{"The KRaft controller quorum: the controllers elect a leader by votes (epochs), which writes every metadata change (broker registrations, fencing, partition leaders and ISRs) to the __cluster_metadata log; a change counts once a majority holds it (HW). Brokers fetch that log and apply it. ★ marks the active controller."}</title>
                <rect class="box" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="8" />
                { for cells.iter().enumerate().map(|(i, &(id, state, isolated, epoch, leo, hw))| {
                    let c = lay.controller_cell(i);
                    let inner = c.w - 8.0;
                    let leader = Role::Leader.name() == state && active == Some(id);
                    let head = match state {
                        "dead" => fit_text(&[&format!("{id} ✕ dead"), &format!("{id} ✕")], inner, FS_BODY),
                        _ if leader => fit_text(&[&format!("{id} ★ leader"), &format!("{id} ★")], inner, FS_BODY),
                        _ => fit_text(&[&format!("{id} {state}"), &id.to_string()], inner, FS_BODY),
                    };
                    let head = if isolated { fit_text(&[&format!("{head} ⌁"), &head], inner, FS_BODY) } else { head };
                    let sub = fit_text(
                        &[&format!("e{epoch} · end {leo} · HW {hw}"), &format!("e{epoch} HW {hw}"), &format!("HW {hw}")],
                        inner,
                        FS_SMALL,
                    );
                    let (onclick, onkeydown) = activation(ev.on_controller.clone(), id);
                    let label = format!(
                        "Controller {id}, {state}{}, epoch {epoch}, metadata log end {leo}, high watermark {hw}. Activate for actions: kill, stop, restart, isolate or heal.",
                        if isolated { ", isolated" } else { "" }
                    );
                    html! {
                        <g class={classes!("quorum-node", state, leader.then_some("active"), isolated.then_some("isolated"))}
                           data-controller={id.to_string()} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
                            <rect class="hit cell" x={c.x.to_string()} y={c.y.to_string()} width={c.w.to_string()} height={c.h.to_string()} rx="6" />
                            <text x={(c.x + c.w / 2.0).to_string()} y={(c.y + 14.0).to_string()} class="title t12" text-anchor="middle">{head}</text>
                            <text x={(c.x + c.w / 2.0).to_string()} y={(c.y + 29.0).to_string()} class="sub t11" text-anchor="middle">{sub}</text>
                        </g>
                    }
                }) }
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
    let (x, w) = (lay.label_x(), lay.m.label_w);
    let hash = fingerprint((&name, y.to_bits(), x.to_bits(), w.to_bits(), offline, epoch, preferred, lay.compact));
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
                <title>{"Click to inspect. Leader epoch: grows by one at every leader change; each record is stamped with the epoch that wrote it. Preferred leader: the first replica in the assignment."}</title>
                <rect class="hit box" x={(x - 4.0).to_string()} y={(y + 4.0).to_string()} width={(w - 4.0).to_string()} height={(ROW_H - 8.0).to_string()} rx="5" />
                <text x={x.to_string()} y={(y + 24.0).to_string()} class="tp t12">{name.clone()}</text>
                <text x={x.to_string()} y={(y + 41.0).to_string()} class="sub t11">{epoch_text}</text>
                <text x={x.to_string()} y={(y + 57.0).to_string()} class="sub t11">{preferred}</text>
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
            <rect class="hit" x={(x - 4.0).to_string()} y={(y - 13.0).to_string()} width={(w + 8.0).to_string()} height="18" rx="4" />
            <text x={x.to_string()} y={y.to_string()} class="tp t12">{name}</text>
        </g>
    }
}

/// How wide a partition name is in the label's 12 px monospaced font.
fn stacked_name_w(name: &str) -> f64 {
    text_w(name.chars().count(), FS_BODY)
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

fn broker_view(
    sim: &Sim,
    lay: &Layout,
    b: BrokerId,
    ev: &Events,
    id: &str,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let Some(col) = lay.broker_box(b) else { return Html::default() };
    let state = sim.broker_state(b);
    let isolated = sim.net.isolated.contains(&b);
    let rack = lay.brokers.iter().position(|&x| x == b).and_then(|i| lay.broker_racks.get(i).cloned().flatten());
    let leads = sim.leaderships(b);
    // How far its metadata cache is behind the committed metadata log (it fetches the log).
    let meta_lag = sim
        .brokers
        .get(&b)
        .filter(|br| br.is_running())
        .map_or(0, |br| sim.quorum.committed_end().saturating_sub(br.metadata_offset));
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
        (state, isolated, leads, id, meta_lag, &rack),
        (col.x.to_bits(), col.y.to_bits(), col.w.to_bits(), col.h.to_bits()),
        &replicas,
        labels,
    ));
    memo_part(cache, Part::Broker(b), hash, || {
        let label = format!(
            "Broker {b}{}, {state}{}, leads {leads}. Activate for actions: kill, restart, controlled stop, isolate or heal.",
            rack.as_ref().map_or(String::new(), |r| format!(" on rack {r}")),
            if isolated { ", isolated" } else { "" }
        );
        let (onclick, onkeydown) = activation(ev.on_broker.clone(), b);
        let inner = col.w - 16.0;
        let hosted_n = hosted.len().to_string();
        let leads_t = leads.to_string();
        let sub = match state {
            "dead" => fit_text(&["✕ crashed · click for actions", "✕ crashed", "✕"], inner, FS_SMALL),
            "stopped" => fit_text(&["stopped · click for actions", "stopped"], inner, FS_SMALL),
            "fenced" => fit_text(&["fenced by the controller", "fenced"], inner, FS_SMALL),
            _ if meta_lag > 0 => fit_text(
                &[&format!("metadata lag {meta_lag} · leads {leads_t}"), &format!("meta lag {meta_lag}")],
                inner,
                FS_SMALL,
            ),
            _ if lay.stacked => fit_text(
                &[
                    &format!("leads {leads_t} of its {hosted_n} replicas · click for actions"),
                    &format!("leads {leads_t} of {hosted_n}"),
                ],
                inner,
                FS_SMALL,
            ),
            _ => fit_text(
                &[&format!("leads {leads_t} · click for actions"), &format!("leads {leads_t}")],
                inner,
                FS_SMALL,
            ),
        };
        let title = match &rack {
            Some(r) => fit_text(
                &[
                    &format!("Broker {b} · rack {r}{}", if isolated { " ⚡ isolated" } else { "" }),
                    &format!("Broker {b} · rack {r}"),
                    &format!("Broker {b} · {r}"),
                    &format!("B{b} · {r}"),
                ],
                inner,
                FS_TITLE,
            ),
            None => fit_text(
                &[&format!("Broker {b}{}", if isolated { " ⚡ isolated" } else { "" }), &format!("Broker {b}")],
                inner,
                FS_TITLE,
            ),
        };
        html! {
            <>
                <rect class={classes!("column", state)} x={col.x.to_string()} y={col.y.to_string()} width={col.w.to_string()} height={col.h.to_string()} rx="10" />
                <g class={classes!("broker", state, isolated.then_some("isolated"))} data-broker={b.to_string()} data-state={state}
                   data-isolated={isolated.to_string()} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
                    <title>{"A broker stores partition replicas. Click (or Enter) for its actions: kill, restart, controlled stop, isolate, heal."}</title>
                    <rect class="box" x={(col.x + 4.0).to_string()} y={(col.y + 4.0).to_string()} width={(col.w - 8.0).to_string()} height={(BROKER_H - 8.0).to_string()} rx="7" />
                    <text x={(col.x + col.w / 2.0).to_string()} y={(col.y + 20.0).to_string()} class="title t13" text-anchor="middle">{title}</text>
                    <text x={(col.x + col.w / 2.0).to_string()} y={(col.y + 34.0).to_string()} class="sub t11" text-anchor="middle">{sub}</text>
                </g>
                { for replicas.iter().map(|&(tp, hash)| memo_replica(sim, lay, b, tp, hash, id, &ev.on_replica, cache)) }
                if lay.compact {
                    { column_logs(sim, lay, b, &hosted) }
                }
                if lay.stacked {
                    { for hosted.iter().filter_map(|&tp| {
                        let band = lay.replica_band(b, tp)?;
                        Some(stacked_partition_label(sim, tp, band.x + CELL_INSET + LOG_PAD, band.y + BAND_HEADER_Y, &ev.on_partition))
                    }) }
                }
            </>
        }
    })
}

/// The log window shown for a partition: the first offset drawn (the same in every replica's row).
fn window(sim: &Sim, lay: &Layout, tp: Tp) -> u64 {
    let max_leo = sim
        .partition(tp)
        .map(|meta| meta.replicas.iter().filter_map(|&r| sim.replica_log(r, tp)).map(|l| l.leo()).max().unwrap_or(0))
        .unwrap_or(0);
    lay.window_start(max_leo)
}

/// The fingerprint of everything a replica's drawing shows (None: no replica of `tp` on `b`).
fn replica_hash(sim: &Sim, lay: &Layout, b: BrokerId, tp: Tp) -> Option<u64> {
    let meta = sim.partition(tp)?;
    if !meta.replicas.contains(&b) {
        return None;
    }
    let band = lay.replica_band(b, tp)?;
    let log = sim.replica_log(b, tp);
    let start = window(sim, lay, tp);
    let window: Vec<(u64, bool, bool, u8, bool)> = (start..start + lay.slots())
        .filter_map(|o| log.and_then(|l| l.get(o).map(|r| (l, r))))
        .map(|(l, r)| {
            let fresh = lay.now_ms < r.append_ms as f64 + FRESH_MS && lay.now_ms >= r.append_ms as f64;
            (r.id.0, lay.lost.contains(&r.id), lay.duplicated.contains(&r.id), txn_kind(l, r), fresh)
        })
        .collect();
    let committed: Vec<(&str, u64)> = if meta.leader == Some(b) {
        lay.committed.iter().filter_map(|(g, offs)| offs.get(&tp).map(|o| (g.as_str(), *o))).collect()
    } else {
        Vec::new()
    };
    Some(fingerprint((
        (meta.leader, meta.leader_epoch, meta.isr.contains(&b), sim.broker_state(b)),
        log.map(|l| (l.leo(), l.hw, l.log_start, l.lso())),
        (start, window, committed, lay.compact, lay.stacked, lay.slots()),
        (band.x.to_bits(), band.y.to_bits(), band.w.to_bits()),
        Storage::of(sim, lay, b, tp, start).fingerprint(),
    )))
}

/// A replica's drawing, rebuilt only when something it shows changed (`hash`, from `replica_hash`).
#[allow(clippy::too_many_arguments)]
fn memo_replica(
    sim: &Sim,
    lay: &Layout,
    b: BrokerId,
    tp: Tp,
    hash: u64,
    id: &str,
    on_replica: &Callback<(Tp, BrokerId)>,
    cache: &std::cell::RefCell<ViewCache>,
) -> Html {
    let hit = cache.borrow().replicas.get(&(tp, b)).filter(|(h, _)| *h == hash).map(|(_, html)| html.clone());
    let content = hit.unwrap_or_else(|| {
        let html = replica_view(sim, lay, b, tp, id, on_replica).unwrap_or_default();
        let mut c = cache.borrow_mut();
        if c.replicas.len() > 4096 {
            c.replicas.clear();
        }
        c.replicas.insert((tp, b), (hash, html.clone()));
        html
    });
    html! { <Memo key={format!("r{}-{}-{b}", tp.topic, tp.partition)} {hash} {content} /> }
}

/// The header line of a replica: its role on the left, its offsets on the right, in the longest
/// forms that fit side by side in `w`.
fn header_texts(leader: bool, in_isr: bool, epoch: u32, hw: u64, leo: u64, lso: u64, w: f64) -> (String, String) {
    let badges: Vec<String> = match (leader, in_isr) {
        (true, _) => {
            vec![format!("★ leader · epoch {epoch}"), format!("★ leader e{epoch}"), format!("★ e{epoch}"), "★".into()]
        }
        (false, true) => vec!["follower · in sync".into(), "in sync".into(), "ISR".into()],
        (false, false) => vec!["follower · out of ISR".into(), "out of ISR".into(), "not ISR".into()],
    };
    let offsets: Vec<String> = if lso < hw {
        vec![
            format!("LSO {lso} · HW {hw} · LEO {leo}"),
            format!("LSO {lso} HW {hw} LEO {leo}"),
            format!("HW {hw} LEO {leo}"),
            String::new(),
        ]
    } else {
        vec![format!("HW {hw} · LEO {leo}"), format!("HW {hw} LEO {leo}"), String::new()]
    };
    let gap = 10.0;
    for o in &offsets {
        for b in &badges {
            let need = text_w(b.chars().count(), FS_SMALL)
                + if o.is_empty() { 0.0 } else { gap + text_w(o.chars().count(), FS_SMALL) };
            if need <= w {
                return (b.clone(), o.clone());
            }
        }
    }
    (badges.last().cloned().unwrap_or_default(), String::new())
}

fn replica_view(
    sim: &Sim,
    lay: &Layout,
    b: BrokerId,
    tp: Tp,
    id: &str,
    on_replica: &Callback<(Tp, BrokerId)>,
) -> Option<Html> {
    let meta = sim.partition(tp)?;
    if !meta.replicas.contains(&b) {
        return None;
    }
    let log = sim.replica_log(b, tp);
    let band = lay.replica_band(b, tp)?;
    let cell = Layout::cell(band);
    let y = band.y;
    let leader = meta.leader == Some(b);
    let in_isr = meta.isr.contains(&b);
    let down = !matches!(sim.broker_state(b), "alive");
    let start = window(sim, lay, tp);
    let slots = lay.slots();
    let cell_x = cell.x;
    let role = if leader { "leader" } else { "follower" };
    let (leo, hw, log_start) = log.map_or((0, 0, 0), |l| (l.leo(), l.hw, l.log_start));
    let lso = log.map_or(hw, |l| l.lso());
    let label = format!(
        "{} replica on broker {b}: {role}{}, {}in the ISR; log end offset {leo}, high watermark {hw}",
        sim.tp_name(tp),
        if leader { format!(" (epoch {})", meta.leader_epoch) } else { String::new() },
        if in_isr { "" } else { "not " }
    );
    let offsets_title = format!("HW {hw}: the high watermark, the first offset not yet on every in-sync replica (records below it are committed and visible to consumers). LEO {leo}: the log end offset, where the next record goes.{}", if lso < hw { format!(" LSO {lso}: the last stable offset; a transaction open from there holds back read_committed consumers.") } else { String::new() });
    let slots_y = y + BAND_SLOTS_Y;
    let hw_x = (hw >= start && hw <= start + slots).then(|| Layout::slot_x(cell_x, hw - start) - SLOT_GAP / 2.0);
    // The last stable offset, drawn only where it differs from the HW (an open transaction).
    let lso_x = (lso < hw && lso >= start && lso <= start + slots)
        .then(|| Layout::slot_x(cell_x, lso - start) - SLOT_GAP / 2.0);
    let leo_x = (leo >= start && leo < start + slots).then(|| Layout::slot_x(cell_x, leo - start));
    // The log start, where retention or delete-records cut the log: drawn when what it deleted
    // is in the window (the dashed slots before it).
    let log_start_x = (log_start > start && log_start <= start + slots)
        .then(|| Layout::slot_x(cell_x, log_start - start) - SLOT_GAP / 2.0);
    let class = classes!("replica", role, (!in_isr).then_some("out-of-isr"), down.then_some("down"));
    let onclick = on_replica.reform(move |_: MouseEvent| (tp, b));
    let hatch = format!("url(#{id}-uncommitted)");
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
            "{label}.{} {offsets_title} Click to inspect.",
            if committed.is_empty() { String::new() } else { format!(" Committed offsets: {}.", committed.join(", ")) }
        );
        let (badge, offsets) = header_texts(leader, in_isr, meta.leader_epoch, hw, leo, lso, cell.w - 2.0 * LOG_PAD);
        return Some(html! {
            <g {class} data-topic={sim.topic(tp.topic).name.clone()} data-partition={tp.partition.to_string()} data-broker={b.to_string()}
               data-role={role} data-isr={in_isr.to_string()} data-leo={leo.to_string()} data-hw={hw.to_string()}
               aria-label={label} {onclick}>
                <title>{title}</title>
                <rect class="cell box" x={cell.x.to_string()} y={cell.y.to_string()} width={cell.w.to_string()} height={cell.h.to_string()} rx="6" />
                <text x={(cell_x + LOG_PAD).to_string()} y={(y + BAND_HEADER_Y).to_string()} class="badge t11">{badge}</text>
                <text x={(cell.right() - LOG_PAD).to_string()} y={(y + BAND_HEADER_Y).to_string()} class="offsets t11" text-anchor="end">{offsets}</text>
            </g>
        });
    }
    // Stacked, the partition's name (a button, drawn by the broker) opens the header line and the
    // offsets sit right of the log; wide, the header holds the role and the offsets.
    let (badge_x, header_w) = if lay.stacked {
        let x = cell_x + LOG_PAD + stacked_name_w(&sim.tp_name(tp)) + 10.0;
        (x, cell.right() - LOG_PAD - x)
    } else {
        (cell_x + LOG_PAD, cell.w - 2.0 * LOG_PAD)
    };
    let (badge, offsets) = if lay.stacked {
        (header_texts(leader, in_isr, meta.leader_epoch, 0, 0, 0, header_w).0, String::new())
    } else {
        header_texts(leader, in_isr, meta.leader_epoch, hw, leo, lso, header_w)
    };
    let every = Layout::offset_label_every(start + slots);
    let store = Storage::of(sim, lay, b, tp, start);
    let end = start + slots;
    // Offsets labelled under the log: each segment's base offset where it fits, then every
    // `every`-th offset that does not crowd one of them.
    let bases: Vec<u64> = store.segments.iter().map(|s| s.0).filter(|&o| o >= start && o < end).collect();
    let mut labelled: Vec<u64> = Vec::new();
    for &o in &bases {
        if labelled.last().is_none_or(|&l| o - l >= every) {
            labelled.push(o);
        }
    }
    let seg_labels = labelled.clone();
    for o in (start..end).filter(|o| o % every == 0) {
        if seg_labels.iter().all(|&l| l.abs_diff(o) >= every) {
            labelled.push(o);
        }
    }
    let compacted = sim.topic(tp.topic).config.compacts();
    let key_name =
        |k: Option<kafkascope_sim::model::Sym>| k.map_or("null".to_string(), |k| sim.interner.get(k).to_string());
    let logs = html! {
        <>
        { for (0..slots).map(|i| {
            let off = start + i;
            let sx = Layout::slot_x(cell_x, i);
            let rec = log.and_then(|l| l.get(off));
            let deleted = off < log_start;
            let kind = match (log, rec) {
                (Some(l), Some(r)) => txn_kind(l, r),
                _ => 0,
            };
            let marker = kind == TXN_COMMIT || kind == TXN_ABORT;
            let cleaned = if rec.is_none() { store.facts.cleaned.iter().find(|c| c.offset == off) } else { None };
            let superseded = store.facts.superseded.iter().find(|s| s.0 == off).map(|s| s.1);
            let tombstone = rec.is_some_and(|r| r.value == kafkascope_sim::model::Value::Null && r.key.is_some());
            let horizon = store.facts.tombstones.iter().find(|t| t.0 == off).and_then(|t| t.1);
            let (ghost, _) = store.fade(off, start, slots);
            let title = match rec {
                Some(r) if marker => format!(
                    "offset {off}: {} marker for producer id {}, a control record: it takes one offset and is never returned to applications",
                    if kind == TXN_COMMIT { "COMMIT" } else { "ABORT" },
                    r.producer_id.unwrap_or(0)
                ),
                Some(r) if tombstone => format!(
                    "offset {off}: tombstone for key {} (a null value), leader epoch {}. {}",
                    key_name(r.key),
                    r.epoch,
                    match (compacted, horizon) {
                        (false, _) => "The topic is not compacted, so it is an ordinary record with no value.".to_string(),
                        (true, Some(h)) => format!("It deletes its key: the log cleaner keeps it until its delete horizon {} (its first cleaning + delete.retention.ms), then removes it on its next pass.", format_time(h)),
                        (true, None) => "It deletes its key: no delete horizon yet; the log cleaner's first pass over it sets one (that pass + delete.retention.ms), after which it is removed.".to_string(),
                    }
                ),
                Some(r) => format!(
                    "offset {off}, key {}, value {}, leader epoch {}{}{}",
                    key_name(r.key),
                    value_text(sim, r.value),
                    r.epoch,
                    match kind {
                        TXN_ABORTED => " — in an ABORTED transaction: read_committed consumers skip it",
                        TXN_OPEN => " — in a transaction not yet decided: read_committed consumers wait (above the LSO)",
                        _ if r.txn => " — transactional, committed",
                        _ => "",
                    },
                    superseded.map_or(String::new(), |by| format!(
                        " — superseded by offset {by}, a later record of key {}: the log cleaner removes it once it is out of the active segment and below the HW",
                        key_name(r.key)
                    ))
                ),
                None if deleted => format!("offset {off}: deleted by retention"),
                None if cleaned.is_some() => {
                    let c = cleaned.expect("checked");
                    match (&c.key, c.latest) {
                        (Some(k), Some(l)) if c.was_tombstone => format!("offset {off}: removed by compaction (a tombstone for key {k} past its delete horizon); key {k}'s latest record is at offset {l}"),
                        (Some(k), None) if c.was_tombstone => format!("offset {off}: removed by compaction (a tombstone for key {k} past its delete horizon): key {k} is gone from the log"),
                        (Some(k), Some(l)) => format!("offset {off}: removed by compaction; key {k}'s latest value is at offset {l}"),
                        (Some(k), None) => format!("offset {off}: removed by compaction; key {k} was deleted by a tombstone, gone too now"),
                        (None, _) => format!("offset {off}: removed by compaction (an older value of its key or an expired tombstone); the offset stays taken and readers skip it"),
                    }
                }
                None => format!("offset {off}: empty"),
            };
            let committed = off < hw;
            html! {
                <g class={classes!(
                    "slot",
                    rec.is_some().then_some("filled"),
                    cleaned.is_some().then_some("cleaned"),
                    superseded.is_some().then_some("superseded"),
                    tombstone.then_some("tombstone"),
                    deleted.then_some("deleted"),
                    rec.is_some_and(|r| lay.duplicated.contains(&r.id)).then_some("dup"),
                    rec.is_some_and(|r| lay.lost.contains(&r.id)).then_some("lost-copy"),
                    (kind == TXN_COMMIT).then_some("marker commit"),
                    (kind == TXN_ABORT).then_some("marker abort"),
                    (kind == TXN_ABORTED).then_some("aborted"),
                    (kind == TXN_OPEN).then_some("open-txn"),
                    rec.is_some_and(|r| lay.now_ms < r.append_ms as f64 + FRESH_MS && lay.now_ms >= r.append_ms as f64).then_some("fresh"),
                )} key={off.to_string()} data-offset={off.to_string()}>
                    <title>{title}</title>
                    if let Some(r) = rec {
                        if marker {
                            // A control record: its own shape (a check for COMMIT, a cross for ABORT),
                            // never a letter that a key could also have.
                            <rect class="rec control" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="11" />
                            <path class="glyph" d={if kind == TXN_COMMIT {
                                format!("M{:.1},{:.1} l4,4 l8,-9", sx + 5.0, slots_y + 11.5)
                            } else {
                                format!("M{:.1},{:.1} l10,10 M{:.1},{:.1} l-10,10", sx + 6.0, slots_y + 6.0, sx + 16.0, slots_y + 6.0)
                            }} />
                        } else if tombstone {
                            // A tombstone: its key's colour as an outline around an empty (null) value.
                            <rect class="rec tomb" x={(sx + 1.25).to_string()} y={(slots_y + 1.25).to_string()} width={(SLOT_W - 2.5).to_string()} height={(SLOT_W - 2.5).to_string()} rx="3" stroke={key_colour(r)} />
                            <text class="key t12" x={(sx + SLOT_W / 2.0).to_string()} y={(slots_y + 15.5).to_string()} text-anchor="middle">{key_letter(sim, r)}</text>
                        } else {
                            <rect class="rec" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" fill={key_colour(r)} />
                            <text class="key t12" x={(sx + SLOT_W / 2.0).to_string()} y={(slots_y + 15.5).to_string()} text-anchor="middle">{key_letter(sim, r)}</text>
                            if superseded.is_some() {
                                <path class="superseded-mark" d={format!("M{:.1},{:.1}h7v7z", sx + SLOT_W - 7.5, slots_y + 0.5)} />
                            }
                        }
                        if !committed {
                            <rect class="uncommitted" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" fill={hatch.clone()} />
                        }
                        if kind == TXN_ABORTED {
                            <line class="strike" x1={(sx + 2.0).to_string()} y1={(slots_y + SLOT_W - 2.0).to_string()} x2={(sx + SLOT_W - 2.0).to_string()} y2={(slots_y + 2.0).to_string()} />
                        }
                    } else if cleaned.is_some() {
                        // A gap the cleaner left: the offset stays taken, narrower and dotted.
                        <rect class="gap" x={(sx + 4.0).to_string()} y={(slots_y + 4.0).to_string()} width={(SLOT_W - 8.0).to_string()} height={(SLOT_W - 8.0).to_string()} rx="2" />
                        if let Some(r) = cleaned.and_then(|c| c.removed).filter(|_| ghost > 0.0) {
                            // The removed record, fading out as the cleaner passes over it.
                            <g class="ghost" opacity={format!("{:.2}", ghost * 0.8)}>
                                <rect class="rec" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" fill={key_colour(&r)} />
                            </g>
                        }
                    } else {
                        <rect class="empty" x={sx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3" />
                    }
                    if labelled.contains(&off) {
                        <text class={classes!("off", "t11", seg_labels.contains(&off).then_some("seg-base"))} x={(sx + SLOT_W / 2.0).to_string()} y={(y + BAND_OFFSETS_Y).to_string()} text-anchor="middle">{off.to_string()}</text>
                    }
                </g>
            }
        }) }
        </>
    };
    // Stacked, the offsets sit right of the log (the header line holds the partition's name).
    let offsets_view = if lay.stacked {
        let x = Layout::slot_x(cell_x, slots) + 4.0;
        let mut lines = vec![format!("HW {hw}"), format!("LEO {leo}")];
        if lso < hw {
            lines.insert(0, format!("LSO {lso}"));
        }
        let lines: Vec<String> = lines.iter().map(|l| fit_text(&[l], cell.right() - x - 2.0, FS_SMALL)).collect();
        let top = slots_y + SLOT_W / 2.0 + 4.0 - (lines.len() as f64 - 1.0) * 6.5;
        html! {
            <text x={x.to_string()} y={top.to_string()} class="offsets t11">
                <title>{offsets_title}</title>
                { for lines.into_iter().enumerate().map(|(i, l)| html! {
                    <tspan x={x.to_string()} y={(top + i as f64 * 13.0).to_string()}>{l}</tspan>
                }) }
            </text>
        }
    } else {
        html! {
            <text x={(cell.right() - LOG_PAD).to_string()} y={(y + BAND_HEADER_Y).to_string()} class="offsets t11" text-anchor="end">
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
            <rect class="cell box" x={cell.x.to_string()} y={cell.y.to_string()} width={cell.w.to_string()} height={cell.h.to_string()} rx="6" />
            <text x={badge_x.to_string()} y={(y + BAND_HEADER_Y).to_string()} class="badge t11">
                { badge }
            </text>
            { offsets_view }
            { logs }
            { segments_view(&store, start, slots, cell_x, slots_y) }
            { cleaner_view(&store, start, slots, cell_x, slots_y) }
            if let Some(hx) = hw_x {
                <g class="hw-marker">
                    <line x1={hx.to_string()} y1={(slots_y - 4.0).to_string()} x2={hx.to_string()} y2={(slots_y + SLOT_W + 4.0).to_string()} />
                    <title>{format!("High watermark {hw}: records before it are on every in-sync replica (committed) and visible to consumers.")}</title>
                </g>
            }
            if let Some(sx) = log_start_x {
                <g class="log-start-marker">
                    <path d={format!("M{:.1},{:.1} h-4 v{:.1} h4", sx + 2.0, slots_y - 5.0, SLOT_W + 10.0)} />
                    <title>{format!("Log start offset {log_start}: the first offset this replica still holds. The dashed slots before it were deleted by retention (whole segments) or kafka-delete-records; a consumer asking for one gets OFFSET_OUT_OF_RANGE and follows auto.offset.reset.")}</title>
                </g>
            }
            if let Some(lx) = lso_x {
                <g class="lso-marker">
                    <line x1={lx.to_string()} y1={(slots_y - 6.0).to_string()} x2={lx.to_string()} y2={(slots_y + SLOT_W + 6.0).to_string()} />
                    <title>{format!("Last stable offset {lso}: a transaction is open from here; read_committed consumers read only below it (read_uncommitted ones read up to the HW {hw}).")}</title>
                </g>
            }
            { committed_markers(lay, tp, start, cell, y, leader) }
            if let Some(lx) = leo_x {
                <rect class="leo-marker" x={lx.to_string()} y={slots_y.to_string()} width={SLOT_W.to_string()} height={SLOT_W.to_string()} rx="3">
                    <title>{format!("Log end offset {leo}: where the next record will be appended.")}</title>
                </rect>
            }
        </g>
    }
    .into()
}

/// A replica's segments in the window: a divider where each begins (its base offset is labelled
/// under the log), and a bar under each segment's slots, the active segment's in the accent colour.
fn segments_view(store: &Storage, start: u64, slots: u64, cell_x: f64, slots_y: f64) -> Html {
    let end = start + slots;
    html! {
        <g class="segments">
            { for store.segments.iter().map(|&(base, until, active)| {
                let (a, z) = (base.max(start), until.min(end));
                let x0 = Layout::slot_x(cell_x, a - start);
                let x1 = Layout::slot_x(cell_x, z - start - 1) + SLOT_W;
                let file = format!("{base:020}.log");
                let bar_title = if active {
                    format!("Active segment {file} (base offset {base}): appends go here; retention and the log cleaner never touch it. It rolls at segment.bytes or segment.ms.")
                } else {
                    format!("Segment {file}, offsets {base}..{}: closed. Retention deletes whole closed segments; on a compacted topic the log cleaner compacts them.", until - 1)
                };
                html! {
                    <>
                    <rect class={classes!("seg-bar", active.then_some("active"))} data-base={base.to_string()}
                          x={format!("{:.1}", x0 + 1.0)} y={format!("{:.1}", slots_y + SLOT_W + 2.0)} width={format!("{:.1}", (x1 - x0 - 2.0).max(2.0))} height="3" rx="1.5">
                        <title>{bar_title}</title>
                    </rect>
                    if base >= start && base < end {
                        <line class={classes!("seg-divider", active.then_some("active"))} data-base={base.to_string()}
                              x1={format!("{:.1}", x0 - SLOT_GAP / 2.0)} x2={format!("{:.1}", x0 - SLOT_GAP / 2.0)}
                              y1={format!("{:.1}", slots_y - 4.0)} y2={format!("{:.1}", slots_y + SLOT_W + 5.0)}>
                            <title>{format!("Segment {file} begins at base offset {base}{}", if active { " (the active segment)" } else { "" })}</title>
                        </line>
                    }
                    </>
                }
            }) }
        </g>
    }
}

/// The log cleaner's pass over a replica, while it is drawn: the dirty section it cleans tinted,
/// and the cleaner's edge moving across it (hidden with `prefers-reduced-motion`, where the
/// removed records only fade).
fn cleaner_view(store: &Storage, start: u64, slots: u64, cell_x: f64, slots_y: f64) -> Html {
    let Some((p, t)) = store.pass else { return Html::default() };
    let end = start + slots;
    let (a, z) = (p.from.max(start), p.to.min(end));
    if a >= z {
        return Html::default();
    }
    let x0 = Layout::slot_x(cell_x, a - start) - SLOT_GAP / 2.0;
    let x1 = Layout::slot_x(cell_x, z - start) - SLOT_GAP / 2.0;
    let at = (t >= 0.0).then(|| store.fade(a, start, slots).1).flatten();
    html! {
        <g class="cleaner-pass" data-from={p.from.to_string()} data-to={p.to.to_string()}>
            <title>{format!("The log cleaner's pass over offsets {}..{} (the dirty section): it keeps the latest record of each key and removed {}.", p.from, p.to - 1, p.removed)}</title>
            <rect class="dirty-section" x={format!("{x0:.1}")} y={format!("{:.1}", slots_y - 3.0)} width={format!("{:.1}", x1 - x0)} height={format!("{:.1}", SLOT_W + 6.0)} rx="4" />
            if let Some(at) = at {
                <rect class="cleaner" x={format!("{:.1}", cell_x + LOG_PAD + (at - start as f64) * SLOT_PITCH - 2.5)} y={format!("{:.1}", slots_y - 5.0)} width="3.5" height={format!("{:.1}", SLOT_W + 10.0)} rx="1.5" />
            }
        </g>
    }
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
    /// Gaps the log cleaner left, records a later one of their key supersedes, tombstones.
    gaps: String,
    superseded: String,
    tombstones: String,
    /// Segment dividers, and the bar under the active segment.
    dividers: String,
    active: String,
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
        let start = window(sim, lay, tp);
        let slots = lay.slots();
        let (cell_x, slots_y) = (Layout::cell(band).x, band.y + BAND_SLOTS_Y);
        let (leo, hw) = log.map_or((0, 0), |l| (l.leo(), l.hw));
        let lso = log.map_or(hw, |l| l.lso());
        let store = Storage::of(sim, lay, b, tp, start);
        for i in 0..slots {
            let off = start + i;
            let sx = Layout::slot_x(cell_x, i);
            let sq = format!("M{sx:.1},{slots_y:.1}h{SLOT_W}v{SLOT_W}h-{SLOT_W}z");
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
                    let inner = format!(
                        "M{:.1},{:.1}h{}v{}h-{}z",
                        sx + 5.0,
                        slots_y + 5.0,
                        SLOT_W - 10.0,
                        SLOT_W - 10.0,
                        SLOT_W - 10.0
                    );
                    if store.facts.tombstones.iter().any(|t| t.0 == off) {
                        self.tombstones.push_str(&inner);
                    } else if store.facts.superseded.iter().any(|s| s.0 == off) {
                        self.superseded.push_str(&sq);
                    }
                }
                None if store.facts.cleaned.iter().any(|c| c.offset == off) => {
                    let _ = write!(
                        self.gaps,
                        "M{:.1},{:.1}h{}v{}h-{}z",
                        sx + 4.0,
                        slots_y + 4.0,
                        SLOT_W - 8.0,
                        SLOT_W - 8.0,
                        SLOT_W - 8.0
                    );
                }
                None => self.empty.push_str(&sq),
            }
        }
        for &(base, until, active) in &store.segments {
            if base >= start && base < start + slots {
                let x = Layout::slot_x(cell_x, base - start) - SLOT_GAP / 2.0;
                let _ = write!(self.dividers, "M{x:.1},{:.1}v{}", slots_y - 4.0, SLOT_W + 9.0);
            }
            if active {
                let (a, z) = (base.max(start), until.min(start + slots));
                let x0 = Layout::slot_x(cell_x, a - start) + 1.0;
                let x1 = Layout::slot_x(cell_x, z - start - 1) + SLOT_W - 1.0;
                let _ = write!(self.active, "M{x0:.1},{:.1}h{:.1}v3h-{:.1}z", slots_y + SLOT_W + 2.0, x1 - x0, x1 - x0);
            }
        }
        let marker_x = |off: u64| Layout::slot_x(cell_x, off - start) - SLOT_GAP / 2.0;
        if hw >= start && hw <= start + slots {
            let _ = write!(self.hw, "M{:.1},{:.1}v{}", marker_x(hw), slots_y - 4.0, SLOT_W + 8.0);
        }
        if lso < hw && lso >= start && lso <= start + slots {
            let _ = write!(self.lso, "M{:.1},{:.1}v{}", marker_x(lso), slots_y - 6.0, SLOT_W + 12.0);
        }
        if leo >= start && leo < start + slots {
            let _ = write!(
                self.leo,
                "M{:.1},{slots_y:.1}h{SLOT_W}v{SLOT_W}h-{SLOT_W}z",
                Layout::slot_x(cell_x, leo - start)
            );
        }
        if meta.leader == Some(b) {
            for (_, offsets) in &lay.committed {
                if let Some(&off) = offsets.get(&tp).filter(|&&o| o >= start && o <= start + slots) {
                    let _ = write!(self.committed, "M{:.1},{:.1} l-4,7 h8 z", marker_x(off), band.y + BAND_MARKS_Y);
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
                { path("superseded", self.superseded) }
                { path("tombstone", self.tombstones) }
                { path("empty", self.empty) }
                { path("gap", self.gaps) }
                { path("seg-divider", self.dividers) }
                { path("seg-bar active", self.active) }
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
/// Groups at one offset share one mark and one label; a label that would run into the one before
/// it or out of the cell is left out (the mark's title names every group).
fn committed_markers(lay: &Layout, tp: Tp, start: u64, cell: BoxAt, y: f64, leader: bool) -> Html {
    if !leader {
        return Html::default();
    }
    let mut at: std::collections::BTreeMap<u64, Vec<&str>> = Default::default();
    for (g, offsets) in &lay.committed {
        if let Some(&off) = offsets.get(&tp) {
            if off >= start && off <= start + lay.slots() {
                at.entry(off).or_default().push(g.as_str());
            }
        }
    }
    let mut taken_right = cell.x + 2.0;
    let marks: Vec<Html> = at
        .into_iter()
        .map(|(off, groups)| {
            let x = Layout::slot_x(cell.x, off - start) - SLOT_GAP / 2.0;
            let names = groups.join(",");
            let w = text_w(names.chars().count(), FS_SMALL);
            let ty = y + BAND_MARKS_Y + 10.0;
            // Right of the mark if it fits, else left of it, else no label.
            let label = if x + 6.0 + w <= cell.right() - 4.0 && x + 6.0 >= taken_right {
                taken_right = x + 6.0 + w + 6.0;
                Some((x + 6.0, "start"))
            } else if x - 6.0 - w >= taken_right.max(cell.x + 4.0) {
                taken_right = x + 6.0;
                Some((x - 6.0, "end"))
            } else {
                None
            };
            let title = if groups.len() == 1 {
                format!("Group {names} committed offset {off}: it will resume reading there after a restart or rebalance.")
            } else {
                format!("Groups {names} committed offset {off}: each will resume reading there after a restart or rebalance.")
            };
            html! {
                <g class="committed-marker" data-offset={off.to_string()} data-groups={names.clone()}>
                    <title>{title}</title>
                    <path d={format!("M{x:.1},{:.1} l-4,7 h8 z", y + BAND_MARKS_Y)} />
                    if let Some((lx, anchor)) = label {
                        <text x={format!("{lx:.1}")} y={format!("{ty:.1}")} class="marker-label t11" text-anchor={anchor}>{names}</text>
                    }
                </g>
            }
        })
        .collect();
    html! { <>{ for marks }</> }
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
    let rate = if p.rate_per_s > 0 { format!("{}/s", p.rate_per_s) } else { "on demand".into() };
    let txn = crate::components::txn::producer_txn_lines(sim, i);
    let inner = r.w - 16.0;
    let acks = p.config.acks.name();
    let lines: [String; 3] = match &txn {
        Some((a, b)) => [
            fit_text(&[a], inner, FS_SMALL),
            fit_text(&[b], inner, FS_SMALL),
            fit_text(&[&format!("acks={acks} · {rate} → {topic}"), &format!("{rate} → {topic}")], inner, FS_SMALL),
        ],
        None => [
            fit_text(
                &[
                    &format!("acks={acks} · idempotence {}", if p.config.enable_idempotence { "on" } else { "off" }),
                    &format!("acks={acks} idem={}", if p.config.enable_idempotence { "on" } else { "off" }),
                ],
                inner,
                FS_SMALL,
            ),
            fit_text(&[&format!("{rate} → {topic}, {keys}"), &format!("{rate} → {topic}"), &topic], inner, FS_SMALL),
            fit_text(
                &[
                    &format!(
                        "in flight {} · queued {}",
                        p.in_flight.len(),
                        p.queues.values().map(|q| q.len()).sum::<usize>()
                    ),
                    &format!(
                        "inflight {} queued {}",
                        p.in_flight.len(),
                        p.queues.values().map(|q| q.len()).sum::<usize>()
                    ),
                ],
                inner,
                FS_SMALL,
            ),
        ],
    };
    let title = fit_text(&[&format!("Producer {}", p.name), &p.name], inner, FS_TITLE);
    let txn_class = crate::components::txn::producer_txn_class(sim, i);
    let txn_state = p.txn.as_ref().map(|t| t.state.name());
    let hash =
        fingerprint((&title, status, &lines, txn_class, txn_state, (r.x.to_bits(), r.y.to_bits(), r.w.to_bits())));
    memo_part(cache, Part::Producer(i), hash, || {
        let (onclick, onkeydown) = activation(on_producer.clone(), i as u32);
        html! {
            <g class={classes!("producer", status, txn_class)} data-producer={p.name.clone()} data-index={i.to_string()} data-txn-state={txn_state} role="button" tabindex="0"
               aria-label={format!("Producer {}, {status}, acks={}, idempotence={}, {rate} to {topic}, {keys}. Activate for actions.", p.name, p.config.acks.name(), p.config.enable_idempotence)}
               {onclick} {onkeydown}>
                <title>{"A producer sends records to the leader of their partition: keyed records go to murmur2(key) mod partitions; with acks=all it waits until every in-sync replica has them. Click for actions."}</title>
                <rect class="box" x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="8" />
                <text x={(r.x + 8.0).to_string()} y={(r.y + 17.0).to_string()} class="title t13">{title}</text>
                { for lines.iter().enumerate().map(|(j, l)| html! {
                    <text x={(r.x + 8.0).to_string()} y={(r.y + 33.0 + j as f64 * 14.5).to_string()} class="sub t11">{l.clone()}</text>
                }) }
            </g>
        }
    })
}

/// The partitions of a group's topics that no member owns right now (between a revoke and an
/// assignment), as the group header lists them.
fn unowned(sim: &Sim, group: &str) -> Vec<Tp> {
    let consumers: Vec<&kafkascope_sim::clients::consumer::Consumer> =
        sim.consumers.iter().filter(|c| c.group_name == group && !c.removed && c.is_alive()).collect();
    let mut topics: Vec<u32> = consumers.iter().flat_map(|c| c.topics.iter().copied()).collect();
    topics.sort();
    topics.dedup();
    let owned: std::collections::BTreeSet<Tp> = consumers.iter().flat_map(|c| c.assigned.iter().copied()).collect();
    topics
        .iter()
        .filter(|&&t| !sim.topic(t).deleted)
        .flat_map(|&t| (0..sim.topic(t).partitions).map(move |p| Tp { topic: t, partition: p }))
        .filter(|tp| !owned.contains(tp))
        .collect()
}

/// Consumer groups on the right: each group's state and generation, then its consumers with the
/// partitions they own, their position and lag.
fn groups_view(sim: &Sim, lay: &Layout, ev: &Events, cache: &std::cell::RefCell<ViewCache>) -> Html {
    let names = group_names(sim);
    let headers: Vec<(Option<BoxAt>, String, Option<BrokerId>, Vec<Tp>)> = names
        .iter()
        .enumerate()
        .map(|(gi, name)| {
            let g = sim.interner.find(name).and_then(|s| sim.groups.get(&s));
            let state = g.map(|g| (g.state.name(), g.generation, g.strategy.map(|s| s.name())));
            (lay.group_header(gi), format!("{state:?}"), sim.coordinator_of(name), unowned(sim, name))
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
        headers
            .iter()
            .map(|(p, s, c, u)| (p.map(|b| (b.x.to_bits(), b.y.to_bits(), b.w.to_bits())), s, c, u))
            .collect::<Vec<_>>(),
        &consumers,
    ));
    memo_part(cache, Part::Groups, hash, || {
        html! {
            <g class="groups">
                { for names.iter().enumerate().zip(&headers).map(|((gi, name), (_, _, _, unowned))| {
                    let b = lay.group_header(gi).unwrap_or(BoxAt { x: 0.0, y: 0.0, w: CONSUMER_W, h: GROUP_HEADER_H });
                    let inner = b.w - 4.0;
                    let g = sim.interner.find(name).and_then(|s| sim.groups.get(&s));
                    let state = g.map_or("not joined yet".to_string(), |g| format!("{} · gen {}", g.state.name(), g.generation));
                    let strategy = g.and_then(|g| g.strategy).map(|s| s.name());
                    let coordinator = sim.coordinator_of(name);
                    let third = match (coordinator, strategy) {
                        (Some(c), Some(s)) => format!("coordinator {c} · {s}"),
                        (Some(c), None) => format!("coordinator {c}"),
                        (None, Some(s)) => format!("no coordinator · {s}"),
                        (None, None) => "no coordinator".to_string(),
                    };
                    let single_topic = sim.consumers.iter().filter(|c| c.group_name == *name).flat_map(|c| c.topics.iter()).collect::<std::collections::BTreeSet<_>>().len() <= 1;
                    let un = if unowned.is_empty() {
                        String::new()
                    } else {
                        let names: Vec<String> = unowned.iter().map(|&tp| if single_topic { format!("p{}", tp.partition) } else { sim.tp_name(tp) }).collect();
                        fit_text(&[&format!("unowned: {}", names.join(" ")), &format!("unowned: {}", unowned.len())], inner, FS_SMALL)
                    };
                    let (onclick, onkeydown) = activation(ev.on_group.clone(), name.to_string());
                    html! {
                        <g class="group-header" data-group={name.to_string()} data-state={g.map_or("none", |g| g.state.name())}
                           role="button" tabindex="0" aria-label={format!("Consumer group {name}: {state}, {third}. Activate for actions.")}
                           {onclick} {onkeydown}>
                            <title>{"A consumer group shares the partitions of its topics among its members; the coordinator (a broker) runs rebalances, counted by generation. Click for actions."}</title>
                            <rect class="hit" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="6" />
                            <text x={(b.x + 2.0).to_string()} y={(b.y + 14.0).to_string()} class="title t13">{fit_text(&[&format!("Group {name}"), name], inner, FS_TITLE)}</text>
                            <text x={(b.x + 2.0).to_string()} y={(b.y + 29.0).to_string()} class="sub t11">{fit_text(&[&state], inner, FS_SMALL)}</text>
                            <text x={(b.x + 2.0).to_string()} y={(b.y + 43.0).to_string()} class="sub t11">{fit_text(&[&third, &format!("coord {}", coordinator.map_or("-".into(), |c| c.to_string()))], inner, FS_SMALL)}</text>
                            <text x={(b.x + 2.0).to_string()} y={(b.y + 57.0).to_string()} class="sub unowned t11">{un}</text>
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
    let b = lay.consumer_box(i);
    html! {
        <g class="consumer no-member" key={format!("n{i}")}>
            <rect class="box" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="8" />
            <text x={(b.x + 8.0).to_string()} y={(b.y + 17.0).to_string()} class="sub t11">{fit_text(&["no consumers: its committed", "no consumers"], b.w - 16.0, FS_SMALL)}</text>
            <text x={(b.x + 8.0).to_string()} y={(b.y + 32.0).to_string()} class="sub t11">{fit_text(&["offsets stay until it is", ""], b.w - 16.0, FS_SMALL)}</text>
            <text x={(b.x + 8.0).to_string()} y={(b.y + 47.0).to_string()} class="sub t11">{fit_text(&["deleted or expires", ""], b.w - 16.0, FS_SMALL)}</text>
        </g>
    }
}

/// One line of a consumer's box per partition: `pN @position lag L` (the topic's name too when
/// the group reads several topics).
fn partition_line(sim: &Sim, c: &kafkascope_sim::clients::consumer::Consumer, tp: Tp, held: bool, w: f64) -> String {
    let name = if c.topics.len() <= 1 { format!("p{}", tp.partition) } else { sim.tp_name(tp) };
    if held {
        return fit_text(&[&format!("{name} held by the dead member"), &format!("{name} held"), &name], w, FS_SMALL);
    }
    let pos = c.positions.get(&tp).map_or("?".to_string(), |p| p.to_string());
    let lag = kafkascope_sim::session::exec::serving_log(sim, tp)
        .zip(c.positions.get(&tp))
        .map(|(l, p)| l.hw.saturating_sub(*p).to_string());
    match lag {
        Some(lag) => fit_text(
            &[&format!("{name} @{pos} lag {lag}"), &format!("{name} @{pos} L{lag}"), &format!("{name} @{pos}")],
            w,
            FS_SMALL,
        ),
        None => fit_text(&[&format!("{name} @{pos}")], w, FS_SMALL),
    }
}

/// The fingerprint of what a consumer's drawing shows: its state, partitions, positions and lag.
fn consumer_hash(sim: &Sim, lay: &Layout, i: usize, ci: u32) -> u64 {
    let c = &sim.consumers[ci as usize];
    let (tps, held) = consumer_partitions(sim, ci);
    let lags: Vec<(Tp, Option<u64>, Option<u64>)> = tps
        .iter()
        .map(|tp| {
            (*tp, c.positions.get(tp).copied(), kafkascope_sim::session::exec::serving_log(sim, *tp).map(|l| l.hw))
        })
        .collect();
    let b = lay.consumer_box(i);
    let member = sim
        .interner
        .find(&c.group_name)
        .and_then(|g| sim.groups.get(&g))
        .and_then(|g| g.members.values().find(|m| m.client == ci))
        .map(|m| m.last_heartbeat_ms + m.session_timeout_ms);
    fingerprint((
        (&c.client_id, &c.group_name),
        format!("{:?}{:?}", c.status, c.state),
        c.incarnation,
        (lags, held, member),
        (b.x.to_bits(), b.y.to_bits(), b.w.to_bits(), b.h.to_bits()),
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
    html! { <Memo key={format!("c{ci}")} {hash} {content} /> }
}

fn consumer_view(sim: &Sim, lay: &Layout, i: usize, ci: u32, on_consumer: Callback<u32>) -> Html {
    let c = &sim.consumers[ci as usize];
    let b = lay.consumer_box(i);
    let (tps, held) = consumer_partitions(sim, ci);
    let status = sim.consumer_state(ci);
    let inner = b.w - 16.0;
    let status_line = if status == "crashed" {
        if held {
            fit_text(
                &["✕ crashed · the coordinator has not noticed", "✕ crashed · not noticed yet", "✕ crashed"],
                inner,
                FS_SMALL,
            )
        } else {
            fit_text(&["✕ crashed · out of the group", "✕ crashed"], inner, FS_SMALL)
        }
    } else {
        fit_text(&[status], inner, FS_SMALL)
    };
    let title_text = match &c.app {
        Some(a) => {
            format!("App {} → {} ({})", c.client_id, sim.topic(a.output).name, if a.eos { "EOS" } else { "ALO" })
        }
        None => format!("Consumer {}", c.client_id),
    };
    let (onclick, onkeydown) = activation(on_consumer, ci);
    let partitions = tps.iter().map(|tp| sim.tp_name(*tp)).collect::<Vec<_>>().join(",");
    html! {
        <g class={classes!("consumer", status.replace(' ', "-"))} data-consumer={c.client_id.clone()} data-state={status}
           data-partitions={partitions} data-held={held.to_string()} data-index={ci.to_string()}
           role="button" tabindex="0" aria-label={format!("Consumer {} in group {}, {status}. Activate for actions: kill, stop, pause or resume, processing time.", c.client_id, c.group_name)}
           {onclick} {onkeydown}>
            <title>{format!("Consumer {}: {} records per poll, commits {}. Click for actions. pN @X lag L: owns partition N, its next offset is X, L records behind the high watermark.", c.client_id, c.config.max_poll_records, c.config.commit.name())}</title>
            <rect class="box" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="8" />
            <text x={(b.x + 8.0).to_string()} y={(b.y + 17.0).to_string()} class="title t13">{fit_text(&[&title_text, &c.client_id], inner, FS_TITLE)}</text>
            <text x={(b.x + 8.0).to_string()} y={(b.y + 32.0).to_string()} class="sub t11">{status_line}</text>
            if tps.is_empty() {
                <text x={(b.x + 8.0).to_string()} y={lay.consumer_line(i, 0).y.to_string()} class="sub t11">{"no partitions"}</text>
            }
            { for tps.iter().enumerate().map(|(k, &tp)| {
                let at = lay.consumer_line(i, k);
                html! {
                    <text x={at.x.to_string()} y={at.y.to_string()} class={classes!("part", "t11", held.then_some("held"))} data-tp={sim.tp_name(tp)}>
                        {partition_line(sim, c, tp, held, inner)}
                    </text>
                }
            }) }
        </g>
    }
}

/// Motion of changes: a partition that just moved to a consumer travels there from its previous
/// owner (or from the group's header, where unowned partitions are listed); a new leader's ★
/// travels along the row from the old leader. A pure function of the journal and the time on
/// screen, over `MOVE_MS` of virtual time after each change.
fn moving_view(sim: &Sim, lay: &Layout, now: f64, reduced_motion: bool) -> Html {
    if lay.compact || reduced_motion {
        return Html::default();
    }
    let journal = &sim.journal;
    let since = (now - MOVE_MS).max(0.0) as u64;
    let first = journal.partition_point(|e| e.at_ms < since);
    let mut out = Vec::new();
    for (j, e) in journal.iter_from(first).enumerate() {
        let age = now - e.at_ms as f64;
        if !(0.0..MOVE_MS).contains(&age) {
            continue;
        }
        let t = ease(age / MOVE_MS);
        match &e.event {
            SimEvent::PartitionsAssigned { consumer, added, .. } => {
                let Some(slot) = lay.consumers.iter().position(|x| x.0 == *consumer) else { continue };
                let c = &sim.consumers[*consumer as usize];
                let (tps, _) = consumer_partitions(sim, *consumer);
                for tp in added {
                    let Some(k) = tps.iter().position(|x| x == tp) else { continue };
                    let to = lay.consumer_line(slot, k);
                    let from = previous_owner(sim, lay, first + j, &c.group_name, *tp).unwrap_or_else(|| {
                        lay.group_header(lay.consumers[slot].1).map_or(to, |h| Pt { x: h.x + 2.0, y: h.y + 57.0 })
                    });
                    let p = lerp(from, to, t);
                    let name = if c.topics.len() <= 1 { format!("p{}", tp.partition) } else { sim.tp_name(*tp) };
                    let w = text_w(name.chars().count(), FS_SMALL) + 8.0;
                    out.push(html! {
                        <g class="moving chip" data-moving="partition" data-tp={sim.tp_name(*tp)}>
                            <rect x={format!("{:.1}", p.x - 4.0)} y={format!("{:.1}", p.y - 11.0)} width={format!("{w:.1}")} height="15" rx="7" />
                            <text x={format!("{:.1}", p.x)} y={format!("{:.1}", p.y)} class="t11">{name}</text>
                        </g>
                    });
                }
            }
            SimEvent::LeaderChanged { tp, from: Some(a), to: Some(b), .. } if a != b => {
                let (Some(fa), Some(fb)) = (lay.replica_band(*a, *tp), lay.replica_band(*b, *tp)) else { continue };
                let from = Pt { x: fa.x + CELL_INSET + LOG_PAD + 4.0, y: fa.y + BAND_HEADER_Y - 4.0 };
                let to = Pt { x: fb.x + CELL_INSET + LOG_PAD + 4.0, y: fb.y + BAND_HEADER_Y - 4.0 };
                let p = lerp(from, to, t);
                out.push(html! {
                    <path class="moving star" data-moving="leader" d={star_path(p.x, p.y - 4.0, 8.0)} />
                });
            }
            _ => {}
        }
    }
    html! { <g class="motion" aria-hidden="true">{ for out }</g> }
}

/// Where partition `tp` was last owned in `group` before journal entry `at` (its assignment): the
/// line of the consumer that revoked it, if it is still drawn. Looks back at most 400 entries.
fn previous_owner(sim: &Sim, lay: &Layout, at: usize, group: &str, tp: Tp) -> Option<Pt> {
    (at.saturating_sub(400)..at).rev().filter_map(|i| sim.journal.get(i)).find_map(|e| match &e.event {
        SimEvent::PartitionsRevoked { consumer, tps } if tps.contains(&tp) => {
            let c = sim.consumers.get(*consumer as usize)?;
            if c.group_name != group {
                return None;
            }
            let slot = lay.consumers.iter().position(|x| x.0 == *consumer)?;
            let b = lay.consumer_box(slot);
            Some(Pt { x: b.x + 8.0, y: b.y + 32.0 })
        }
        _ => None,
    })
}

/// A five-pointed star centred at (x, y) with outer radius r, as path data.
fn star_path(x: f64, y: f64, r: f64) -> String {
    use std::fmt::Write;
    let mut d = String::new();
    for i in 0..10 {
        let a = std::f64::consts::PI / 5.0 * i as f64 - std::f64::consts::FRAC_PI_2;
        let rr = if i % 2 == 0 { r } else { r * 0.45 };
        let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, x + rr * a.cos(), y + rr * a.sin());
    }
    d.push('Z');
    d
}

/// Rings around what the tour step speaks of.
fn marks_view(sim: &Sim, lay: &Layout, marks: &[Mark]) -> Html {
    let boxes: Vec<(BoxAt, String)> = marks
        .iter()
        .filter_map(|m| {
            let b = match m {
                Mark::Controller => lay.controller_box(),
                Mark::Broker(b) => lay.broker_box(*b)?,
                Mark::Replica(tp, b) => Layout::cell(lay.replica_band(*b, *tp)?),
                Mark::Partition(tp) => {
                    if lay.stacked {
                        let meta = sim.partition(*tp)?;
                        Layout::cell(lay.replica_band(*meta.replicas.first()?, *tp)?)
                    } else {
                        let y = lay.row_y(*tp)?;
                        let right = lay
                            .brokers
                            .last()
                            .and_then(|&b| lay.broker_box(b))
                            .map_or(lay.width() - MARGIN, |c| c.right());
                        BoxAt { x: lay.label_x() - 4.0, y: y + 2.0, w: right - lay.label_x() + 4.0, h: ROW_H - 4.0 }
                    }
                }
                Mark::Producer(name) => {
                    let slot = lay.producers.iter().position(|&i| sim.producers[i as usize].name == *name)?;
                    lay.producer_box(slot)
                }
                Mark::Consumer(id) => {
                    let slot = lay
                        .consumers
                        .iter()
                        .position(|&(ci, _)| ci != NO_MEMBER && sim.consumers[ci as usize].client_id == *id)?;
                    lay.consumer_box(slot)
                }
                Mark::Group(g) => {
                    let gi = group_names(sim).iter().position(|n| n == g)?;
                    lay.group_header(gi)?
                }
            };
            Some((b, format!("{m:?}")))
        })
        .collect();
    html! {
        <g class="marks" aria-hidden="true">
            { for boxes.into_iter().map(|(b, what)| html! {
                <rect class="mark" data-mark={what} x={format!("{:.1}", b.x - 3.0)} y={format!("{:.1}", b.y - 3.0)} width={format!("{:.1}", b.w + 6.0)} height={format!("{:.1}", b.h + 6.0)} rx="9" />
            }) }
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
        MessageKind::Quorum => "m-quorum",
    }
}

/// A short name for each kind of message, for labels on the picture.
pub fn kind_short(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Produce => "produce",
        MessageKind::ProduceAck => "ack",
        MessageKind::Fetch => "fetch",
        MessageKind::FetchData => "replicate",
        MessageKind::Heartbeat => "heartbeat",
        MessageKind::Metadata => "metadata",
        MessageKind::IsrChange => "ISR change",
        MessageKind::Shutdown => "shutdown",
        MessageKind::Disconnect => "refused",
        MessageKind::Group => "join/sync",
        MessageKind::GroupHeartbeat => "heartbeat",
        MessageKind::OffsetCommit => "commit",
        MessageKind::ConsumerFetch => "fetch",
        MessageKind::ConsumerData => "records",
        MessageKind::Txn => "txn",
        MessageKind::TxnMarker => "marker",
        MessageKind::Quorum => "quorum",
    }
}

/// A kind's name in the legend strip: `kind_short`, told apart where two kinds share it (brokers'
/// and consumers' heartbeats and fetches).
pub fn kind_legend(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Heartbeat => "broker heartbeat",
        MessageKind::GroupHeartbeat => "group heartbeat",
        MessageKind::Fetch => "replica fetch",
        MessageKind::ConsumerFetch => "consumer fetch",
        MessageKind::Quorum => "KRaft quorum",
        _ => kind_short(k),
    }
}

/// The shape of a message of kind `k` centred at (x, y), as absolute path data: records-carrying
/// messages are large discs (coloured by the first record's key), requests small triangles,
/// responses rings, heartbeats diamonds, control messages squares, a refused connection a cross.
pub fn shape_d(k: MessageKind, has_records: bool, x: f64, y: f64) -> String {
    let disc = |r: f64| format!("M{:.1},{y:.1}a{r},{r} 0 1,0 {},0a{r},{r} 0 1,0 -{},0", x - r, 2.0 * r, 2.0 * r);
    match k {
        MessageKind::Produce | MessageKind::FetchData | MessageKind::ConsumerData if has_records => disc(6.5),
        MessageKind::Produce | MessageKind::FetchData | MessageKind::ConsumerData => disc(4.0),
        MessageKind::ProduceAck => format!("{}{}", disc(4.5), ""),
        MessageKind::Fetch | MessageKind::ConsumerFetch => {
            format!("M{:.1},{:.1}L{:.1},{y:.1}L{:.1},{:.1}Z", x - 4.5, y - 4.5, x + 5.0, x - 4.5, y + 4.5)
        }
        MessageKind::Heartbeat | MessageKind::GroupHeartbeat => {
            format!("M{x:.1},{:.1}L{:.1},{y:.1}L{x:.1},{:.1}L{:.1},{y:.1}Z", y - 5.0, x + 5.0, y + 5.0, x - 5.0)
        }
        MessageKind::Metadata => format!("M{:.1},{:.1}h8v8h-8z", x - 4.0, y - 4.0),
        MessageKind::IsrChange | MessageKind::Shutdown => format!("M{:.1},{:.1}h10v10h-10z", x - 5.0, y - 5.0),
        MessageKind::Group => format!(
            "M{:.1},{y:.1}L{:.1},{:.1}H{:.1}L{:.1},{y:.1}L{:.1},{:.1}H{:.1}Z",
            x - 5.5,
            x - 2.75,
            y - 4.8,
            x + 2.75,
            x + 5.5,
            x + 2.75,
            y + 4.8,
            x - 2.75
        ),
        MessageKind::OffsetCommit => format!("M{x:.1},{:.1}L{:.1},{:.1}H{:.1}Z", y - 5.5, x + 5.5, y + 4.5, x - 5.5),
        MessageKind::Txn => star_path(x, y, 6.0),
        MessageKind::TxnMarker => format!("M{:.1},{:.1}h3v3h3v3h-3v3h-3v-3h-3v-3h3z", x - 1.5, y - 4.5),
        MessageKind::Disconnect => format!("M{:.1},{:.1}l9,9M{:.1},{:.1}l-9,9", x - 4.5, y - 4.5, x + 4.5, y - 4.5),
        // A pentagon (a house): votes and metadata-log fetches between controllers and from brokers.
        MessageKind::Quorum => {
            format!(
                "M{:.1},{:.1}V{:.1}L{x:.1},{:.1}L{:.1},{:.1}V{:.1}Z",
                x - 5.0,
                y + 4.5,
                y - 1.0,
                y - 5.5,
                x + 5.0,
                y - 1.0,
                y + 4.5
            )
        }
    }
}

/// Compact mode (a big cluster: hundreds of messages in flight): each kind's messages, by the
/// key colour of the first record they carry, are drawn as one path, so a frame sets a few dozen
/// attributes instead of one transform per message. Same shapes and colours as `message_view`.
fn message_batches<'a>(lay: &Layout, msgs: impl Iterator<Item = &'a Message>, now: f64) -> Html {
    let mut batches: std::collections::BTreeMap<(&'static str, &'static str), String> = Default::default();
    for m in msgs {
        let kind = m.payload.kind();
        let tp = m.payload.tp();
        let to_ctrl = matches!(m.to, Node::Controller(_)) || matches!(m.from, Node::Controller(_));
        let (Some(a), Some(b)) = (lay.anchor(m.from, tp, to_ctrl), lay.anchor(m.to, tp, to_ctrl)) else { continue };
        let p = lay.along(a, b, progress(m.sent_ms, m.deliver_ms, now));
        let records = m.payload.records();
        let key = records.first().map_or("", key_class);
        batches.entry((kind_class(kind), key)).or_default().push_str(&shape_d(kind, !records.is_empty(), p.x, p.y));
    }
    html! {
        <>
            { for batches.into_iter().map(|((kind, key), d)| html! {
                <path key={format!("{kind}{key}")} class={classes!("msg-batch", "msg", kind, (!key.is_empty()).then_some(key))} {d} />
            }) }
        </>
    }
}

/// Where a message is drawn at time `now` (None: an end is not in the picture).
pub fn message_point(lay: &Layout, m: &Message, now: f64, reduced_motion: bool) -> Option<Pt> {
    let tp = m.payload.tp();
    let to_ctrl = matches!(m.to, Node::Controller(_)) || matches!(m.from, Node::Controller(_));
    let (a, b) = (lay.anchor(m.from, tp, to_ctrl)?, lay.anchor(m.to, tp, to_ctrl)?);
    let t = if reduced_motion { 0.5 } else { progress(m.sent_ms, m.deliver_ms, now) };
    Some(lay.along(a, b, t))
}

/// A message in flight (or fading out after a drop): keyed by its id, so when messages arrive
/// and leave Yew adds and removes their own nodes instead of rewriting the ones after them; its
/// position is one `transform` attribute, the only one that changes from frame to frame.
fn message_view(lay: &Layout, m: &Message, now: f64, opacity: f64, reduced_motion: bool, dropped: bool) -> Html {
    let kind = m.payload.kind();
    let Some(p) = message_point(lay, m, now, reduced_motion) else { return Html::default() };
    let t = progress(m.sent_ms, m.deliver_ms, now);
    // Reduced motion: no travel; the message sits at mid-path and fades in, then out.
    let opacity = if reduced_motion { opacity * (1.0 - (2.0 * t - 1.0).abs()).max(0.15) } else { opacity };
    let records = m.payload.records();
    let key = if dropped { format!("d{}", m.id) } else { m.id.to_string() };
    let transform = translate(p);
    let op = (opacity < 1.0).then(|| format!("{opacity:.2}"));
    let count = match &m.payload {
        Payload::FetchResponse { result: Ok(d), .. } if d.records.len() > 1 => Some(d.records.len().to_string()),
        Payload::Produce { batch, .. } if batch.records.len() > 1 => Some(batch.records.len().to_string()),
        _ => None,
    };
    html! {
        <g {key} class={classes!("msg", kind_class(kind))} {transform} opacity={op} data-kind={kind_short(kind)}>
            <path d={origin_shape(kind, !records.is_empty())} class={records.first().map(key_class)} />
            if let Some(l) = count {
                <text y="-9" text-anchor="middle" class="count t11">{l}</text>
            }
        </g>
    }
}

/// `shape_d(k, has_records, 0, 0)`, made once per shape and shared: a message's path is drawn at
/// the origin and moved by its group's `transform`, so its `d` is the same in every frame.
fn origin_shape(k: MessageKind, has_records: bool) -> AttrValue {
    thread_local! {
        static SHAPES: std::cell::RefCell<Vec<Option<AttrValue>>> =
            std::cell::RefCell::new(vec![None; 2 * MessageKind::ALL.len()]);
    }
    let i = 2 * MessageKind::ALL.iter().position(|&x| x == k).unwrap_or(0) + usize::from(has_records);
    SHAPES.with(|c| c.borrow_mut()[i].get_or_insert_with(|| AttrValue::from(shape_d(k, has_records, 0.0, 0.0))).clone())
}

/// `translate(x,y)` with one decimal, as `format!("translate({:.1},{:.1})")` writes it but without
/// the float formatter (a frame writes one per moving message; this is most of its text).
fn translate(p: Pt) -> String {
    use std::fmt::Write;
    fn tenths(out: &mut String, v: f64) {
        let t = (v * 10.0).round() as i64;
        let sign = if t < 0 { "-" } else { "" };
        let a = t.unsigned_abs();
        let _ = write!(out, "{sign}{}.{}", a / 10, a % 10);
    }
    let mut out = String::with_capacity(24);
    out.push_str("translate(");
    tenths(&mut out, p.x);
    out.push(',');
    tenths(&mut out, p.y);
    out.push(')');
    out
}

/// Labels on every message in flight (the legend's option for slow playing): its kind and what
/// it is about, placed beside the message, left out where it would run into a label already placed.
fn message_labels<'a>(
    lay: &Layout,
    sim: &Sim,
    msgs: impl Iterator<Item = &'a Message>,
    now: f64,
    reduced_motion: bool,
) -> Html {
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut out = Vec::new();
    for m in msgs {
        let Some(p) = message_point(lay, m, now, reduced_motion) else { continue };
        let text = message_text(sim, m, false);
        let w = text_w(text.chars().count(), FS_SMALL);
        let (x, y) = (p.x + 9.0, p.y + 4.0);
        let b = (x - 2.0, y - 11.0, x + w + 2.0, y + 3.0);
        if b.2 > lay.width() || placed.iter().any(|o| b.0 < o.2 && o.0 < b.2 && b.1 < o.3 && o.1 < b.3) {
            continue;
        }
        placed.push(b);
        out.push(html! {
            <text key={format!("l{}", m.id)} x={format!("{x:.1}")} y={format!("{y:.1}")} class="msg-label t11">{text}</text>
        });
    }
    html! { <g class="msg-labels">{ for out }</g> }
}

/// The labels that follow the pointer, drawn on top of everything at 12 px whatever the zoom: the
/// message pointed at (what it is, from where to where, about what), and zoomed out, the details
/// of the thing under the pointer.
fn tips_view(sim: &Sim, lay: &Layout, opts: &Options, now: f64, z: f64) -> Html {
    let px = 12.0 / z.max(0.05);
    let tip = |text: String, x: f64, y: f64, class: &'static str| {
        let w = text_w(text.chars().count(), 12.0) / z.max(0.05) + 12.0 / z.max(0.05);
        let h = 20.0 / z.max(0.05);
        // Kept inside the picture: flipped to the left of the point near the right edge.
        let x = if x + w > lay.width() { (x - w - 16.0 / z).max(0.0) } else { x };
        let y = y.clamp(h, lay.height().max(h));
        html! {
            <g class={classes!("tip", class)}>
                <rect x={format!("{x:.1}")} y={format!("{:.1}", y - h)} width={format!("{w:.1}")} height={format!("{h:.1}")} rx={format!("{:.1}", 4.0 / z)} />
                <text x={format!("{:.1}", x + 6.0 / z)} y={format!("{:.1}", y - 6.0 / z)} font-size={format!("{px:.2}")}>{text}</text>
            </g>
        }
    };
    let message = opts.pointed.and_then(|id| {
        let m = sim.net.in_flight().find(|m| m.id == id)?;
        let p = message_point(lay, m, now, opts.reduced_motion)?;
        Some(tip(message_text(sim, m, true), p.x + 10.0 / z, p.y - 8.0 / z, "msg-tip"))
    });
    let card = opts.card.as_ref().map(|(text, x, y)| tip(text.clone(), x + 14.0 / z, y - 10.0 / z, "card"));
    html! { <>{ for message }{ for card }</> }
}

/// What a message is, in words: its kind and, in `long` form, where it goes and what it carries.
pub fn message_text(sim: &Sim, m: &Message, long: bool) -> String {
    let kind = m.payload.kind();
    if !long {
        return match m.payload.tp() {
            Some(tp)
                if matches!(
                    kind,
                    MessageKind::Produce
                        | MessageKind::Fetch
                        | MessageKind::FetchData
                        | MessageKind::ConsumerFetch
                        | MessageKind::ConsumerData
                ) =>
            {
                format!("{} p{}", kind_short(kind), tp.partition)
            }
            _ => kind_short(kind).to_string(),
        };
    }
    let node = |n: Node| match n {
        Node::Controller(id) => format!("controller {id}"),
        Node::Broker(b) => format!("broker {b}"),
        Node::Producer(p) => {
            sim.producers.get(p as usize).map_or("a producer".into(), |p| format!("producer {}", p.name))
        }
        Node::Consumer(c) => {
            sim.consumers.get(c as usize).map_or("a consumer".into(), |c| format!("consumer {}", c.client_id))
        }
    };
    let n = m.payload.records().len();
    let about = m.payload.tp().map_or(String::new(), |tp| format!(" · {}", sim.tp_name(tp)));
    let carried = if n > 0 { format!(" · {n} record{}", if n == 1 { "" } else { "s" }) } else { String::new() };
    format!("{}: {} → {}{about}{carried}", kind.label(), node(m.from), node(m.to))
}

/// The message in flight nearest to (x, y) in picture units, within `radius`.
pub fn message_near(model: &Model, lay: &Layout, x: f64, y: f64, radius: f64, reduced_motion: bool) -> Option<u64> {
    let now = model.now_ms();
    model
        .session
        .sim
        .net
        .in_flight()
        .filter(|m| !model.hidden.contains(&m.payload.kind()))
        .filter_map(|m| message_point(lay, m, now, reduced_motion).map(|p| (m.id, (p.x - x).hypot(p.y - y))))
        .filter(|&(_, d)| d <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_message_is_moved_to_its_point_in_tenths_as_the_float_formatter_writes_it() {
        for (x, y) in [(0.0, 0.0), (12.34, 567.89), (1.0, 99.96), (-3.27, 1024.0), (7.0e3, 0.04), (5.5, 0.16)] {
            let p = Pt { x, y };
            assert_eq!(translate(p), format!("translate({x:.1},{y:.1})"), "at {x}, {y}");
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_message_shape_drawn_at_the_origin_is_the_shape_of_its_kind() {
        for k in MessageKind::ALL {
            for records in [false, true] {
                assert_eq!(origin_shape(k, records).as_str(), shape_d(k, records, 0.0, 0.0));
            }
        }
    }
}

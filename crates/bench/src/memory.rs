//! `scripts/bench.sh memory`, the native half: what the session and its time-travel snapshots hold
//! after 2, 10, 30 and 60 virtual minutes at top speed, counted exactly by the bench's allocator.
//!
//! Two sessions, played as the page plays them (`Model::tick` at 20x, 100 ms frames, so snapshots
//! are taken and the audit refreshed exactly as in the browser):
//! - the default scenario (scenarios/default.ks: 1 record/s, a group of two);
//! - the busy one (crates/bench/scenarios/busy.ks: 1,000 records/s to 6 partitions RF 3 with
//!   `retention.ms=60000`, a group of two), opened as a share link is.
//!
//! Per mark: the live heap of the whole model; the session alone (a fresh replay of the same trace,
//! measured on its own: what the present needs); the rest is what the snapshots cost (and the estimate their budget counts); and what a
//! copy of each part of the session costs (a snapshot shares what it can, so this is per snapshot).

use crate::alloc::{live_bytes, take_peak};
use kafkascope::state::{Model, SPEED_MAX};
use kafkascope_sim::session::exec::Session;

const MARKS_MIN: [u64; 4] = [2, 10, 30, 60];
/// A wasm page dies at 4 GB; past that the native figure means nothing either.
const GIVE_UP_BYTES: usize = 4 << 30;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
}

/// Bytes a value allocates while `make` builds it (and keeps it alive until measured).
fn cost<T>(make: impl FnOnce() -> T) -> usize {
    let before = live_bytes();
    let v = make();
    let after = live_bytes();
    drop(v);
    after.saturating_sub(before)
}

fn parts(m: &Model) -> String {
    let sim = &m.session.sim;
    let items = [
        ("brokers (logs)", cost(|| sim.brokers.clone())),
        ("ledger", cost(|| sim.ledger.clone())),
        ("deliveries", cost(|| sim.deliveries.clone())),
        ("journal", cost(|| sim.journal.clone())),
        ("txn log", cost(|| sim.txn_log.clone())),
        ("event queue", cost(|| sim.net.clone())),
        ("clients", cost(|| (sim.producers.clone(), sim.consumers.clone(), sim.groups.clone()))),
        ("whole session", cost(|| m.session.clone())),
    ];
    let estimate = kafkascope_sim::footprint::snapshot_bytes(sim, None);
    let parts: Vec<String> = items.iter().map(|(n, b)| format!("{n} {}", kb(*b))).collect();
    let (entries, kept) = sim.ledger.held();
    let records: usize = sim.brokers.values().flat_map(|b| b.replicas.values()).map(|r| r.log.records.len()).sum();
    format!(
        "{} (the budget's estimate of one: {}); ledger entries {entries} + {kept} kept, records in replica logs {records}, timers {}, messages {}",
        parts.join(", "),
        kb(estimate),
        sim.net.timers.len(),
        sim.net.messages.len()
    )
}

fn kb(bytes: usize) -> String {
    if bytes >= 10 << 20 {
        mb(bytes)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

fn play(name: &str, make: impl FnOnce() -> Model) {
    println!("{name}");
    let trace = std::env::var("MEMORY_TRACE").is_ok();
    let base = live_bytes();
    let mut m = make();
    m.speed = SPEED_MAX;
    m.playing = true;
    println!(
        "  {:>6}  {:>10}  {:>10}  {:>13}  {:>10}  {:>5}  {:>13}",
        "minute", "live heap", "peak", "session alone", "snapshots", "count", "their budget"
    );
    take_peak();
    for &minute in &MARKS_MIN {
        let until = minute * 60_000;
        while m.session.sim.now() < until {
            let before = live_bytes();
            let period = take_peak();
            m.tick(100.0); // one frame at top speed: 2 s of virtual time
            let in_tick = take_peak();
            crate::alloc::restore_peak(period.max(in_tick));
            if trace && in_tick > before + (8 << 20) {
                eprintln!(
                    "  trace: virtual {} s: live {} before the frame, peak {} during it, {} after; {} snapshots",
                    m.session.sim.now() / 1000,
                    mb(before - base),
                    mb(in_tick - base),
                    mb(live_bytes() - base),
                    m.timeline.checkpoints()
                );
                eprintln!("         {}; snapshots' estimate {}", parts(&m), mb(m.timeline.held_bytes()));
                take_peak();
            }
            if live_bytes() > base + GIVE_UP_BYTES {
                println!(
                    "  stopped at virtual {}:{:02}: the model holds over 4 GB (where a wasm page dies)",
                    m.session.sim.now() / 60_000,
                    m.session.sim.now() / 1000 % 60
                );
                return;
            }
        }
        let total = live_bytes().saturating_sub(base);
        let peak = take_peak().saturating_sub(base);
        let trace = m.session.trace();
        let alone = cost(|| Session::replay(&trace, None));
        println!(
            "  {minute:>6}  {:>10}  {:>10}  {:>13}  {:>10}  {:>5}  {:>13}",
            mb(total),
            mb(peak),
            mb(alone),
            mb(total.saturating_sub(alone)),
            m.timeline.checkpoints(),
            mb(m.timeline.held_bytes())
        );
        println!("          a copy of each part: {}", parts(&m));
        take_peak(); // the measuring above is not the session's
    }
}

pub fn run() {
    println!("memory, native (live heap bytes counted by the allocator), played at top speed ({SPEED_MAX}x)");
    if std::env::var("MEMORY_ONLY").is_err() {
        play("default scenario (scenarios/default.ks)", Model::new);
    }
    play("busy: 1,000 records/s, 6 partitions RF 3, retention.ms=60000, a group of two", || {
        let src = include_str!("../scenarios/busy.ks");
        let trace = Session::run_script_session(src).expect("the busy scenario runs").trace();
        let mut m = Model::from_trace(&trace, trace.end_ms);
        m.playing = true;
        m
    });
}

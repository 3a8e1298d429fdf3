//! The inspect panel: click a partition's row label (or one of its replicas) to see everything
//! about it: each replica's role, ISR membership, LEO, HW and log start offset, the leader-epoch
//! cache, the ISR history, and one replica's segments (file, base offset, size, time range, the
//! active one, the log start and the cleaner's checkpoint) and records. Read from the sim, live.

use crate::components::glossary::term;
use crate::state::Model;
use kafkascope_sim::cluster::journal::{format_time, join_ids};
use kafkascope_sim::model::{BrokerId, Tp};
use kafkascope_sim::session::exec::value_text;
use yew::prelude::*;

/// What the panel shows: a partition, and whose copy of its log (None: the leader's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspect {
    pub tp: Tp,
    pub broker: Option<BrokerId>,
}

/// Records listed at most (the newest).
const RECORDS_SHOWN: usize = 40;

pub fn view(
    model: &Model,
    target: Option<Inspect>,
    select: &Callback<Option<BrokerId>>,
    close: &Callback<()>,
    on_term: &Callback<&'static str>,
    run: &Callback<String>,
) -> Html {
    let Some(Inspect { tp, broker }) = target else { return Html::default() };
    let sim = &model.session.sim;
    let Some(meta) = sim.partition(tp) else { return Html::default() };
    let name = sim.tp_name(tp);
    let infos = sim.replica_infos(tp);
    let shown = broker.or(meta.leader).or_else(|| meta.replicas.first().copied());
    let log = shown.and_then(|b| sim.replica_log(b, tp));
    let history = sim.isr_history(tp);
    let storage = shown.and_then(|b| sim.storage_info(b, tp));
    let t = |id: &'static str, label: &'static str| term(id, label, on_term);
    let onkeydown = crate::components::escape_closes(close);
    let records: Vec<_> = log.map_or(Vec::new(), |l| l.iter().rev().take(RECORDS_SHOWN).copied().collect());
    // What one can do to the whole topic: the same command lines as the console.
    let topic = sim.topic(tp.topic);
    let topic_actions = (!topic.name.starts_with("__")).then(|| {
        let grow = format!("kafka-topics --alter --topic {} --partitions {}", topic.name, topic.partitions + 1);
        let delete = format!("kafka-topics --delete --topic {}", topic.name);
        let (r1, r2, closing) = (run.clone(), run.clone(), close.clone());
        let (g2, d2) = (grow.clone(), delete.clone());
        html! {
            <p class="topic-actions">
                <button type="button" class="menu-item" data-action="add-partition" title={grow}
                        onclick={Callback::from(move |_: MouseEvent| r1.emit(g2.clone()))}>
                    {format!("Add a partition to {}", topic.name)}
                </button>
                <button type="button" class="menu-item danger" data-action="delete-topic" title={delete}
                        onclick={Callback::from(move |_: MouseEvent| {
                            r2.emit(d2.clone());
                            closing.emit(());
                        })}>
                    {format!("Delete topic {}", topic.name)}
                </button>
                <span class="menu-help">{"deleting: groups reading it rebalance, its committed offsets go, producers still sending to it fail"}</span>
            </p>
        }
    });
    let hw = log.map_or(0, |l| l.hw);
    html! {
        <section class="panel inspect" id="inspect" role="region" aria-labelledby="inspect-h" tabindex="-1" {onkeydown}>
            <h2 id="inspect-h">{format!("Partition {name}")}
                <button type="button" class="close" id="inspect-close" onclick={close.reform(|_: MouseEvent| ())} aria-label="Close the inspect panel">{"✕"}</button>
            </h2>
            <p class="facts">
                {t("leader", "leader")}{format!(": {} · ", meta.leader.map_or("none (offline)".into(), |b| format!("broker {b}")))}
                {t("leader-epoch", "leader epoch")}{format!(": {} · ", meta.leader_epoch)}
                {t("replica", "replicas")}{format!(": {} · ", join_ids(&meta.replicas))}
                {t("isr", "ISR")}{format!(": {{{}}}", join_ids(&meta.isr))}
            </p>
            { topic_actions.unwrap_or_default() }
            <table class="replicas">
                <thead><tr>
                    <th scope="col">{"broker"}</th><th scope="col">{"role"}</th><th scope="col">{t("isr", "ISR")}</th>
                    <th scope="col">{t("leo", "LEO")}</th><th scope="col">{t("hw", "HW")}</th>
                    <th scope="col">{t("log-start", "log start")}</th><th scope="col">{"log"}</th>
                </tr></thead>
                <tbody>
                { for infos.iter().map(|r| {
                    let b = r.broker;
                    let pick = select.reform(move |_: MouseEvent| Some(b));
                    let current = shown == Some(b);
                    html! {
                        <tr class={classes!(current.then_some("current"))} data-broker={b.to_string()}>
                            <td>{format!("{b}{}", if r.preferred { " (preferred)" } else { "" })}<span class="muted">{format!(" {}", r.broker_state)}</span></td>
                            <td>{r.role}</td>
                            <td>{if r.in_isr { "in" } else { "out" }}</td>
                            <td class="num">{r.leo}</td><td class="num">{r.hw}</td><td class="num">{r.log_start}</td>
                            <td><button type="button" class="show-log" aria-pressed={current.to_string()} onclick={pick}>{"show"}</button></td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            if let (Some(b), None) = (shown, log) {
                <h3>{format!("Broker {b}'s copy: ")}{t("epoch-cache", "leader-epoch cache")}</h3>
                <p class="epochs">{"no copy of this log yet (the broker has not created the replica)"}</p>
            }
            if let (Some(b), Some(l)) = (shown, log) {
                <h3>{format!("Broker {b}'s copy: ")}{t("epoch-cache", "leader-epoch cache")}</h3>
                <p class="epochs">
                    { if l.epochs.is_empty() { "empty (no records yet)".to_string() } else {
                        l.epochs.iter().map(|(e, o)| format!("epoch {e} from offset {o}")).collect::<Vec<_>>().join(" · ")
                    } }
                </p>
                { storage.as_ref().map(segments_view).unwrap_or_default() }
                <h3>{format!("Records (newest {} of {}; ", records.len(), l.live_count())}{t("hw", "HW")}{format!(" {hw})")}</h3>
                <table class="records">
                    <thead><tr><th scope="col">{"offset"}</th><th scope="col">{"key"}</th><th scope="col">{"value"}</th><th scope="col">{t("leader-epoch", "epoch")}</th></tr></thead>
                    <tbody>
                    { for records.iter().map(|r| html! {
                        <tr class={classes!((r.offset >= hw).then_some("uncommitted"))}>
                            <td class="num">{r.offset}</td>
                            <td>{r.key.map_or("null".to_string(), |k| sim.interner.get(k).to_string())}</td>
                            <td>{value_text(sim, r.value)}</td>
                            <td class="num">{r.epoch}</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                if records.iter().any(|r| r.offset >= hw) {
                    <p class="muted">{"Shaded rows are at or above the high watermark: not yet on every in-sync replica."}</p>
                }
            }
            <h3>{t("isr", "ISR")}{" and leader history"}</h3>
            <ol class="isr-history">
                { for history.iter().rev().take(20).map(|h| html! {
                    <li>
                        <time>{format_time(h.at_ms)}</time>
                        {format!(" ISR {{{}}}", join_ids(&h.isr))}
                        { h.epoch.map_or(String::new(), |e| format!(" · epoch {e}")) }
                        {format!(" · {}", h.what)}
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// A replica's segments, oldest first: file, base offset, size, first and newest append, which is
/// active; then the log start offset and, on a compacted topic, the cleaner's checkpoint.
fn segments_view(st: &kafkascope_sim::teaching::inspect::StorageInfo) -> Html {
    let active_base = st.segments.iter().find(|s| s.active).map_or(0, |s| s.base_offset);
    html! {
        <>
            <h3 id="segments-h">{format!("Segments ({})", st.segments.len())}</h3>
            <p class="facts storage">
                {format!("log start offset {}", st.log_start)}
                if st.compacted {
                    {format!(" · cleaner checkpoint {}: offsets below it are clean (compacted), {}..{} is the dirty section, the active segment is never cleaned", st.clean_end, st.clean_end, active_base)}
                }
            </p>
            if st.segments.is_empty() {
                <p class="muted">{"no segment yet (nothing appended)"}</p>
            } else {
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="segments-h">
                <table class="segments">
                    <thead><tr>
                        <th scope="col">{"file"}</th><th scope="col">{"base offset"}</th><th scope="col">{"offsets"}</th>
                        <th scope="col">{"size (bytes)"}</th><th scope="col">{"first → newest append"}</th><th scope="col">{"state"}</th>
                    </tr></thead>
                    <tbody>
                    { for st.segments.iter().map(|s| html! {
                        <tr class={classes!(s.active.then_some("active"))} data-base={s.base_offset.to_string()}>
                            <td class="mono">{s.file_name.clone()}</td>
                            <td class="num">{s.base_offset}</td>
                            <td class="num">{if s.end_offset > s.base_offset { format!("{}..{}", s.base_offset, s.end_offset - 1) } else { "empty".to_string() }}</td>
                            <td class="num">{s.bytes}</td>
                            <td class="num">{if s.bytes == 0 { format!("{} (empty)", format_time(s.first_ms)) } else { format!("{} → {}", format_time(s.first_ms), format_time(s.max_ms)) }}</td>
                            <td>{if s.active { "active (appends go here)" } else if st.compacted && s.end_offset <= st.clean_end { "closed, cleaned" } else { "closed" }}</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </>
    }
}

//! What the view shows of transactions: a transactional producer's state, and for each
//! read-process-write app what a read_committed reader of its output sees (the exactly-once
//! ledger). Pure functions of the sim state, like the rest of the view.

use kafkascope_sim::coordinators::txn::TxnClientState;
use kafkascope_sim::model::Value;
use kafkascope_sim::Sim;
use yew::prelude::*;

/// Two short lines about a transactional producer (None for a plain one): its transactional.id
/// and state, then its producer id, epoch and how many transactions it committed and aborted.
pub fn producer_txn_lines(sim: &Sim, producer: usize) -> Option<(String, String)> {
    let p = sim.producers.get(producer)?;
    let t = p.txn.as_ref()?;
    let state = match t.state {
        TxnClientState::Fatal(_) => "FENCED".to_string(),
        TxnClientState::AbortableError(e) => format!("ABORTABLE_ERROR ({})", e.name()),
        s => s.name().to_string(),
    };
    let first = format!("{} · {state}", sim.interner.get(t.tid));
    let id = p.producer_id.map_or("-".to_string(), |id| id.to_string());
    let second = format!("pid {id} · epoch {} · {}✓ {}✗", p.producer_epoch, t.committed, t.aborted);
    Some((first, second))
}

/// The CSS class for a transactional producer's state.
pub fn producer_txn_class(sim: &Sim, producer: usize) -> Option<&'static str> {
    let t = sim.producers.get(producer)?.txn.as_ref()?;
    Some(match t.state {
        TxnClientState::Fatal(_) => "txn-fenced",
        TxnClientState::AbortableError(_) | TxnClientState::Aborting => "txn-aborting",
        TxnClientState::InTransaction | TxnClientState::Committing => "txn-open",
        _ => "txn-ready",
    })
}

/// Whether a record is a transaction marker, and which kind: Some(true) COMMIT, Some(false) ABORT.
pub fn marker_kind(v: Value) -> Option<bool> {
    match v {
        Value::Marker { commit } => Some(commit),
        _ => None,
    }
}

/// The exactly-once ledger: for every read-process-write app, what a read_committed reader of its
/// output sees per consumed input (`Sim::processor_audit`, cached with the ledger audit).
pub fn eos_counters(audits: &[kafkascope_sim::clients::processor::EosAudit]) -> Html {
    if audits.is_empty() {
        return Html::default();
    }
    let bad = |n: usize| if n > 0 { "bad" } else { "" };
    html! {
        <div class="eos-counts" id="eos-audit">
            { for audits.iter().map(|a| {
                let guarantee = if a.eos { "exactly_once_v2" } else { "at_least_once" };
                html! {
                    <div class="group-counts" data-group={a.group.clone()} data-guarantee={guarantee}>
                        <h3>{format!("app {} → {} ", a.group, a.output)}<span class="hint">{format!("({guarantee}), as a read_committed reader of {} sees it", a.output)}</span></h3>
                        <dl>
                            <div><dt title="Input records below the app's committed offsets">{"inputs done"}</dt><dd class="consumed">{a.consumed}</dd></div>
                            <div><dt title="Output records a read_committed reader gets">{"outputs"}</dt><dd class="outputs">{a.outputs}</dd></div>
                            <div class={bad(a.duplicated.len())}><dt title="Inputs with two or more visible outputs">{"duplicated"}</dt><dd class="dup">{a.duplicated.len()}</dd></div>
                            <div class={bad(a.lost.len())}><dt title="Consumed inputs with no visible output">{"lost"}</dt><dd class="lost">{a.lost.len()}</dd></div>
                            <div><dt title="Outputs of aborted transactions: in the log, skipped by read_committed readers">{"aborted"}</dt><dd class="aborted">{a.aborted_outputs}</dd></div>
                        </dl>
                    </div>
                }
            }) }
        </div>
    }
}

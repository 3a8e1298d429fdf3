//! Rough memory estimates for the app's time machine: what one snapshot of the model costs beyond
//! what the next newer snapshot shares with it. A snapshot shares every chunk of the logs, the
//! ledger and the journal with its neighbours (`chunked`); what is its own is the rest of the
//! state (replica and client state, the event queue: copied whole) and the records that were
//! deleted (retention) or summarized before the next snapshot, which only it still holds. The
//! estimate counts elements, not allocator bytes: it steers a budget, it does not report one.

use crate::audit::ledger::LedgerEntry;
use crate::cluster::broker::Replica;
use crate::cluster::net::{Message, Timer};
use crate::cluster::sim::Sim;
use crate::model::*;
use std::collections::BTreeMap;
use std::mem::size_of;

/// Bytes the session itself holds, as estimated: one copy of each partition's records (its
/// replicas share chunks), the ledger's entries, and what a snapshot of it would copy.
pub fn session_bytes(s: &Sim) -> usize {
    let mut records: BTreeMap<Tp, usize> = BTreeMap::new();
    for r in s.brokers.values().flat_map(|b| b.replicas.iter()) {
        let e = records.entry(*r.0).or_insert(0);
        *e = (*e).max(r.1.log.records.len());
    }
    let (entries, kept) = s.ledger.held();
    records.values().sum::<usize>() * size_of::<Record>()
        + (entries + kept) * size_of::<LedgerEntry>()
        + snapshot_bytes(s, None)
}

/// Bytes `s` holds that `newer` (the next snapshot, if any) does not share.
pub fn snapshot_bytes(s: &Sim, newer: Option<&Sim>) -> usize {
    let rec = size_of::<Record>();
    let mut bytes = s.journal.chunk_count() * 16 + s.journal.tail_len() * 64;
    // Records only this snapshot holds, per partition (its replicas share chunks: count one copy).
    let mut only_here: BTreeMap<Tp, u64> = BTreeMap::new();
    for (b, broker) in &s.brokers {
        bytes += broker.metadata.len() * 128 + broker.purgatory.len() * 96 + 512;
        for (tp, r) in &broker.replicas {
            let log = &r.log;
            // The replica's state, its leader's view of followers, and the last chunk of its log,
            // which the live log replaces by a copy on its next append.
            bytes += size_of::<Replica>() + 96 + r.followers.len() * 64;
            bytes += log.records.chunk_count() * 16 + log.records.tail_len() * rec;
            let kept_by_newer = newer
                .and_then(|n| n.brokers.get(b))
                .and_then(|nb| nb.replicas.get(tp))
                .map_or(log.log_start, |nr| nr.log.log_start.max(log.log_start));
            let gone = kept_by_newer.min(log.leo()) - log.log_start;
            let e = only_here.entry(*tp).or_insert(0);
            *e = (*e).max(gone);
        }
    }
    let only_records = only_here.values().sum::<u64>() as usize * rec;
    // The ledger's last chunks (resolving an entry copies its chunk) and what only this one holds.
    let entries = newer.map_or(0, |n| n.ledger.base().0.min(s.ledger.next_id().0).saturating_sub(s.ledger.base().0));
    let only_entries = entries as usize * size_of::<LedgerEntry>();
    bytes += 2 * crate::chunked::Chunked::<LedgerEntry>::capacity() * size_of::<LedgerEntry>();
    bytes += s.controller.partitions.len() * 128;
    bytes += s.net.timers.len() * (size_of::<Timer>() + 32);
    bytes +=
        s.net.messages.values().map(|m| size_of::<Message>() + 32 + m.payload.records().len() * rec).sum::<usize>();
    for p in &s.producers {
        let queued: usize =
            p.queues.values().flatten().chain(p.in_flight.values().map(|f| &f.batch)).map(|b| b.records.len()).sum();
        bytes += 1024 + queued * rec;
    }
    for c in &s.consumers {
        bytes += 2048 + (c.buffer.len() + c.batch.len()) * rec;
    }
    // Counted elements miss the allocator's own overhead and the tree nodes' spare room: the
    // factor makes the sum match what `scripts/bench.sh memory` counts (within about 10% for the
    // default and the busy session).
    bytes * 3 / 2 + only_records + only_entries
}

//! The glossary: every Kafka term the page shows, with a one- or two-sentence plain explanation
//! (checked against shared/kafka-reference.md). Data only; `components::glossary` draws it and
//! `link_terms` finds the terms in narration text.

/// One entry: a stable id (used in `data-term` and tests), the term as shown, the explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub id: &'static str,
    pub term: &'static str,
    pub text: &'static str,
}

pub const TERMS: &[Term] = &[
    Term { id: "kafka-4", term: "Apache Kafka 4.0 (KRaft)", text: "The Kafka this model follows: 4.0 in KRaft mode, with a KRaft controller instead of ZooKeeper. Its tools print what Kafka 4.0's print, byte for byte, with Kafka's error texts, its defaults (linger.ms 5, KIP-1030) and its assignors; lines a tool writes to stderr are marked [stderr]. Where the model simplifies, `help` says so." },
    Term { id: "broker", term: "broker", text: "A Kafka server. It stores replicas of partitions on disk and answers producers and consumers; a cluster is several brokers." },
    Term { id: "controller", term: "controller", text: "The KRaft controller tracks which brokers are alive by their heartbeats, fences brokers that go silent, elects partition leaders and commits ISR changes. Here, as in production, it is a quorum of controllers (three by default) that elect a leader by votes; only the active one (★) decides, and each decision is a record of the __cluster_metadata log that a majority must hold before brokers apply it." },
    Term { id: "fenced", term: "fenced", text: "A broker the controller has shut out after it missed heartbeats for broker.session.timeout.ms (9 s): it cannot lead partitions or be in an ISR until it heartbeats again." },
    Term { id: "topic", term: "topic", text: "A named stream of records, split into partitions. Producers write to a topic; consumers read from it." },
    Term { id: "partition", term: "partition", text: "One append-only, ordered log of a topic. Records with the same key go to the same partition (murmur2(key) mod partitions), so they stay in order; there is no order across partitions." },
    Term { id: "offset", term: "offset", text: "A record's position in its partition's log: 0, 1, 2, … Offsets never change and are never reused." },
    Term { id: "replica", term: "replica", text: "A copy of a partition's log on one broker. The replication factor says how many copies each partition has." },
    Term { id: "leader", term: "leader", text: "The one replica of a partition that takes writes and serves reads. The others are followers." },
    Term { id: "follower", term: "follower", text: "A replica that copies the leader's log by fetching from it. An in-sync follower can be elected leader if the leader fails." },
    Term { id: "isr", term: "ISR", text: "In-sync replicas: the leader plus the followers that have caught up recently (within replica.lag.time.max.ms, 30 s). Only ISR members count for acks=all and only they may become leader in a clean election." },
    Term { id: "hw", term: "high watermark (HW)", text: "The first offset not yet on every in-sync replica. Records below it are committed and visible to consumers; records at or above it can still be lost in a failover." },
    Term { id: "leo", term: "log end offset (LEO)", text: "The offset the next appended record will get: one past the last record in this replica's log." },
    Term { id: "log-start", term: "log start offset", text: "The first offset still in the log. Retention (retention.ms, retention.bytes) deletes whole old segments and moves it forward; so does kafka-delete-records." },
    Term { id: "segment", term: "segment", text: "A replica's log is stored as a sequence of segment files, each named by its base offset (00000000000000000012.log is the segment whose first offset is 12). Appends go to the last one, the active segment; it rolls to a new one at segment.bytes or after segment.ms. Retention deletes whole closed segments, never the active one." },
    Term { id: "compaction", term: "log compaction", text: "With cleanup.policy=compact, each broker's log cleaner keeps only the latest record of each key: it passes over the dirty section (from its checkpoint to the active segment) once min.cleanable.dirty.ratio of the log is dirty, and removes older values. Offsets keep their gaps; the active segment is never cleaned." },
    Term { id: "tombstone", term: "tombstone", text: "A record with a key and a null value. On a compacted topic it deletes its key: the cleaner removes the key's older values, keeps the tombstone for delete.retention.ms after its first pass (its delete horizon) so consumers can see the delete, then removes it too." },
    Term { id: "lso", term: "last stable offset (LSO)", text: "With transactions: the first offset of the oldest transaction still open. read_committed consumers read only below it." },
    Term { id: "leader-epoch", term: "leader epoch", text: "A counter that grows by one at every leader change of a partition. Every record is stamped with the epoch of the leader that wrote it, so a returning replica can find where its log diverged and truncate." },
    Term { id: "broker-epoch", term: "broker epoch", text: "A number the controller gives a broker each time it registers. It tells a restarted broker from its earlier life, so stale requests from before a crash are refused." },
    Term { id: "producer-epoch", term: "producer epoch", text: "Bumped when a producer with the same transactional.id (or producer id) starts again; the broker fences requests carrying an older epoch, so a zombie producer cannot write." },
    Term { id: "transaction", term: "transaction", text: "A producer's writes to several partitions (and a group's offsets) that become visible together on commit or are discarded on abort. The transaction coordinator writes commit/abort markers into each partition." },
    Term { id: "marker", term: "transaction marker", text: "A control record the transaction coordinator writes into each partition of a transaction to say it committed or aborted; read_committed consumers use them and never see them as records." },
    Term { id: "epoch-cache", term: "leader-epoch cache", text: "Per log, the first offset written in each leader epoch. A follower uses the leader's answer for its last epoch to cut off records the new leader never had." },
    Term { id: "truncation", term: "truncation", text: "A follower cutting off the end of its log because the new leader's log diverged there; acked records can be lost this way with acks=1 or an unclean election." },
    Term { id: "acks", term: "acks", text: "How many replicas must have a record before the producer hears 'done': 0 = none (fire and forget), 1 = the leader, all = every replica in the ISR (default since Kafka 3.0)." },
    Term { id: "idempotence", term: "idempotence", text: "enable.idempotence (default true): the producer numbers its batches per partition so the broker drops a retried batch it already wrote. No duplicates from retries, and order is kept." },
    Term { id: "min-isr", term: "min.insync.replicas", text: "With acks=all, the leader refuses writes (NOT_ENOUGH_REPLICAS) while the ISR has fewer members than this. Default 1; 2 with replication factor 3 survives one failure without losing acked data." },
    Term { id: "unclean", term: "unclean leader election", text: "unclean.leader.election.enable (default false): when no ISR member is alive, let an out-of-sync replica lead. The partition comes back sooner, but records it never copied are lost." },
    Term { id: "offline", term: "offline partition", text: "A partition with no leader: every eligible replica is down. Nobody can write or read it until one comes back." },
    Term { id: "preferred-leader", term: "preferred leader", text: "The first replica in a partition's assignment. A preferred-leader election moves leadership back to it to spread load." },
    Term { id: "producer", term: "producer", text: "A client that sends records to the leader of each record's partition and retries on errors." },
    Term { id: "consumer", term: "consumer", text: "A client that reads records from partitions in offset order, tracking its position in each." },
    Term { id: "group", term: "consumer group", text: "Consumers sharing one group id split a topic's partitions among themselves: each partition is read by one member at a time." },
    Term { id: "coordinator", term: "group coordinator", text: "The broker that runs a consumer group: it leads the group's partition of __consumer_offsets, tracks members by heartbeats, runs rebalances and stores committed offsets." },
    Term { id: "rebalance", term: "rebalance", text: "The group reassigning partitions among its members after one joins, leaves or times out. Eager rebalances stop everyone; cooperative ones move only the partitions that change owner." },
    Term { id: "generation", term: "generation", text: "The number of the group's current assignment; each rebalance starts a new generation, and the coordinator rejects commits from an old one." },
    Term { id: "group-state", term: "group state", text: "Empty, PreparingRebalance (waiting for members to join), CompletingRebalance (waiting for the leader's assignment) or Stable (everyone consuming)." },
    Term { id: "committed-offset", term: "committed offset", text: "The offset a group has saved in __consumer_offsets for a partition: the next record to read. After a crash or rebalance, the new owner resumes there." },
    Term { id: "position", term: "position", text: "The next offset a consumer will read from a partition it owns. It runs ahead of the committed offset until the next commit." },
    Term { id: "lag", term: "lag", text: "How far a consumer is behind: the high watermark minus its position (or minus the committed offset, in kafka-consumer-groups)." },
    Term { id: "session-timeout", term: "session.timeout.ms", text: "How long the coordinator waits without a heartbeat before removing a consumer from the group and rebalancing (default 45 s)." },
    Term { id: "max-poll", term: "max.poll.interval.ms", text: "The longest a consumer may go between poll() calls (default 5 min); a consumer stuck processing longer leaves the group." },
    Term { id: "auto-commit", term: "enable.auto.commit", text: "When true (default), the consumer commits its position every auto.commit.interval.ms (5 s) during poll(). A crash between commits means records are processed again." },
    Term { id: "offset-reset", term: "auto.offset.reset", text: "Where a consumer starts when its group has no committed offset: latest (default, only new records), earliest (from the log start) or none (an error)." },
    Term { id: "isolation", term: "isolation.level", text: "read_uncommitted (default) reads everything below the high watermark; read_committed reads only below the last stable offset and skips records of aborted transactions." },
    Term { id: "assignor", term: "partition.assignment.strategy", text: "How the group leader splits partitions: range, roundrobin, sticky or cooperative-sticky (default: range, cooperative-sticky)." },
    Term { id: "retention", term: "retention", text: "retention.ms (default 7 days) and retention.bytes (default -1, no limit) say when old records are deleted, moving the log start offset forward." },
    Term { id: "linger", term: "linger.ms", text: "How long the producer waits to fill a batch before sending it: 5 ms by default in Kafka 4.0 (KIP-1030; it was 0 before). Bigger batches, fewer requests, a little more latency." },
    Term { id: "max-in-flight", term: "max.in.flight.requests.per.connection", text: "How many produce requests may wait for an answer at once (default 5). With idempotence, order is kept up to 5; without it, a retry can reorder records." },
    Term { id: "heartbeat", term: "heartbeat", text: "A periodic 'I am alive' message: brokers send them to the controller, consumers to their group coordinator. Missing them for the session timeout means being declared dead." },
    Term { id: "at-least-once", term: "at-least-once", text: "Commit after processing: nothing is skipped, but a crash before the commit means some records are processed again." },
    Term { id: "at-most-once", term: "at-most-once", text: "Commit before processing: nothing is processed twice, but a crash after the commit skips the records not yet processed." },
];

pub fn find(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// Words in running text (narration) that link to a term, longest first so "high watermark" wins
/// over shorter matches. Matching is case-sensitive where the term is an acronym.
const PHRASES: &[(&str, &str)] = &[
    ("unclean.leader.election.enable", "unclean"),
    ("max.poll.interval.ms", "max-poll"),
    ("session.timeout.ms", "session-timeout"),
    ("min.insync.replicas", "min-isr"),
    ("high watermark", "hw"),
    ("log end offset", "leo"),
    ("log start offset", "log-start"),
    ("last stable offset", "lso"),
    ("committed offset", "committed-offset"),
    ("broker epoch", "broker-epoch"),
    ("producer epoch", "producer-epoch"),
    ("transaction", "transaction"),
    ("marker", "marker"),
    ("read_committed", "isolation"),
    ("unclean", "unclean"),
    ("coordinator", "coordinator"),
    ("controller", "controller"),
    ("rebalance", "rebalance"),
    ("generation", "generation"),
    ("truncated", "truncation"),
    ("heartbeat", "heartbeat"),
    ("fenced", "fenced"),
    ("epoch", "leader-epoch"),
    ("ISR", "isr"),
    ("HW", "hw"),
    ("LEO", "leo"),
    ("offline", "offline"),
];

/// Splits `text` into plain runs and term links: `(run, Some(term id))` for a linked phrase.
/// Each term is linked once per text, at its first whole-word occurrence.
pub fn link_terms(text: &str) -> Vec<(&str, Option<&'static str>)> {
    let mut hits: Vec<(usize, usize, &'static str)> = Vec::new();
    for &(phrase, id) in PHRASES {
        if hits.iter().any(|h| h.2 == id) {
            continue;
        }
        let mut from = 0;
        while let Some(i) = text[from..].find(phrase) {
            let (s, e) = (from + i, from + i + phrase.len());
            let word_edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != '_');
            let before = text[..s].chars().next_back();
            // A trailing "s" (epochs, heartbeats) still counts as the word.
            let after = text[e..].chars().next().filter(|&c| c != 's');
            let overlaps = hits.iter().any(|h| s < h.1 && h.0 < e);
            if word_edge(before) && word_edge(after) && !overlaps {
                hits.push((s, e, id));
                break;
            }
            from = e;
        }
    }
    kafkascope_sim::sort::sort(&mut hits);
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e, id) in hits {
        if s > at {
            out.push((&text[at..s], None));
        }
        out.push((&text[s..e], Some(id)));
        at = e;
    }
    if at < text.len() {
        out.push((&text[at..], None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn every_linked_phrase_has_an_entry_and_ids_are_unique() {
        for (_, id) in PHRASES {
            assert!(find(id).is_some(), "{id}");
        }
        let mut ids: Vec<_> = TERMS.iter().map(|t| t.id).collect();
        kafkascope_sim::sort::sort(&mut ids);
        ids.dedup();
        assert_eq!(ids.len(), TERMS.len());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn narration_terms_are_found_whole_words_once() {
        let parts = link_terms(
            "The controller fenced broker 2; leader of orders-0 is 3 from the ISR {3, 1}, epoch 4 → 5 (epochs)",
        );
        let linked: Vec<_> = parts.iter().filter_map(|p| p.1).collect();
        assert_eq!(linked, vec!["controller", "fenced", "isr", "leader-epoch"]);
        let text: String = parts.iter().map(|p| p.0).collect();
        assert!(text.starts_with("The controller fenced"));
        assert_eq!(link_terms("ISRs and HWM")[0].1, Some("isr"), "a plural still links");
        assert!(link_terms("HWM").iter().all(|p| p.1.is_none()), "not inside a longer word");
        let broker = link_terms("registered broker 1 (broker epoch 3)");
        assert_eq!(broker.iter().filter_map(|p| p.1).collect::<Vec<_>>(), vec!["broker-epoch"], "not the leader epoch");
    }
}

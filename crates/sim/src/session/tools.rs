//! `kafka-get-offsets`, `kafka-console-consumer`, `kafka-transactions` and
//! `kafka-leader-election` as Kafka 4.0 prints them (`shared/kafka-reference-v2.md` sections 3-6).

use crate::clients::assignor::{jdk_hash_map_order, jdk_hash_order, topic_partition_hash};
use crate::cluster::controller::{ElectionType, ELECTION_NOT_NEEDED};
use crate::coordinators::txn::TxnState;
use crate::model::*;
use crate::session::exec::{serving_log, value_text, Output};
use crate::session::print::{pretty_print_table, stderr};
use crate::Sim;

/// `kafka-get-offsets --time`: `OffsetSpec` (`GetOffsetShell.parseOffsetSpec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffsetSpec {
    Earliest,
    Latest,
    MaxTimestamp,
    EarliestLocal,
    LatestTiered,
    Timestamp(i64),
}

fn parse_offset_spec(s: &str) -> Result<OffsetSpec, String> {
    Ok(match s {
        "earliest" => OffsetSpec::Earliest,
        "latest" => OffsetSpec::Latest,
        "max-timestamp" => OffsetSpec::MaxTimestamp,
        "earliest-local" => OffsetSpec::EarliestLocal,
        "latest-tiered" => OffsetSpec::LatestTiered,
        other => match other.parse::<i64>() {
            Ok(-2) => OffsetSpec::Earliest,
            Ok(-1) => OffsetSpec::Latest,
            Ok(-3) => OffsetSpec::MaxTimestamp,
            Ok(-4) => OffsetSpec::EarliestLocal,
            Ok(-5) => OffsetSpec::LatestTiered,
            Ok(t) => OffsetSpec::Timestamp(t),
            Err(_) => {
                return Err(format!(
                    "Malformed time argument {other}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp"
                ))
            }
        },
    })
}

/// The offset a ListOffsets answer gives for `spec` (None: the unknown offset, -1). Record
/// timestamps are the leader's append times (the model does not carry a producer's create time);
/// lookups by time see only records below the high watermark, as `read_uncommitted` clients do.
fn list_offset(log: &Log, spec: OffsetSpec) -> Option<u64> {
    let visible = || log.iter().take_while(|r| r.offset < log.hw);
    match spec {
        OffsetSpec::Earliest | OffsetSpec::EarliestLocal => Some(log.log_start),
        OffsetSpec::Latest => Some(log.hw),
        // No tiered storage: nothing is in remote storage.
        OffsetSpec::LatestTiered => None,
        OffsetSpec::MaxTimestamp => {
            let mut best: Option<&Record> = None;
            for r in visible() {
                if best.is_none_or(|b| r.append_ms > b.append_ms) {
                    best = Some(r);
                }
            }
            best.map(|r| r.offset)
        }
        OffsetSpec::Timestamp(t) => visible().find(|r| r.append_ms as i64 >= t).map(|r| r.offset),
    }
}

/// `kafka-get-offsets [--topic T] [--time …]`: `topic:partition:offset`, sorted by the string
/// `topic-partition` (a `TreeMap` keyed by `TopicPartition.toString()`); partitions whose answer
/// is the unknown offset are left out. `--topic` is an exact name here (Kafka reads a regex).
pub fn get_offsets(sim: &Sim, topic: Option<&str>, time: Option<&str>) -> Output {
    let spec = match parse_offset_spec(time.unwrap_or("latest")) {
        Ok(s) => s,
        Err(m) => return Output { lines: vec![stderr(&format!("Error occurred: {m}"))], error: true },
    };
    let mut tps: Vec<Tp> = Vec::new();
    for (t, info) in sim.live_topics() {
        if topic.is_none_or(|n| n == info.name) {
            tps.extend((0..info.partitions).map(|p| Tp { topic: t, partition: p }));
        }
    }
    if tps.is_empty() {
        return Output {
            lines: vec![stderr("Error occurred: Could not match any topic-partitions with the specified filters")],
            error: true,
        };
    }
    let mut lines = Vec::new();
    let mut found: Vec<(String, String)> = Vec::new();
    for tp in tps {
        let name = sim.tp_name(tp);
        match serving_log(sim, tp) {
            None => lines.push(stderr(&format!(
                "Skip getting offsets for topic-partition {name} due to error: org.apache.kafka.common.errors.LeaderNotAvailableException: There is no leader for this topic-partition as we are in the middle of a leadership election."
            ))),
            Some(log) => {
                if let Some(o) = list_offset(log, spec) {
                    found.push((name, format!("{}:{}:{o}", sim.topic(tp.topic).name, tp.partition)));
                }
            }
        }
    }
    crate::sort::sort_by(&mut found, |a, b| crate::clients::assignor::java_string_cmp(&a.0, &b.0));
    lines.extend(found.into_iter().map(|(_, l)| l));
    Output { lines, error: false }
}

/// `DefaultMessageFormatter`'s settings from `--property K=V`.
struct Formatter {
    timestamp: bool,
    key: bool,
    value: bool,
    partition: bool,
    offset: bool,
    delivery: bool,
    epoch: bool,
    headers: bool,
    key_separator: String,
    line_separator: String,
    null_literal: String,
}

impl Formatter {
    /// `DefaultMessageFormatter.configure`: a `print.*` property is on only if its value, trimmed,
    /// equals `true` ignoring case; other properties are ignored.
    fn new(props: &[(String, String)]) -> Formatter {
        let mut f = Formatter {
            timestamp: false,
            key: false,
            value: true,
            partition: false,
            offset: false,
            delivery: false,
            epoch: false,
            headers: false,
            key_separator: "\t".into(),
            line_separator: "\n".into(),
            null_literal: "null".into(),
        };
        for (k, v) in props {
            let on = v.trim().eq_ignore_ascii_case("true");
            match k.as_str() {
                "print.timestamp" => f.timestamp = on,
                "print.key" => f.key = on,
                "print.value" => f.value = on,
                "print.partition" => f.partition = on,
                "print.offset" => f.offset = on,
                "print.delivery" => f.delivery = on,
                "print.epoch" => f.epoch = on,
                "print.headers" => f.headers = on,
                "key.separator" => f.key_separator = v.clone(),
                "line.separator" => f.line_separator = v.clone(),
                "null.literal" => f.null_literal = v.clone(),
                _ => {}
            }
        }
        f
    }

    /// `writeTo`: the fields in Kafka's order, each followed by the key separator while another
    /// field follows, by the line separator after the last.
    fn write(&self, sim: &Sim, tp: Tp, rec: &Record, out: &mut String) {
        let mut fields: Vec<String> = Vec::new();
        if self.timestamp {
            fields.push(format!("CreateTime:{}", rec.append_ms));
        }
        if self.partition {
            fields.push(format!("Partition:{}", tp.partition));
        }
        if self.offset {
            fields.push(format!("Offset:{}", rec.offset));
        }
        if self.delivery {
            fields.push("Delivery:NOT_PRESENT".into());
        }
        if self.epoch {
            fields.push(format!("Epoch:{}", rec.epoch));
        }
        if self.headers {
            fields.push("NO_HEADERS".into());
        }
        if self.key {
            fields.push(rec.key.map_or(self.null_literal.clone(), |k| sim.interner.get(k).to_string()));
        }
        if self.value {
            fields.push(value_text(sim, rec.value));
        }
        for (i, f) in fields.iter().enumerate() {
            out.push_str(f);
            out.push_str(if i + 1 < fields.len() { &self.key_separator } else { &self.line_separator });
        }
    }
}

/// Where `kafka-console-consumer` starts: every partition from the beginning or the end, or one
/// partition from an offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleStart {
    pub partition: Option<u32>,
    /// `earliest`, `latest` or an offset, as given (`--offset`).
    pub offset: String,
}

impl ConsoleStart {
    pub fn new(from_beginning: bool, partition: Option<u32>, offset: Option<&str>) -> ConsoleStart {
        let offset =
            offset.map(String::from).unwrap_or_else(|| (if from_beginning { "earliest" } else { "latest" }).into());
        ConsoleStart { partition, offset }
    }
}

/// `kafka-console-consumer --topic T [--from-beginning | --partition P [--offset O]]
/// [--max-messages N] [--property K=V]…`: what a consumer without a group reads at this moment
/// (below the high watermark, or the last stable offset with read_committed; markers and aborted
/// records skipped), partition by partition, then "Processed a total of N messages" on stderr.
/// It does not advance time.
pub fn console_consume(
    sim: &Sim,
    t: TopicId,
    start: ConsoleStart,
    max: Option<u64>,
    props: &[(String, String)],
    read_committed: bool,
) -> Output {
    let partitions = sim.topic(t).partitions;
    let first = match start.offset.as_str() {
        "earliest" | "latest" => None,
        o => match o.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return Output {
                    lines: vec![stderr(&format!(
                        "The provided offset value '{o}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                    ))],
                    error: true,
                }
            }
        },
    };
    let f = Formatter::new(props);
    let mut out = String::new();
    let mut n = 0u64;
    let limit = max.unwrap_or(u64::MAX);
    let selected: Vec<u32> = match start.partition {
        Some(p) if p >= partitions => {
            return Output {
                lines: vec![stderr(&format!(
                    "Error: partition {p} does not exist: topic has partitions 0..{}.",
                    partitions - 1
                ))],
                error: true,
            }
        }
        Some(p) => vec![p],
        None => (0..partitions).collect(),
    };
    'outer: for p in selected {
        let tp = Tp { topic: t, partition: p };
        let Some(log) = serving_log(sim, tp) else { continue };
        let end = if read_committed { log.lso() } else { log.hw };
        let from = match (start.offset.as_str(), first) {
            ("latest", _) => end,
            (_, Some(o)) => o,
            _ => log.log_start,
        };
        // Records are held by offset (compaction leaves gaps, which `iter_from` skips).
        for rec in log.iter_from(from.max(log.log_start)).take_while(|r| r.offset < end) {
            if matches!(rec.value, Value::Marker { .. })
                || (read_committed && !crate::clients::processor::visible(log, rec))
            {
                continue;
            }
            if n >= limit {
                break 'outer;
            }
            f.write(sim, tp, rec, &mut out);
            n += 1;
        }
    }
    let mut lines: Vec<String> = out.split('\n').map(String::from).collect();
    if out.is_empty() || out.ends_with('\n') {
        lines.pop();
    }
    lines.push(stderr(&format!("Processed a total of {n} messages")));
    Output { lines, error: false }
}

/// `kafka-transactions list`: per coordinator broker, its transactional ids.
pub fn transactions_list(sim: &Sim) -> Vec<String> {
    let mut tids: Vec<String> =
        sim.producers.iter().filter_map(|p| p.txn.as_ref()).map(|t| sim.interner.get(t.tid).to_string()).collect();
    crate::sort::sort(&mut tids);
    tids.dedup();
    let mut by_broker: std::collections::BTreeMap<BrokerId, Vec<&str>> = Default::default();
    for tid in &tids {
        if let (Some(b), Some(_)) = (sim.txn_coordinator_of(tid), sim.txn_meta(tid)) {
            by_broker.entry(b).or_default().push(tid);
        }
    }
    let mut rows = Vec::new();
    for (b, ids) in by_broker {
        for tid in jdk_hash_map_order(&ids) {
            let m = sim.txn_meta(tid).expect("listed with its metadata");
            rows.push(vec![
                tid.to_string(),
                b.to_string(),
                m.current.producer_id.to_string(),
                m.current.state.name().into(),
            ]);
        }
    }
    pretty_print_table(&["TransactionalId", "Coordinator", "ProducerId", "TransactionState"], &rows)
}

/// `kafka-transactions describe --transactional-id ID`.
pub fn describe_transaction(sim: &Sim, tid: &str) -> Output {
    let fail = |why: &str| {
        Output {
        lines: vec![stderr(&format!(
            "Failed to describe transaction state of transactional-id `{tid}`: {why}. Enable debug logging for additional detail."
        ))],
        error: true,
    }
    };
    let Some(coord) = sim.txn_coordinator_of(tid) else { return fail("The coordinator is not available.") };
    let Some(m) = sim.txn_meta(tid) else {
        return fail(&format!(
            "DescribeTransactions request for transactionalId `{tid}` failed because the ID could not be found"
        ));
    };
    let e = &m.current;
    let started = matches!(e.state, TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort);
    let tps = jdk_hash_order(&e.partitions, |tp| topic_partition_hash(&sim.topic(tp.topic).name, tp.partition));
    let row = vec![
        coord.to_string(),
        tid.to_string(),
        e.producer_id.to_string(),
        e.epoch.to_string(),
        e.state.name().to_string(),
        e.timeout_ms.to_string(),
        if started { e.start_ms.to_string() } else { "None".into() },
        if started { (sim.now() - e.start_ms).to_string() } else { "None".into() },
        tps.iter().map(|tp| sim.tp_name(*tp)).collect::<Vec<_>>().join(","),
    ];
    Output {
        lines: pretty_print_table(
            &[
                "CoordinatorId",
                "TransactionalId",
                "ProducerId",
                "ProducerEpoch",
                "TransactionState",
                "TransactionTimeoutMs",
                "CurrentTransactionStartTimeMs",
                "TransactionDurationMs",
                "TopicPartitions",
            ],
            &[row],
        ),
        error: false,
    }
}

/// `kafka-leader-election --election-type … (--topic T --partition P | --all-topic-partitions)`.
pub fn leader_election(sim: &mut Sim, election: ElectionType, topic: Option<&str>, partition: Option<u32>) -> Output {
    if let Err(e) = sim.require_active_controller() {
        return Output { lines: vec![e], error: true };
    }
    let kind = match election {
        ElectionType::Preferred => "PREFERRED",
        ElectionType::Unclean => "UNCLEAN",
        ElectionType::Online => "ONLINE",
    };
    let mut results: Vec<(String, Result<(), String>)> = Vec::new();
    let mut tps = Vec::new();
    match topic {
        None => {
            // Every partition; the controller leaves out those that need no election.
            for (t, info) in sim.live_topics() {
                tps.extend((0..info.partitions).map(|p| Tp { topic: t, partition: p }));
            }
        }
        Some(name) => match sim.topic_by_name(name) {
            None => {
                let unknown =
                    format!("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as {name}");
                let ps: Vec<u32> = partition.into_iter().collect();
                for p in if ps.is_empty() { vec![0] } else { ps } {
                    results.push((format!("{name}-{p}"), Err(unknown.clone())));
                }
            }
            Some(t) => {
                let n = sim.topic(t).partitions;
                match partition {
                    Some(p) if p >= n => results.push((
                        format!("{name}-{p}"),
                        Err(format!(
                            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such partition as {name}-{p}"
                        )),
                    )),
                    Some(p) => tps.push(Tp { topic: t, partition: p }),
                    None => tps.extend((0..n).map(|p| Tp { topic: t, partition: p })),
                }
            }
        },
    }
    for (tp, r) in sim.elect_leaders(&tps, election) {
        if topic.is_none() && r.as_ref().err().is_some_and(|e| e == ELECTION_NOT_NEEDED) {
            continue;
        }
        results.push((sim.tp_name(tp), r));
    }
    // The tool collects the partitions in hash sets and maps.
    let set = |names: Vec<String>| {
        let parsed: Vec<(String, String)> = names
            .into_iter()
            .map(|n| {
                let (t, p) = n.rsplit_once('-').map(|(t, p)| (t.to_string(), p.to_string())).unwrap_or_default();
                (t, p)
            })
            .collect();
        jdk_hash_order(&parsed, |(t, p)| topic_partition_hash(t, p.parse().unwrap_or(0)))
            .into_iter()
            .map(|(t, p)| format!("{t}-{p}"))
            .collect::<Vec<_>>()
    };
    let ok = set(results.iter().filter(|(_, r)| r.is_ok()).map(|(n, _)| n.clone()).collect());
    let noop = set(results
        .iter()
        .filter(|(_, r)| r.as_ref().err().is_some_and(|e| e == ELECTION_NOT_NEEDED))
        .map(|(n, _)| n.clone())
        .collect());
    let failed_names = set(results
        .iter()
        .filter(|(_, r)| r.as_ref().err().is_some_and(|e| e != ELECTION_NOT_NEEDED))
        .map(|(n, _)| n.clone())
        .collect());
    let mut lines = Vec::new();
    if !ok.is_empty() {
        lines.push(format!("Successfully completed leader election ({kind}) for partitions {}", ok.join(", ")));
    }
    if !noop.is_empty() {
        lines.push(format!("Valid replica already elected for partitions {}", noop.join(", ")));
    }
    for name in &failed_names {
        let why = results.iter().find(|(n, _)| n == name).and_then(|(_, r)| r.clone().err()).unwrap_or_default();
        lines.push(format!("Error completing leader election ({kind}) for partition: {name}: {why}"));
    }
    if !failed_names.is_empty() {
        let msg = format!("{} replica(s) could not be elected", failed_names.len());
        lines.push(stderr(&msg));
        lines.push(stderr(&format!("org.apache.kafka.server.common.AdminCommandFailedException: {msg}")));
    }
    Output { lines, error: !failed_names.is_empty() }
}

/// A stable made-up id for a node's metadata log directory (`DirectoryId`), from the seed.
fn directory_id(sim: &Sim, node: u64) -> String {
    crate::rng::Rng::new(sim.seed ^ (0xd1_7ec7_0000 + node)).uuid_like()
}

/// `kafka-metadata-quorum describe --status | --replication` (`MetadataQuorumCommand`), from the
/// active controller's DescribeQuorum answer. Timestamps are the model's clock (ms from the start).
pub fn metadata_quorum(sim: &Sim, replication: bool) -> Output {
    use crate::cluster::quorum::ReplicaState;
    let Some(leader_id) = sim.active_controller() else {
        return Output {
            lines: vec![stderr("org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum")],
            error: true,
        };
    };
    let now = sim.now();
    let leader = &sim.quorum.nodes[&leader_id];
    let leo = leader.log_end_offset() as i64;
    // (id, directory, log end offset, last fetch, last caught up, status)
    type Row = (u64, i64, Option<u64>, Option<u64>, &'static str);
    let state = |s: Option<&ReplicaState>| -> (i64, Option<u64>, Option<u64>) {
        match s {
            Some(s) if s.last_fetch_ms.is_some() => (s.log_end_offset as i64, s.last_fetch_ms, s.last_caught_up_ms),
            _ => (-1, None, None),
        }
    };
    let mut voters: Vec<Row> = vec![(leader_id as u64, leo, Some(now), Some(now), "Leader")];
    for &v in sim.quorum.nodes.keys().filter(|&&v| v != leader_id) {
        let (e, f, c) = state(leader.replicas.get(&Node::Controller(v)));
        voters.push((v as u64, e, f, c, "Follower"));
    }
    let mut observers: Vec<Row> = Vec::new();
    for (n, s) in &leader.replicas {
        if let Node::Broker(b) = n {
            let (e, f, c) = state(Some(s));
            observers.push((*b as u64, e, f, c, "Observer"));
        }
    }
    if replication {
        let ts = |t: Option<u64>| t.map_or("-1".to_string(), |t| t.to_string());
        let rows: Vec<Vec<String>> = voters
            .iter()
            .chain(observers.iter())
            .map(|&(id, e, f, c, status)| {
                vec![
                    id.to_string(),
                    directory_id(sim, id),
                    e.to_string(),
                    (leo - e).to_string(),
                    ts(f),
                    ts(c),
                    status.to_string(),
                ]
            })
            .collect();
        return Output {
            lines: pretty_print_table(
                &[
                    "NodeId",
                    "DirectoryId",
                    "LogEndOffset",
                    "Lag",
                    "LastFetchTimestamp",
                    "LastCaughtUpTimestamp",
                    "Status",
                ],
                &rows,
            ),
            error: false,
        };
    }
    let max_lag = voters.iter().min_by_key(|r| r.1).expect("the leader is a voter");
    let max_follower_lag = leo - max_lag.1;
    let lag_time: i64 = if max_lag.0 == leader_id as u64 {
        0
    } else {
        match max_lag.3 {
            Some(c) => now as i64 - c as i64,
            None => -1,
        }
    };
    let voter = |id: u64| {
        format!(
            "{{\"id\": {id}, \"directoryId\": \"{}\", \"endpoints\": [\"CONTROLLER://controller-{id}:9093\"]}}",
            directory_id(sim, id)
        )
    };
    let observer = |id: u64| format!("{{\"id\": {id}, \"directoryId\": \"{}\"}}", directory_id(sim, id));
    let list = |rows: &[Row], f: &dyn Fn(u64) -> String| {
        format!("[{}]", rows.iter().map(|r| f(r.0)).collect::<Vec<_>>().join(", "))
    };
    let mut ordered = voters.clone();
    ordered.sort_by_key(|r| r.0);
    Output {
        lines: vec![
            format!("ClusterId:              {}", crate::rng::Rng::new(sim.seed ^ 0xc1_0057_e400).uuid_like()),
            format!("LeaderId:               {leader_id}"),
            format!("LeaderEpoch:            {}", leader.epoch),
            format!("HighWatermark:          {}", leader.hw),
            format!("MaxFollowerLag:         {max_follower_lag}"),
            format!("MaxFollowerLagTimeMs:   {lag_time}"),
            format!("CurrentVoters:          {}", list(&ordered, &voter)),
            format!("CurrentObservers:       {}", list(&observers, &observer)),
        ],
        error: false,
    }
}

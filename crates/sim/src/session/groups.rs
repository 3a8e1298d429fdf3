//! `kafka-consumer-groups` as Kafka 4.0 prints it (`ConsumerGroupCommand`; layouts in
//! `shared/kafka-reference-v2.md` section 2): the offsets, members and state views with Kafka's
//! column widths and row order, `--list [--state]`, the reset table and the delete texts, and the
//! notes about the group's state Kafka prints on stderr.
//!
//! Orders Kafka leaves to a `HashMap` are reproduced from the JDK's iteration order: the broker
//! describes a classic group's members in the order of its member map, and the tool prints a
//! member's partitions (and the reset rows) in the order of a map of `TopicPartition`s.

use crate::clients::assignor::{jdk_hash_map_order, jdk_hash_order, topic_partition_hash};
use crate::coordinators::group::{Group, GroupState};
use crate::model::*;
use crate::session::command::{GroupView, ResetMode, ResetTo};
use crate::session::exec::{serving_log, Output};
use crate::session::print::{fit, pad, stderr, Columns};
use crate::Sim;

/// `ConsumerGroupCommand.MISSING_COLUMN_VALUE`.
const MISSING: &str = "-";

/// The host a member's requests come from (the model has no addresses; every client is local).
pub const CLIENT_HOST: &str = "/127.0.0.1";

/// The group as its coordinator describes it (`Dead` when it does not know the group).
fn group<'a>(sim: &'a Sim, name: &str) -> Option<&'a Group> {
    sim.interner.find(name).and_then(|s| sim.groups.get(&s))
}

/// Members in the order the broker describes them (its `HashMap` of member ids), with their
/// assignment (only a stable group reports one).
fn members(g: &Group) -> Vec<(&crate::coordinators::group::Member, Vec<Tp>)> {
    let ids: Vec<&str> = g.members.keys().map(String::as_str).collect();
    jdk_hash_map_order(&ids)
        .into_iter()
        .map(|id| {
            let m = &g.members[id];
            let a = if g.state == GroupState::Stable { m.assignment.clone() } else { Vec::new() };
            (m, a)
        })
        .collect()
}

/// Partitions in the order of a `HashMap<TopicPartition, _>` filled in partition order.
fn tp_order(sim: &Sim, mut tps: Vec<Tp>) -> Vec<Tp> {
    crate::sort::sort_by_key(&mut tps, |tp| (tp.partition, tp.topic));
    jdk_hash_order(&tps, |tp| topic_partition_hash(&sim.topic(tp.topic).name, tp.partition))
}

/// `shouldPrintMemberState`: the note about the group's state (stderr, or the error on stdout
/// for an unknown group), and whether the table follows.
fn state_note(name: &str, g: Option<&Group>, rows: usize, lines: &mut Vec<String>) -> bool {
    match g.map(|g| g.state) {
        None => {
            lines.push(String::new());
            lines.push(format!("Error: Consumer group '{name}' does not exist."));
            return false;
        }
        Some(GroupState::Empty) => {
            lines.push(stderr(""));
            lines.push(stderr(&format!("Consumer group '{name}' has no active members.")));
        }
        Some(GroupState::PreparingRebalance | GroupState::CompletingRebalance) => {
            lines.push(stderr(""));
            lines.push(stderr(&format!("Warning: Consumer group '{name}' is rebalancing.")));
        }
        Some(GroupState::Stable) => {}
    }
    rows > 0
}

/// `kafka-consumer-groups --describe --group G` (and `--members`, `--state`).
pub fn describe(sim: &Sim, name: &str, view: GroupView) -> Output {
    let g = group(sim, name);
    let lines = match view {
        GroupView::Offsets => offsets_view(sim, name, g),
        GroupView::Members { verbose } => members_view(name, g, verbose),
        GroupView::State => state_view(sim, name, g),
    };
    Output { lines, error: g.is_none() }
}

/// One row of the offsets view.
struct OffsetRow {
    topic: String,
    partition: String,
    current: String,
    end: String,
    lag: String,
    consumer: String,
    host: String,
    client: String,
}

fn offsets_view(sim: &Sim, name: &str, g: Option<&Group>) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(group) = g else {
        state_note(name, None, 0, &mut lines);
        return lines;
    };
    let committed = sim.committed_offsets(name);
    let row = |tp: Tp, consumer: &str, host: &str, client: &str| {
        let end = serving_log(sim, tp).map(|l| l.hw);
        let current = committed.get(&tp).copied();
        OffsetRow {
            topic: sim.topic(tp.topic).name.clone(),
            partition: tp.partition.to_string(),
            current: current.map_or(MISSING.into(), |c| c.to_string()),
            end: end.map_or(MISSING.into(), |e| e.to_string()),
            lag: match (current, end) {
                (Some(c), Some(e)) => (e as i64 - c as i64).to_string(),
                _ => MISSING.into(),
            },
            consumer: consumer.into(),
            host: host.into(),
            client: client.into(),
        }
    };
    // Members that own partitions, largest assignment first (a stable sort keeps the broker's order).
    let mut owners = members(group);
    owners.retain(|(_, a)| !a.is_empty());
    crate::sort::sort_by_key(&mut owners, |(_, a)| std::cmp::Reverse(a.len()));
    let mut rows = Vec::new();
    let mut assigned = Vec::new();
    for (m, a) in &owners {
        assigned.extend(a.iter().copied());
        for tp in tp_order(sim, a.clone()) {
            rows.push(row(tp, &m.member_id, CLIENT_HOST, &m.client_id));
        }
    }
    let unowned: Vec<Tp> = committed.keys().copied().filter(|tp| !assigned.contains(tp)).collect();
    for tp in tp_order(sim, unowned) {
        rows.push(row(tp, MISSING, MISSING, MISSING));
    }
    if !state_note(name, Some(group), rows.len(), &mut lines) {
        return lines;
    }
    let cols = Columns(vec![
        Some(fit(15, [name])),
        Some(fit(15, rows.iter().map(|r| r.topic.as_str()))),
        Some(10),
        Some(15),
        Some(15),
        Some(15),
        Some(fit(15, rows.iter().map(|r| r.consumer.as_str()))),
        Some(fit(15, rows.iter().map(|r| r.host.as_str()))),
        None,
    ]);
    lines.push(String::new());
    lines.push(cols.row(&[
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    for r in &rows {
        lines.push(cols.row(&[
            name,
            &r.topic,
            &r.partition,
            &r.current,
            &r.end,
            &r.lag,
            &r.consumer,
            &r.host,
            &r.client,
        ]));
    }
    lines
}

/// The `(p,p), (p)` assignment of `--members --verbose`: one group per topic, partitions sorted
/// as strings, the groups sorted as strings, `-` for none.
fn verbose_assignment(a: &[Tp]) -> String {
    if a.is_empty() {
        return MISSING.into();
    }
    let mut topics: Vec<TopicId> = a.iter().map(|tp| tp.topic).collect();
    crate::sort::sort(&mut topics);
    topics.dedup();
    let mut groups: Vec<String> = topics
        .iter()
        .map(|t| {
            let mut ps: Vec<String> = a.iter().filter(|tp| tp.topic == *t).map(|tp| tp.partition.to_string()).collect();
            crate::sort::sort(&mut ps);
            format!("({})", ps.join(","))
        })
        .collect();
    crate::sort::sort(&mut groups);
    groups.join(", ")
}

fn members_view(name: &str, g: Option<&Group>, verbose: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let list = g.map(members).unwrap_or_default();
    let print = state_note(name, g, list.len(), &mut lines);
    let rows: Vec<[String; 6]> = if print {
        list.iter()
            .map(|(m, a)| {
                [
                    name.to_string(),
                    m.member_id.clone(),
                    m.instance_id.clone().unwrap_or_default(),
                    CLIENT_HOST.to_string(),
                    m.client_id.clone(),
                    a.len().to_string(),
                ]
            })
            .collect()
    } else {
        Vec::new()
    };
    let col = |i: usize, min: usize| fit(min, rows.iter().map(|r| r[i].as_str()));
    let with_instance = rows.iter().any(|r| !r[2].is_empty());
    let widths: Vec<usize> = if with_instance {
        vec![col(0, 15), col(1, 15), col(2, 17), col(3, 15), col(4, 15), 15]
    } else {
        vec![col(0, 15), col(1, 15), col(3, 15), col(4, 15), 15]
    };
    // Every column, #PARTITIONS included, is followed by one space.
    let line =
        |cells: Vec<&str>| -> String { cells.iter().zip(&widths).map(|(c, w)| format!("{} ", pad(c, *w))).collect() };
    fn pick(r: [&str; 6], with_instance: bool) -> Vec<&str> {
        if with_instance {
            r.to_vec()
        } else {
            vec![r[0], r[1], r[3], r[4], r[5]]
        }
    }
    lines.push(String::new());
    let mut header =
        line(pick(["GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS"], with_instance));
    if verbose {
        header.push_str("ASSIGNMENT");
    }
    lines.push(header);
    for (r, (_, a)) in rows.iter().zip(&list) {
        let mut l = line(pick([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]], with_instance));
        if verbose {
            l.push_str(&verbose_assignment(a));
        }
        lines.push(l);
    }
    lines
}

fn state_view(sim: &Sim, name: &str, g: Option<&Group>) -> Vec<String> {
    let mut lines = Vec::new();
    if !state_note(name, g, 1, &mut lines) {
        return lines;
    }
    let group = g.expect("a known group");
    let coordinator = match sim.coordinator_of(name) {
        Some(b) => format!("broker{b}:9092  ({b})"),
        None => "-1:-1  (-1)".to_string(),
    };
    let w = coordinator.chars().count().max(25);
    let cols = Columns(vec![Some(w), Some(25), Some(20), Some(15), None]);
    let strategy = if group.state == GroupState::Empty {
        String::new()
    } else {
        group.strategy.map_or(String::new(), |s| s.name().to_string())
    };
    lines.push(String::new());
    lines.push(cols.row(&["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]));
    lines.push(cols.row(&[name, &coordinator, &strategy, group.state.name(), &group.members.len().to_string()]));
    lines
}

/// Groups in the order the brokers list them: by coordinator, each coordinator's groups in the
/// order of its map.
fn listed(sim: &Sim) -> Vec<&Group> {
    let mut by_broker: std::collections::BTreeMap<i64, Vec<&str>> = Default::default();
    for g in sim.groups.values() {
        let b = sim.coordinator_of(&g.name).map_or(-1, |b| b as i64);
        by_broker.entry(b).or_default().push(&g.name);
    }
    by_broker.values().flat_map(|names| jdk_hash_map_order(names)).filter_map(|n| group(sim, n)).collect()
}

/// `kafka-consumer-groups --list [--state]`.
pub fn list(sim: &Sim, with_state: bool) -> Vec<String> {
    let groups = listed(sim);
    if !with_state {
        return groups.iter().map(|g| g.name.clone()).collect();
    }
    let w = groups.iter().map(|g| g.name.chars().count().max(15)).max().unwrap_or(15) + 10;
    let cols = Columns(vec![Some(w), Some(20)]);
    let line = |a: &str, b: &str| cols.row(&[a, b]);
    let mut lines = vec![line("GROUP", "STATE")];
    for g in groups {
        lines.push(line(&g.name, g.state.name()));
    }
    lines
}

/// `kafka-consumer-groups --delete --group G`.
pub fn delete(sim: &mut Sim, name: &str) -> Output {
    match sim.delete_group(name) {
        Ok(()) => Output {
            lines: vec![format!("Deletion of requested consumer groups ('{name}') was successful.")],
            error: false,
        },
        Err(why) => Output {
            lines: vec![
                String::new(),
                "Error: Deletion of some consumer groups failed:".to_string(),
                format!("* Group '{name}' could not be deleted due to: java.util.concurrent.ExecutionException: {why}"),
            ],
            error: true,
        },
    }
}

/// `kafka-consumer-groups --reset-offsets --group G --topic T …`: only for a group that is
/// `Empty` or unknown; without `--execute` nothing changes.
/// The admin client's `default.api.timeout.ms` and `retry.backoff.ms` (Kafka's defaults).
const ADMIN_API_TIMEOUT_MS: u64 = 60_000;
const ADMIN_RETRY_BACKOFF_MS: u64 = 100;

pub fn reset(sim: &mut Sim, name: &str, topic: TopicId, partitions: &[u32], to: ResetTo, mode: ResetMode) -> Output {
    let mut lines = Vec::new();
    if mode == ResetMode::Plan {
        lines.push(stderr("WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting."));
    }
    let cols = Columns(vec![Some(30), Some(30), Some(10), Some(15)]);
    let header = cols.row(&["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]);
    if let Some(g) = group(sim, name).filter(|g| g.state != GroupState::Empty) {
        lines.push(String::new());
        lines.push(format!(
            "Error: Assignments can only be reset if the group '{name}' is inactive, but the current state is {}.",
            g.state.name()
        ));
        lines.push(String::new());
        lines.push(header);
        return Output { lines, error: true };
    }
    let committed = sim.committed_offsets(name);
    let mut offsets = Vec::new();
    let count = sim.topic(topic).partitions;
    if let Some(p) = partitions.iter().find(|p| **p >= count) {
        lines.push(format!(
            "Error: Executing consumer group command failed due to org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition. ({}-{p})",
            sim.topic(topic).name
        ));
        return Output { lines, error: true };
    }
    let mut chosen: Vec<u32> = if partitions.is_empty() { (0..count).collect() } else { partitions.to_vec() };
    chosen.sort_unstable();
    chosen.dedup();
    for p in chosen {
        let tp = Tp { topic, partition: p };
        let Some(log) = serving_log(sim, tp) else {
            lines.push(stderr(&format!("Error getting ending offset of topic partition: {}", sim.tp_name(tp))));
            return Output { lines, error: true };
        };
        let (start, end) = (log.log_start, log.hw);
        let target = match to {
            ResetTo::Earliest => start,
            ResetTo::Latest => end,
            ResetTo::Offset(n) => n.clamp(start, end),
            ResetTo::ShiftBy(d) => match committed.get(&tp) {
                Some(&c) => c.saturating_add_signed(d).clamp(start, end),
                None => {
                    lines.push(stderr(&format!(
                        "Cannot shift offset for partition {} since there is no current committed offset",
                        sim.tp_name(tp)
                    )));
                    return Output { lines, error: true };
                }
            },
        };
        offsets.push((tp, target));
    }
    if mode == ResetMode::Execute {
        // The admin client retries a coordinator that is not there yet (the first group of a
        // cluster creates __consumer_offsets, which takes its commit) every retry.backoff.ms,
        // until default.api.timeout.ms.
        let give_up = sim.now() + ADMIN_API_TIMEOUT_MS;
        while let Err(e) = sim.admin_commit(name, &offsets) {
            let retry_at = sim.now() + ADMIN_RETRY_BACKOFF_MS;
            if retry_at > give_up {
                lines.push(e);
                return Output { lines, error: true };
            }
            while sim.now() < retry_at {
                if sim.step().is_none() {
                    lines.push(e);
                    return Output { lines, error: true };
                }
            }
        }
        // The tool returns once AlterConsumerGroupOffsets is answered: the commit replicated
        // (at most offsets.commit.timeout.ms).
        let deadline = sim.now() + crate::coordinators::group::OFFSETS_COMMIT_TIMEOUT_MS;
        let done = |sim: &Sim| {
            let c = sim.committed_offsets(name);
            offsets.iter().all(|(tp, o)| c.get(tp) == Some(o))
        };
        while !done(sim) && sim.now() < deadline {
            if sim.step().is_none() {
                break;
            }
        }
    }
    let order = tp_order(sim, offsets.iter().map(|(tp, _)| *tp).collect());
    lines.push(String::new());
    lines.push(header);
    for tp in order {
        let o = offsets.iter().find(|(t, _)| *t == tp).map(|(_, o)| *o).unwrap_or(0);
        lines.push(cols.row(&[name, &sim.topic(tp.topic).name, &tp.partition.to_string(), &o.to_string()]));
    }
    Output { lines, error: false }
}

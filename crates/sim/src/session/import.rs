//! `kafkascope import FILE.txt`: the output of a real cluster's `kafka-topics --describe` (Kafka 2.8
//! to 4.x: tabs or runs of spaces between fields, with or without `TopicId`, `Elr` and
//! `LastKnownElr`) made into a scenario script that builds the same topics: each partition's
//! replicas in the same order (`--replica-assignment`), and the configs this model accepts.
//! What the script cannot reproduce is named in comments at its top and returned as notes: a
//! leader other than the preferred replica, a shrunken ISR, an offline partition, a reassignment in
//! progress, a config the model refuses, internal topics (the model makes its own), racks (the
//! output has none). Broker ids in 1..64 are kept (the cluster gets brokers up to the highest);
//! others (0, 1001, …) are renumbered 1..N in ascending order.
//!
//! `kafka-consumer-groups --describe` output (the offsets view, `GROUP TOPIC PARTITION
//! CURRENT-OFFSET LOG-END-OFFSET …`) pasted with it brings the groups' committed offsets: each
//! partition gets as many records as its log end offset (`produce --partition P --count N`, up to
//! `MAX_RECORDS_PER_PARTITION`) and each group its offsets (`--reset-offsets --topic T:P
//! --to-offset N`). The members are written as commented `consumer start` lines: started, they
//! would rebalance and consume, so the learner starts them.

use crate::session::exec::Session;
use std::collections::BTreeMap;

/// One topic as its describe output gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct TopicDesc {
    name: String,
    configs: Vec<(String, String)>,
    /// Partition number → (leader, replicas, isr, reassigning).
    partitions: BTreeMap<u32, PartitionDesc>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct PartitionDesc {
    leader: Option<u32>,
    replicas: Vec<u32>,
    isr: Vec<u32>,
    reassigning: bool,
}

/// A row of `kafka-consumer-groups --describe` (the offsets view).
#[derive(Clone, Debug, PartialEq, Eq)]
struct GroupRow {
    group: String,
    topic: String,
    partition: u32,
    current: Option<u64>,
    log_end: u64,
    client_id: Option<String>,
}

/// The most records an import writes to one partition (and to all of them together): a real
/// cluster's offsets in the millions are named as not reproduced instead.
pub const MAX_RECORDS_PER_PARTITION: u64 = 1000;
pub const MAX_RECORDS: u64 = 20_000;

/// The script, and what it leaves out (also written as comments at its top).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub script: String,
    pub notes: Vec<String>,
}

/// `Key: value` fields of a describe line, split on tabs or runs of two or more spaces (older
/// tools and copies from a terminal lose the tabs). A field with an empty value (`Elr: `) is kept.
fn fields(line: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    // Split at every "Key:" that starts a field: the keys are known words followed by ": ".
    let mut rest = line.trim();
    while !rest.is_empty() {
        let Some(colon) = rest.find(':') else { break };
        let key = rest[..colon].trim().to_string();
        let after = &rest[colon + 1..];
        // The value runs to the next tab, or to the next known key after spaces.
        let end = next_field(after).unwrap_or(after.len());
        out.push((key, after[..end].trim().to_string()));
        rest = after[end..].trim_start();
    }
    out
}

const KEYS: [&str; 13] = [
    "Topic",
    "TopicId",
    "PartitionCount",
    "ReplicationFactor",
    "Configs",
    "Partition",
    "Leader",
    "Replicas",
    "Isr",
    "Adding Replicas",
    "Removing Replicas",
    "Elr",
    "LastKnownElr",
];

/// Where the next field starts in `s` (after a tab, or at a known key preceded by whitespace).
fn next_field(s: &str) -> Option<usize> {
    let mut best: Option<usize> = s.find('\t');
    for key in KEYS {
        let pat = format!("{key}:");
        let mut from = 0;
        while let Some(i) = s[from..].find(&pat) {
            let at = from + i;
            if at > 0 && s[..at].ends_with(char::is_whitespace) {
                best = Some(best.map_or(at, |b| b.min(at)));
                break;
            }
            from = at + pat.len();
        }
    }
    best
}

fn ids(s: &str) -> Result<Vec<u32>, String> {
    s.split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().parse::<u32>().map_err(|_| format!("`{x}` is not a broker id")))
        .collect()
}

/// Which table a line of group output belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Topics,
    /// The offsets view: rows are read.
    GroupOffsets,
    /// `--members` or `--state`: named once, not read.
    GroupOther,
}

/// A row of the offsets view: `GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG
/// CONSUMER-ID HOST CLIENT-ID` (the last three `-` for a partition without an owner).
fn group_row(line: &str) -> Result<GroupRow, String> {
    let w: Vec<&str> = line.split_whitespace().collect();
    if w.len() < 6 {
        return Err(format!("a consumer group row needs at least 6 columns: {:?}", line.trim()));
    }
    let num = |s: &str, what: &str| s.parse::<u64>().map_err(|_| format!("`{s}` is not {what}"));
    Ok(GroupRow {
        group: w[0].to_string(),
        topic: w[1].to_string(),
        partition: num(w[2], "a partition number")? as u32,
        current: if w[3] == "-" { None } else { Some(num(w[3], "an offset")?) },
        log_end: if w[4] == "-" { 0 } else { num(w[4], "an offset")? },
        client_id: w.get(8).filter(|c| **c != "-").map(|c| c.to_string()),
    })
}

fn parse(text: &str) -> Result<(Vec<TopicDesc>, Vec<GroupRow>, Vec<String>), String> {
    let mut topics: Vec<TopicDesc> = Vec::new();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut section = Section::Topics;
    let mut other_views = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let at = |why: String| format!("line {}: {why}", n + 1);
        if trimmed.starts_with("GROUP ") {
            section = if trimmed.contains("CURRENT-OFFSET") { Section::GroupOffsets } else { Section::GroupOther };
            other_views |= section == Section::GroupOther;
            continue;
        }
        if trimmed.starts_with("Consumer group ") || trimmed.starts_with("Warning:") {
            continue; // "has no active members.", "is rebalancing."
        }
        if !trimmed.starts_with("Topic:") && section != Section::Topics {
            if section == Section::GroupOffsets {
                rows.push(group_row(line).map_err(at)?);
            }
            continue;
        }
        section = Section::Topics;
        let f = fields(line);
        let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let Some(name) = get("Topic") else {
            return Err(at(format!(
                "not a line of `kafka-topics --describe` or `kafka-consumer-groups --describe`: {:?}",
                line.trim()
            )));
        };
        if let Some(p) = get("Partition") {
            let p: u32 = p.parse().map_err(|_| at(format!("`{p}` is not a partition number")))?;
            let Some(t) = topics.iter_mut().rev().find(|t| t.name == name) else {
                return Err(at(format!("partition {p} of {name} comes before the topic's summary line")));
            };
            let leader = match get("Leader") {
                Some("none") | Some("-1") => None,
                Some(l) => Some(l.parse().map_err(|_| at(format!("`{l}` is not a leader")))?),
                None => return Err(at("a partition line without `Leader:`".into())),
            };
            let replicas =
                ids(get("Replicas").ok_or_else(|| at("a partition line without `Replicas:`".into()))?).map_err(at)?;
            let isr = ids(get("Isr").unwrap_or("")).map_err(at)?;
            let reassigning = get("Adding Replicas").is_some_and(|v| !v.is_empty())
                || get("Removing Replicas").is_some_and(|v| !v.is_empty());
            if replicas.is_empty() {
                return Err(at(format!("{name}-{p} has no replicas")));
            }
            t.partitions.insert(p, PartitionDesc { leader, replicas, isr, reassigning });
        } else {
            // `k=v,k=v`, where a list value goes on after its comma (`cleanup.policy=compact,delete`):
            // a piece without `=` belongs to the value before it.
            let mut configs: Vec<(String, String)> = Vec::new();
            for c in get("Configs").unwrap_or("").split(',').filter(|c| !c.trim().is_empty()) {
                match (c.split_once('='), configs.last_mut()) {
                    (Some((k, v)), _) => configs.push((k.trim().to_string(), v.trim().to_string())),
                    (None, Some((_, v))) => {
                        v.push(',');
                        v.push_str(c.trim());
                    }
                    (None, None) => return Err(at(format!("config `{c}` has no `=`"))),
                }
            }
            topics.push(TopicDesc { name: name.to_string(), configs, partitions: BTreeMap::new() });
        }
    }
    if other_views {
        notes.push("the --members and --state views of kafka-consumer-groups are not read: the offsets view (`kafka-consumer-groups --describe --group G`) brings a group's offsets and members".into());
    }
    if topics.is_empty() {
        return Err("no `kafka-topics --describe` output found (a line starting `Topic: NAME`)".into());
    }
    Ok((topics, rows, notes))
}

/// The script that rebuilds the topics of `text` (a `kafka-topics --describe` output).
pub fn import(text: &str) -> Result<Imported, String> {
    let (topics, rows, mut notes) = parse(text)?;
    // Broker ids: every id named anywhere, mapped to 1..N in ascending order.
    let mut all: Vec<u32> = topics
        .iter()
        .flat_map(|t| t.partitions.values())
        .flat_map(|p| p.replicas.iter().chain(&p.isr).chain(&p.leader).copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    // Ids that fit the model's 1..64 are kept (brokers between them that hold no replica exist
    // too: the output cannot say whether the real cluster has them); others are renumbered.
    let identity = all.first().is_none_or(|b| *b >= 1) && all.last().is_none_or(|b| *b <= 64);
    let n = if identity { all.last().copied().unwrap_or(1) } else { all.len() as u32 };
    let map = |b: u32| if identity { b } else { all.iter().position(|x| *x == b).unwrap() as u32 + 1 };
    if !identity {
        let pairs: Vec<String> = all.iter().map(|b| format!("{b}→{}", map(*b))).collect();
        notes.push(format!("broker ids are renumbered 1..{n} (this model's ids): {}", pairs.join(", ")));
    }
    if n > 64 {
        return Err(format!("the output names {n} brokers; this model runs 1 to 64"));
    }
    let mut lines = vec![format!("cluster --brokers {n}")];
    // A scratch session checks each config the way `kafka-topics --create` will.
    let accepts = |k: &str, v: &str| {
        let mut s = Session::with_cluster(1, 1, &[], crate::cluster::sim::DEFAULT_CONTROLLERS);
        let line =
            format!("kafka-topics --create --topic probe --partitions 1 --replication-factor 1 --config {k}={v}");
        match crate::session::command::parse_line(&line) {
            Ok(Some(cmd)) => !s.execute(&cmd).error,
            _ => false,
        }
    };
    let mut reassign = Vec::new();
    for t in &topics {
        if t.name.starts_with("__") {
            notes.push(format!("{}: an internal topic, which this model creates itself", t.name));
            continue;
        }
        if t.partitions.is_empty() {
            notes.push(format!("{}: no partition lines, so it is left out", t.name));
            continue;
        }
        let expected: Vec<u32> = (0..t.partitions.len() as u32).collect();
        if t.partitions.keys().copied().collect::<Vec<_>>() != expected {
            return Err(format!(
                "{}: partitions {:?} are not 0..{}",
                t.name,
                t.partitions.keys().collect::<Vec<_>>(),
                t.partitions.len()
            ));
        }
        // `kafka-topics --create` takes one replication factor for all partitions (Kafka refuses
        // "Partition 1 has different replication factor"); a real topic can differ after a
        // reassignment. Such a partition is created with partition 0's count, then reassigned.
        let rf = t.partitions[&0].replicas.len();
        let mut assignment = Vec::new();
        for (p, d) in &t.partitions {
            let mut replicas: Vec<u32> = d.replicas.iter().map(|b| map(*b)).collect();
            if replicas.len() != rf {
                if rf > n as usize {
                    return Err(format!("{}: partition 0 has {rf} replicas on {n} brokers", t.name));
                }
                reassign.push(format!(
                    "{{\"topic\":\"{}\",\"partition\":{p},\"replicas\":[{}]}}",
                    t.name,
                    replicas.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
                ));
                notes.push(format!(
                    "{}-{p}: {} replicas where partition 0 has {rf}; created with {rf}, then reassigned to its own",
                    t.name,
                    replicas.len()
                ));
                replicas.truncate(rf);
                let spare: Vec<u32> = (1..=n).filter(|b| !replicas.contains(b)).collect();
                replicas.extend(spare.into_iter().take(rf - replicas.len()));
            }
            assignment.push(replicas.iter().map(u32::to_string).collect::<Vec<_>>().join(":"));
        }
        let mut line =
            format!("kafka-topics --create --topic {} --replica-assignment {}", word(&t.name), assignment.join(","));
        for (k, v) in &t.configs {
            // `kafka-topics --config` takes a list value as is (`cleanup.policy=compact,delete`).
            if accepts(k, v) {
                line.push_str(&format!(" --config {}", word(&format!("{k}={v}"))));
            } else {
                notes.push(format!("{}: config {k}={v} is left out (this model refuses it)", t.name));
            }
        }
        lines.push(line);
        for (p, d) in &t.partitions {
            let tp = format!("{}-{p}", t.name);
            let preferred = map(d.replicas[0]);
            match d.leader.map(map) {
                None => notes.push(format!("{tp}: offline in the real cluster (Leader: none); here it starts with leader {preferred}")),
                Some(l) if l != preferred => notes.push(format!(
                    "{tp}: led by {l} in the real cluster; here by the preferred replica {preferred} (kafka-leader-election --election-type preferred moves it back in Kafka too)"
                )),
                _ => {}
            }
            let mut isr: Vec<u32> = d.isr.iter().map(|b| map(*b)).collect();
            let mut replicas: Vec<u32> = d.replicas.iter().map(|b| map(*b)).collect();
            isr.sort_unstable();
            replicas.sort_unstable();
            if isr != replicas && !d.isr.is_empty() {
                let out: Vec<String> = replicas.iter().filter(|b| !isr.contains(b)).map(u32::to_string).collect();
                notes.push(format!(
                    "{tp}: replica(s) {} out of the ISR in the real cluster; here every replica starts in sync",
                    out.join(",")
                ));
            }
            if d.reassigning {
                notes.push(format!(
                    "{tp}: a reassignment was in progress; its full replica list is imported as the assignment"
                ));
            }
        }
    }
    if !reassign.is_empty() {
        // The topics commit first; the moves of empty partitions then finish within a second.
        lines.push("advance 1s".into());
        lines.push(format!(
            "kafka-reassign-partitions --execute --reassignment-json '{{\"version\":1,\"partitions\":[{}]}}'",
            reassign.join(",")
        ));
        lines.push("advance 5s".into());
    }
    let members = groups(&topics, &rows, &mut lines, &mut notes);
    let mut script = String::from("# Imported by `kafkascope import` from `kafka-topics --describe` output.\n");
    for note in &notes {
        script.push_str(&format!("# Not reproduced: {note}\n"));
    }
    for l in lines {
        script.push_str(&l);
        script.push('\n');
    }
    script.push_str("kafka-topics --describe --exclude-internal\n");
    let mut groups: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        script.push_str(&format!("kafka-consumer-groups --describe --group {}\n", word(g)));
    }
    if !members.is_empty() {
        script.push_str("# The groups' members in the real cluster. Started, they join, rebalance and consume from\n");
        script.push_str("# the offsets above: remove the # to start them.\n");
        for m in members {
            script.push_str(&format!("# {m}\n"));
        }
    }
    Ok(Imported { script, notes })
}

/// The lines that give the imported topics the groups' records and committed offsets, and the
/// members' `consumer start` lines (returned, to be written commented).
fn groups(topics: &[TopicDesc], rows: &[GroupRow], lines: &mut Vec<String>, notes: &mut Vec<String>) -> Vec<String> {
    let imported = |t: &str| topics.iter().any(|d| d.name == t && !t.starts_with("__") && !d.partitions.is_empty());
    // Records: each partition's log end offset, the highest any row reports.
    let mut log_end: BTreeMap<(&str, u32), u64> = BTreeMap::new();
    let mut missing: Vec<String> = Vec::new();
    for r in rows {
        let known = topics.iter().find(|d| d.name == r.topic).is_some_and(|d| d.partitions.contains_key(&r.partition));
        if !imported(&r.topic) || !known {
            let tp = format!("{}-{} (group {})", r.topic, r.partition, r.group);
            if !missing.contains(&tp) {
                missing.push(tp);
            }
            continue;
        }
        let e = log_end.entry((r.topic.as_str(), r.partition)).or_default();
        *e = (*e).max(r.log_end);
    }
    if !missing.is_empty() {
        notes.push(format!(
            "group rows for partitions the topics part does not hold are left out: {}",
            missing.join(", ")
        ));
    }
    let mut written = 0;
    let mut full: BTreeMap<(&str, u32), bool> = BTreeMap::new();
    let mut produce = Vec::new();
    for (&(t, p), &n) in &log_end {
        let fits = n <= MAX_RECORDS_PER_PARTITION && written + n <= MAX_RECORDS;
        full.insert((t, p), fits);
        if !fits {
            notes.push(format!(
                "{t}-{p}: log end offset {n} is more records than an import writes (at most {MAX_RECORDS_PER_PARTITION} a partition, {MAX_RECORDS} in all): it starts empty and no group's offset there is set"
            ));
        } else if n > 0 {
            written += n;
            produce.push(format!("produce --topic {} --partition {p} --count {n} --value imported", word(t)));
        }
    }
    if !log_end.is_empty() {
        // The topics commit first.
        lines.push("advance 1s".into());
    }
    lines.extend(produce);
    let mut members: Vec<String> = Vec::new();
    for r in rows {
        if !full.get(&(r.topic.as_str(), r.partition)).copied().unwrap_or(false) {
            continue;
        }
        // A row with `-` has no committed offset, as the imported group will not.
        if let Some(c) = r.current {
            lines.push(format!(
                "kafka-consumer-groups --reset-offsets --group {} --topic {}:{} --to-offset {c} --execute",
                word(&r.group),
                word(&r.topic),
                r.partition
            ));
        }
    }
    // Members: one `consumer start` per client id and group, with the topics it was assigned.
    let mut clients: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for r in rows.iter().filter(|r| imported(&r.topic)) {
        if let Some(c) = &r.client_id {
            let ts = clients.entry((r.group.as_str(), c.as_str())).or_default();
            if !ts.contains(&r.topic.as_str()) {
                ts.push(r.topic.as_str());
            }
        }
    }
    for ((g, c), ts) in clients {
        let line = format!("consumer start {} --group {} --topic {}", word(c), word(g), ts.join(","));
        if !members.contains(&line) {
            members.push(line);
        }
    }
    if !members.is_empty() {
        notes.push(format!(
            "{} group member(s) are written as commented `consumer start` lines at the end: started, they would rebalance and consume",
            members.len()
        ));
    }
    members
}

/// A word of the command language: quoted when it holds anything a bare word cannot.
fn word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-=,:/[]".contains(c)) {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of shared/kafka-reference-v2.md §1.1 (Kafka 4.0), with an offline partition.
    const KAFKA_4: &str = "Topic: clicks\tTopicId: 3vXhQ0cJSm2b9a5eK1o7Qg\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: retention.ms=3600000\n\tTopic: clicks\tPartition: 0\tLeader: 2\tReplicas: 2,1\tIsr: 2,1\tElr: \tLastKnownElr: \n\tTopic: clicks\tPartition: 1\tLeader: none\tReplicas: 1,3\tIsr: 3\tElr: \tLastKnownElr: \n";

    #[test]
    fn kafka_4_output_becomes_a_script_naming_what_it_leaves_out() {
        let i = import(KAFKA_4).unwrap();
        assert!(i.script.contains("cluster --brokers 3\n"), "{}", i.script);
        assert!(
            i.script.contains(
                "kafka-topics --create --topic clicks --replica-assignment 2:1,1:3 --config retention.ms=3600000\n"
            ),
            "{}",
            i.script
        );
        assert!(i.notes.iter().any(|n| n.contains("clicks-1: offline")), "{:?}", i.notes);
        assert!(i.notes.iter().any(|n| n.contains("clicks-1: replica(s) 1 out of the ISR")), "{:?}", i.notes);
        assert_eq!(i.notes.len(), 2, "{:?}", i.notes);
    }

    /// Kafka 3.x before ELR (no `Elr`/`LastKnownElr`), 2.x (no TopicId), spaces instead of tabs,
    /// broker ids from 1001, an internal topic and a config the model refuses.
    #[test]
    fn older_layouts_spaces_and_other_broker_ids() {
        let text = "Topic: orders  PartitionCount: 2  ReplicationFactor: 2  Configs: cleanup.policy=compact,no.such.config=1\n    Topic: orders  Partition: 0  Leader: 1002  Replicas: 1002,1001  Isr: 1002,1001\n    Topic: orders  Partition: 1  Leader: 1002  Replicas: 1001,1002  Isr: 1001,1002\nTopic: __consumer_offsets\tTopicId: x\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n\tTopic: __consumer_offsets\tPartition: 0\tLeader: 1001\tReplicas: 1001\tIsr: 1001\n";
        let i = import(text).unwrap();
        assert!(i.script.contains("cluster --brokers 2\n"), "{}", i.script);
        assert!(i.script.contains("--replica-assignment 2:1,1:2 --config cleanup.policy=compact\n"), "{}", i.script);
        for want in [
            "renumbered 1..2 (this model's ids): 1001→1, 1002→2",
            "no.such.config=1 is left out",
            "orders-1: led by 2",
            "__consumer_offsets: an internal topic",
        ] {
            assert!(i.notes.iter().any(|n| n.contains(want)), "{want}: {:?}", i.notes);
        }
    }

    /// shared/kafka-reference-v2.md §2.1's offsets view under the topic it reads.
    #[test]
    fn group_offsets_become_records_and_committed_offsets_and_members_are_offered() {
        let text = "Topic: invoices\tPartitionCount: 4\tReplicationFactor: 1\tConfigs: \n\tTopic: invoices\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\n\tTopic: invoices\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\n\tTopic: invoices\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\n\tTopic: invoices\tPartition: 3\tLeader: 1\tReplicas: 1\tIsr: 1\n\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                     HOST            CLIENT-ID\nbilling         invoices        0          17              17              0               worker-1-aZ3kP9wq7cR2mN5bV8tY0g /10.1.0.4       worker-1\nbilling         invoices        2          40              44              4               worker-1-aZ3kP9wq7cR2mN5bV8tY0g /10.1.0.4       worker-1\nbilling         invoices        1          -               9               -               worker-2-Xq8r0LxkTfS0cQyVv3Jm1A /10.1.0.5       worker-2\nbilling         invoices        3          5               6               1               -                               -               -\nbilling         payments        0          5000000         5000001         1               -                               -               -\n";
        let i = import(text).unwrap();
        for want in [
            "produce --topic invoices --partition 2 --count 44 --value imported\n",
            "kafka-consumer-groups --reset-offsets --group billing --topic invoices:2 --to-offset 40 --execute\n",
            "# consumer start worker-2 --group billing --topic invoices\n",
            "kafka-consumer-groups --describe --group billing\n",
        ] {
            assert!(i.script.contains(want), "{want}\n{}", i.script);
        }
        assert!(!i.script.contains("invoices:1 "), "no committed offset on partition 1: {}", i.script);
        assert!(i.notes.iter().any(|n| n.contains("payments-0 (group billing)")), "{:?}", i.notes);
        let big = import(&text.replace("44              4", "4400            4")).unwrap();
        assert!(
            big.notes.iter().any(|n| n.contains("invoices-2: log end offset 4400 is more records")),
            "{:?}",
            big.notes
        );
        assert!(!big.script.contains("invoices:2"), "{}", big.script);
    }

    #[test]
    fn what_is_not_describe_output_is_refused_with_the_line() {
        assert!(import("hello\n").unwrap_err().contains("line 1"));
        assert!(import("").unwrap_err().contains("no `kafka-topics --describe` output"));
        let e = import("\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\n").unwrap_err();
        assert!(e.contains("before the topic's summary line"), "{e}");
    }
}

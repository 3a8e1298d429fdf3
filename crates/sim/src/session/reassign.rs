//! `kafka-reassign-partitions` (Kafka 4.0's `ReassignPartitionsCommand`, KIP-455) with the JSON
//! inline where Kafka reads a file: `--generate` (the current assignment and a proposal over
//! `--broker-list`, rack-aware as `AdminUtils.assignReplicasToBrokers`), `--execute` (with
//! `--throttle`), `--verify`, `--cancel` and `--list`, printing what the tool prints (all of it on
//! stdout, as the tool does). The tool's checks come first, so a failed command changes nothing.
//!
//! Differences, said by `help`: a JSON syntax error is reported with serde's description after
//! Jackson's exception name (Kafka prints Jackson's own text, then a stack trace); no error prints
//! a stack trace; `--additional` and log directories other than `"any"` are not modelled.

use crate::clients::assignor::{jdk_hash_map_order, jdk_hash_order};
use crate::cluster::sim::{assign_replicas, assign_replicas_rack_aware};
use crate::model::*;
use crate::session::exec::Output;
use crate::Sim;
use serde_json::Value;

/// What `kafka-reassign-partitions` is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReassignAction {
    Generate,
    Execute,
    Verify,
    Cancel,
    List,
}

impl ReassignAction {
    pub fn flag(self) -> &'static str {
        match self {
            ReassignAction::Generate => "--generate",
            ReassignAction::Execute => "--execute",
            ReassignAction::Verify => "--verify",
            ReassignAction::Cancel => "--cancel",
            ReassignAction::List => "--list",
        }
    }
}

const CANNOT_EXECUTE_BECAUSE_OF_EXISTING: &str = "Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.";
const RUN_VERIFY: &str =
    "Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.";

fn fail(text: String) -> Output {
    Output { lines: text.lines().map(String::from).collect(), error: true }
}

fn ids(v: &[BrokerId]) -> String {
    crate::cluster::journal::join_ids(v)
}

/// A JSON value as Jackson prints it in the decoders' messages.
fn shown(v: &Value) -> String {
    v.to_string()
}

fn field<'a>(o: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a Value, String> {
    o.get(name).ok_or_else(|| format!("Error: No such field exists: `{name}`"))
}

fn as_int(v: &Value) -> Result<i64, String> {
    v.as_i64()
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or_else(|| format!("Error: Expected `Int` value, received {}", shown(v)))
}

fn as_str(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| format!("Error: Expected `String` value, received {}", shown(v)))
}

fn as_array(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array().ok_or_else(|| format!("Error: Expected JSON array, received {}", shown(v)))
}

fn as_object(v: &Value) -> Result<&serde_json::Map<String, Value>, String> {
    v.as_object().ok_or_else(|| format!("Error: Expected JSON object, received {}", shown(v)))
}

fn version_ok(o: &serde_json::Map<String, Value>) -> Result<(), String> {
    match o.get("version") {
        None => Ok(()),
        Some(v) => match as_int(v)? {
            1 => Ok(()),
            n => Err(format!("Error: Not supported version field value {n}")),
        },
    }
}

/// One partition of a reassignment JSON: topic, partition, target replicas.
type Target = (String, i64, Vec<i64>);

/// `parsePartitionReassignmentData`: the partitions in the order given (duplicates kept, for the
/// checks that follow).
fn parse_reassignment(json: &str) -> Result<Vec<Target>, String> {
    let js: Value =
        serde_json::from_str(json).map_err(|e| format!("Error: com.fasterxml.jackson.core.JsonParseException: {e}"))?;
    let o = as_object(&js)?;
    version_ok(o)?;
    let mut out = Vec::new();
    let Some(parts) = o.get("partitions") else { return Ok(out) };
    for p in as_array(parts)? {
        let p = as_object(p)?;
        let topic = as_str(field(p, "topic")?)?.to_string();
        let partition = as_int(field(p, "partition")?)?;
        let replicas: Vec<i64> = as_array(field(p, "replicas")?)?.iter().map(as_int).collect::<Result<_, _>>()?;
        if let Some(dirs) = p.get("log_dirs") {
            let dirs: Vec<&str> = as_array(dirs)?.iter().map(as_str).collect::<Result<_, _>>()?;
            if dirs.len() != replicas.len() {
                let list = |v: Vec<String>| format!("[{}]", v.join(", "));
                return Err(format!(
                    "Error: Size of replicas list {} is different from size of log dirs list {} for partition {topic}-{partition}",
                    list(replicas.iter().map(|r| r.to_string()).collect()),
                    list(dirs.iter().map(|d| d.to_string()).collect())
                ));
            }
            if dirs.iter().any(|d| *d != "any") {
                return Err(
                    "Error: kafkascope gives each broker one log directory: log_dirs other than \"any\" (moving a replica between directories) are not modelled."
                        .into(),
                );
            }
        }
        out.push((topic, partition, replicas));
    }
    Ok(out)
}

/// The partition a target names, if the topic exists (and `Err` with the tool's text if not).
fn resolve(sim: &Sim, topic: &str, partition: i64) -> Result<Tp, String> {
    let Some(t) = sim.topic_by_name(topic) else {
        return Err(format!(
            "Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic {topic} not found."
        ));
    };
    match u32::try_from(partition).ok().filter(|p| *p < sim.topic(t).partitions) {
        Some(p) => Ok(Tp { topic: t, partition: p }),
        None => Err(format!(
            "Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: {topic}-{partition}"
        )),
    }
}

/// `formatAsReassignmentJson`: sorted by topic, then partition; every log dir `any`.
pub fn reassignment_json(parts: &[(String, u32, Vec<BrokerId>)]) -> String {
    let mut parts = parts.to_vec();
    crate::sort::sort_by(&mut parts, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let body: Vec<String> = parts
        .iter()
        .map(|(t, p, r)| {
            let dirs: Vec<&str> = r.iter().map(|_| "\"any\"").collect();
            format!(
                "{{\"topic\":{},\"partition\":{p},\"replicas\":[{}],\"log_dirs\":[{}]}}",
                serde_json::to_string(t).expect("a string serializes"),
                ids(r),
                dirs.join(",")
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", body.join(","))
}

/// Runs `kafka-reassign-partitions ACTION`.
pub fn run(
    sim: &mut Sim,
    action: ReassignAction,
    json: Option<&str>,
    broker_list: Option<&str>,
    throttle: i64,
    disable_rack_aware: bool,
    preserve_throttles: bool,
) -> Output {
    let r = match action {
        ReassignAction::Generate => generate(sim, json.unwrap_or(""), broker_list.unwrap_or(""), !disable_rack_aware),
        ReassignAction::Execute | ReassignAction::Cancel if sim.active_controller().is_none() => {
            sim.require_active_controller().map(|_| Vec::new())
        }
        ReassignAction::Execute => execute(sim, json.unwrap_or(""), throttle),
        ReassignAction::Verify => verify(sim, json.unwrap_or(""), preserve_throttles),
        ReassignAction::Cancel => cancel(sim, json.unwrap_or(""), preserve_throttles),
        ReassignAction::List => Ok(list(sim)),
    };
    match r {
        Ok(lines) => Output { lines, error: false },
        Err(e) => fail(e),
    }
}

/// Partitions with a reassignment in progress, in (topic name, partition) order.
fn ongoing(sim: &Sim) -> Vec<(String, Tp)> {
    let mut v: Vec<(String, Tp)> = sim
        .controller
        .partitions
        .iter()
        .filter(|(_, m)| m.reassigning())
        .map(|(&tp, _)| (sim.topic(tp.topic).name.clone(), tp))
        .collect();
    crate::sort::sort_by(&mut v, |a, b| a.0.cmp(&b.0).then(a.1.partition.cmp(&b.1.partition)));
    v
}

/// `--list`: `curReassignmentsToString`.
fn list(sim: &Sim) -> Vec<String> {
    let now = ongoing(sim);
    if now.is_empty() {
        return vec!["No partition reassignments found.".into()];
    }
    let mut out = vec!["Current partition reassignments:".to_string()];
    for (_, tp) in now {
        let m = &sim.controller.partitions[&tp];
        let add = if m.adding.is_empty() { String::new() } else { format!(" adding: {}.", ids(&m.adding)) };
        let rem = if m.removing.is_empty() { String::new() } else { format!(" removing: {}.", ids(&m.removing)) };
        out.push(format!("{}: replicas: {}.{add}{rem}", sim.tp_name(tp), ids(&m.replicas)));
    }
    out
}

/// `--generate`: the topics' current assignment and Kafka's placement of them over the brokers
/// of `--broker-list` that are in the cluster (rack-aware when they have racks).
fn generate(sim: &Sim, json: &str, broker_list: &str, rack_aware: bool) -> Result<Vec<String>, String> {
    let mut brokers = Vec::new();
    for b in broker_list.split(',') {
        let id: i64 = b.parse().map_err(|_| format!("Error: For input string: \"{b}\""))?;
        brokers.push(id);
    }
    let mut dup: Vec<i64> =
        brokers.iter().copied().filter(|b| brokers.iter().filter(|x| *x == b).count() > 1).collect();
    crate::sort::sort(&mut dup);
    dup.dedup();
    if !dup.is_empty() {
        let d: Vec<String> = dup.iter().map(|b| b.to_string()).collect();
        return Err(format!("Error: Broker list contains duplicate entries: [{}]", d.join(", ")));
    }
    let js: Value =
        serde_json::from_str(json).map_err(|_| "Error: The input string is not a valid JSON".to_string())?;
    let o = as_object(&js)?;
    version_ok(o)?;
    let mut topics: Vec<String> = Vec::new();
    if let Some(ts) = o.get("topics") {
        for t in as_array(ts)? {
            topics.push(as_str(field(as_object(t)?, "topic")?)?.to_string());
        }
    }
    let mut dups: Vec<&String> = topics.iter().filter(|t| topics.iter().filter(|x| x == t).count() > 1).collect();
    dups.dedup();
    if !dups.is_empty() {
        let d: Vec<&str> = dups.iter().map(|s| s.as_str()).collect();
        return Err(format!("Error: List of topics to reassign contains duplicate entries: [{}]", d.join(", ")));
    }
    let mut current: Vec<(String, u32, Vec<BrokerId>)> = Vec::new();
    for name in &topics {
        let t = resolve(sim, name, 0).map_err(|_| {
            format!("Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic {name} not found.")
        })?;
        for p in 0..sim.topic(t.topic).partitions {
            if let Some(m) = sim.partition(Tp { topic: t.topic, partition: p }) {
                current.push((name.clone(), p, m.replicas.clone()));
            }
        }
    }
    // describeCluster's brokers (registered and unfenced) that the list names, with their racks.
    let nodes: Vec<(BrokerId, Option<String>)> = sim
        .usable_broker_ids()
        .into_iter()
        .filter(|b| brokers.contains(&(*b as i64)))
        .map(|b| (b, if rack_aware { sim.broker_rack(b) } else { None }))
        .collect();
    let rackless = nodes.iter().filter(|(_, r)| r.is_none()).count();
    if rack_aware && rackless != 0 && rackless != nodes.len() {
        return Err("Error: Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.".into());
    }
    // The tool's own Random: a stream of its own, so a proposal changes nothing in the cluster.
    let mut rng = crate::rng::Rng::new(sim.seed ^ sim.net.processed.rotate_left(29) ^ 0x7265_6173_7369_676e);
    let mut proposed = Vec::new();
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    for name in jdk_hash_map_order(&names) {
        let parts: Vec<&(String, u32, Vec<BrokerId>)> = current.iter().filter(|c| c.0 == name).collect();
        let Some(first) = parts.first() else { continue };
        let rf = first.2.len() as u32;
        if rf as usize > nodes.len() {
            return Err(format!("Error: Replication factor: {rf} larger than available brokers: {}.", nodes.len()));
        }
        let placed = if rackless == 0 && !nodes.is_empty() {
            let on: Vec<(BrokerId, String)> = nodes.iter().map(|(b, r)| (*b, r.clone().unwrap_or_default())).collect();
            assign_replicas_rack_aware(&on, parts.len() as u32, rf, &mut rng)
        } else {
            let ids: Vec<BrokerId> = nodes.iter().map(|(b, _)| *b).collect();
            assign_replicas(&ids, parts.len() as u32, rf, &mut rng)
        };
        for (p, replicas) in placed.into_iter().enumerate() {
            proposed.push((name.to_string(), p as u32, replicas));
        }
    }
    Ok(vec![
        "Current partition replica assignment".into(),
        reassignment_json(&current),
        String::new(),
        "Proposed partition reassignment configuration".into(),
        reassignment_json(&proposed),
    ])
}

/// The brokers `describeCluster` lists (registered, unfenced).
fn cluster_nodes(sim: &Sim) -> Vec<BrokerId> {
    sim.usable_broker_ids()
}

/// `--execute`: the tool's checks, the current assignment to save for a rollback, the throttle,
/// then `alterPartitionReassignments`.
fn execute(sim: &mut Sim, json: &str, throttle: i64) -> Result<Vec<String>, String> {
    let targets = parse_reassignment(json)?;
    if targets.is_empty() {
        return Err("Error: Partition reassignment list cannot be empty".into());
    }
    if targets.iter().any(|t| t.2.is_empty()) {
        return Err("Error: Partition replica list cannot be empty".into());
    }
    let mut seen: Vec<(String, i64)> = Vec::new();
    let mut dup_parts: Vec<String> = Vec::new();
    for (t, p, _) in &targets {
        if seen.contains(&(t.clone(), *p)) && !dup_parts.contains(&format!("{t}-{p}")) {
            dup_parts.push(format!("{t}-{p}"));
        }
        seen.push((t.clone(), *p));
    }
    if !dup_parts.is_empty() {
        return Err(format!(
            "Error: Partition reassignment contains duplicate topic partitions: {}",
            dup_parts.join(",")
        ));
    }
    let dup_replicas: Vec<String> = targets
        .iter()
        .filter_map(|(t, p, r)| {
            let mut d: Vec<i64> = r.iter().copied().filter(|b| r.iter().filter(|x| *x == b).count() > 1).collect();
            crate::sort::sort(&mut d);
            d.dedup();
            (!d.is_empty()).then(|| {
                let d: Vec<String> = d.iter().map(|b| b.to_string()).collect();
                format!("{t}-{p} contains multiple entries for {}", d.join(","))
            })
        })
        .collect();
    if !dup_replicas.is_empty() {
        return Err(format!(
            "Error: Partition replica lists may not contain duplicate entries: {}",
            dup_replicas.join(". ")
        ));
    }
    if !ongoing(sim).is_empty() {
        return Err(CANNOT_EXECUTE_BECAUSE_OF_EXISTING.into());
    }
    let nodes = cluster_nodes(sim);
    let mut all: Vec<i64> = targets.iter().flat_map(|t| t.2.iter().copied()).collect();
    crate::sort::sort(&mut all);
    if let Some(unknown) = all.iter().find(|b| u32::try_from(**b).map_or(true, |b| !nodes.contains(&b))) {
        return Err(format!("Error: Unknown broker id {unknown}"));
    }
    let mut resolved: Vec<(Tp, Vec<BrokerId>)> = Vec::new();
    for (t, p, r) in &targets {
        let tp = resolve(sim, t, *p)?;
        resolved.push((tp, r.iter().map(|b| *b as BrokerId).collect()));
    }
    let current: Vec<(String, u32, Vec<BrokerId>)> = resolved
        .iter()
        .map(|(tp, _)| (sim.topic(tp.topic).name.clone(), tp.partition, sim.controller.partitions[tp].replicas.clone()))
        .collect();
    let mut out = vec![
        "Current partition replica assignment".to_string(),
        String::new(),
        reassignment_json(&current),
        String::new(),
        "Save this to use as the --reassignment-json-file option during rollback".to_string(),
    ];
    if throttle >= 0 {
        out.push(RUN_VERIFY.into());
        out.push(format!("The inter-broker throttle limit was set to {throttle} B/s"));
        sim.config.reassignment_throttle_bps = Some(throttle as u64);
    }
    sim.start_reassignments(&resolved);
    let mut names: Vec<(String, u32)> = current.iter().map(|(t, p, _)| (t.clone(), *p)).collect();
    crate::sort::sort_by(&mut names, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let names: Vec<String> = names.iter().map(|(t, p)| format!("{t}-{p}")).collect();
    out.push(format!(
        "Successfully started partition reassignment{} for {}",
        if names.len() == 1 { "" } else { "s" },
        names.join(",")
    ));
    Ok(out)
}

/// `clearAllThrottles`: the two lines (brokers: the cluster's and the targets', as a HashSet;
/// topics as a HashSet), and the model's throttle goes.
fn clear_throttles(sim: &mut Sim, targets: &[Target]) -> Vec<String> {
    let mut brokers: Vec<i64> = cluster_nodes(sim).into_iter().map(i64::from).collect();
    for (_, _, r) in targets {
        for b in r {
            if !brokers.contains(b) {
                brokers.push(*b);
            }
        }
    }
    let brokers = jdk_hash_order(&brokers, |b| *b as i32);
    let mut topics: Vec<&str> = Vec::new();
    for (t, _, _) in targets {
        if !topics.contains(&t.as_str()) {
            topics.push(t);
        }
    }
    let topics = jdk_hash_map_order(&topics);
    sim.config.reassignment_throttle_bps = None;
    let b: Vec<String> = brokers.iter().map(|b| b.to_string()).collect();
    vec![
        format!("Clearing broker-level throttles on broker{} {}", if b.len() == 1 { "" } else { "s" }, b.join(",")),
        format!(
            "Clearing topic-level throttles on topic{} {}",
            if topics.len() == 1 { "" } else { "s" },
            topics.join(",")
        ),
    ]
}

/// `--verify`: each partition's status, the (empty) replica-move status, and once no
/// reassignment runs anywhere, the throttles cleared.
fn verify(sim: &mut Sim, json: &str, preserve_throttles: bool) -> Result<Vec<String>, String> {
    let targets = parse_reassignment(json)?;
    let mut rows: Vec<(String, i64, String)> = Vec::new();
    for (t, p, target) in &targets {
        let name = format!("{t}-{p}");
        let meta = sim
            .topic_by_name(t)
            .and_then(|id| u32::try_from(*p).ok().map(|p| Tp { topic: id, partition: p }))
            .and_then(|tp| sim.partition(tp));
        let line = match meta {
            Some(m) if m.reassigning() => format!("Reassignment of partition {name} is still in progress."),
            _ => {
                let current: Vec<BrokerId> = match sim.topic_by_name(t) {
                    None => Vec::new(),
                    Some(id) => {
                        let count = sim.topic(id).partitions as i64;
                        if count < *p || *p < 0 {
                            Vec::new()
                        } else if count == *p {
                            return Err(format!("Error: Index {p} out of bounds for length {count}"));
                        } else {
                            meta.map(|m| m.replicas.clone()).unwrap_or_default()
                        }
                    }
                };
                let target_ids: Vec<String> = target.iter().map(|b| b.to_string()).collect();
                if current.iter().map(|b| *b as i64).eq(target.iter().copied()) {
                    format!("Reassignment of partition {name} is completed.")
                } else {
                    format!(
                        "There is no active reassignment of partition {name}, but replica set is {} rather than {}.",
                        ids(&current),
                        target_ids.join(",")
                    )
                }
            }
        };
        rows.push((t.clone(), *p, line));
    }
    crate::sort::sort_by(&mut rows, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    rows.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    let mut out = vec!["Status of partition reassignment:".to_string()];
    out.extend(rows.into_iter().map(|r| r.2));
    out.push(String::new());
    if ongoing(sim).is_empty() && !preserve_throttles {
        out.extend(clear_throttles(sim, &targets));
    }
    Ok(out)
}

/// `--cancel`: the listed partitions that are being reassigned go back to their replicas before
/// it; then the throttles are cleared (the tool prints its "moves" line without a line break, so
/// the next line runs on from it, as in Kafka).
fn cancel(sim: &mut Sim, json: &str, preserve_throttles: bool) -> Result<Vec<String>, String> {
    let targets = parse_reassignment(json)?;
    let mut active: Vec<(String, Tp)> = Vec::new();
    for (t, p, _) in &targets {
        let Some(id) = sim.topic_by_name(t) else { continue };
        let Ok(p) = u32::try_from(*p) else { continue };
        let tp = Tp { topic: id, partition: p };
        if sim.partition(tp).is_some_and(|m| m.reassigning()) && !active.iter().any(|a| a.1 == tp) {
            active.push((t.clone(), tp));
        }
    }
    crate::sort::sort_by(&mut active, |a, b| a.0.cmp(&b.0).then(a.1.partition.cmp(&b.1.partition)));
    let mut out = Vec::new();
    if active.is_empty() {
        out.push("None of the specified partition reassignments are active.".to_string());
    } else {
        let tps: Vec<Tp> = active.iter().map(|a| a.1).collect();
        if let Err(e) = sim.cancel_reassignments(&tps) {
            return Err(format!("Error cancelling partition reassignment for:\n{e}"));
        }
        let names: Vec<String> = tps.iter().map(|tp| sim.tp_name(*tp)).collect();
        out.push(format!(
            "Successfully cancelled partition reassignment{} for: {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(",")
        ));
    }
    let moves = "None of the specified partition moves are active.";
    if preserve_throttles {
        out.push(moves.into());
    } else {
        let mut clear = clear_throttles(sim, &targets);
        clear[0] = format!("{moves}{}", clear[0]);
        out.extend(clear);
    }
    Ok(out)
}

/// The reassignment that moves every replica off broker `b` (for `broker remove`): each of its
/// replicas goes to the registered, unfenced broker not already a replica that holds the fewest
/// replicas (the lowest id on a tie). None when some partition has nowhere to go.
pub fn emptying_json(sim: &Sim, b: BrokerId) -> Option<String> {
    let usable: Vec<BrokerId> = sim.usable_broker_ids().into_iter().filter(|&x| x != b).collect();
    let mut load: std::collections::BTreeMap<BrokerId, usize> = usable.iter().map(|&x| (x, 0)).collect();
    for m in sim.controller.partitions.values() {
        for r in &m.replicas {
            if let Some(n) = load.get_mut(r) {
                *n += 1;
            }
        }
    }
    let mut parts = Vec::new();
    for (&tp, m) in &sim.controller.partitions {
        if !m.replicas.contains(&b) {
            continue;
        }
        let to = usable.iter().copied().filter(|x| !m.replicas.contains(x)).min_by_key(|x| (load[x], *x))?;
        *load.get_mut(&to).expect("usable") += 1;
        let replicas: Vec<BrokerId> = m.replicas.iter().map(|&r| if r == b { to } else { r }).collect();
        parts.push((sim.topic(tp.topic).name.clone(), tp.partition, replicas));
    }
    Some(reassignment_json(&parts))
}

//! Commands back to text, and a session's trace as a scenario script the headless runner
//! reproduces (`cargo run -p kafkascope-sim --bin kafkascope -- run FILE`).
//!
//! `Command::to_line` prints the canonical form of a command: parsing it gives the same `Command`.
//! `trace_script` puts `advance` lines between the commands at their virtual times; where a command
//! was applied between two events of the same millisecond it advances to the millisecond before and
//! then `step`s event by event, so the script reaches exactly the point the command applied at.

use crate::cluster::controller::ElectionType;
use crate::session::command::{Command, ConfigEntity, GroupView, LinkEnd, ResetMode, ResetTo, TxnAction};
use crate::session::exec::{Session, Trace, DEFAULT_BROKERS};

/// One word of a command line, quoted when the tokenizer would otherwise split or drop it.
pub fn quote(word: &str) -> String {
    let plain =
        !word.is_empty() && !word.starts_with('#') && !word.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'');
    if plain {
        return word.to_string();
    }
    // Adjacent quoted runs join into one word: "it" + '"' + "s" reads as it"s.
    let mut out = String::from("\"");
    for c in word.chars() {
        if c == '"' {
            out.push_str("\"'\"'\"");
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn ms(d: u64) -> String {
    format!("{d}ms")
}

fn kvs(flag: &str, kv: &[(String, String)], out: &mut Vec<String>) {
    for (k, v) in kv {
        out.push(flag.to_string());
        out.push(quote(&format!("{k}={v}")));
    }
}

impl Command {
    /// The command as one line of the command language; `parse_line` gives this command back.
    pub fn to_line(&self) -> String {
        let mut w: Vec<String> = Vec::new();
        let mut push = |s: &str| w.push(s.to_string());
        match self {
            Command::Seed(s) => push(&format!("seed {s}")),
            Command::Cluster { brokers, racks, controllers } => {
                push(&format!("cluster --brokers {brokers}"));
                if *controllers != crate::cluster::sim::DEFAULT_CONTROLLERS {
                    push(&format!("--controllers {controllers}"));
                }
                if !racks.is_empty() {
                    push("--racks");
                    push(&quote(&racks.join(",")));
                }
            }
            Command::Controller(verb, id) => push(&format!("controller {} {id}", verb.word())),
            Command::MetadataQuorum { replication } => push(&format!(
                "kafka-metadata-quorum describe {}",
                if *replication { "--replication" } else { "--status" }
            )),
            Command::Reassign { action, json, broker_list, throttle, disable_rack_aware, preserve_throttles } => {
                push("kafka-reassign-partitions");
                push(action.flag());
                if let Some(j) = json {
                    let opt = if *action == crate::session::reassign::ReassignAction::Generate {
                        "--topics-to-move-json"
                    } else {
                        "--reassignment-json"
                    };
                    push(opt);
                    push(&quote(j));
                }
                if let Some(b) = broker_list {
                    push("--broker-list");
                    push(&quote(b));
                }
                if *throttle != -1 {
                    push(&format!("--throttle {throttle}"));
                }
                if *disable_rack_aware {
                    push("--disable-rack-aware");
                }
                if *preserve_throttles {
                    push("--preserve-throttles");
                }
            }
            Command::BrokerStartOnRack(b, rack) => {
                push(&format!("broker start {b} --rack"));
                push(&quote(rack));
            }
            Command::TopicsCreate { topic, partitions, replication_factor, assignment, configs, if_not_exists } => {
                push("kafka-topics --create --topic");
                push(&quote(topic));
                if let Some(a) = assignment {
                    let parts: Vec<String> =
                        a.iter().map(|p| p.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(":")).collect();
                    push("--replica-assignment");
                    push(&parts.join(","));
                }
                if let Some(p) = partitions {
                    push(&format!("--partitions {p}"));
                }
                if let Some(r) = replication_factor {
                    push(&format!("--replication-factor {r}"));
                }
                kvs("--config", configs, &mut w);
                if *if_not_exists {
                    w.push("--if-not-exists".into());
                }
            }
            Command::TopicsDescribe { topic, filter, exclude_internal, if_exists } => {
                push("kafka-topics --describe");
                if let Some(t) = topic {
                    push("--topic");
                    push(&quote(t));
                }
                if let Some(f) = filter {
                    push(f.flag());
                }
                if *exclude_internal {
                    push("--exclude-internal");
                }
                if *if_exists {
                    push("--if-exists");
                }
            }
            Command::TopicsAlter { topic, partitions, if_exists } => {
                push("kafka-topics --alter --topic");
                push(&quote(topic));
                push(&format!("--partitions {partitions}"));
                if *if_exists {
                    push("--if-exists");
                }
            }
            Command::TopicsList { exclude_internal } => {
                push("kafka-topics --list");
                if *exclude_internal {
                    push("--exclude-internal");
                }
            }
            Command::TopicsDelete { topic, if_exists } => {
                push("kafka-topics --delete --topic");
                push(&quote(topic));
                if *if_exists {
                    push("--if-exists");
                }
            }
            Command::ConfigsAlter { topic, configs } => {
                push("kafka-configs --alter --entity-type topics --entity-name");
                push(&quote(topic));
                push("--add-config");
                push(&quote(&join_kv(configs)));
            }
            Command::BrokerConfigsAlter { broker, configs } => {
                match broker {
                    Some(b) => {
                        push(&format!("kafka-configs --alter --entity-type brokers --entity-name {b} --add-config"))
                    }
                    None => push("kafka-configs --alter --entity-type brokers --entity-default --add-config"),
                }
                push(&quote(&join_kv(configs)));
            }
            Command::ConfigsDescribe { entity, all } => {
                push("kafka-configs --describe --entity-type");
                match entity {
                    ConfigEntity::Topics(t) => {
                        push("topics");
                        if let Some(t) = t {
                            push("--entity-name");
                            push(&quote(t));
                        }
                    }
                    ConfigEntity::Brokers(b) => match b {
                        Some(b) => push(&format!("brokers --entity-name {b}")),
                        None => push("brokers"),
                    },
                    ConfigEntity::BrokerDefault => push("brokers --entity-default"),
                }
                if *all {
                    push("--all");
                }
            }
            Command::ProducerDescribe(n) => {
                push("producer describe");
                push(&quote(n));
            }
            Command::ConsumerDescribe(n) => {
                push("consumer describe");
                push(&quote(n));
            }
            Command::LeaderElection { election, topic, partition } => {
                let e = match election {
                    ElectionType::Preferred => "preferred",
                    ElectionType::Unclean => "unclean",
                    // Not reachable from the parser; printed so a reader sees what it was.
                    _ => "preferred",
                };
                push(&format!("kafka-leader-election --election-type {e}"));
                match topic {
                    Some(t) => {
                        push("--topic");
                        push(&quote(t));
                    }
                    None => push("--all-topic-partitions"),
                }
                if let Some(p) = partition {
                    push(&format!("--partition {p}"));
                }
            }
            Command::ConsoleConsumer {
                topic,
                from_beginning,
                max_messages,
                properties,
                read_committed,
                partition,
                offset,
            } => {
                push("kafka-console-consumer --topic");
                push(&quote(topic));
                if *from_beginning {
                    push("--from-beginning");
                }
                if let Some(m) = max_messages {
                    push(&format!("--max-messages {m}"));
                }
                if *read_committed {
                    push("--isolation-level read_committed");
                }
                if let Some(p) = partition {
                    push(&format!("--partition {p}"));
                }
                if let Some(o) = offset {
                    push("--offset");
                    push(&quote(o));
                }
                kvs("--property", properties, &mut w);
            }
            Command::LogDirs { brokers } => {
                push("kafka-log-dirs --describe");
                if let Some(b) = brokers {
                    push(&format!("--broker-list {}", b.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")));
                }
            }
            Command::DumpLog { file, broker, print_data } => {
                push("kafka-dump-log --files");
                push(&quote(file));
                if let Some(b) = broker {
                    push(&format!("--broker {b}"));
                }
                if *print_data {
                    push("--print-data-log");
                }
            }
            Command::DeleteRecords(json) => {
                push("kafka-delete-records --offset-json");
                push(&quote(json));
            }
            Command::GetOffsets { topic, time } => {
                push("kafka-get-offsets");
                if let Some(t) = topic {
                    push("--topic");
                    push(&quote(t));
                }
                if let Some(t) = time {
                    push("--time");
                    push(&quote(t));
                }
            }
            Command::BrokerKill(b) => push(&format!("broker kill {b}")),
            Command::RackKill(r) => {
                push("rack kill");
                push(&quote(r));
            }
            Command::RackStart(r) => {
                push("rack start");
                push(&quote(r));
            }
            Command::BrokerPowerLoss(b) => push(&format!("broker kill {b} --power-loss")),
            Command::BrokerStart(b) => push(&format!("broker start {b}")),
            Command::BrokerStop(b) => push(&format!("broker stop {b}")),
            Command::BrokerIsolate(b) => push(&format!("broker isolate {b}")),
            Command::BrokerHeal(b) => push(&format!("broker heal {b}")),
            Command::BrokerRemove(b) => push(&format!("broker remove {b}")),
            Command::ProducerStart { name, topic, rate, keys, props, wait } => {
                push("producer start");
                push(&quote(name));
                if let Some(t) = topic {
                    push("--topic");
                    push(&quote(t));
                }
                if *rate > 0 {
                    push(&format!("--rate {rate}/s"));
                }
                if let Some(k) = keys {
                    push("--keys");
                    push(&quote(&k.join(",")));
                }
                kvs("--producer-property", props, &mut w);
                if !*wait {
                    w.push("--async".into());
                }
            }
            Command::ProducerStop(n) => {
                push("producer stop");
                push(&quote(n));
            }
            Command::ProducerKill(n) => {
                push("producer kill");
                push(&quote(n));
            }
            Command::ProducerRemove(n) => {
                push("producer remove");
                push(&quote(n));
            }
            Command::ConsumerRemove(n) => {
                push("consumer remove");
                push(&quote(n));
            }
            Command::ProcessorRemove(n) => {
                push("processor remove");
                push(&quote(n));
            }
            Command::Transaction { action, producer, wait } => {
                let a = match action {
                    TxnAction::Begin => "begin",
                    TxnAction::Commit => "commit",
                    TxnAction::Abort => "abort",
                };
                push(&format!("transaction {a} --producer"));
                push(&quote(producer));
                if !*wait {
                    push("--async");
                }
            }
            Command::ProcessorStart {
                name,
                group,
                inputs,
                output,
                exactly_once,
                processing_ms,
                consumer_props,
                producer_props,
            } => {
                push("processor start");
                push(&quote(name));
                push("--group");
                push(&quote(group));
                push("--input");
                push(&quote(&inputs.join(",")));
                push("--output");
                push(&quote(output));
                push(if *exactly_once {
                    "--processing-guarantee exactly_once_v2"
                } else {
                    "--processing-guarantee at_least_once"
                });
                if let Some(p) = processing_ms {
                    push(&format!("--processing {}", ms(*p)));
                }
                kvs("--consumer-property", consumer_props, &mut w);
                kvs("--producer-property", producer_props, &mut w);
            }
            Command::ProcessorStop(n) => {
                push("processor stop");
                push(&quote(n));
            }
            Command::ProcessorKill(n) => {
                push("processor kill");
                push(&quote(n));
            }
            Command::TransactionsList => push("kafka-transactions list"),
            Command::TransactionsDescribe(t) => {
                push("kafka-transactions describe --transactional-id");
                push(&quote(t));
            }
            Command::Produce { topic, key, value, tombstone, partition, count, producer, wait } => {
                push("produce --topic");
                push(&quote(topic));
                if let Some(k) = key {
                    push("--key");
                    push(&quote(k));
                }
                if *tombstone {
                    push("--tombstone");
                }
                if let Some(v) = value {
                    push("--value");
                    push(&quote(v));
                }
                if let Some(p) = partition {
                    push(&format!("--partition {p}"));
                }
                if *count != 1 {
                    push(&format!("--count {count}"));
                }
                if let Some(p) = producer {
                    push("--producer");
                    push(&quote(p));
                }
                if !*wait {
                    push("--async");
                }
            }
            Command::Network { latency_ms, jitter_ms, link } => {
                push(&format!("network --latency {}", ms(*latency_ms)));
                if let Some(j) = jitter_ms {
                    push(&format!("--jitter {}", ms(*j)));
                }
                if let Some((a, b)) = link {
                    let end = |e: &LinkEnd| match e {
                        LinkEnd::Broker(id) => id.to_string(),
                        LinkEnd::Controller => "controller".to_string(),
                    };
                    push(&format!("--link {}:{}", end(a), end(b)));
                }
            }
            Command::Advance(d) => push(&format!("advance {}", ms(*d))),
            Command::Step => push("step"),
            Command::Ledger => push("ledger"),
            Command::ConsumerStart { client_id, group, topics, props, processing_ms, commit } => {
                push("consumer start");
                push(&quote(client_id));
                push("--group");
                push(&quote(group));
                push("--topic");
                push(&quote(&topics.join(",")));
                kvs("--consumer-property", props, &mut w);
                if let Some(p) = processing_ms {
                    w.push(format!("--processing {}", ms(*p)));
                }
                if let Some(c) = commit {
                    w.push(format!("--commit {c}"));
                }
            }
            Command::ConsumerStop(c) => {
                push("consumer stop");
                push(&quote(c));
            }
            Command::ConsumerKill(c) => {
                push("consumer kill");
                push(&quote(c));
            }
            Command::ConsumerPause(c) => {
                push("consumer pause");
                push(&quote(c));
            }
            Command::ConsumerResume(c) => {
                push("consumer resume");
                push(&quote(c));
            }
            Command::GroupsDescribe { group, view } => {
                push("kafka-consumer-groups --describe --group");
                push(&quote(group));
                match view {
                    GroupView::Offsets => {}
                    GroupView::Members { verbose: false } => push("--members"),
                    GroupView::Members { verbose: true } => push("--members --verbose"),
                    GroupView::State => push("--state"),
                }
            }
            Command::GroupsList { state } => {
                push("kafka-consumer-groups --list");
                if *state {
                    push("--state");
                }
            }
            Command::GroupsDelete(g) => {
                push("kafka-consumer-groups --delete --group");
                push(&quote(g));
            }
            Command::GroupsReset { group, topic, partitions, to, mode } => {
                push("kafka-consumer-groups --reset-offsets --group");
                push(&quote(group));
                push("--topic");
                if partitions.is_empty() {
                    push(&quote(topic));
                } else {
                    let list: Vec<String> = partitions.iter().map(u32::to_string).collect();
                    push(&quote(&format!("{topic}:{}", list.join(","))));
                }
                push(&match to {
                    ResetTo::Earliest => "--to-earliest".to_string(),
                    ResetTo::Latest => "--to-latest".to_string(),
                    ResetTo::Offset(n) => format!("--to-offset {n}"),
                    ResetTo::ShiftBy(n) => format!("--shift-by {n}"),
                });
                match mode {
                    ResetMode::Execute => push("--execute"),
                    ResetMode::DryRun => push("--dry-run"),
                    ResetMode::Plan => {}
                }
            }
            Command::Help => push("help"),
        }
        w.join(" ")
    }
}

/// `--add-config`'s value: a list value goes in square brackets, as kafka-configs reads it.
fn join_kv(kv: &[(String, String)]) -> String {
    kv.iter()
        .map(|(k, v)| if v.contains(',') { format!("{k}=[{v}]") } else { format!("{k}={v}") })
        .collect::<Vec<_>>()
        .join(",")
}

/// The longest `advance` the parser accepts.
const MAX_ADVANCE_MS: u64 = 24 * 3_600_000;

/// A trace as a scenario script: `seed`, `cluster` when not the default size, then each command
/// that applied at its point in virtual time (failed ones are left out), and a final `advance` to
/// the trace's end. Running the script gives
/// the same journal and ledger as the session the trace came from.
pub fn trace_script(trace: &Trace) -> String {
    let mut out = String::new();
    out.push_str("# A kafkascope session exported as a scenario script.\n");
    out.push_str("# Replay it: cargo run -p kafkascope-sim --bin kafkascope -- run FILE\n");
    out.push_str(&format!("seed {}\n", trace.seed));
    if trace.brokers != DEFAULT_BROKERS
        || !trace.racks.is_empty()
        || trace.controllers != crate::cluster::sim::DEFAULT_CONTROLLERS
    {
        let cluster =
            Command::Cluster { brokers: trace.brokers, racks: trace.racks.clone(), controllers: trace.controllers };
        out.push_str(&cluster.to_line());
        out.push('\n');
    }
    // A shadow session follows the script as it is written, so every `advance` lands exactly.
    let mut shadow = Session::for_trace(trace);
    let mut lines: Vec<String> = Vec::new();
    let mut run = |shadow: &mut Session, cmd: Command, lines: &mut Vec<String>| {
        lines.push(cmd.to_line());
        shadow.execute(&cmd);
    };
    // A command that failed changed nothing: the script leaves it out.
    for c in trace.commands.iter().filter(|c| c.applied) {
        reach(&mut shadow, c.at_ms, Some(c.events), &mut lines, &mut run);
        run(&mut shadow, c.command.clone(), &mut lines);
    }
    reach(&mut shadow, trace.end_ms, None, &mut lines, &mut run);
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Emits `advance`/`step` commands until the shadow session is at `at_ms` with `events` events
/// dispatched (or every event up to `at_ms`, when `events` is None).
fn reach(
    shadow: &mut Session,
    at_ms: u64,
    events: Option<u64>,
    lines: &mut Vec<String>,
    run: &mut impl FnMut(&mut Session, Command, &mut Vec<String>),
) {
    let all_due = |s: &Session| s.sim.net.next_event_time().is_none_or(|t| t > at_ms);
    let exact = |s: &Session| events.is_none_or(|n| s.sim.net.processed >= n || all_due(s));
    // Would advancing to at_ms overshoot the event count? Then stop one millisecond short and step.
    let overshoots = |s: &Session| match events {
        None => false,
        Some(n) => {
            let mut probe = s.sim.clone();
            probe.run_until(at_ms);
            probe.net.processed > n
        }
    };
    if shadow.sim.now() < at_ms {
        let target = if overshoots(shadow) { at_ms - 1 } else { at_ms };
        while shadow.sim.now() < target {
            let d = (target - shadow.sim.now()).min(MAX_ADVANCE_MS);
            run(shadow, Command::Advance(d), lines);
        }
    }
    while !exact(shadow) {
        match events {
            Some(n) if shadow.sim.net.processed < n => run(shadow, Command::Step, lines),
            _ => break,
        }
    }
    if shadow.sim.now() < at_ms && events.is_some() {
        // Every event before the command ran; the command applied later in a quiet stretch.
        run(shadow, Command::Advance(at_ms - shadow.sim.now()), lines);
    }
}

/// A trace as pretty-printed JSON (the app's "Trace JSON" export; `Trace` deserializes it).
pub fn trace_json(trace: &Trace) -> String {
    serde_json::to_string_pretty(trace).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

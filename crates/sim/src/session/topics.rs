//! `kafka-topics` and `kafka-configs` as Kafka 4.0 prints them (`TopicCommand`, `ConfigCommand`;
//! layouts in `shared/kafka-reference-v2.md` section 1).

use crate::clients::assignor::{java_string_hash, jdk_hash_order_sized};
use crate::cluster::configs::{validate_topic_configs, ConfigEntry, Source};
use crate::cluster::sim::{has_collision_chars, Sim};
use crate::model::*;
use crate::session::command::{ConfigEntity, PartitionFilter};
use crate::session::exec::Output;
use crate::session::print::stderr;

/// `TopicCommand.printException`: every failure, on stdout.
pub const TOPIC_ERROR: &str = "Error while executing topic command : ";

fn topic_error(msg: &str) -> Output {
    Output { lines: vec![format!("{TOPIC_ERROR}{msg}")], error: true }
}

/// `Topic '…' does not exist as expected`, with the `Optional[…]` this Kafka version prints (it
/// formats the `Optional<String>` of the option; later Kafka prints the bare name).
pub fn not_found(name: &str) -> String {
    format!("Topic 'Optional[{name}]' does not exist as expected")
}

/// `kafka-topics --create`.
pub fn create(
    sim: &mut Sim,
    topic: &str,
    partitions: Option<u32>,
    replication_factor: Option<u32>,
    assignment: Option<Vec<Vec<u32>>>,
    configs: &[(String, String)],
    if_not_exists: bool,
) -> Output {
    // The --config values are checked before anything else is printed.
    if let Err(m) = validate_topic_configs(configs) {
        return topic_error(&m);
    }
    let mut lines = Vec::new();
    if has_collision_chars(topic) {
        lines.push("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.".to_string());
    }
    if if_not_exists && sim.topic_by_name(topic).is_some() {
        return Output { lines, error: false };
    }
    match sim.create_topic(topic, partitions, replication_factor, assignment, configs) {
        Ok(()) => {
            lines.push(format!("Created topic {topic}."));
            Output { lines, error: false }
        }
        Err(m) => {
            lines.push(format!("{TOPIC_ERROR}{m}"));
            Output { lines, error: true }
        }
    }
}

/// The names `--topic` (or none) selects, sorted as Java sorts strings, internal topics left out
/// with `--exclude-internal`. `--topic` is an exact name here (Kafka reads it as a regex).
fn selected(sim: &Sim, topic: Option<&str>, exclude_internal: bool) -> Vec<String> {
    let mut names: Vec<String> = sim
        .live_topics()
        .map(|(_, t)| t.name.clone())
        .filter(|n| !(exclude_internal && crate::cluster::sim::is_internal_topic(n)))
        .filter(|n| topic.is_none_or(|t| t == n))
        .collect();
    crate::sort::sort(&mut names);
    names
}

/// `kafka-topics --list`: one name per line, in Java `String` order; an empty cluster prints one
/// empty line (the tool prints the joined names with `println`).
pub fn list(sim: &Sim, exclude_internal: bool) -> Vec<String> {
    let names = selected(sim, None, exclude_internal);
    if names.is_empty() {
        vec![String::new()]
    } else {
        names
    }
}

/// `kafka-topics --alter --partitions N`.
pub fn alter(sim: &mut Sim, topic: &str, partitions: u32, if_exists: bool) -> Output {
    let Some(t) = sim.topic_by_name(topic) else {
        return if if_exists { Output::default() } else { topic_error(&not_found(topic)) };
    };
    match sim.add_partitions(t, partitions) {
        Ok(()) => Output::default(),
        Err(m) => topic_error(&m),
    }
}

/// `kafka-topics --delete`.
pub fn delete(sim: &mut Sim, topic: &str, if_exists: bool) -> Output {
    let Some(t) = sim.topic_by_name(topic) else {
        return if if_exists { Output::default() } else { topic_error(&not_found(topic)) };
    };
    if crate::cluster::sim::is_internal_topic(topic) {
        return Output {
            lines: vec![format!(
                "Error: kafkascope does not model deleting the internal topic {topic} (Kafka 4.0 would delete it, and every group's offsets or every transaction's state with it)."
            )],
            error: true,
        };
    }
    match sim.delete_topic(t) {
        Ok(()) => Output::default(),
        Err(m) => topic_error(&m),
    }
}

/// The `Configs:` of a topic's summary line: the entries whose source is not the default, in the
/// order of the admin client's `Config` (a `HashMap` of the names), joined with `,`.
fn configs_field(sim: &Sim, t: TopicId) -> String {
    let entries = sim.topic_config_entries(t);
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    // `Config` keeps its entries in a `new HashMap<>()`.
    let order = crate::clients::assignor::jdk_hash_order(&names, |n| java_string_hash(n));
    order
        .iter()
        .filter_map(|n| entries.iter().find(|e| &e.name == n))
        .filter(|e| e.source != Source::Default)
        .map(|e| format!("{}={}", e.name, e.value.as_deref().unwrap_or("null")))
        .collect::<Vec<_>>()
        .join(",")
}

/// `kafka-topics --describe`.
pub fn describe(
    sim: &Sim,
    topic: Option<&str>,
    filter: Option<PartitionFilter>,
    exclude_internal: bool,
    if_exists: bool,
) -> Output {
    let names = selected(sim, topic, exclude_internal);
    if let Some(t) = topic {
        if names.is_empty() && !if_exists {
            return topic_error(&not_found(t));
        }
    }
    // The admin client's map of descriptions decides the order of several topics.
    let names = jdk_hash_order_sized(&names, |n| java_string_hash(n), names.len());
    let unfenced = sim.usable_broker_ids();
    let ids = |v: &[BrokerId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
    let mut lines = Vec::new();
    for name in names {
        let t = sim.topic_by_name(&name).expect("selected topics exist");
        let topic = sim.topic(t);
        if filter.is_none() {
            let rf = sim
                .partition(Tp { topic: t, partition: 0 })
                .map_or(topic.replication_factor as usize, |m| m.replicas.len() - m.removing.len());
            lines.push(format!(
                "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {rf}\tConfigs: {}",
                topic.name,
                topic.topic_id,
                topic.partitions,
                configs_field(sim, t)
            ));
        }
        let min_isr = topic.config.min_insync_replicas as usize;
        for p in 0..topic.partitions {
            let Some(m) = sim.partition(Tp { topic: t, partition: p }) else { continue };
            let show = match filter {
                None => true,
                Some(PartitionFilter::UnderReplicated) => m.replicas.len() > m.isr.len(),
                Some(PartitionFilter::Unavailable) => m.leader.is_none_or(|l| !unfenced.contains(&l)),
                Some(PartitionFilter::UnderMinIsr) => m.leader.is_none() || m.isr.len() < min_isr,
                Some(PartitionFilter::AtMinIsr) => m.isr.len() == min_isr,
            };
            if !show {
                continue;
            }
            // During a reassignment (KIP-455) TopicCommand adds what moves, between Isr and Elr.
            let moving = if m.reassigning() {
                format!("\tAdding Replicas: {}\tRemoving Replicas: {}", ids(&m.adding), ids(&m.removing))
            } else {
                String::new()
            };
            lines.push(format!(
                "\tTopic: {}\tPartition: {p}\tLeader: {}\tReplicas: {}\tIsr: {}{moving}\tElr: \tLastKnownElr: ",
                topic.name,
                m.leader.map_or("none".to_string(), |l| l.to_string()),
                ids(&m.replicas),
                ids(&m.isr)
            ));
        }
    }
    Output { lines, error: false }
}

/// `ConfigCommand`'s failure for an admin call: its args and the exception, on stderr.
pub fn config_command_error(args: &str, exception: &str) -> Output {
    Output {
        lines: vec![
            stderr(&format!("Error while executing config command with args '{args}'")),
            stderr(&format!("java.util.concurrent.ExecutionException: {exception}")),
        ],
        error: true,
    }
}

/// The unknown-topic exception of a topic DescribeConfigs.
pub const UNKNOWN_TOPIC: &str =
    "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.";

/// `kafka-configs --describe`.
pub fn describe_configs(sim: &Sim, entity: &ConfigEntity, all: bool, args: &str) -> Output {
    let mut lines = Vec::new();
    let which = if all { "All" } else { "Dynamic" };
    let body = |entries: Vec<ConfigEntry>, dynamic: Source| -> Vec<String> {
        let mut entries: Vec<ConfigEntry> = entries.into_iter().filter(|e| all || e.source == dynamic).collect();
        crate::sort::sort_by(&mut entries, |a, b| a.name.cmp(&b.name));
        entries.iter().map(ConfigEntry::describe_line).collect()
    };
    match entity {
        ConfigEntity::Topics(name) => {
            let names: Vec<String> = match name {
                Some(n) => {
                    if sim.topic_by_name(n).is_none() {
                        return config_command_error(args, UNKNOWN_TOPIC);
                    }
                    vec![n.clone()]
                }
                None => {
                    let names = selected(sim, None, false);
                    jdk_hash_order_sized(&names, |n| java_string_hash(n), names.len())
                }
            };
            for n in names {
                let t = sim.topic_by_name(&n).expect("listed topics exist");
                lines.push(format!("{which} configs for topic {n} are:"));
                lines.extend(body(sim.topic_config_entries(t), Source::DynamicTopic));
            }
        }
        ConfigEntity::Brokers(id) => {
            let ids: Vec<BrokerId> = match id {
                Some(b) => vec![*b],
                None => sim.usable_broker_ids(),
            };
            for b in &ids {
                if !sim.brokers.get(b).is_some_and(|br| br.is_running()) {
                    return config_command_error(
                        args,
                        "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeConfigs",
                    );
                }
                lines.push(format!("{which} configs for broker {b} are:"));
                lines.extend(body(sim.broker_config_entries(Some(*b)), Source::DynamicBroker));
            }
            if id.is_none() {
                lines.push("Default configs for brokers in the cluster are:".into());
                lines.extend(body(sim.broker_config_entries(None), Source::DynamicDefaultBroker));
            }
        }
        ConfigEntity::BrokerDefault => {
            lines.push("Default configs for brokers in the cluster are:".into());
            lines.extend(body(sim.broker_config_entries(None), Source::DynamicDefaultBroker));
        }
    }
    Output { lines, error: false }
}

/// `kafka-configs --alter --entity-type topics`.
pub fn alter_topic_configs(sim: &mut Sim, topic: &str, configs: &[(String, String)], args: &str) -> Output {
    let Some(t) = sim.topic_by_name(topic) else {
        return config_command_error(args, UNKNOWN_TOPIC);
    };
    match sim.alter_topic_config(t, configs) {
        Ok(()) => Output { lines: vec![format!("Completed updating config for topic {topic}.")], error: false },
        Err(e) => config_command_error(args, &e),
    }
}

/// `kafka-configs --alter --entity-type brokers`.
pub fn alter_broker_configs(
    sim: &mut Sim,
    broker: Option<BrokerId>,
    configs: &[(String, String)],
    args: &str,
) -> Output {
    match sim.alter_broker_config(broker, configs) {
        Ok(()) => Output {
            lines: vec![match broker {
                Some(b) => format!("Completed updating config for broker {b}."),
                None => "Completed updating default config for brokers in the cluster.".into(),
            }],
            error: false,
        },
        Err(e) => config_command_error(args, &e),
    }
}

//! Topic and broker configs as the cluster holds them: a topic's overrides, the brokers' dynamic
//! configs (cluster default and per broker), the static configs every broker starts with, and
//! Kafka's defaults. From them come the values the model acts on (`Topic::config`), Kafka's
//! validation of a change (`LogConfig.validate`, `DynamicBrokerConfig.validateConfigs`) and what a
//! DescribeConfigs answer carries (value, source, synonyms) for `kafka-configs --describe` and the
//! `Configs:` of `kafka-topics --describe`.

use crate::cluster::journal::SimEvent;
use crate::cluster::sim::{ActionResult, Sim};
use crate::configs::{self, broker, topic, Table, Value};
use crate::model::*;

/// `ConfigEntry.ConfigSource`, by the admin client's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    DynamicTopic,
    DynamicBroker,
    DynamicDefaultBroker,
    StaticBroker,
    Default,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::DynamicTopic => "DYNAMIC_TOPIC_CONFIG",
            Source::DynamicBroker => "DYNAMIC_BROKER_CONFIG",
            Source::DynamicDefaultBroker => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            Source::StaticBroker => "STATIC_BROKER_CONFIG",
            Source::Default => "DEFAULT_CONFIG",
        }
    }
}

/// One entry of a DescribeConfigs answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    /// None: null (a sensitive config, or no value).
    pub value: Option<String>,
    pub sensitive: bool,
    pub source: Source,
    /// (source, name, value) in order of precedence.
    pub synonyms: Vec<(Source, String, Option<String>)>,
}

impl ConfigEntry {
    /// `ConfigCommand`'s line for it: `  name=value sensitive=false synonyms={SOURCE:name=value, …}`.
    pub fn describe_line(&self) -> String {
        let synonyms: Vec<String> = self
            .synonyms
            .iter()
            .map(|(s, n, v)| format!("{}:{n}={}", s.name(), v.as_deref().unwrap_or("null")))
            .collect();
        format!(
            "  {}={} sensitive={} synonyms={{{}}}",
            self.name,
            self.value.as_deref().unwrap_or("null"),
            self.sensitive,
            synonyms.join(", ")
        )
    }
}

/// `new ConfigException(message)` and friends as an admin client reports them.
pub const INVALID_CONFIG: &str = "org.apache.kafka.common.errors.InvalidConfigurationException";
pub const INVALID_REQUEST: &str = "org.apache.kafka.common.errors.InvalidRequestException";

/// What the model's brokers are started with (their `server.properties`): KRaft broker roles, one
/// PLAINTEXT listener, the controller quorum.
pub fn static_configs(b: BrokerId) -> Vec<(&'static str, String)> {
    vec![
        ("process.roles", "broker".into()),
        ("node.id", b.to_string()),
        // KafkaConfig.populateSynonyms copies node.id to broker.id.
        ("broker.id", b.to_string()),
        ("controller.quorum.bootstrap.servers", "controller:9093".into()),
        ("controller.listener.names", "CONTROLLER".into()),
        ("listeners", "PLAINTEXT://:9092".into()),
        ("advertised.listeners", format!("PLAINTEXT://broker{b}:9092")),
        ("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT".into()),
        ("log.dirs", "/var/lib/kafka/data".into()),
    ]
}

/// `LogConfig.validate` as `kafka-topics --create --config` runs it on the client, plus the
/// controller's check that tiered storage is off: unknown names, each value by its type and
/// validator, and the compaction-lag conflict. The error is the exception's message.
pub fn validate_topic_configs(configs: &[(String, String)]) -> Result<(), String> {
    for (k, _) in configs {
        if configs::find(topic::TOPIC, k).is_none() {
            return Err(format!("Unknown topic config name: {k}"));
        }
    }
    let mut parsed = Vec::new();
    for (k, v) in configs {
        let key = configs::find(topic::TOPIC, k).expect("checked above");
        parsed.push((key.name, key.parse(v)?));
    }
    let get = |name: &str| {
        parsed
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| configs::find(topic::TOPIC, name).and_then(|k| k.default_value()))
            .and_then(|v| v.as_int())
            .unwrap_or(0)
    };
    let (min_lag, max_lag) = (get("min.compaction.lag.ms"), get("max.compaction.lag.ms"));
    if min_lag > max_lag {
        return Err(format!(
            "conflict topic config setting min.compaction.lag.ms ({min_lag}) > max.compaction.lag.ms ({max_lag})"
        ));
    }
    if parsed.iter().any(|(n, v)| *n == "remote.storage.enable" && *v == Value::Bool(true)) {
        return Err(
            "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage."
                .into(),
        );
    }
    Ok(())
}

impl Sim {
    /// A broker config as broker `b` has it (`None`: at cluster level): its dynamic value, the
    /// cluster's dynamic default, its static value, or Kafka's default, with the source.
    fn broker_raw(&self, b: Option<BrokerId>, name: &str) -> Option<(Source, String)> {
        if let Some(v) = b.and_then(|b| self.config.dynamic_per_broker.get(&b)).and_then(|m| m.get(name)) {
            return Some((Source::DynamicBroker, v.clone()));
        }
        if let Some(v) = self.config.dynamic_default.get(name) {
            return Some((Source::DynamicDefaultBroker, v.clone()));
        }
        if let Some((_, v)) = static_configs(b.unwrap_or(0)).into_iter().find(|(k, _)| *k == name) {
            if b.is_some() {
                return Some((Source::StaticBroker, v));
            }
        }
        let key = configs::find(broker::BROKER, name)?;
        key.default_value().and_then(|v| v.config_string()).map(|v| (Source::Default, v))
    }

    /// A broker config's parsed value at broker `b` (or cluster level), as the model uses it.
    pub fn broker_value(&self, b: Option<BrokerId>, name: &str) -> Value {
        let Some(k) = configs::find(broker::BROKER, name) else { return Value::Null };
        match self.broker_raw(b, name) {
            Some((Source::Default, _)) | None => k.default_value().unwrap_or(Value::Null),
            Some((_, raw)) => k.parse_known(&raw).unwrap_or(Value::Null),
        }
    }

    /// `num.partitions` and `default.replication.factor`: what a topic created without
    /// `--partitions` / `--replication-factor` gets.
    pub fn topic_defaults(&self) -> (u32, u32) {
        let n = |name| self.broker_value(None, name).as_int().unwrap_or(1).max(1) as u32;
        (n("num.partitions"), n("default.replication.factor"))
    }

    /// The value of topic config `name` for a topic with these overrides: the override, else its
    /// broker synonyms at cluster level (`log.retention.ms` before `.minutes` before `.hours`,
    /// converted to milliseconds), else Kafka's default.
    fn topic_value(&self, overrides: &[(String, String)], name: &str) -> Value {
        let key = configs::find(topic::TOPIC, name).expect("a topic config");
        if let Some((_, v)) = overrides.iter().rev().find(|(k, _)| k == name) {
            if let Ok(v) = key.parse(v) {
                return v;
            }
        }
        if let Some(syn) = topic::SYNONYMS.iter().find(|(t, _)| *t == name).map(|(_, b)| *b) {
            // KafkaConfig: the first synonym with a value (`log.retention.ms`, else `.minutes`, else
            // `.hours`).
            for b in broker::synonyms(syn) {
                let v = self.broker_value(None, b);
                if v == Value::Null {
                    continue;
                }
                // log.retention.minutes / .hours and log.roll.hours are in other units.
                let scale = match b {
                    "log.retention.minutes" => 60_000,
                    "log.retention.hours" | "log.roll.hours" | "log.roll.jitter.hours" => 3_600_000,
                    _ => 1,
                };
                return match v {
                    Value::Int(n) if scale > 1 => Value::Int(n * scale),
                    other => other,
                };
            }
        }
        key.default_value().unwrap_or(Value::Null)
    }

    /// What the model acts on for a topic with these overrides.
    pub fn effective_topic_config(&self, overrides: &[(String, String)]) -> TopicConfig {
        let int = |n: &str| self.topic_value(overrides, n).as_int().unwrap_or(0);
        let cleanup = match self.topic_value(overrides, "cleanup.policy") {
            Value::List(l) => l.join(","),
            _ => "delete".into(),
        };
        TopicConfig {
            min_insync_replicas: int("min.insync.replicas").max(1) as u32,
            unclean_leader_election_enable: self
                .topic_value(overrides, "unclean.leader.election.enable")
                .as_bool()
                .unwrap_or(false),
            retention_ms: int("retention.ms"),
            retention_bytes: int("retention.bytes"),
            cleanup_policy: cleanup,
            segment_bytes: int("segment.bytes").max(1) as u64,
            segment_ms: int("segment.ms").max(1) as u64,
            min_cleanable_dirty_ratio_ppm: match self.topic_value(overrides, "min.cleanable.dirty.ratio") {
                Value::Double(d) => (d.clamp(0.0, 1.0) * 1e6).round() as u32,
                _ => 500_000,
            },
            min_compaction_lag_ms: int("min.compaction.lag.ms").max(0) as u64,
            max_compaction_lag_ms: int("max.compaction.lag.ms").max(1) as u64,
            delete_retention_ms: int("delete.retention.ms").max(0) as u64,
            flush_messages: int("flush.messages").max(1) as u64,
            flush_ms: int("flush.ms").max(0) as u64,
        }
    }

    /// Recomputes every topic's effective config (after a change of the brokers' defaults).
    fn refresh_topic_configs(&mut self) {
        for i in 0..self.topics.len() {
            let c = self.effective_topic_config(&self.topics[i].overrides);
            self.topics[i].config = c;
        }
    }

    /// `kafka-configs --alter --entity-type topics`: validated by the controller as
    /// `LogConfig.validate`; the error is the exception the admin client reports.
    pub fn alter_topic_config(&mut self, topic: TopicId, configs: &[(String, String)]) -> ActionResult {
        validate_topic_configs(configs).map_err(|m| format!("{INVALID_CONFIG}: {m}"))?;
        let t = &mut self.topics[topic as usize];
        for (k, v) in configs {
            t.overrides.retain(|(ok, _)| ok != k);
            t.overrides.push((k.clone(), v.clone()));
        }
        let overrides = t.overrides.clone();
        let config = self.effective_topic_config(&overrides);
        let t = &mut self.topics[topic as usize];
        t.config = config;
        let what = format!(
            "topic {}: {}",
            t.name,
            configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
        );
        self.log_event(SimEvent::ConfigChanged { what });
        // An unclean-election switch can bring offline partitions back at once.
        self.controller_retry_offline();
        Ok(())
    }

    /// `kafka-configs --alter --entity-type brokers (--entity-default | --entity-name B)`: only
    /// dynamic broker configs (`DynamicBrokerConfig.validateConfigs`); the broker answers with an
    /// `InvalidRequestException` otherwise. Cluster-wide values of the topic defaults the model
    /// models (`min.insync.replicas`, `unclean.leader.election.enable`, `log.retention.*`,
    /// `log.cleanup.policy`) take effect for every topic without its own value; per-broker values
    /// and the other dynamic configs are stored (shown by `--describe`) but not acted on.
    pub fn alter_broker_config(&mut self, b: Option<BrokerId>, configs: &[(String, String)]) -> ActionResult {
        if let Some(id) = b {
            if !self.brokers.get(&id).is_some_and(|br| br.is_running()) {
                return Err(format!(
                    "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: incrementalAlterConfigs (broker {id} is not running)"
                ));
            }
        }
        let non_dynamic: Vec<&str> = configs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| configs::find(broker::BROKER, k).is_some() && !broker::DYNAMIC.contains(k))
            .collect();
        if !non_dynamic.is_empty() {
            return Err(format!(
                "{INVALID_REQUEST}: Cannot update these configs dynamically: Set({})",
                non_dynamic.join(", ")
            ));
        }
        for (k, v) in configs {
            if let Some(key) = configs::find(broker::BROKER, k) {
                key.parse(v).map_err(|m| format!("{INVALID_REQUEST}: {m}"))?;
            }
        }
        let map = match b {
            None => &mut self.config.dynamic_default,
            Some(id) => self.config.dynamic_per_broker.entry(id).or_default(),
        };
        for (k, v) in configs {
            map.insert(k.clone(), v.clone());
        }
        self.refresh_topic_configs();
        let whom = b.map_or("brokers".to_string(), |id| format!("broker {id}"));
        let what = configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        self.log_event(SimEvent::ConfigChanged { what: format!("{whom}: {what}") });
        self.controller_retry_offline();
        Ok(())
    }

    /// The broker configs that set the same thing as `name`, with their values, in Kafka's order
    /// (`ConfigHelper.configSynonyms`): per source (this broker's dynamic value, the cluster's
    /// dynamic default, static, default), each synonym; then Kafka drops any before `name` itself.
    fn config_synonyms(
        &self,
        b: Option<BrokerId>,
        name: &str,
        sensitive: bool,
    ) -> Vec<(Source, String, Option<String>)> {
        let names = broker::synonyms(name);
        let mut out = Vec::new();
        let statics = b.map(static_configs).unwrap_or_default();
        for source in [Source::DynamicBroker, Source::DynamicDefaultBroker, Source::StaticBroker, Source::Default] {
            for n in &names {
                let v: Option<String> = match source {
                    Source::DynamicBroker => b.and_then(|b| self.config.dynamic_per_broker.get(&b)?.get(*n).cloned()),
                    Source::DynamicDefaultBroker => self.config.dynamic_default.get(*n).cloned(),
                    Source::StaticBroker => statics.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()),
                    _ => {
                        configs::find(broker::BROKER, n).and_then(|k| k.default_value()).and_then(|v| v.config_string())
                    }
                };
                if let Some(v) = v {
                    out.push((source, n.to_string(), if sensitive { None } else { Some(v) }));
                }
            }
        }
        let first = out.iter().position(|(_, n, _)| n == name).unwrap_or(out.len());
        out.drain(..first);
        out
    }

    /// DescribeConfigs for topic `t` (`ConfigHelper.createTopicConfigEntry`), every topic config
    /// sorted by name.
    pub fn topic_config_entries(&self, t: TopicId) -> Vec<ConfigEntry> {
        let overrides = &self.topics[t as usize].overrides;
        let handling = self.live_broker_ids().first().copied();
        topic::TOPIC
            .sorted()
            .into_iter()
            .filter(|k| !k.internal)
            .map(|k| {
                let value = self.topic_value(overrides, k.name).config_string();
                let mut synonyms = Vec::new();
                if let Some((_, v)) = overrides.iter().rev().find(|(n, _)| n == k.name) {
                    let v = k.parse(v).ok().and_then(|v| v.config_string());
                    synonyms.push((Source::DynamicTopic, k.name.to_string(), v));
                }
                if let Some(syn) = topic::SYNONYMS.iter().find(|(n, _)| *n == k.name).map(|(_, b)| *b) {
                    synonyms.extend(self.config_synonyms(handling, syn, false));
                }
                let source = synonyms.first().map_or(Source::Default, |s| s.0);
                ConfigEntry { name: k.name.to_string(), value, sensitive: false, source, synonyms }
            })
            .collect()
    }

    /// DescribeConfigs for broker `b` (every broker config, `ConfigHelper.createBrokerConfigEntry`
    /// with `perBrokerConfig`), or for the cluster default (`None`: only the dynamic defaults).
    pub fn broker_config_entries(&self, b: Option<BrokerId>) -> Vec<ConfigEntry> {
        let entry = |k: &'static configs::ConfigKey| {
            let sensitive = k.ty == configs::Type::Password;
            let value = if sensitive { None } else { self.broker_value(b, k.name).config_string() };
            let mut synonyms = self.config_synonyms(b, k.name, sensitive);
            if b.is_none() {
                synonyms.retain(|s| s.0 == Source::DynamicDefaultBroker);
            }
            let source = synonyms.first().map_or(Source::Default, |s| s.0);
            ConfigEntry { name: k.name.to_string(), value, sensitive, source, synonyms }
        };
        match b {
            Some(_) => broker::BROKER.sorted().into_iter().filter(|k| !k.internal).map(entry).collect(),
            None => {
                let mut names: Vec<&String> = self.config.dynamic_default.keys().collect();
                crate::sort::sort(&mut names);
                names
                    .into_iter()
                    .map(|n| match configs::find(broker::BROKER, n) {
                        Some(k) => entry(k),
                        // A name Kafka does not know: stored as given, typed as nothing, so sensitive.
                        None => ConfigEntry {
                            name: n.clone(),
                            value: None,
                            sensitive: true,
                            source: Source::DynamicDefaultBroker,
                            synonyms: vec![(Source::DynamicDefaultBroker, n.clone(), None)],
                        },
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_config_validation_is_kafkas() {
        let kv = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            validate_topic_configs(&kv("retention.ms", "abc")).unwrap_err(),
            "Invalid value abc for configuration retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            validate_topic_configs(&kv("retention.mss", "1")).unwrap_err(),
            "Unknown topic config name: retention.mss"
        );
        assert_eq!(
            validate_topic_configs(&kv("cleanup.policy", "compact,wipe")).unwrap_err(),
            "Invalid value wipe for configuration cleanup.policy: String must be one of: compact, delete"
        );
        assert_eq!(
            validate_topic_configs(&kv("segment.bytes", "1000")).unwrap_err(),
            "Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576"
        );
        assert!(validate_topic_configs(&kv("min.insync.replicas", "3")).is_ok());
    }

    #[test]
    fn retention_falls_back_to_the_broker_hours() {
        let sim = Sim::new(1);
        assert_eq!(sim.effective_topic_config(&[]).retention_ms, 604_800_000);
        let e = sim.topic_config_entries_for_test();
        let retention = e.iter().find(|e| e.name == "retention.ms").unwrap();
        // ConfigHelper drops synonyms before log.retention.ms itself: only the hours default
        // exists, so there are none.
        assert_eq!(retention.describe_line(), "  retention.ms=604800000 sensitive=false synonyms={}");
        let segment = e.iter().find(|e| e.name == "segment.bytes").unwrap();
        assert_eq!(
            segment.describe_line(),
            "  segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}"
        );
    }

    impl Sim {
        fn topic_config_entries_for_test(&self) -> Vec<ConfigEntry> {
            let mut s = self.clone();
            s.topics.push(crate::cluster::sim::Topic {
                name: "t".into(),
                topic_id: "x".into(),
                partitions: 1,
                replication_factor: 1,
                config: TopicConfig::default(),
                overrides: Vec::new(),
                deleted: false,
            });
            s.topic_config_entries(0)
        }
    }
}

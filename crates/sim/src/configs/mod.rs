//! Kafka's configuration definitions (`ConfigDef`) as data, and the parts of `ConfigDef` the model
//! needs to treat a config exactly as Kafka does: parsing a value by its type, the validators, the
//! `ConfigException` texts, and printing a value the way Kafka prints it (a client's
//! "ProducerConfig values:" block, `kafka-configs --describe`).
//!
//! The tables (`producer`, `consumer`, `topic`, `broker`) list every config of Apache Kafka 4.0
//! with its type, default and validator. They were read off Kafka's own `ConfigDef` objects
//! (`ProducerConfig`, `ConsumerConfig`, `LogConfig`, the broker's `AbstractKafkaConfig`) at the
//! snapshot `shared/kafka-reference-v2.md` describes, with the 4.0.0 release's KIP-1030 changes
//! applied (`linger.ms` 5, `message.timestamp.after.max.ms` 3600000, minimum `segment.bytes`
//! 1 MiB, `num.recovery.threads.per.data.dir` 2) and without the ZooKeeper configs 4.0 removed.
//! Each entry also says whether the model acts on it ([`Modelled`]): a config it only stores is
//! accepted or refused exactly as Kafka does, and `help` lists it as stored only.

pub mod broker;
pub mod client;
pub mod topic;

use std::fmt::Write as _;

/// `ConfigDef.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl Type {
    /// The Java enum constant, as `Not a number of type LONG` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Int => "INT",
            Type::Short => "SHORT",
            Type::Long => "LONG",
            Type::Double => "DOUBLE",
            Type::List => "LIST",
            Type::Class => "CLASS",
            Type::Password => "PASSWORD",
        }
    }
}

/// A bound of `ConfigDef.Range`, kept as Java boxed it (an `Integer` bound prints `1`, a `Double`
/// bound `0.5`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn value(self) -> f64 {
        match self {
            Num::I(n) => n as f64,
            Num::F(f) => f,
        }
    }

    fn java(self) -> String {
        match self {
            Num::I(n) => n.to_string(),
            Num::F(f) => java_double(f),
        }
    }
}

/// The validators Kafka's config definitions use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Validator {
    None,
    /// `ConfigDef.Range.atLeast` / `between`.
    Range(Option<Num>, Option<Num>),
    /// `ConfigDef.ValidString.in`.
    OneOf(&'static [&'static str]),
    /// `ConfigDef.CaseInsensitiveValidString.in`; the names in the order Kafka's set prints them.
    OneOfIgnoreCase(&'static [&'static str]),
    /// `ConfigDef.ValidList.in`: every entry one of these.
    ListOf(&'static [&'static str]),
    /// `ConfigDef.NonEmptyString`.
    NonEmptyString,
    /// `ConfigDef.NonNullValidator`.
    NonNull,
    /// `CompressionType.GZIP.levelValidator()`: 1..9 or -1.
    GzipLevel,
    /// `[-1,1,...]`: -1 or at least 1 (the remote log manager's thread pools).
    MinusOneOrPositive,
    /// `ThrottledReplicaListValidator`.
    ThrottledReplicas,
    /// `MetadataVersionValidator`.
    MetadataVersion,
    /// The quorum's `non-empty list` validators (`controller.quorum.voters`, `.bootstrap.servers`).
    NonEmptyList,
}

/// A config's default, as `ConfigDef.define` was given it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    /// No default: the config must be given.
    Required,
    Null,
    /// Parsed by the config's type, like a value a user gives (a `LIST` is comma separated).
    Parse(&'static str),
    /// A `LIST` of classes (`partition.assignment.strategy`), printed `[class a, class b]`.
    Classes(&'static [&'static str]),
}

/// What the model does with a config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modelled {
    /// The model acts on it.
    Yes,
    /// Accepted, validated and stored exactly as Kafka does, shown by `describe`, but the model
    /// does not act on it (`help` lists these).
    Stored,
}

/// One config definition (`ConfigDef.ConfigKey`).
#[derive(Clone, Copy, Debug)]
pub struct ConfigKey {
    pub name: &'static str,
    pub ty: Type,
    pub default: Default,
    pub validator: Validator,
    pub internal: bool,
    pub modelled: Modelled,
}

/// A `ConfigKey` in the tables' one-line form.
pub(crate) const fn key(
    name: &'static str,
    ty: Type,
    default: Default,
    validator: Validator,
    internal: bool,
    modelled: Modelled,
) -> ConfigKey {
    ConfigKey { name, ty, default, validator, internal, modelled }
}

/// A parsed config value, as Kafka holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// `INT`, `SHORT` and `LONG`.
    Int(i64),
    Double(f64),
    Str(String),
    List(Vec<String>),
    /// A list of `Class` objects (a class-typed list default).
    ClassList(Vec<String>),
    Class(String),
    Password(String),
}

impl Value {
    /// `Object.toString()` of the parsed value: what a client's "values:" block and a
    /// `ConfigException` print.
    pub fn java(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Double(f) => java_double(*f),
            Value::Str(s) => s.clone(),
            Value::List(l) => format!("[{}]", l.join(", ")),
            Value::ClassList(l) => {
                format!("[{}]", l.iter().map(|c| format!("class {c}")).collect::<Vec<_>>().join(", "))
            }
            Value::Class(c) => format!("class {c}"),
            Value::Password(_) => "[hidden]".into(),
        }
    }

    /// `ConfigDef.convertToString`: what a broker's DescribeConfigs answer carries. `None` for null.
    pub fn config_string(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::List(l) | Value::ClassList(l) => l.join(","),
            Value::Class(c) => c.clone(),
            Value::Password(p) => p.clone(),
            other => other.java(),
        })
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// `new ConfigException(name, value, message).getMessage()`.
pub fn invalid(name: &str, value: &str, why: &str) -> String {
    format!("Invalid value {value} for configuration {name}: {why}")
}

/// Java's `Double.toString`: shortest decimal between 10^-3 and 10^7, `1.0E-5` style outside.
pub fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{f}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{f:e}");
    let (mantissa, exp) = s.split_once('e').expect("{:e} has an exponent");
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exp}")
}

/// Java's `Long.parseLong` (and `Integer.parseInt`, `Short.parseShort` with their ranges): an
/// optional sign and decimal digits, nothing else.
fn java_int(s: &str, lo: i64, hi: i64) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    (lo..=hi).contains(&n).then_some(n)
}

/// Java's `Double.parseDouble`, near enough: Rust's float syntax, plus Java's `NaN`/`Infinity`
/// spellings and the `d`/`f` suffixes.
fn java_double_parse(s: &str) -> Option<f64> {
    let t = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
    match t {
        "NaN" => return Some(f64::NAN),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    if t.is_empty() || t.chars().any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    t.parse().ok()
}

/// Class names the model knows: a `CLASS` config naming anything else gets Kafka's "could not be
/// found", as it would on a classpath without it.
pub const KNOWN_CLASSES: &[&str] = &[
    "org.apache.kafka.common.serialization.StringSerializer",
    "org.apache.kafka.common.serialization.StringDeserializer",
    "org.apache.kafka.common.serialization.ByteArraySerializer",
    "org.apache.kafka.common.serialization.ByteArrayDeserializer",
    "org.apache.kafka.common.serialization.IntegerSerializer",
    "org.apache.kafka.common.serialization.IntegerDeserializer",
    "org.apache.kafka.common.serialization.LongSerializer",
    "org.apache.kafka.common.serialization.LongDeserializer",
    "org.apache.kafka.clients.producer.RoundRobinPartitioner",
    "org.apache.kafka.clients.consumer.RangeAssignor",
    "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    "org.apache.kafka.clients.consumer.StickyAssignor",
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
];

impl ConfigKey {
    /// `ConfigDef.parseType` then the validator: the value a user gave, or Kafka's exception text.
    pub fn parse(&self, raw: &str) -> Result<Value, String> {
        let v = self.parse_type(raw, true)?;
        self.validate(&v)?;
        Ok(v)
    }

    /// A value the model wrote itself (a default, a broker's static config): parsed by its type,
    /// a class name taken as it is.
    pub fn parse_known(&self, raw: &str) -> Option<Value> {
        self.parse_type(raw, false).ok()
    }

    /// The default, parsed (`None` when the config has no default).
    pub fn default_value(&self) -> Option<Value> {
        match self.default {
            Default::Required => None,
            Default::Null => Some(Value::Null),
            Default::Classes(c) => Some(Value::ClassList(c.iter().map(|s| s.to_string()).collect())),
            Default::Parse(s) => {
                Some(self.parse_type(s, false).unwrap_or_else(|e| panic!("default of {}: {e}", self.name)))
            }
        }
    }

    fn parse_type(&self, raw: &str, check_classes: bool) -> Result<Value, String> {
        let trimmed = raw.trim();
        let name = self.name;
        let nan = || invalid(name, raw, &format!("Not a number of type {}", self.ty.name()));
        Ok(match self.ty {
            Type::Boolean => {
                if trimmed.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else if trimmed.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else {
                    return Err(invalid(name, raw, "Expected value to be either true or false"));
                }
            }
            Type::Password => Value::Password(trimmed.to_string()),
            Type::String => Value::Str(trimmed.to_string()),
            Type::Int => Value::Int(java_int(trimmed, i32::MIN as i64, i32::MAX as i64).ok_or_else(nan)?),
            Type::Short => Value::Int(java_int(trimmed, i16::MIN as i64, i16::MAX as i64).ok_or_else(nan)?),
            Type::Long => Value::Int(java_int(trimmed, i64::MIN, i64::MAX).ok_or_else(nan)?),
            Type::Double => Value::Double(java_double_parse(trimmed).ok_or_else(nan)?),
            Type::List => {
                if trimmed.is_empty() {
                    Value::List(Vec::new())
                } else {
                    Value::List(trimmed.split(',').map(|s| s.trim().to_string()).collect())
                }
            }
            Type::Class => {
                if check_classes && !KNOWN_CLASSES.contains(&trimmed) {
                    return Err(invalid(name, raw, &format!("Class {raw} could not be found.")));
                }
                Value::Class(trimmed.to_string())
            }
        })
    }

    /// The validator's `ensureValid`.
    pub fn validate(&self, v: &Value) -> Result<(), String> {
        let name = self.name;
        match (self.validator, v) {
            (Validator::None, _) => Ok(()),
            (Validator::Range(..), Value::Null) => Err(invalid(name, "null", "Value must be non-null")),
            (Validator::Range(min, max), v) => {
                let n = match v {
                    Value::Int(n) => *n as f64,
                    Value::Double(f) => *f,
                    _ => return Ok(()),
                };
                if let Some(m) = min.filter(|m| n < m.value()) {
                    return Err(invalid(name, &v.java(), &format!("Value must be at least {}", m.java())));
                }
                if let Some(m) = max.filter(|m| n > m.value()) {
                    return Err(invalid(name, &v.java(), &format!("Value must be no more than {}", m.java())));
                }
                Ok(())
            }
            (Validator::OneOf(allowed), Value::Str(s)) => {
                if allowed.contains(&s.as_str()) {
                    Ok(())
                } else {
                    Err(invalid(name, s, &format!("String must be one of: {}", allowed.join(", "))))
                }
            }
            (Validator::OneOfIgnoreCase(allowed), Value::Str(s)) => {
                if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                    Ok(())
                } else {
                    Err(invalid(name, s, &format!("String must be one of (case insensitive): {}", allowed.join(", "))))
                }
            }
            (Validator::ListOf(allowed), Value::List(items)) => {
                for s in items {
                    if !allowed.contains(&s.as_str()) {
                        return Err(invalid(name, s, &format!("String must be one of: {}", allowed.join(", "))));
                    }
                }
                Ok(())
            }
            (Validator::NonEmptyString, Value::Str(s)) if s.is_empty() => {
                Err(invalid(name, s, "String must be non-empty"))
            }
            (Validator::NonNull, Value::Null) => Err(invalid(name, "null", "entry must be non null")),
            (Validator::GzipLevel, Value::Int(n)) => {
                if *n > 9 || (*n < 1 && *n != -1) {
                    Err(invalid(name, &n.to_string(), "Value must be between 1 and 9 or equal to -1"))
                } else {
                    Ok(())
                }
            }
            (Validator::MinusOneOrPositive, Value::Int(n)) => {
                if *n == -1 || *n >= 1 {
                    Ok(())
                } else {
                    Err(invalid(name, &n.to_string(), "Value can be -1 or greater than 0"))
                }
            }
            (Validator::ThrottledReplicas, Value::List(items)) => {
                let pair = |s: &str| {
                    s.is_empty()
                        || s.split_once(':').is_some_and(|(p, b)| {
                            !p.is_empty()
                                && !b.is_empty()
                                && p.bytes().all(|c| c.is_ascii_digit())
                                && b.bytes().all(|c| c.is_ascii_digit())
                        })
                };
                if items.iter().all(|s| pair(s)) || items.concat() == "*" {
                    Ok(())
                } else {
                    Err(invalid(
                        name,
                        &v.java(),
                        &format!("{name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."),
                    ))
                }
            }
            (Validator::MetadataVersion, Value::Str(s)) => {
                if METADATA_VERSIONS.contains(&s.as_str())
                    || METADATA_VERSIONS.iter().any(|m| m.split('-').next() == Some(s))
                {
                    Ok(())
                } else {
                    Err(invalid(name, s, &format!("Version {s} is not a valid version")))
                }
            }
            (Validator::NonEmptyList, Value::List(items)) if items.is_empty() => Err(invalid(name, "[]", "Empty list")),
            _ => Ok(()),
        }
    }
}

/// `MetadataVersion.VERSIONS` of 4.0 (what `message.format.version` and
/// `inter.broker.protocol.version` accept).
pub const METADATA_VERSIONS: &[&str] = &[
    "0.8.0",
    "0.8.1",
    "0.8.2",
    "0.9.0",
    "0.10.0-IV0",
    "0.10.0-IV1",
    "0.10.1-IV0",
    "0.10.1-IV1",
    "0.10.1-IV2",
    "0.10.2-IV0",
    "0.11.0-IV0",
    "0.11.0-IV1",
    "0.11.0-IV2",
    "1.0-IV0",
    "1.1-IV0",
    "2.0-IV0",
    "2.0-IV1",
    "2.1-IV0",
    "2.1-IV1",
    "2.1-IV2",
    "2.2-IV0",
    "2.2-IV1",
    "2.3-IV0",
    "2.3-IV1",
    "2.4-IV0",
    "2.4-IV1",
    "2.5-IV0",
    "2.6-IV0",
    "2.7-IV0",
    "2.7-IV1",
    "2.7-IV2",
    "2.8-IV0",
    "2.8-IV1",
    "3.0-IV0",
    "3.0-IV1",
    "3.1-IV0",
    "3.2-IV0",
    "3.3-IV0",
    "3.3-IV1",
    "3.3-IV2",
    "3.3-IV3",
    "3.4-IV0",
    "3.5-IV0",
    "3.5-IV1",
    "3.5-IV2",
    "3.6-IV0",
    "3.6-IV1",
    "3.6-IV2",
    "3.7-IV0",
    "3.7-IV1",
    "3.7-IV2",
    "3.7-IV3",
    "3.7-IV4",
    "3.8-IV0",
    "3.9-IV0",
    "4.0-IV0",
    "4.0-IV1",
    "4.0-IV2",
    "4.0-IV3",
];

/// A config table: one list of keys (topic, broker), or a client's own keys and the keys both
/// clients share (`client::PRODUCER`, `client::CONSUMER`).
pub trait Table: Copy {
    fn keys(self) -> impl Iterator<Item = &'static ConfigKey>;

    /// Every key, sorted by name (the order Kafka lists and describes them in).
    fn sorted(self) -> Vec<&'static ConfigKey> {
        let mut keys: Vec<&'static ConfigKey> = self.keys().collect();
        crate::sort::sort_by_key(&mut keys, |k| k.name);
        keys
    }
}

impl Table for &'static [ConfigKey] {
    fn keys(self) -> impl Iterator<Item = &'static ConfigKey> {
        self.iter()
    }
}

impl Table for &'static [&'static [ConfigKey]] {
    fn keys(self) -> impl Iterator<Item = &'static ConfigKey> {
        self.iter().flat_map(|part| part.iter())
    }
}

/// A config table: lookups by name.
pub fn find(table: impl Table, name: &str) -> Option<&'static ConfigKey> {
    table.keys().find(|k| k.name == name)
}

/// Every config of `table` with its value: the given ones parsed, the rest at their defaults
/// (configs without a default and not given are left out). Sorted by name, as Kafka's
/// `TreeMap` of values is.
pub fn values(table: impl Table, given: &[(String, Value)]) -> Vec<(&'static str, Value)> {
    let mut out: Vec<(&'static str, Value)> = table
        .keys()
        .filter_map(|k| {
            let v =
                given.iter().rev().find(|(n, _)| n == k.name).map(|(_, v)| v.clone()).or_else(|| k.default_value())?;
            Some((k.name, v))
        })
        .collect();
    crate::sort::sort_by(&mut out, |a, b| a.0.cmp(b.0));
    out
}

/// `AbstractConfig.logAll`: the block a client logs when it starts.
pub fn values_block(class: &str, values: &[(&str, Value)]) -> Vec<String> {
    let mut lines = vec![format!("{class} values: ")];
    for (name, v) in values {
        let mut l = String::new();
        let _ = write!(l, "\t{name} = {}", v.java());
        lines.push(l);
    }
    lines
}

/// The names of the configs in `table` that the model only stores, for `help` (sorted).
pub fn stored_only(table: impl Table) -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        table.keys().filter(|k| k.modelled == Modelled::Stored && !k.internal).map(|k| k.name).collect();
    crate::sort::sort(&mut names);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_double_prints_like_java() {
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(0.05), "0.05");
        assert_eq!(java_double(1e-5), "1.0E-5");
        assert_eq!(java_double(1.5e7), "1.5E7");
        assert_eq!(java_double(0.0), "0.0");
    }

    #[test]
    fn parse_errors_are_kafkas_texts() {
        let k = ConfigKey {
            name: "retention.ms",
            ty: Type::Long,
            default: Default::Parse("604800000"),
            validator: Validator::Range(Some(Num::I(-1)), None),
            internal: false,
            modelled: Modelled::Yes,
        };
        assert_eq!(
            k.parse("abc").unwrap_err(),
            "Invalid value abc for configuration retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            k.parse("-5").unwrap_err(),
            "Invalid value -5 for configuration retention.ms: Value must be at least -1"
        );
        assert_eq!(k.parse(" 42 ").unwrap(), Value::Int(42));
        assert_eq!(
            k.parse("1.5").unwrap_err(),
            "Invalid value 1.5 for configuration retention.ms: Not a number of type LONG"
        );
    }
}

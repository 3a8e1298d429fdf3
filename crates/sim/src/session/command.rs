//! The command language (shared/command-language.md): one parser for scripts, the console, clicks,
//! share links and tests. Parsing never panics and never touches the model; a parse error names
//! the line and column and what was expected.

use crate::cluster::controller::ElectionType;
use crate::model::Millis;
use std::fmt;

fn default_controllers() -> u32 {
    crate::cluster::sim::DEFAULT_CONTROLLERS
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerVerb {
    Kill,
    Start,
    Stop,
    Isolate,
    Heal,
}

impl ControllerVerb {
    pub fn word(self) -> &'static str {
        match self {
            ControllerVerb::Kill => "kill",
            ControllerVerb::Start => "start",
            ControllerVerb::Stop => "stop",
            ControllerVerb::Isolate => "isolate",
            ControllerVerb::Heal => "heal",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Seed(u64),
    Cluster {
        brokers: u32,
        /// `--racks R1,R2,...`: broker b gets `racks[(b - 1) % len]` as its `broker.rack`.
        racks: Vec<String>,
        /// `--controllers C`: the KRaft quorum's voters (3 by default).
        controllers: u32,
    },
    /// `controller kill|start|stop|isolate|heal ID`.
    Controller(ControllerVerb, u32),
    /// `kafka-metadata-quorum describe --status` (false) or `--replication` (true).
    MetadataQuorum {
        replication: bool,
    },
    /// `kafka-reassign-partitions --generate|--execute|--verify|--cancel|--list` with the JSON
    /// inline (`--topics-to-move-json` for --generate, `--reassignment-json` otherwise).
    Reassign {
        action: crate::session::reassign::ReassignAction,
        json: Option<String>,
        broker_list: Option<String>,
        /// `--throttle B` (bytes/s); -1, the tool's default, sets none.
        throttle: i64,
        disable_rack_aware: bool,
        preserve_throttles: bool,
    },
    /// `broker start B --rack R`.
    BrokerStartOnRack(u32, String),
    TopicsCreate {
        topic: String,
        /// Left out: the broker's `num.partitions`.
        partitions: Option<u32>,
        /// Left out: the broker's `default.replication.factor`.
        replication_factor: Option<u32>,
        assignment: Option<Vec<Vec<u32>>>,
        configs: Vec<(String, String)>,
        if_not_exists: bool,
    },
    TopicsDescribe {
        topic: Option<String>,
        /// `--under-replicated-partitions` and the other partition filters.
        filter: Option<PartitionFilter>,
        exclude_internal: bool,
        if_exists: bool,
    },
    TopicsAlter {
        topic: String,
        partitions: u32,
        if_exists: bool,
    },
    /// `kafka-topics --list [--exclude-internal]`.
    TopicsList {
        exclude_internal: bool,
    },
    /// `kafka-topics --delete --topic T [--if-exists]`.
    TopicsDelete {
        topic: String,
        if_exists: bool,
    },
    ConfigsAlter {
        topic: String,
        configs: Vec<(String, String)>,
    },
    /// `kafka-configs --alter --entity-type brokers (--entity-default | --entity-name B) --add-config K=V`.
    BrokerConfigsAlter {
        broker: Option<u32>,
        configs: Vec<(String, String)>,
    },
    /// `kafka-configs --describe --entity-type topics|brokers [--entity-name N | --entity-default] [--all]`.
    ConfigsDescribe {
        entity: ConfigEntity,
        all: bool,
    },
    LeaderElection {
        election: ElectionType,
        /// None: `--all-topic-partitions`.
        topic: Option<String>,
        partition: Option<u32>,
    },
    ConsoleConsumer {
        topic: String,
        from_beginning: bool,
        max_messages: Option<u64>,
        /// `--property K=V`: the formatter's properties (`print.key`, `key.separator`, …).
        properties: Vec<(String, String)>,
        read_committed: bool,
        /// `--partition P [--offset O|earliest|latest]`: one partition, from an offset.
        partition: Option<u32>,
        offset: Option<String>,
    },
    /// `kafka-log-dirs --describe [--broker-list 1,2]`.
    LogDirs {
        brokers: Option<Vec<u32>>,
    },
    /// `kafka-dump-log --files T-P/NNN.log [--broker B] [--print-data-log]`.
    DumpLog {
        file: String,
        broker: Option<u32>,
        print_data: bool,
    },
    /// `kafka-delete-records --offset-json '…'`.
    DeleteRecords(String),
    GetOffsets {
        /// None: every topic.
        topic: Option<String>,
        /// `--time` as given (`latest`, `-2`, a timestamp …); the tool checks it when it runs.
        time: Option<String>,
    },
    BrokerKill(u32),
    /// `rack kill R`: every running broker on rack R crashes at once.
    RackKill(String),
    /// `rack start R`: every broker on rack R that is down starts again.
    RackStart(String),
    /// `broker kill B --power-loss`: a crash that also loses what was not flushed to disk.
    BrokerPowerLoss(u32),
    BrokerStart(u32),
    BrokerStop(u32),
    BrokerIsolate(u32),
    BrokerHeal(u32),
    /// `broker remove B`: unregister a stopped broker that holds no replica.
    BrokerRemove(u32),
    ProducerStart {
        name: String,
        topic: Option<String>,
        rate: u32,
        keys: Option<Vec<String>>,
        props: Vec<(String, String)>,
        /// Scripts wait for a transactional producer's initTransactions(); `--async` (clicks) does not.
        wait: bool,
    },
    ProducerStop(String),
    /// `producer remove NAME`, `consumer remove ID`, `processor remove NAME`: close it if it
    /// runs and take it off the picture.
    ProducerRemove(String),
    ConsumerRemove(String),
    ProcessorRemove(String),
    /// `transaction begin|commit|abort --producer NAME`: commit and abort block like
    /// commitTransaction() in scripts (until done or failed); `--async` only starts them.
    Transaction {
        action: TxnAction,
        producer: String,
        wait: bool,
    },
    /// `processor start NAME --group G --input T --output T2 [--processing-guarantee ...]`.
    ProcessorStart {
        name: String,
        group: String,
        inputs: Vec<String>,
        output: String,
        exactly_once: bool,
        processing_ms: Option<Millis>,
        consumer_props: Vec<(String, String)>,
        producer_props: Vec<(String, String)>,
    },
    ProcessorStop(String),
    ProcessorKill(String),
    /// `kafka-transactions list` / `kafka-transactions describe --transactional-id ID`.
    TransactionsList,
    TransactionsDescribe(String),
    ProducerKill(String),
    Produce {
        topic: String,
        key: Option<String>,
        value: Option<String>,
        /// `--tombstone`: a null value (deletes the key from a compacted topic).
        tombstone: bool,
        partition: Option<u32>,
        count: u32,
        producer: Option<String>,
        wait: bool,
    },
    Network {
        latency_ms: Millis,
        jitter_ms: Option<Millis>,
        /// Only this link (both directions), between two brokers or a broker and `controller`.
        link: Option<(LinkEnd, LinkEnd)>,
    },
    Advance(Millis),
    Step,
    /// Prints the ledger's counters: acked, failed, pending, lost, duplicated.
    Ledger,
    ConsumerStart {
        client_id: String,
        group: String,
        topics: Vec<String>,
        props: Vec<(String, String)>,
        processing_ms: Option<Millis>,
        commit: Option<String>,
    },
    ConsumerStop(String),
    ConsumerKill(String),
    ConsumerPause(String),
    ConsumerResume(String),
    GroupsDescribe {
        group: String,
        view: GroupView,
    },
    /// `kafka-consumer-groups --list [--state]`.
    GroupsList {
        state: bool,
    },
    /// `kafka-consumer-groups --delete --group G`.
    GroupsDelete(String),
    GroupsReset {
        group: String,
        topic: String,
        /// `--topic T:0,2`: only these partitions (empty: all of them).
        partitions: Vec<u32>,
        to: ResetTo,
        mode: ResetMode,
    },
    /// `producer describe NAME` / `consumer describe CLIENT_ID`: the "ProducerConfig values:" /
    /// "ConsumerConfig values:" block the client logged when it started.
    ProducerDescribe(String),
    ConsumerDescribe(String),
    Help,
}

impl Command {
    /// Whether the command only reads the cluster (describes, lists, help): running it in the past
    /// of a session changes nothing, so it does not fork the timeline.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Command::Help
                | Command::TopicsDescribe { .. }
                | Command::TopicsList { .. }
                | Command::ConfigsDescribe { .. }
                | Command::GroupsDescribe { .. }
                | Command::GroupsList { .. }
                | Command::TransactionsList
                | Command::TransactionsDescribe(_)
                | Command::ProducerDescribe(_)
                | Command::ConsumerDescribe(_)
                | Command::Ledger
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnAction {
    Begin,
    Commit,
    Abort,
}

/// Which view `kafka-consumer-groups --describe` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupView {
    /// The default (`--offsets`): one row per partition.
    Offsets,
    /// `--members [--verbose]`.
    Members { verbose: bool },
    /// `--state`.
    State,
}

/// `--execute`, `--dry-run`, or neither (a dry run that warns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetMode {
    Plan,
    DryRun,
    Execute,
}

/// The partition filters of `kafka-topics --describe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionFilter {
    UnderReplicated,
    Unavailable,
    UnderMinIsr,
    AtMinIsr,
}

impl PartitionFilter {
    pub const ALL: [(PartitionFilter, &'static str); 4] = [
        (PartitionFilter::UnderReplicated, "--under-replicated-partitions"),
        (PartitionFilter::Unavailable, "--unavailable-partitions"),
        (PartitionFilter::UnderMinIsr, "--under-min-isr-partitions"),
        (PartitionFilter::AtMinIsr, "--at-min-isr-partitions"),
    ];

    pub fn flag(self) -> &'static str {
        PartitionFilter::ALL.iter().find(|(f, _)| *f == self).map(|(_, s)| *s).unwrap_or_default()
    }
}

/// What `kafka-configs --describe` describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigEntity {
    /// `--entity-type topics [--entity-name T]` (None: every topic).
    Topics(Option<String>),
    /// `--entity-type brokers [--entity-name B]` (None: every broker, then the cluster default).
    Brokers(Option<u32>),
    /// `--entity-type brokers --entity-default`.
    BrokerDefault,
}

/// Where `kafka-consumer-groups --reset-offsets` moves a group's offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetTo {
    Earliest,
    Latest,
    Offset(u64),
    ShiftBy(i64),
}

/// One end of a network link named in `network --link A:B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEnd {
    Broker(u32),
    Controller,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, col {}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A script line that parsed: the command and the text as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptLine {
    pub line: usize,
    pub text: String,
    pub command: Command,
}

#[derive(Clone, Debug)]
struct Token {
    text: String,
    col: usize,
}

/// Splits a line into words: whitespace separates, single or double quotes group, `#` outside
/// quotes at the start of a word ends the line.
fn tokenize(line: &str) -> Result<Vec<Token>, (usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        if chars[i] == '#' {
            break;
        }
        let start = i;
        let mut text = String::new();
        while i < chars.len() && !chars[i].is_whitespace() {
            let c = chars[i];
            if c == '"' || c == '\'' {
                let open = i;
                i += 1;
                while i < chars.len() && chars[i] != c {
                    text.push(chars[i]);
                    i += 1;
                }
                if i >= chars.len() {
                    return Err((open + 1, format!("unclosed quote {c}")));
                }
                i += 1;
            } else {
                text.push(c);
                i += 1;
            }
        }
        out.push(Token { text, col: start + 1 });
    }
    Ok(out)
}

/// Parses a whole script. Nothing runs unless every line parses.
pub fn parse_script(src: &str) -> Result<Vec<ScriptLine>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        if let Some(command) = parse_line(raw).map_err(|(col, message)| ParseError { line, col, message })? {
            out.push(ScriptLine { line, text: raw.trim().to_string(), command });
        }
    }
    Ok(out)
}

/// Every command name, for completion and "did you mean".
pub const COMMANDS: [&str; 27] = [
    "kafka-topics",
    "kafka-reassign-partitions",
    "kafka-log-dirs",
    "kafka-dump-log",
    "kafka-delete-records",
    "kafka-configs",
    "kafka-leader-election",
    "kafka-console-consumer",
    "kafka-get-offsets",
    "kafka-consumer-groups",
    "kafka-transactions",
    "kafka-metadata-quorum",
    "broker",
    "controller",
    "rack",
    "producer",
    "transaction",
    "processor",
    "consumer",
    "produce",
    "advance",
    "step",
    "ledger",
    "seed",
    "cluster",
    "network",
    "help",
];

/// Parses one line: `Ok(None)` for blank lines and comments; `Err((column, message))` otherwise.
pub fn parse_line(line: &str) -> Result<Option<Command>, (usize, String)> {
    let tokens = tokenize(line)?;
    let Some(first) = tokens.first() else {
        return Ok(None);
    };
    let mut name = first.text.as_str();
    name = name.strip_prefix("bin/").unwrap_or(name);
    name = name.strip_suffix(".sh").unwrap_or(name);
    let mut args = Args::new(&tokens[1..], first.col + first.text.chars().count(), name);
    let cmd = match name {
        "seed" => Command::Seed(args.positional_num("a seed (a whole number)")?),
        "cluster" => {
            let opts = args.options(&[("--brokers", true), ("--racks", true), ("--controllers", true)])?;
            let n: u32 = opts.required_num("--brokers")?;
            if n == 0 || n > 64 {
                return Err((opts.col_of("--brokers"), "--brokers takes a number from 1 to 64".into()));
            }
            let controllers: u32 = match opts.value("--controllers") {
                None => default_controllers(),
                Some(c) => match c.parse::<u32>() {
                    Ok(c) if (1..=7).contains(&c) => c,
                    _ => {
                        return Err((
                            opts.col_of("--controllers"),
                            "--controllers takes a number from 1 to 7 (Kafka runs 3 or 5)".into(),
                        ))
                    }
                },
            };
            let racks: Vec<String> = match opts.value("--racks") {
                None => Vec::new(),
                Some(r) => {
                    let racks: Vec<String> = r.split(',').map(|x| x.trim().to_string()).collect();
                    if racks.iter().any(|x| x.is_empty()) {
                        return Err((opts.col_of("--racks"), "--racks takes rack names such as a,b,c".into()));
                    }
                    racks
                }
            };
            Command::Cluster { brokers: n, racks, controllers }
        }
        "controller" => {
            let verb = args.word(&["kill", "start", "stop", "isolate", "heal"])?;
            let id: u32 = args.positional_num("a controller id (100, 101, ...)")?;
            let verb = match verb.as_str() {
                "kill" => ControllerVerb::Kill,
                "start" => ControllerVerb::Start,
                "stop" => ControllerVerb::Stop,
                "isolate" => ControllerVerb::Isolate,
                _ => ControllerVerb::Heal,
            };
            Command::Controller(verb, id)
        }
        "kafka-metadata-quorum" => {
            args.word(&["describe"])?;
            let o = args.options(&[
                ("--status", false),
                ("--replication", false),
                ("--bootstrap-server", true),
                ("--bootstrap-controller", true),
            ])?;
            match (o.flag("--status"), o.flag("--replication")) {
                (true, true) => {
                    return Err((
                        0,
                        "Only one of --status or --replication should be specified with describe sub-command".into(),
                    ))
                }
                (false, false) => {
                    return Err((
                        0,
                        "One of --status or --replication must be specified with describe sub-command".into(),
                    ))
                }
                (_, replication) => Command::MetadataQuorum { replication },
            }
        }
        "kafka-reassign-partitions" => {
            use crate::session::reassign::ReassignAction;
            let o = args.options(&[
                ("--generate", false),
                ("--execute", false),
                ("--verify", false),
                ("--cancel", false),
                ("--list", false),
                ("--topics-to-move-json", true),
                ("--reassignment-json", true),
                ("--broker-list", true),
                ("--throttle", true),
                ("--disable-rack-aware", false),
                ("--preserve-throttles", false),
            ])?;
            let actions = [
                ("--generate", ReassignAction::Generate),
                ("--execute", ReassignAction::Execute),
                ("--verify", ReassignAction::Verify),
                ("--cancel", ReassignAction::Cancel),
                ("--list", ReassignAction::List),
            ];
            let given: Vec<ReassignAction> = actions.iter().filter(|(f, _)| o.flag(f)).map(|(_, a)| *a).collect();
            let [action] = given[..] else {
                return Err((
                    o.end_col + 1,
                    "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list".into(),
                ));
            };
            let (required, permitted): (&[&str], &[&str]) = match action {
                ReassignAction::Generate => (&["--topics-to-move-json", "--broker-list"], &["--disable-rack-aware"]),
                ReassignAction::Execute => (&["--reassignment-json"], &["--throttle"]),
                ReassignAction::Verify => (&["--reassignment-json"], &["--preserve-throttles"]),
                ReassignAction::Cancel => (&["--reassignment-json"], &["--preserve-throttles"]),
                ReassignAction::List => (&[], &[]),
            };
            let bare = |f: &str| format!("[{}]", f.trim_start_matches("--"));
            for r in required {
                if o.value(r).is_none() {
                    return Err((o.end_col + 1, format!("Missing required argument \"{}\"", bare(r))));
                }
            }
            for (name, _, col) in &o.found {
                if name != action.flag() && !required.contains(&name.as_str()) && !permitted.contains(&name.as_str()) {
                    return Err((
                        *col,
                        format!("Option \"{}\" can't be used with action \"{}\"", bare(name), bare(action.flag())),
                    ));
                }
            }
            let throttle = match o.value("--throttle") {
                None => -1,
                Some(t) => t.parse::<i64>().map_err(|_| {
                    (o.col_of("--throttle"), format!("--throttle takes bytes per second (a whole number), not `{t}`"))
                })?,
            };
            let json = o.value("--topics-to-move-json").or(o.value("--reassignment-json")).map(String::from);
            Command::Reassign {
                action,
                json,
                broker_list: o.value("--broker-list").map(String::from),
                throttle,
                disable_rack_aware: o.flag("--disable-rack-aware"),
                preserve_throttles: o.flag("--preserve-throttles"),
            }
        }
        "kafka-topics" => parse_topics(&mut args)?,
        "kafka-configs" => parse_configs(&mut args)?,
        "kafka-leader-election" => {
            let o = args.options(&[
                ("--election-type", true),
                ("--topic", true),
                ("--partition", true),
                ("--all-topic-partitions", false),
            ])?;
            let election = match o.required("--election-type")? {
                "preferred" | "PREFERRED" => ElectionType::Preferred,
                "unclean" | "UNCLEAN" => ElectionType::Unclean,
                other => {
                    return Err((
                        o.col_of("--election-type"),
                        format!("unknown election type `{other}`: use preferred or unclean"),
                    ))
                }
            };
            let all = o.flag("--all-topic-partitions");
            if all && (o.value("--topic").is_some() || o.value("--partition").is_some()) {
                return Err((
                    o.col_of("--all-topic-partitions"),
                    "--all-topic-partitions cannot be used with --topic or --partition".into(),
                ));
            }
            let topic = if all { None } else { Some(o.required("--topic")?.to_string()) };
            let partition = o.num_opt("--partition")?;
            Command::LeaderElection { election, topic, partition }
        }
        "kafka-console-consumer" => {
            let o = args.options(&[
                ("--topic", true),
                ("--group", true),
                ("--from-beginning", false),
                ("--max-messages", true),
                ("--property", true),
                ("--isolation-level", true),
                ("--partition", true),
                ("--offset", true),
            ])?;
            if o.value("--offset").is_some() && o.value("--partition").is_none() {
                return Err((o.col_of("--offset"), "The partition is required when offset is specified.".into()));
            }
            if o.value("--partition").is_some() && o.flag("--from-beginning") && o.value("--offset").is_some() {
                return Err((
                    o.col_of("--offset"),
                    "Options from-beginning and offset cannot be specified together.".into(),
                ));
            }
            if o.value("--group").is_some() {
                return Err((
                    o.col_of("--group"),
                    "kafka-console-consumer --group is not modelled: it reads without a group (start a group member with `consumer start`)".into(),
                ));
            }
            let mut properties = Vec::new();
            for (v, col) in o.values("--property") {
                properties.push(split_kv(v).map_err(|m| (col, m))?);
            }
            let read_committed = match o.value("--isolation-level") {
                None | Some("read_uncommitted") => false,
                Some("read_committed") => true,
                Some(other) => {
                    return Err((o.col_of("--isolation-level"), format!("unknown isolation level `{other}`")))
                }
            };
            Command::ConsoleConsumer {
                topic: o.required("--topic")?.to_string(),
                from_beginning: o.flag("--from-beginning"),
                max_messages: o.num_opt("--max-messages")?,
                properties,
                read_committed,
                partition: o.num_opt("--partition")?,
                offset: o.value("--offset").map(String::from),
            }
        }
        "kafka-log-dirs" => {
            let o = args.options(&[("--describe", false), ("--broker-list", true)])?;
            if !o.flag("--describe") {
                return Err((o.end_col + 1, "kafka-log-dirs takes --describe [--broker-list 1,2]".into()));
            }
            let brokers = match o.value("--broker-list") {
                None => None,
                Some(list) => Some(
                    list.split(',').map(|b| b.trim().parse::<u32>()).collect::<Result<Vec<_>, _>>().map_err(|_| {
                        (o.col_of("--broker-list"), format!("--broker-list takes broker ids such as 1,2, not {list}"))
                    })?,
                ),
            };
            Command::LogDirs { brokers }
        }
        "kafka-dump-log" => {
            let o = args.options(&[
                ("--files", true),
                ("--broker", true),
                ("--print-data-log", false),
                ("--cluster-metadata-decoder", false),
            ])?;
            Command::DumpLog {
                file: o.required("--files")?.to_string(),
                broker: o.num_opt("--broker")?,
                print_data: o.flag("--print-data-log"),
            }
        }
        "kafka-delete-records" => {
            let o = args.options(&[("--offset-json", true)])?;
            Command::DeleteRecords(o.required("--offset-json")?.to_string())
        }
        "kafka-get-offsets" => {
            let o = args.options(&[("--topic", true), ("--time", true)])?;
            Command::GetOffsets {
                topic: o.value("--topic").map(String::from),
                time: o.value("--time").map(String::from),
            }
        }
        "broker" => {
            let verb = args.word(&["kill", "start", "stop", "isolate", "heal", "remove"])?;
            let id: u32 = args.positional_num("a broker id")?;
            match verb.as_str() {
                "kill" if args.options(&[("--power-loss", false)])?.flag("--power-loss") => {
                    Command::BrokerPowerLoss(id)
                }
                "kill" => Command::BrokerKill(id),
                "start" => match args.options(&[("--rack", true)])?.value("--rack") {
                    Some(rack) => Command::BrokerStartOnRack(id, rack.to_string()),
                    None => Command::BrokerStart(id),
                },
                "stop" => Command::BrokerStop(id),
                "isolate" => Command::BrokerIsolate(id),
                "remove" => Command::BrokerRemove(id),
                _ => Command::BrokerHeal(id),
            }
        }
        "rack" => {
            let verb = args.word(&["kill", "start"])?;
            let rack = args.positional("a rack name")?;
            if verb == "kill" {
                Command::RackKill(rack)
            } else {
                Command::RackStart(rack)
            }
        }
        "producer" => {
            let verb = args.word(&["start", "stop", "kill", "remove", "describe"])?;
            let name = args.positional("a producer name")?;
            match verb.as_str() {
                "describe" => Command::ProducerDescribe(name),
                "start" => {
                    let o = args.options(&[
                        ("--topic", true),
                        ("--rate", true),
                        ("--keys", true),
                        ("--producer-property", true),
                        ("--async", false),
                    ])?;
                    let rate = match o.value("--rate") {
                        None => 0,
                        Some(r) => parse_rate(r).map_err(|m| (o.col_of("--rate"), m))?,
                    };
                    if rate > 0 && o.value("--topic").is_none() {
                        return Err((o.col_of("--rate"), "--rate needs --topic".into()));
                    }
                    let keys = match o.value("--keys") {
                        None | Some("none") => None,
                        Some(k) => Some(k.split(',').map(|s| s.to_string()).collect()),
                    };
                    let mut props = Vec::new();
                    for (v, col) in o.values("--producer-property") {
                        props.push(split_kv(v).map_err(|m| (col, m))?);
                    }
                    Command::ProducerStart {
                        name,
                        topic: o.value("--topic").map(String::from),
                        rate,
                        keys,
                        props,
                        wait: !o.flag("--async"),
                    }
                }
                "stop" => Command::ProducerStop(name),
                "remove" => Command::ProducerRemove(name),
                _ => Command::ProducerKill(name),
            }
        }
        "transaction" => {
            let verb = args.word(&["begin", "commit", "abort"])?;
            let o = args.options(&[("--producer", true), ("--async", false)])?;
            let action = match verb.as_str() {
                "begin" => TxnAction::Begin,
                "commit" => TxnAction::Commit,
                _ => TxnAction::Abort,
            };
            Command::Transaction { action, producer: o.required("--producer")?.to_string(), wait: !o.flag("--async") }
        }
        "kafka-transactions" => {
            let verb = args.word(&["list", "describe"])?;
            if verb == "list" {
                Command::TransactionsList
            } else {
                let o = args.options(&[("--transactional-id", true)])?;
                Command::TransactionsDescribe(o.required("--transactional-id")?.to_string())
            }
        }
        "processor" => {
            let verb = args.word(&["start", "stop", "kill", "remove"])?;
            let name = args.positional("a processor name")?;
            match verb.as_str() {
                "start" => {
                    let o = args.options(&[
                        ("--group", true),
                        ("--input", true),
                        ("--output", true),
                        ("--processing-guarantee", true),
                        ("--processing", true),
                        ("--consumer-property", true),
                        ("--producer-property", true),
                    ])?;
                    let exactly_once = match o.value("--processing-guarantee") {
                        None | Some("at_least_once") => false,
                        Some("exactly_once_v2") | Some("exactly_once") => true,
                        Some(other) => {
                            return Err((
                                o.col_of("--processing-guarantee"),
                                format!("--processing-guarantee takes at_least_once or exactly_once_v2, not `{other}`"),
                            ))
                        }
                    };
                    let processing_ms = match o.value("--processing") {
                        Some(d) => Some(parse_duration(d).map_err(|m| (o.col_of("--processing"), m))?),
                        None => None,
                    };
                    let mut consumer_props = Vec::new();
                    for (v, col) in o.values("--consumer-property") {
                        consumer_props.push(split_kv(v).map_err(|m| (col, m))?);
                    }
                    let mut producer_props = Vec::new();
                    for (v, col) in o.values("--producer-property") {
                        producer_props.push(split_kv(v).map_err(|m| (col, m))?);
                    }
                    Command::ProcessorStart {
                        name,
                        group: o.required("--group")?.to_string(),
                        inputs: o.required("--input")?.split(',').map(String::from).collect(),
                        output: o.required("--output")?.to_string(),
                        exactly_once,
                        processing_ms,
                        consumer_props,
                        producer_props,
                    }
                }
                "stop" => Command::ProcessorStop(name),
                "remove" => Command::ProcessorRemove(name),
                _ => Command::ProcessorKill(name),
            }
        }
        "consumer" => {
            let verb = args.word(&["start", "stop", "kill", "pause", "resume", "remove", "describe"])?;
            let client_id = args.positional("a consumer client id")?;
            match verb.as_str() {
                "describe" => Command::ConsumerDescribe(client_id),
                "start" => {
                    let o = args.options(&[
                        ("--group", true),
                        ("--topic", true),
                        ("--consumer-property", true),
                        ("--processing", true),
                        ("--commit", true),
                    ])?;
                    let mut props = Vec::new();
                    for (v, col) in o.values("--consumer-property") {
                        props.push(split_kv(v).map_err(|m| (col, m))?);
                    }
                    let processing_ms = match o.value("--processing") {
                        Some(d) => Some(parse_duration(d).map_err(|m| (o.col_of("--processing"), m))?),
                        None => None,
                    };
                    let commit = match o.value("--commit") {
                        None => None,
                        Some(c @ ("auto" | "before" | "after")) => Some(c.to_string()),
                        Some(other) => {
                            return Err((
                                o.col_of("--commit"),
                                format!("--commit takes auto, before or after, not `{other}`"),
                            ))
                        }
                    };
                    Command::ConsumerStart {
                        client_id,
                        group: o.required("--group")?.to_string(),
                        topics: o.required("--topic")?.split(',').map(String::from).collect(),
                        props,
                        processing_ms,
                        commit,
                    }
                }
                "stop" => Command::ConsumerStop(client_id),
                "kill" => Command::ConsumerKill(client_id),
                "remove" => Command::ConsumerRemove(client_id),
                "pause" => Command::ConsumerPause(client_id),
                _ => Command::ConsumerResume(client_id),
            }
        }
        "kafka-consumer-groups" => {
            let o = args.options(&[
                ("--describe", false),
                ("--state", false),
                ("--members", false),
                ("--verbose", false),
                ("--offsets", false),
                ("--list", false),
                ("--delete", false),
                ("--reset-offsets", false),
                ("--group", true),
                ("--topic", true),
                ("--to-earliest", false),
                ("--to-latest", false),
                ("--to-offset", true),
                ("--shift-by", true),
                ("--execute", false),
                ("--dry-run", false),
            ])?;
            let actions: Vec<&str> =
                ["--describe", "--list", "--delete", "--reset-offsets"].into_iter().filter(|a| o.flag(a)).collect();
            if actions.len() != 1 {
                return Err((
                    args.end_col,
                    "kafka-consumer-groups needs exactly one of --describe, --list, --delete, --reset-offsets".into(),
                ));
            }
            let only_with = |opt: &str, action: &str| -> Result<(), (usize, String)> {
                if o.flag(opt) && !o.flag(action) {
                    return Err((o.col_of(opt), format!("option {opt} can only be used with {action}")));
                }
                Ok(())
            };
            only_with("--members", "--describe")?;
            only_with("--offsets", "--describe")?;
            only_with("--verbose", "--describe")?;
            if o.flag("--state") && !(o.flag("--describe") || o.flag("--list")) {
                return Err((o.col_of("--state"), "option --state can only be used with --describe or --list".into()));
            }
            match actions[0] {
                "--list" => Command::GroupsList { state: o.flag("--state") },
                "--delete" => Command::GroupsDelete(o.required("--group")?.to_string()),
                "--describe" => {
                    let views = ["--members", "--offsets", "--state"].iter().filter(|v| o.flag(v)).count();
                    if views > 1 {
                        return Err((
                            args.end_col,
                            "--describe takes at most one of --members, --offsets, --state".into(),
                        ));
                    }
                    if o.flag("--verbose") && !o.flag("--members") {
                        return Err((o.col_of("--verbose"), "--verbose goes with --members".into()));
                    }
                    let view = if o.flag("--members") {
                        GroupView::Members { verbose: o.flag("--verbose") }
                    } else if o.flag("--state") {
                        GroupView::State
                    } else {
                        GroupView::Offsets
                    };
                    Command::GroupsDescribe { group: o.required("--group")?.to_string(), view }
                }
                _ => {
                    let to = if o.flag("--to-earliest") {
                        ResetTo::Earliest
                    } else if o.flag("--to-latest") {
                        ResetTo::Latest
                    } else if let Some(n) = o.num_opt::<u64>("--to-offset")? {
                        ResetTo::Offset(n)
                    } else if let Some(n) = o.num_opt::<i64>("--shift-by")? {
                        ResetTo::ShiftBy(n)
                    } else {
                        return Err((
                            args.end_col,
                            "--reset-offsets needs --to-earliest, --to-latest, --to-offset N or --shift-by N".into(),
                        ));
                    };
                    if o.flag("--execute") && o.flag("--dry-run") {
                        return Err((o.col_of("--dry-run"), "--execute and --dry-run cannot be used together".into()));
                    }
                    let mode = if o.flag("--execute") {
                        ResetMode::Execute
                    } else if o.flag("--dry-run") {
                        ResetMode::DryRun
                    } else {
                        ResetMode::Plan
                    };
                    // `--topic T` or `--topic T:0,1,2` (ConsumerGroupCommand's syntax).
                    let spec = o.required("--topic")?;
                    let (topic, partitions) = match spec.split_once(':') {
                        None => (spec.to_string(), Vec::new()),
                        Some((t, list)) => {
                            let mut ps = Vec::new();
                            for p in list.split(',') {
                                ps.push(p.trim().parse::<u32>().map_err(|_| {
                                    (o.col_of("--topic"), format!("`{p}` in --topic {spec} is not a partition number"))
                                })?);
                            }
                            (t.to_string(), ps)
                        }
                    };
                    Command::GroupsReset { group: o.required("--group")?.to_string(), topic, partitions, to, mode }
                }
            }
        }
        "produce" => {
            let o = args.options(&[
                ("--topic", true),
                ("--key", true),
                ("--value", true),
                ("--tombstone", false),
                ("--partition", true),
                ("--count", true),
                ("--producer", true),
                ("--async", false),
            ])?;
            if o.flag("--tombstone") && o.value("--value").is_some() {
                return Err((
                    o.col_of("--tombstone"),
                    "--tombstone is a null value: give --value or --tombstone, not both".into(),
                ));
            }
            if o.flag("--tombstone") && o.value("--key").is_none() {
                return Err((
                    o.col_of("--tombstone"),
                    "--tombstone needs --key K (a tombstone deletes that key)".into(),
                ));
            }
            let count = o.num_opt("--count")?.unwrap_or(1);
            if count == 0 || count > 100_000 {
                return Err((o.col_of("--count"), "--count takes a number from 1 to 100000".into()));
            }
            Command::Produce {
                topic: o.required("--topic")?.to_string(),
                key: o.value("--key").map(String::from),
                value: o.value("--value").map(String::from),
                tombstone: o.flag("--tombstone"),
                partition: o.num_opt("--partition")?,
                count,
                producer: o.value("--producer").map(String::from),
                wait: !o.flag("--async"),
            }
        }
        "network" => {
            let o = args.options(&[("--latency", true), ("--jitter", true), ("--link", true)])?;
            let latency_ms = parse_duration(o.required("--latency")?).map_err(|m| (o.col_of("--latency"), m))?;
            let jitter_ms = match o.value("--jitter") {
                Some(j) => Some(parse_duration(j).map_err(|m| (o.col_of("--jitter"), m))?),
                None => None,
            };
            if latency_ms > 10_000 {
                return Err((o.col_of("--latency"), "--latency is at most 10s".into()));
            }
            let link = match o.value("--link") {
                None => None,
                Some(spec) => {
                    let col = o.col_of("--link");
                    let end = |s: &str| match s {
                        "controller" => Ok(LinkEnd::Controller),
                        _ => s.parse().map(LinkEnd::Broker).map_err(|_| {
                            (col, format!("--link takes A:B with broker ids or `controller` (e.g. 1:2), not `{spec}`"))
                        }),
                    };
                    let Some((a, b)) = spec.split_once(':') else {
                        return Err((col, format!("--link takes A:B, e.g. 1:2 or 1:controller, not `{spec}`")));
                    };
                    let (a, b) = (end(a)?, end(b)?);
                    if a == b {
                        return Err((col, "--link needs two different ends".into()));
                    }
                    Some((a, b))
                }
            };
            Command::Network { latency_ms, jitter_ms, link }
        }
        "advance" => {
            let (text, col) = args.positional_tok("a duration like 500ms, 10s or 2m")?;
            let ms = parse_duration(&text).map_err(|m| (col, m))?;
            if ms > 24 * 3_600_000 {
                return Err((col, "advance at most 24h at a time".into()));
            }
            Command::Advance(ms)
        }
        "step" => Command::Step,
        "ledger" => Command::Ledger,
        "help" => Command::Help,
        other => {
            let known = COMMANDS;
            let hint = suggest(other, &known).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
            return Err((first.col, format!("unknown command `{other}`{hint}; type `help` for the list")));
        }
    };
    args.finish()?;
    Ok(Some(cmd))
}

fn parse_topics(args: &mut Args) -> Result<Command, (usize, String)> {
    let mut spec = vec![
        ("--create", false),
        ("--describe", false),
        ("--alter", false),
        ("--list", false),
        ("--delete", false),
        ("--topic", true),
        ("--partitions", true),
        ("--replication-factor", true),
        ("--replica-assignment", true),
        ("--config", true),
        ("--if-exists", false),
        ("--if-not-exists", false),
        ("--exclude-internal", false),
    ];
    spec.extend(PartitionFilter::ALL.iter().map(|(_, f)| (*f, false)));
    let o = args.options(&spec)?;
    let actions: Vec<&str> =
        ["--create", "--describe", "--alter", "--list", "--delete"].into_iter().filter(|a| o.flag(a)).collect();
    if actions.len() != 1 {
        return Err((
            args.end_col,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete".into(),
        ));
    }
    let action = actions[0];
    // TopicCommandOptions.checkInvalidArgs: which options go with which action.
    let invalid = |opt: &str, allowed: &[&str]| -> Result<(), (usize, String)> {
        if o.flag(opt) && !allowed.contains(&action) {
            return Err((
                o.col_of(opt),
                format!("Option \"[{}]\" can't be used with option \"[{}]\"", &opt[2..], &action[2..]),
            ));
        }
        Ok(())
    };
    invalid("--config", &["--create"])?;
    invalid("--partitions", &["--alter", "--create"])?;
    invalid("--replication-factor", &["--create"])?;
    invalid("--replica-assignment", &["--create"])?;
    invalid("--if-exists", &["--alter", "--delete", "--describe"])?;
    invalid("--if-not-exists", &["--create"])?;
    invalid("--exclude-internal", &["--list", "--describe"])?;
    let filters: Vec<PartitionFilter> =
        PartitionFilter::ALL.iter().filter(|(_, f)| o.flag(f)).map(|(p, _)| *p).collect();
    for (_, f) in PartitionFilter::ALL.iter().filter(|(_, f)| o.flag(f)) {
        invalid(f, &["--describe"])?;
    }
    if filters.len() > 1 {
        return Err((args.end_col, "--describe takes at most one of the partition filters".into()));
    }
    match action {
        "--create" => {
            let topic = o.required("--topic")?.to_string();
            let assignment = match o.value("--replica-assignment") {
                None => None,
                Some(raw) => {
                    let col = o.col_of("--replica-assignment");
                    let mut parts = Vec::new();
                    for p in raw.split(',') {
                        let mut replicas = Vec::new();
                        for b in p.split(':') {
                            replicas.push(b.trim().parse::<u32>().map_err(|_| {
                                (
                                    col,
                                    format!(
                                        "--replica-assignment: `{b}` is not a broker id (expected e.g. 1:2:3,2:3:1)"
                                    ),
                                )
                            })?);
                        }
                        parts.push(replicas);
                    }
                    Some(parts)
                }
            };
            let partitions = o.num_opt("--partitions")?;
            let replication_factor = o.num_opt("--replication-factor")?;
            if assignment.is_some() && (partitions.is_some() || replication_factor.is_some()) {
                return Err((
                    o.col_of("--replica-assignment"),
                    "Option \"[replica-assignment]\" can't be used with option \"[partitions]\" or \"[replication-factor]\"".into(),
                ));
            }
            if partitions.is_some_and(|p| p > 1000) {
                return Err((o.col_of("--partitions"), "kafkascope models at most 1000 partitions per topic".into()));
            }
            let mut configs = Vec::new();
            for (v, col) in o.values("--config") {
                configs.push(split_kv(v).map_err(|m| (col, m))?);
            }
            Ok(Command::TopicsCreate {
                topic,
                partitions,
                replication_factor,
                assignment,
                configs,
                if_not_exists: o.flag("--if-not-exists"),
            })
        }
        "--describe" => Ok(Command::TopicsDescribe {
            topic: o.value("--topic").map(String::from),
            filter: filters.first().copied(),
            exclude_internal: o.flag("--exclude-internal"),
            if_exists: o.flag("--if-exists"),
        }),
        "--delete" => {
            Ok(Command::TopicsDelete { topic: o.required("--topic")?.to_string(), if_exists: o.flag("--if-exists") })
        }
        "--alter" => {
            let partitions: u32 = o.required_num("--partitions")?;
            if partitions > 1000 {
                return Err((o.col_of("--partitions"), "kafkascope models at most 1000 partitions per topic".into()));
            }
            Ok(Command::TopicsAlter {
                topic: o.required("--topic")?.to_string(),
                partitions,
                if_exists: o.flag("--if-exists"),
            })
        }
        _ => Ok(Command::TopicsList { exclude_internal: o.flag("--exclude-internal") }),
    }
}

/// `kafka-configs --alter|--describe`.
fn parse_configs(args: &mut Args) -> Result<Command, (usize, String)> {
    let o = args.options(&[
        ("--alter", false),
        ("--describe", false),
        ("--all", false),
        ("--entity-type", true),
        ("--entity-name", true),
        ("--entity-default", false),
        ("--add-config", true),
    ])?;
    if o.flag("--alter") == o.flag("--describe") {
        return Err((args.end_col, "Command must include exactly one action: --describe, --alter".into()));
    }
    let entity_type = match o.value("--entity-type") {
        Some(t @ ("topics" | "brokers")) => t,
        Some(other) => {
            return Err((
                o.col_of("--entity-type"),
                format!("entity type `{other}` is not modelled; use topics or brokers"),
            ))
        }
        None => return Err((args.end_col, "At least one entity type must be specified".into())),
    };
    if o.flag("--entity-default") && o.value("--entity-name").is_some() {
        return Err((
            o.col_of("--entity-default"),
            "Only one of --entity-name or --entity-default can be specified with each --entity-type".into(),
        ));
    }
    if o.flag("--entity-default") && entity_type == "topics" {
        return Err((o.col_of("--entity-default"), "--entity-default is not a valid option for topics".into()));
    }
    let broker = match (entity_type, o.value("--entity-name")) {
        ("brokers", Some(n)) => Some(n.parse::<u32>().map_err(|_| {
            (
                o.col_of("--entity-name"),
                format!("The entity name for brokers must be a valid integer broker id, found: {n}"),
            )
        })?),
        _ => None,
    };
    if o.flag("--describe") {
        if o.value("--add-config").is_some() {
            return Err((
                o.col_of("--add-config"),
                "Option \"[add-config]\" can't be used with option \"[describe]\"".into(),
            ));
        }
        let entity = match entity_type {
            "topics" => ConfigEntity::Topics(o.value("--entity-name").map(String::from)),
            _ if o.flag("--entity-default") => ConfigEntity::BrokerDefault,
            _ => ConfigEntity::Brokers(broker),
        };
        return Ok(Command::ConfigsDescribe { entity, all: o.flag("--all") });
    }
    if o.flag("--all") {
        return Err((o.col_of("--all"), "Option \"[all]\" can't be used with option \"[alter]\"".into()));
    }
    let raw = o.required("--add-config")?;
    let mut configs = Vec::new();
    for kv in split_add_config(raw) {
        configs.push(split_kv(&kv).map_err(|m| (o.col_of("--add-config"), m))?);
    }
    if entity_type == "topics" {
        return Ok(Command::ConfigsAlter { topic: o.required("--entity-name")?.to_string(), configs });
    }
    if !o.flag("--entity-default") && broker.is_none() {
        return Err((
            args.end_col,
            "--entity-name or --entity-default must be specified with each --entity-type for --alter".into(),
        ));
    }
    Ok(Command::BrokerConfigsAlter { broker, configs })
}

/// `ConfigCommand.parseConfigsToBeAdded`: `K=V` pairs split at commas outside `[...]`; a value in
/// brackets is a list (`cleanup.policy=[compact,delete]`) and loses its brackets.
fn split_add_config(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in raw.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if v.starts_with('[') && v.ends_with(']') => format!("{k}={}", &v[1..v.len() - 1]),
            _ => kv,
        })
        .collect()
}

/// `500ms`, `10s`, `2m`, `1h`.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let err = || format!("`{s}` is not a duration: expected a number and a unit, like 500ms, 10s or 2m");
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else {
        return Err(err());
    };
    let n: u64 = num.parse().map_err(|_| err())?;
    n.checked_mul(mult).ok_or_else(err)
}

/// `5/s` or `5`: records per second.
fn parse_rate(s: &str) -> Result<u32, String> {
    let n = s.strip_suffix("/s").unwrap_or(s);
    match n.parse::<u32>() {
        Ok(r) if r <= 10_000_000 => Ok(r),
        _ => Err(format!("`{s}` is not a rate: expected records per second, like 5/s")),
    }
}

fn split_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

/// The closest known word within edit distance 3, for "did you mean".
pub fn suggest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().map(|k| (edit_distance(word, k), *k)).filter(|(d, _)| *d <= 3).min_by_key(|(d, _)| *d).map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A cursor over a command's words.
struct Args<'a> {
    tokens: &'a [Token],
    pos: usize,
    end_col: usize,
    tool: &'a str,
}

struct Opts {
    found: Vec<(String, Option<String>, usize)>,
    end_col: usize,
}

impl<'a> Args<'a> {
    fn new(tokens: &'a [Token], end_col: usize, tool: &'a str) -> Args<'a> {
        let end_col = tokens.last().map_or(end_col, |t| t.col + t.text.chars().count());
        Args { tokens, pos: 0, end_col, tool }
    }

    fn positional_tok(&mut self, what: &str) -> Result<(String, usize), (usize, String)> {
        match self.tokens.get(self.pos) {
            Some(t) if !t.text.starts_with("--") => {
                self.pos += 1;
                Ok((t.text.clone(), t.col))
            }
            Some(t) => Err((t.col, format!("expected {what}, found `{}`", t.text))),
            None => Err((self.end_col + 1, format!("expected {what}"))),
        }
    }

    fn positional(&mut self, what: &str) -> Result<String, (usize, String)> {
        self.positional_tok(what).map(|(t, _)| t)
    }

    fn positional_num<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, (usize, String)> {
        let (t, col) = self.positional_tok(what)?;
        t.parse().map_err(|_| (col, format!("expected {what}, found `{t}`")))
    }

    fn word(&mut self, allowed: &[&str]) -> Result<String, (usize, String)> {
        let list = allowed.join(", ");
        let (t, col) = self.positional_tok(&format!("one of: {list}"))?;
        if allowed.contains(&t.as_str()) {
            Ok(t)
        } else {
            let hint = suggest(&t, allowed).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
            Err((col, format!("unknown {} action `{t}`{hint}; expected one of: {list}", self.tool)))
        }
    }

    /// Reads `--name [value]` pairs to the end. `--bootstrap-server X` is accepted and ignored.
    fn options(&mut self, spec: &[(&str, bool)]) -> Result<Opts, (usize, String)> {
        let mut found = Vec::new();
        while let Some(t) = self.tokens.get(self.pos) {
            self.pos += 1;
            let (name, inline) = match t.text.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (t.text.clone(), None),
            };
            if name == "--bootstrap-server" {
                if inline.is_none() {
                    self.pos += 1;
                }
                continue;
            }
            if !name.starts_with("--") {
                return Err((t.col, format!("unexpected `{}`: options start with --", t.text)));
            }
            let Some(&(_, takes_value)) = spec.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = spec.iter().map(|(n, _)| *n).collect();
                let hint = suggest(&name, &names).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                return Err((t.col, format!("unknown option `{name}` for {}{hint}", self.tool)));
            };
            let value = if takes_value {
                match inline {
                    Some(v) => Some(v),
                    None => match self.tokens.get(self.pos) {
                        Some(v) if !v.text.starts_with("--") || v.text.parse::<i64>().is_ok() => {
                            self.pos += 1;
                            Some(v.text.clone())
                        }
                        _ => return Err((t.col + t.text.chars().count() + 1, format!("option {name} needs a value"))),
                    },
                }
            } else {
                if inline.is_some() {
                    return Err((t.col, format!("option {name} takes no value")));
                }
                None
            };
            found.push((name, value, t.col));
        }
        Ok(Opts { found, end_col: self.end_col })
    }

    fn finish(&self) -> Result<(), (usize, String)> {
        match self.tokens.get(self.pos) {
            Some(t) => Err((t.col, format!("unexpected `{}`", t.text))),
            None => Ok(()),
        }
    }
}

impl Opts {
    fn flag(&self, name: &str) -> bool {
        self.found.iter().any(|(n, _, _)| n == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.found.iter().rev().find(|(n, _, _)| n == name).and_then(|(_, v, _)| v.as_deref())
    }

    fn values(&self, name: &str) -> Vec<(&str, usize)> {
        self.found.iter().filter(|(n, _, _)| n == name).filter_map(|(_, v, c)| v.as_deref().map(|v| (v, *c))).collect()
    }

    fn col_of(&self, name: &str) -> usize {
        self.found.iter().find(|(n, _, _)| n == name).map_or(self.end_col, |(_, _, c)| *c)
    }

    fn required(&self, name: &str) -> Result<&str, (usize, String)> {
        self.value(name).ok_or_else(|| (self.end_col + 1, format!("missing required option {name}")))
    }

    fn required_num<T: std::str::FromStr>(&self, name: &str) -> Result<T, (usize, String)> {
        let v = self.required(name)?;
        v.parse().map_err(|_| (self.col_of(name), format!("{name} takes a whole number, not `{v}`")))
    }

    fn num_opt<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, (usize, String)> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => {
                v.parse().map(Some).map_err(|_| (self.col_of(name), format!("{name} takes a whole number, not `{v}`")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kafka_tool_forms() {
        let c = parse_line("bin/kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2")
            .unwrap()
            .unwrap();
        assert_eq!(
            c,
            Command::TopicsCreate {
                topic: "orders".into(),
                partitions: Some(3),
                replication_factor: Some(3),
                assignment: None,
                configs: vec![("min.insync.replicas".into(), "2".into())],
                if_not_exists: false,
            }
        );
        let c = parse_line("kafka-topics --create --topic t --replica-assignment 2:1:3,1:3:2").unwrap().unwrap();
        assert!(
            matches!(c, Command::TopicsCreate { assignment: Some(a), .. } if a == vec![vec![2, 1, 3], vec![1, 3, 2]])
        );
        assert_eq!(parse_line("advance 2m").unwrap(), Some(Command::Advance(120_000)));
        assert_eq!(parse_line("  # just a comment").unwrap(), None);
        assert_eq!(parse_line("broker kill 2 # crash it").unwrap(), Some(Command::BrokerKill(2)));
        assert_eq!(parse_line("rack kill a").unwrap(), Some(Command::RackKill("a".into())));
        assert_eq!(parse_line("rack start us-east-1b").unwrap(), Some(Command::RackStart("us-east-1b".into())));
        assert!(parse_line("rack explode a").unwrap_err().1.contains("expected one of: kill, start"));
        assert!(parse_line("rack kill").unwrap_err().1.contains("rack name"));
        assert_eq!(parse_line("broker kill 2 --power-loss").unwrap(), Some(Command::BrokerPowerLoss(2)));
    }

    /// `--power-loss` belongs to `broker kill` only and takes no value; another option is named.
    #[test]
    fn power_loss_forms() {
        let e = parse_line("broker kill 2 --power").unwrap_err();
        assert!(e.1.contains("unknown option `--power` for broker"), "{}", e.1);
        let e = parse_line("broker stop 2 --power-loss").unwrap_err();
        assert!(e.1.contains("unexpected `--power-loss`"), "{}", e.1);
        let e = parse_line("broker kill 2 --power-loss=yes").unwrap_err();
        assert!(e.1.contains("takes no value"), "{}", e.1);
        let e = parse_line("broker kill --power-loss").unwrap_err();
        assert!(e.1.contains("expected a broker id"), "{}", e.1);
    }

    #[test]
    fn errors_name_column_and_suggest() {
        let e = parse_script("seed 1\nkafka-topics --create --topic orders --partitons 3").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.col, 38);
        assert_eq!(
            e.to_string(),
            "line 2, col 38: unknown option `--partitons` for kafka-topics (did you mean `--partitions`?)"
        );
        let e = parse_line("brokr kill 1").unwrap_err();
        assert!(e.1.contains("did you mean `broker`"), "{}", e.1);
        let e = parse_line("advance 10").unwrap_err();
        assert!(e.1.contains("like 500ms"), "{}", e.1);
        assert!(parse_line("produce --topic 'unterminated").is_err());
    }
}

//! Applying commands to the model and printing Kafka's output formats. A `Session` is what the
//! headless runner, the console and the UI's clicks all drive.

use crate::audit::ledger::Delivery;
use crate::clients::consumer::{consumer_config, CommitMode};
use crate::clients::producer::{producer_config, KeySpec};
use crate::cluster::journal::format_time;
use crate::cluster::net::{Event, Payload, Timer};
use crate::cluster::sim::Sim;
use crate::coordinators::txn::TxnClientState;
use crate::model::*;
use crate::session::command::{parse_script, Command, LinkEnd, ParseError, ScriptLine, TxnAction};
use crate::session::{groups, tools, topics};

pub const DEFAULT_SEED: u64 = 1;

/// The trace format. 2: moot timers (a timeout whose answer came) are dropped from the event
/// queue instead of firing, so the events a command is placed after are counted without them.
/// Format 1 (no `format` field) counted them.
/// 3: the KRaft quorum (controllers elect a leader and replicate the metadata log; brokers fetch
/// it), which changes every run's timing.
/// 4: each command is written as its script line (`Command::to_line`, read back by `parse_line`),
/// the form people and tools write, instead of a JSON rendering of the command's fields.
pub const TRACE_FORMAT: u32 = 4;

fn first_trace_format() -> u32 {
    1
}

fn default_controllers() -> u32 {
    crate::cluster::sim::DEFAULT_CONTROLLERS
}

fn is_default_controllers(c: &u32) -> bool {
    *c == crate::cluster::sim::DEFAULT_CONTROLLERS
}
pub const DEFAULT_BROKERS: u32 = 3;

#[derive(Clone, Debug)]
pub struct Session {
    pub sim: Sim,
    /// Journal entries already shown.
    pub journal_seen: usize,
    /// Whether any command other than `seed`/`cluster` ran (they must come first).
    started: bool,
    brokers: u32,
    racks: Vec<String>,
    controllers: u32,
    /// Every command applied after `seed`/`cluster`, with the virtual time it was applied at:
    /// with the seed and broker count, this reproduces the session exactly (`Trace`).
    pub history: Vec<TimedCommand>,
    /// Records of earlier commands whose outcome is still to be reported (`execute_interactive`).
    watches: Vec<Watch>,
}

/// The records one interactive `produce` sent, reported one by one as they are acked or fail.
#[derive(Clone, Debug)]
struct Watch {
    /// Index into `history` of the command that sent them.
    command: usize,
    first: u64,
    /// Whether the outcome of each record was reported.
    reported: Vec<bool>,
    /// Every record before this index was reported (where the next call starts looking).
    next: usize,
}

/// An outcome of an earlier command, reported when it happens: one line per record of a
/// `produce` run by `Session::execute_interactive`, in Kafka's console-producer form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Index into `Session::history` (and the trace's commands) of the command it belongs to.
    pub command: usize,
    /// Which record of that command (0-based): with `command`, a key that names the report once,
    /// so a view that rebuilds a session from a snapshot can drop what it already showed.
    pub record: usize,
    /// `Partition:P<TAB>Offset:O`, or `Error: CODE` when the producer gave up.
    pub line: String,
    pub error: bool,
}

/// A command and the exact point it was applied at: the virtual time and how many events had been
/// dispatched (a command can fall between two events of the same millisecond).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimedCommand {
    pub at_ms: Millis,
    pub events: u64,
    /// Written as its script line: `"produce --topic orders --count 3"`.
    #[serde(with = "command_line")]
    pub command: Command,
    /// Whether it applied. A command that failed changed nothing: replays keep it (it fails the
    /// same way again), the script export leaves it out. Traces from before this field read as
    /// applied.
    #[serde(default = "applied_by_default", skip_serializing_if = "is_true")]
    pub applied: bool,
}

/// A command in a trace is its script line, in the one command vocabulary.
mod command_line {
    use crate::session::command::{parse_line, Command};
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(command: &Command, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&command.to_line())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Command, D::Error> {
        let line = String::deserialize(d)?;
        match parse_line(&line) {
            Ok(Some(command)) => Ok(command),
            Ok(None) => Err(D::Error::custom(format!("{line:?} is not a command"))),
            Err((col, why)) => Err(D::Error::custom(format!("{line:?}, column {col}: {why}"))),
        }
    }
}

fn applied_by_default() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A session, exportable as JSON and replayable: seed, cluster size, the timed command log, and
/// (for checking a replay and for reading) the journal it produced.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trace {
    /// How the commands' points in the event stream were counted (`TRACE_FORMAT`). A trace of
    /// another format replays differently, so share links and saved sessions refuse it.
    #[serde(default = "first_trace_format")]
    pub format: u32,
    pub seed: u64,
    pub brokers: u32,
    /// `cluster --racks`: the racks its brokers were given, round-robin (none: no racks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub racks: Vec<String>,
    /// `cluster --controllers C`.
    #[serde(default = "default_controllers", skip_serializing_if = "is_default_controllers")]
    pub controllers: u32,
    pub commands: Vec<TimedCommand>,
    pub end_ms: Millis,
    /// What the run produced, for reading and for checking a replay (`kafkascope trace` prints
    /// it). Reading a trace leaves it empty (the page never needs it: it replays), so the page
    /// carries no code to read journal entries; `RecordedTrace` reads it back.
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub journal: Vec<crate::cluster::journal::JournalEntry>,
}

/// A trace with its journal, as `kafkascope trace` prints it and `kafkascope replay` checks it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct RecordedTrace {
    #[serde(flatten)]
    pub trace: Trace,
    #[serde(default)]
    pub journal: Vec<crate::cluster::journal::JournalEntry>,
}

impl RecordedTrace {
    /// The trace with its journal in place.
    pub fn into_trace(self) -> Trace {
        Trace { journal: self.journal, ..self.trace }
    }
}

/// What one command printed. `error` is set when it did not apply (the model is unchanged).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub lines: Vec<String>,
    pub error: bool,
}

impl Output {
    fn err(msg: impl Into<String>) -> Output {
        Output { lines: vec![msg.into()], error: true }
    }

    /// A client's exception (`Error: ` and its first line, then any `Caused by:` lines).
    fn client_error(msg: &str) -> Output {
        let lines =
            msg.lines().enumerate().map(|(i, l)| if i == 0 { format!("Error: {l}") } else { l.to_string() }).collect();
        Output { lines, error: true }
    }
}

/// A tool's output as the command's result: its lines, refused (nothing changed) when it failed.
fn result(o: Output) -> Result<Vec<String>, Output> {
    if o.error {
        Err(o)
    } else {
        Ok(o.lines)
    }
}

/// The arguments of a tool command as `ConfigCommand` echoes them in an error (the canonical
/// form of the command, without `--bootstrap-server`).
fn args(cmd: &Command) -> String {
    let line = cmd.to_line();
    line.split_once(' ').map(|(_, rest)| rest.to_string()).unwrap_or_default()
}

impl Session {
    pub fn new(seed: u64) -> Session {
        Session::with_brokers(seed, DEFAULT_BROKERS)
    }

    pub fn with_brokers(seed: u64, brokers: u32) -> Session {
        Session::with_cluster(seed, brokers, &[], crate::cluster::sim::DEFAULT_CONTROLLERS)
    }

    /// `cluster --brokers N --racks R1,R2,...`: broker b on rack `racks[(b - 1) % len]`.
    pub fn with_cluster(seed: u64, brokers: u32, racks: &[String], controllers: u32) -> Session {
        let sim = Sim::with_quorum(seed, brokers, racks, controllers);
        let seen = sim.journal.len();
        Session {
            sim,
            journal_seen: seen,
            started: false,
            brokers,
            racks: racks.to_vec(),
            controllers,
            history: Vec::new(),
            watches: Vec::new(),
        }
    }

    /// The racks the session's brokers were given (`cluster --racks`; empty: none).
    /// How many KRaft controllers the session's cluster was started with.
    pub fn controllers(&self) -> u32 {
        self.controllers
    }

    pub fn racks(&self) -> &[String] {
        &self.racks
    }

    /// The session a trace starts from (its seed and cluster), before any of its commands.
    pub fn for_trace(trace: &Trace) -> Session {
        Session::with_cluster(trace.seed, trace.brokers, &trace.racks, trace.controllers)
    }

    /// Runs a whole script silently and returns the session (for traces, tests and the app).
    pub fn run_script_session(src: &str) -> Result<Session, ParseError> {
        Session::run_lines(src, |_, _| {})
    }

    /// Runs a whole script and returns the runner's output, or the parse error (nothing ran).
    pub fn run_script(src: &str) -> Result<String, ParseError> {
        let mut out = String::new();
        Session::run_lines(src, |line, o| {
            out.push_str("> ");
            out.push_str(&line.text);
            out.push('\n');
            for l in o.lines {
                out.push_str(&l);
                out.push('\n');
            }
        })?;
        Ok(out)
    }

    /// Parses a script (all or nothing), starts the session its `seed` names, and runs each line,
    /// handing every line and its output to `each`.
    fn run_lines(src: &str, mut each: impl FnMut(&ScriptLine, Output)) -> Result<Session, ParseError> {
        let lines = parse_script(src)?;
        let seed = match lines.first() {
            Some(ScriptLine { command: Command::Seed(s), .. }) => *s,
            _ => DEFAULT_SEED,
        };
        let mut session = Session::new(seed);
        for l in &lines {
            let o = session.execute(&l.command);
            each(l, o);
        }
        Ok(session)
    }

    /// Applies one command; its output lines are followed by the narration of what happened.
    pub fn execute(&mut self, cmd: &Command) -> Output {
        let at_ms = self.sim.now();
        let events = self.sim.net.processed;
        let journal = self.sim.journal.len();
        let mut out = self.apply(cmd);
        if !matches!(cmd, Command::Seed(_) | Command::Cluster { .. } | Command::Help) {
            self.started = true;
            // A command that reports an error but moved time or left a journal entry did apply
            // in part (a transactional `producer start` whose initTransactions() timed out).
            let applied = !out.error || self.sim.net.processed != events || self.sim.journal.len() != journal;
            self.history.push(TimedCommand { at_ms, events, command: cmd.clone(), applied });
        }
        for e in self.sim.journal.iter_from(self.journal_seen) {
            if let Some(text) = self.sim.narrate(e) {
                out.lines.push(format!("[{}] {text}", format_time(e.at_ms)));
            }
        }
        self.journal_seen = self.sim.journal.len();
        out
    }

    /// Applies a command typed in the console or clicked: like `execute`, except that `produce`
    /// never waits (it is applied, and recorded, as `produce ... --async`) and virtual time does
    /// not move for it. The outcome of each record it sent is reported later by `take_reports`,
    /// as it happens.
    pub fn execute_interactive(&mut self, cmd: &Command) -> Output {
        let Command::Produce { count, .. } = cmd else { return self.execute(cmd) };
        let mut sent = cmd.clone();
        if let Command::Produce { wait, .. } = &mut sent {
            *wait = false;
        }
        let first = self.sim.ledger.next_id().0;
        let out = self.execute(&sent);
        if !out.error {
            let n = (self.sim.ledger.next_id().0 - first).min(*count as u64) as usize;
            self.watches.push(Watch { command: self.history.len() - 1, first, reported: vec![false; n], next: 0 });
        }
        out
    }

    /// The outcomes that happened since the last call, of the records sent by earlier
    /// `execute_interactive` produces: one `Report` per record acked or failed, in record order.
    /// Call it after running the model (every frame); a record still pending is reported later.
    pub fn take_reports(&mut self) -> Vec<Report> {
        let mut out = Vec::new();
        let ledger = &self.sim.ledger;
        for w in &mut self.watches {
            let (first, n) = (w.first, w.reported.len());
            let batch = || (0..n).filter_map(move |i| ledger.get(RecordId(first + i as u64)));
            // How many of the batch expired on each partition: counted once, when one is reported.
            let mut expired: Option<Vec<(Tp, Delivery, usize)>> = None;
            for i in w.next..n {
                if w.reported[i] {
                    continue;
                }
                let id = RecordId(first + i as u64);
                let Some(e) = ledger.get(id) else {
                    // Summarized away before this frame saw it (long out of reach): nothing to say.
                    w.reported[i] = id < ledger.base();
                    continue;
                };
                if e.state == Delivery::Pending {
                    continue;
                }
                w.reported[i] = true;
                let timeout = self.sim.producers.get(e.producer as usize).map_or(0, |p| p.config.delivery_timeout_ms);
                let counts = expired.get_or_insert_with(|| expiry_counts(batch()));
                let line = delivery_line(&self.sim, e, counts, timeout);
                let error = matches!(e.state, Delivery::Failed(_));
                out.push(Report { command: w.command, record: i, line, error });
            }
            while w.next < n && w.reported[w.next] {
                w.next += 1;
            }
        }
        self.watches.retain(|w| w.next < w.reported.len());
        out
    }

    pub fn trace(&self) -> Trace {
        Trace {
            format: TRACE_FORMAT,
            seed: self.sim.seed,
            brokers: self.brokers,
            racks: self.racks.clone(),
            controllers: self.controllers,
            commands: self.history.clone(),
            end_ms: self.sim.now(),
            journal: self.sim.journal.to_vec(),
        }
    }

    /// Rebuilds a session from a trace's seed and commands, up to `until` (or the trace's end).
    /// The result is the same state, event for event: the model is deterministic.
    pub fn replay(trace: &Trace, until: Option<Millis>) -> Session {
        let until = until.unwrap_or(trace.end_ms);
        let mut s = Session::for_trace(trace);
        for c in &trace.commands {
            if c.at_ms > until {
                break;
            }
            s.sim.run_to_point(c.events, c.at_ms);
            s.execute(&c.command);
        }
        s.sim.run_until(until.max(s.sim.now()));
        s.journal_seen = s.sim.journal.len();
        s
    }

    /// The topic a simulator verb names (`producer start`, `produce`, `consumer start` …).
    fn topic_id(&self, name: &str, _tool: &str) -> Result<TopicId, Output> {
        self.sim.topic_by_name(name).ok_or_else(|| {
            Output::err(format!("Error: Topic {name} does not exist (kafkascope does not auto-create topics)."))
        })
    }

    /// commitTransaction()/abortTransaction() block: run virtual time until the producer is Ready
    /// again (done) or failed, at most `max.block.ms` (60 s).
    fn wait_for_transaction(&mut self, idx: ProducerIdx, commit: bool) -> Vec<String> {
        let block = self.sim.producers[idx as usize].config.max_block_ms;
        let deadline = self.sim.now() + block;
        let state = |s: &Sim| s.producers[idx as usize].txn.as_ref().map(|t| t.state);
        let busy = |st| matches!(st, Some(TxnClientState::Committing | TxnClientState::Aborting));
        while busy(state(&self.sim)) && self.sim.now() <= deadline {
            if self.sim.step().is_none() {
                break;
            }
        }
        let tid = self.sim.producers[idx as usize].txn.as_ref().map(|t| self.sim.interner.get(t.tid).to_string());
        let tid = tid.unwrap_or_default();
        match state(&self.sim) {
            Some(TxnClientState::Ready) if commit => vec![format!("Transaction {tid} committed.")],
            Some(TxnClientState::Ready) => vec![format!("Transaction {tid} aborted.")],
            Some(TxnClientState::AbortableError(e)) => vec![format!(
                "Error: KafkaException: the transaction cannot commit ({}); abort it with `transaction abort --producer {}`.",
                e.name(),
                self.sim.producers[idx as usize].name
            )],
            Some(TxnClientState::Fatal(e)) => vec![crate::coordinators::txn::fenced_text(&tid, e)],
            _ => vec![format!(
                "Error: org.apache.kafka.common.errors.TimeoutException: Timeout expired after {block}ms while awaiting {}",
                if commit { "EndTxn(true)" } else { "EndTxn(false)" }
            )],
        }
    }

    fn apply(&mut self, cmd: &Command) -> Output {
        match self.apply_inner(cmd) {
            Ok(lines) => Output { lines, error: false },
            Err(o) => o,
        }
    }

    fn apply_inner(&mut self, cmd: &Command) -> Result<Vec<String>, Output> {
        let sim = &mut self.sim;
        let e = |r: Result<(), String>| r.map_err(Output::err);
        match cmd {
            Command::Seed(s) => {
                if self.started {
                    return Err(Output::err("Error: `seed` must come before any other command."));
                }
                *self = Session::with_cluster(*s, self.brokers, &self.racks.clone(), self.controllers);
                Ok(vec![])
            }
            Command::Cluster { brokers, racks, controllers } => {
                if self.started {
                    return Err(Output::err("Error: `cluster` must come before any other command (after `seed`)."));
                }
                let seed = sim.seed;
                *self = Session::with_cluster(seed, *brokers, racks, *controllers);
                Ok(vec![])
            }
            Command::Controller(verb, id) => {
                use crate::session::command::ControllerVerb::*;
                e(match verb {
                    Kill => sim.kill_controller(*id),
                    Start => sim.start_controller(*id),
                    Stop => sim.stop_controller(*id),
                    Isolate => sim.isolate_controller(*id),
                    Heal => sim.heal_controller(*id),
                })
                .map(|_| vec![])
            }
            Command::MetadataQuorum { replication } => {
                result(crate::session::tools::metadata_quorum(sim, *replication))
            }
            Command::Reassign { action, json, broker_list, throttle, disable_rack_aware, preserve_throttles } => {
                result(crate::session::reassign::run(
                    sim,
                    *action,
                    json.as_deref(),
                    broker_list.as_deref(),
                    *throttle,
                    *disable_rack_aware,
                    *preserve_throttles,
                ))
            }
            Command::BrokerStartOnRack(b, rack) => e(sim.start_broker_on_rack(*b, Some(rack))).map(|_| vec![]),
            Command::TopicsCreate { topic, partitions, replication_factor, assignment, configs, if_not_exists } => {
                let o = topics::create(
                    sim,
                    topic,
                    *partitions,
                    *replication_factor,
                    assignment.clone(),
                    configs,
                    *if_not_exists,
                );
                result(o)
            }
            Command::TopicsDescribe { topic, filter, exclude_internal, if_exists } => {
                result(topics::describe(sim, topic.as_deref(), *filter, *exclude_internal, *if_exists))
            }
            Command::TopicsList { exclude_internal } => Ok(topics::list(sim, *exclude_internal)),
            Command::TopicsDelete { topic, if_exists } => result(topics::delete(sim, topic, *if_exists)),
            Command::TopicsAlter { topic, partitions, if_exists } => {
                result(topics::alter(sim, topic, *partitions, *if_exists))
            }
            Command::BrokerConfigsAlter { broker, configs } => {
                result(topics::alter_broker_configs(sim, *broker, configs, &args(cmd)))
            }
            Command::ConfigsAlter { topic, configs } => {
                result(topics::alter_topic_configs(sim, topic, configs, &args(cmd)))
            }
            Command::ConfigsDescribe { entity, all } => result(topics::describe_configs(sim, entity, *all, &args(cmd))),
            Command::LeaderElection { election, topic, partition } => {
                result(tools::leader_election(sim, *election, topic.as_deref(), *partition))
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
                let t = self.topic_id(topic, "consumer")?;
                let start = tools::ConsoleStart::new(*from_beginning, *partition, offset.as_deref());
                result(tools::console_consume(&self.sim, t, start, *max_messages, properties, *read_committed))
            }
            Command::GetOffsets { topic, time } => result(tools::get_offsets(sim, topic.as_deref(), time.as_deref())),
            Command::LogDirs { brokers } => result(crate::session::logtools::log_dirs(sim, brokers.as_deref())),
            Command::DumpLog { file, broker, print_data } => {
                result(crate::session::logtools::dump_log(sim, file, *broker, *print_data))
            }
            Command::DeleteRecords(json) => result(crate::session::logtools::delete_records(sim, json)),
            Command::ProducerDescribe(name) => {
                let idx = sim
                    .producer_by_name(name)
                    .filter(|&i| !sim.producers[i as usize].removed)
                    .ok_or_else(|| Output::err(format!("Error: no producer named {name}.")))?;
                let p = &sim.producers[idx as usize];
                Ok(crate::clients::producer::producer_values(sim, &p.name, &p.config))
            }
            Command::ConsumerDescribe(id) => {
                let idx = sim
                    .consumer_by_id(id)
                    .filter(|&i| !sim.consumers[i as usize].removed)
                    .ok_or_else(|| Output::err(format!("Error: no consumer with client id {id}.")))?;
                Ok(crate::clients::consumer::consumer_values(sim, &sim.consumers[idx as usize]))
            }
            Command::BrokerKill(b) => e(sim.kill_broker(*b)).map(|_| vec![]),
            Command::RackKill(r) => e(sim.kill_rack(r)).map(|_| vec![]),
            Command::RackStart(r) => e(sim.start_rack(r)).map(|_| vec![]),
            Command::BrokerPowerLoss(b) => e(sim.power_loss(*b)).map(|_| vec![]),
            Command::BrokerStart(b) => e(sim.start_broker(*b)).map(|_| vec![]),
            Command::BrokerStop(b) => e(sim.stop_broker(*b)).map(|_| vec![]),
            Command::BrokerIsolate(b) => e(sim.isolate_broker(*b)).map(|_| vec![]),
            Command::BrokerHeal(b) => e(sim.heal_broker(*b)).map(|_| vec![]),
            Command::BrokerRemove(b) => e(sim.remove_broker(*b)).map(|_| vec![]),
            Command::ProducerStart { name, topic, rate, keys, props, wait } => {
                let topic = match topic {
                    Some(t) => Some(self.topic_id(t, "producer")?),
                    None => None,
                };
                let config = producer_config(props).map_err(|m| Output::client_error(&m))?;
                let notes = crate::clients::producer::config_notes(crate::configs::client::PRODUCER, props);
                if config.transactional_id.is_some() && *rate > 0 {
                    return Err(Output::err(
                        "Error: a transactional producer sends inside transactions: use `transaction begin`, `produce --producer NAME`, `transaction commit` (or `processor start`), not --rate.",
                    ));
                }
                let keys = match keys {
                    None => KeySpec::Null,
                    Some(ks) => KeySpec::Keys(ks.iter().map(|k| self.sim.interner.intern(k)).collect()),
                };
                let idx = self.sim.start_producer(name, topic, *rate, keys, config).map_err(Output::err)?;
                if *wait && self.sim.producers[idx as usize].txn.is_some() {
                    // initTransactions() blocks (up to max.block.ms).
                    let block = self.sim.producers[idx as usize].config.max_block_ms;
                    let deadline = self.sim.now() + block;
                    let initializing = |s: &Sim| {
                        s.producers[idx as usize].txn.as_ref().is_some_and(|t| t.state == TxnClientState::Initializing)
                    };
                    while initializing(&self.sim) && self.sim.now() <= deadline {
                        if self.sim.step().is_none() {
                            break;
                        }
                    }
                    if initializing(&self.sim) {
                        return Err(Output::err(format!("Error: org.apache.kafka.common.errors.TimeoutException: Timeout expired after {block}ms while awaiting InitProducerId")));
                    }
                }
                Ok(notes)
            }
            Command::Transaction { action, producer, wait } => {
                let idx = sim
                    .producer_by_name(producer)
                    .ok_or_else(|| Output::err(format!("Error: no producer named {producer}.")))?;
                match action {
                    TxnAction::Begin => e(sim.begin_transaction(idx))?,
                    TxnAction::Commit | TxnAction::Abort => {
                        let commit = *action == TxnAction::Commit;
                        e(sim.end_transaction(idx, commit))?;
                        if *wait {
                            return Ok(self.wait_for_transaction(idx, commit));
                        }
                    }
                }
                Ok(vec![])
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
                let mut ids = Vec::new();
                for t in inputs {
                    ids.push(self.topic_id(t, "consumer")?);
                }
                let out = self.topic_id(output, "producer")?;
                if ids.contains(&out) {
                    return Err(Output::err("Error: a processor's output topic must differ from its inputs."));
                }
                let mut cconfig = consumer_config(consumer_props).map_err(|m| Output::client_error(&m))?;
                if let Some(ms) = processing_ms {
                    cconfig.processing_ms = *ms;
                }
                let pconfig = producer_config(producer_props).map_err(|m| Output::client_error(&m))?;
                e(self.sim.start_processor(name, group, &ids, out, *exactly_once, cconfig, pconfig))?;
                Ok(vec![])
            }
            Command::ProcessorStop(name) | Command::ProcessorKill(name) => {
                e(sim.stop_processor(name, matches!(cmd, Command::ProcessorKill(_))))?;
                Ok(vec![])
            }
            Command::ProcessorRemove(name) => e(sim.remove_processor(name)).map(|_| vec![]),
            Command::ProducerRemove(name) => {
                let idx = sim
                    .producer_by_name(name)
                    .ok_or_else(|| Output::err(format!("Error: no producer named {name}.")))?;
                e(sim.remove_producer(idx)).map(|_| vec![])
            }
            Command::ConsumerRemove(id) => {
                let idx = sim
                    .consumer_by_id(id)
                    .ok_or_else(|| Output::err(format!("Error: no consumer with client id {id}.")))?;
                e(sim.remove_consumer(idx)).map(|_| vec![])
            }
            Command::TransactionsList => Ok(tools::transactions_list(&self.sim)),
            Command::TransactionsDescribe(tid) => result(tools::describe_transaction(&self.sim, tid)),
            Command::ProducerStop(name) | Command::ProducerKill(name) => {
                let idx = sim
                    .producer_by_name(name)
                    .ok_or_else(|| Output::err(format!("Error: no producer named {name}.")))?;
                e(sim.stop_producer(idx, matches!(cmd, Command::ProducerKill(_))))?;
                Ok(vec![])
            }
            Command::Produce { topic, key, value, tombstone, partition, count, producer, wait } => {
                let t = self.topic_id(topic, "produce")?;
                let parts = self.sim.topic(t).partitions;
                if let Some(p) = partition.filter(|&p| p >= parts) {
                    return Err(Output::err(format!(
                        "Error: partition {p} does not exist: topic {topic} has partitions 0..{}.",
                        parts - 1
                    )));
                }
                let idx = match producer {
                    Some(name) => self
                        .sim
                        .producer_by_name(name)
                        .ok_or_else(|| Output::err(format!("Error: no producer named {name}.")))?,
                    None => self.sim.default_producer(),
                };
                let ids = e(self
                    .sim
                    .produce(idx, t, key.as_deref(), value.as_deref(), *tombstone, *partition, *count)
                    .map(|_| ()))
                .map(|_| ());
                ids?;
                if !*wait {
                    return Ok(vec![]);
                }
                // Like send().get(): run virtual time until each record is acked or failed.
                let first = RecordId(self.sim.ledger.next_id().0 - *count as u64);
                self.sim.ledger.pin(first); // read back below: not summarized meanwhile
                let cfg = &self.sim.producers[idx as usize].config;
                let deadline = self.sim.now() + cfg.delivery_timeout_ms + cfg.request_timeout_ms;
                // Records settle for good (acked or failed), so the first unsettled one only moves on.
                let mut unsettled = first;
                let pending = |s: &Sim, at: &mut RecordId| {
                    while let Some(e) = s.ledger.get(*at) {
                        if e.state == Delivery::Pending {
                            return true;
                        }
                        at.0 += 1;
                    }
                    false
                };
                while pending(&self.sim, &mut unsettled) && self.sim.now() <= deadline {
                    if self.sim.step().is_none() {
                        break;
                    }
                }
                let delivery_timeout = self.sim.producers[idx as usize].config.delivery_timeout_ms;
                let counts = expiry_counts(self.sim.ledger.since(first));
                let lines = self
                    .sim
                    .ledger
                    .since(first)
                    .map(|e| delivery_line(&self.sim, e, &counts, delivery_timeout))
                    .collect();
                self.sim.ledger.unpin();
                Ok(lines)
            }
            Command::Network { latency_ms, jitter_ms, link } => {
                let jitter = jitter_ms.unwrap_or(latency_ms / 5);
                match link {
                    None => sim.set_network_latency(*latency_ms, jitter),
                    Some((a, b)) => {
                        // `controller` names every controller: the link to the quorum.
                        let nodes = |e: &LinkEnd| match e {
                            LinkEnd::Broker(id) => vec![Node::Broker(*id)],
                            LinkEnd::Controller => sim.quorum.voters().into_iter().map(Node::Controller).collect(),
                        };
                        let (na, nb) = (nodes(a), nodes(b));
                        let before = sim.net.link_latency.clone();
                        for &x in &na {
                            for &y in &nb {
                                if x != y {
                                    if let Err(err) = sim.set_link_latency(x, y, *latency_ms, jitter) {
                                        sim.net.link_latency = before.clone();
                                        e(Err(err))?;
                                    }
                                }
                            }
                        }
                    }
                }
                Ok(vec![])
            }
            Command::Advance(ms) => {
                sim.run_for(*ms);
                Ok(vec![])
            }
            Command::Step => {
                let what = sim.net.peek_next().map(|ev| describe_queued(sim, &ev));
                match (sim.step(), what) {
                    (Some(t), Some(what)) => Ok(vec![format!("[{}] {what}", format_time(t))]),
                    _ => Ok(vec!["Nothing is scheduled.".to_string()]),
                }
            }
            Command::Ledger => Ok(ledger_lines(&self.sim)),
            Command::ConsumerStart { client_id, group, topics, props, processing_ms, commit } => {
                let mut ids = Vec::new();
                for t in topics {
                    ids.push(self.topic_id(t, "consumer")?);
                }
                let mut config = consumer_config(props).map_err(|m| Output::client_error(&m))?;
                if let Some(ms) = processing_ms {
                    config.processing_ms = *ms;
                }
                match commit.as_deref() {
                    Some("auto") if props.iter().any(|(k, v)| k == "enable.auto.commit" && v == "false") => {
                        return Err(Output::err("Error: --commit auto needs enable.auto.commit=true"));
                    }
                    Some("auto") => config.commit = CommitMode::Auto,
                    Some("before") => config.commit = CommitMode::BeforeProcessing,
                    Some("after") => config.commit = CommitMode::AfterProcessing,
                    _ => {}
                }
                e(self.sim.start_consumer(client_id, group, &ids, config).map(|_| ()))?;
                Ok(crate::clients::producer::config_notes(crate::configs::client::CONSUMER, props))
            }
            Command::ConsumerStop(id)
            | Command::ConsumerKill(id)
            | Command::ConsumerPause(id)
            | Command::ConsumerResume(id) => {
                let idx = sim
                    .consumer_by_id(id)
                    .ok_or_else(|| Output::err(format!("Error: no consumer with client id {id}.")))?;
                let r = match cmd {
                    Command::ConsumerStop(_) => sim.stop_consumer(idx, false),
                    Command::ConsumerKill(_) => sim.stop_consumer(idx, true),
                    Command::ConsumerPause(_) => sim.pause_consumer(idx, true),
                    _ => sim.pause_consumer(idx, false),
                };
                e(r)?;
                Ok(vec![])
            }
            Command::GroupsList { state } => Ok(groups::list(sim, *state)),
            Command::GroupsDelete(group) => result(groups::delete(sim, group)),
            Command::GroupsDescribe { group, view } => result(groups::describe(sim, group, *view)),
            Command::GroupsReset { group, topic, partitions, to, mode } => {
                let t = self.topic_id(topic, "consumer")?;
                result(groups::reset(&mut self.sim, group, t, partitions, *to, *mode))
            }
            Command::Help => Ok(help().lines().map(String::from).collect()),
        }
    }
}

/// What `produce` prints for one record: `Partition:P<TAB>Offset:O` once acked (offset -1 with
/// acks=0), the client's exception once the producer gave up; a record expired (or still pending
/// when waiting ended) prints Kafka's batch-expiry text with the number of records of its
/// `produce` that expired with it on its partition (`expiry_counts`).
fn delivery_line(
    sim: &Sim,
    e: &crate::audit::ledger::LedgerEntry,
    expired: &[(Tp, Delivery, usize)],
    delivery_timeout: Millis,
) -> String {
    match e.state {
        Delivery::Acked { offset } => {
            format!("Partition:{}\tOffset:{}", e.tp.partition, offset.map_or("-1".to_string(), |o| o.to_string()))
        }
        Delivery::Failed(ErrorCode::RequestTimedOut) | Delivery::Pending => {
            let n = expired.iter().find(|(tp, st, _)| *tp == e.tp && *st == e.state).map_or(1, |c| c.2);
            format!(
                "org.apache.kafka.common.errors.TimeoutException: Expiring {n} record(s) for {}:{delivery_timeout} ms has passed since batch creation",
                sim.tp_name(e.tp)
            )
        }
        Delivery::Failed(err) => client_exception(err),
    }
}

/// For the records of one `produce`: how many expired (or were still pending) on each partition.
fn expiry_counts<'a>(batch: impl Iterator<Item = &'a crate::audit::ledger::LedgerEntry>) -> Vec<(Tp, Delivery, usize)> {
    let mut out: Vec<(Tp, Delivery, usize)> = Vec::new();
    for e in batch.filter(|e| matches!(e.state, Delivery::Pending | Delivery::Failed(ErrorCode::RequestTimedOut))) {
        match out.iter_mut().find(|(tp, st, _)| *tp == e.tp && *st == e.state) {
            Some(c) => c.2 += 1,
            None => out.push((e.tp, e.state, 1)),
        }
    }
    out
}

/// The exception a Kafka client reports for an error code: its class and the code's default text.
pub fn client_exception(e: ErrorCode) -> String {
    let (class, text) = match e {
        ErrorCode::NotLeaderOrFollower => ("NotLeaderOrFollowerException", "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."),
        ErrorCode::NotEnoughReplicas => ("NotEnoughReplicasException", "Messages are rejected since there are fewer in-sync replicas than required."),
        ErrorCode::NotEnoughReplicasAfterAppend => ("NotEnoughReplicasAfterAppendException", "Messages are written to the log, but to fewer in-sync replicas than required."),
        ErrorCode::RequestTimedOut => ("TimeoutException", "The request timed out."),
        ErrorCode::NetworkException => ("NetworkException", "The server disconnected before a response was received."),
        ErrorCode::OutOfOrderSequenceNumber => ("OutOfOrderSequenceException", "The broker received an out of order sequence number."),
        ErrorCode::InvalidProducerEpoch => ("InvalidProducerEpochException", "Producer attempted to produce with an old epoch."),
        ErrorCode::FencedLeaderEpoch => ("FencedLeaderEpochException", "The leader epoch in the request is older than the epoch on the broker."),
        ErrorCode::UnknownLeaderEpoch => ("UnknownLeaderEpochException", "The leader epoch in the request is newer than the epoch on the broker."),
        ErrorCode::UnknownTopicOrPartition => ("UnknownTopicOrPartitionException", "This server does not host this topic-partition."),
        ErrorCode::ProducerFenced => ("ProducerFencedException", "There is a newer producer with the same transactionalId which fences the current one."),
        ErrorCode::TransactionAborted => ("TransactionAbortedException", "Failing batch since transaction was aborted"),
        ErrorCode::ConcurrentTransactions => ("ConcurrentTransactionsException", "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing."),
        ErrorCode::InvalidTxnState => ("InvalidTxnStateException", "The producer attempted a transactional operation in an invalid state."),
        ErrorCode::CoordinatorNotAvailable => ("CoordinatorNotAvailableException", "The coordinator is not available."),
        ErrorCode::NotCoordinator => ("NotCoordinatorException", "This is not the correct coordinator."),
        ErrorCode::CoordinatorLoadInProgress => ("CoordinatorLoadInProgressException", "The coordinator is loading and hence can't process requests."),
        other => return format!("org.apache.kafka.common.errors.ApiException: {}", other.name()),
    };
    format!("org.apache.kafka.common.errors.{class}: {text}")
}

/// `ledger`: what became of every record producers were given, checked against the logs.
fn ledger_lines(sim: &Sim) -> Vec<String> {
    let a = sim.audit();
    // What left the logs by design (retention, delete-records, compaction) is said apart from
    // what was lost, and only when there is some; so are records lost in a power loss.
    let mut removed = String::new();
    if a.removed > 0 {
        removed.push_str(&format!("  removed by retention {}", a.removed));
    }
    if a.compacted > 0 {
        removed.push_str(&format!("  compacted away {}", a.compacted));
    }
    if !a.power_lost.is_empty() {
        removed.push_str(&format!("  lost in a power loss {}", a.power_lost.len()));
    }
    let mut lines = vec![format!(
        "acked {}  failed {}  pending {}  lost {}  duplicated {}{removed}",
        a.acked,
        a.failed,
        a.pending,
        a.lost.len(),
        a.duplicated.len()
    )];
    let describe = |id: &RecordId| {
        let Some(e) = sim.ledger.get(*id) else { return format!("record #{} (no longer in any log)", id.0) };
        let offset = match e.state {
            Delivery::Acked { offset: Some(o) } => format!("acked at offset {o}"),
            Delivery::Acked { offset: None } => "sent with acks=0".to_string(),
            _ => "not acked".to_string(),
        };
        format!(
            "{} key {} value {} ({offset})",
            sim.tp_name(e.tp),
            e.key.map_or("null".to_string(), |k| sim.interner.get(k).to_string()),
            value_text(sim, e.value)
        )
    };
    for id in a.lost.iter().take(20) {
        lines.push(format!("  lost: {}", describe(id)));
    }
    for id in a.power_lost.iter().take(20) {
        // Which brokers' power losses took it: each cut that covered its offset after it was sent.
        let cuts: Vec<String> = match sim.ledger.get(*id).map(|e| (e.tp, e.state, e.created_ms)) {
            Some((tp, Delivery::Acked { offset: Some(o) }, sent)) => sim
                .power_cuts_of(tp, o, sent)
                .map(|c| format!("broker {} at {}", c.broker, crate::cluster::journal::format_time(c.at_ms)))
                .collect(),
            _ => Vec::new(),
        };
        let why = match cuts.is_empty() {
            true => String::new(),
            false => format!("; not yet on disk when power was lost: {}", cuts.join(", ")),
        };
        lines.push(format!("  lost in a power loss: {}{why}", describe(id)));
    }
    for id in a.duplicated.iter().take(20) {
        lines.push(format!("  duplicated: {}", describe(id)));
    }
    for g in &a.groups {
        // Records before the group's start (it began at the log end) were never meant for it:
        // said apart from "skipped", and only when there are some.
        let mut before = match g.before_start {
            0 => String::new(),
            n => format!("  before its start {n} (auto.offset.reset)"),
        };
        if g.removed_unread > 0 {
            before.push_str(&format!("  removed before read {}", g.removed_unread));
        }
        lines.push(format!(
            "group {}: processed once {}  more than once {}  skipped {}  not yet {}{before}",
            g.group,
            g.once,
            g.twice(),
            g.skipped.len(),
            g.pending
        ));
    }
    for p in sim.processor_audit() {
        lines.push(format!(
            "processor group {} → {} ({}), read_committed view: inputs consumed {}  outputs {}  lost {}  duplicated {}  aborted outputs {}",
            p.group,
            p.output,
            if p.eos { "exactly_once_v2" } else { "at_least_once" },
            p.consumed,
            p.outputs,
            p.lost.len(),
            p.duplicated.len(),
            p.aborted_outputs
        ));
    }
    lines
}

/// The log that serves clients for `tp`: the current leader's, per the controller.
pub fn serving_log(sim: &Sim, tp: Tp) -> Option<&Log> {
    let leader = sim.partition(tp)?.leader?;
    sim.replica_log(leader, tp)
}

pub fn value_text(sim: &Sim, v: Value) -> String {
    match v {
        Value::Text(s) => sim.interner.get(s).to_string(),
        Value::Numbered(n) => format!("msg-{n}"),
        Value::Null => "null".to_string(),
        Value::OffsetCommit { group, tp, offset } => {
            format!("{}/{}={offset}", sim.interner.get(group), sim.tp_name(tp))
        }
        Value::Marker { commit } => (if commit { "COMMIT marker" } else { "ABORT marker" }).to_string(),
        Value::GroupTombstone { group } => format!("{}: deleted (tombstone)", sim.interner.get(group)),
        Value::Derived(from) => match sim.ledger.get(from) {
            Some(e) => format!("out({})", value_text(sim, e.value)),
            None => format!("out(#{})", from.0),
        },
        Value::TxnState { tid, entry } => match sim.txn_log.get(entry as usize) {
            Some(e) => format!(
                "{}: {} (producerId {}, epoch {})",
                sim.interner.get(tid),
                e.state.name(),
                e.producer_id,
                e.epoch
            ),
            None => sim.interner.get(tid).to_string(),
        },
    }
}

fn node_name(n: Node) -> String {
    match n {
        Node::Controller(c) => format!("controller {c}"),
        Node::Broker(b) => format!("broker {b}"),
        Node::Producer(p) => format!("producer #{p}"),
        Node::Consumer(c) => format!("consumer #{c}"),
    }
}

/// One line about a queued event, for `step`.
fn describe_queued(sim: &Sim, ev: &Event) -> String {
    match ev {
        Event::Deliver(m) => {
            let tp = m.payload.tp().map(|tp| format!(" ({})", sim.tp_name(tp))).unwrap_or_default();
            let extra = match &m.payload {
                Payload::Produce { batch, .. } => format!(", {} record(s)", batch.records.len()),
                Payload::FetchResponse { result: Ok(d), .. } => {
                    format!(", {} record(s), HW {}", d.records.len(), d.hw)
                }
                Payload::Fetch { fetch_offset, .. } => format!(", from offset {fetch_offset}"),
                _ => String::new(),
            };
            format!("{} delivered: {} → {}{tp}{extra}", m.payload.kind().label(), node_name(m.from), node_name(m.to))
        }
        Event::Timer(t) => match t {
            Timer::BrokerHeartbeat { broker, .. } => format!("broker {broker} heartbeat timer"),
            Timer::GroupJoinDeadline { .. } => "a group's join phase ends".to_string(),
            Timer::MemberSession { member, .. } => format!("coordinator checks {member}'s session"),
            Timer::ConsumerFetchWait { broker, .. } => {
                format!("broker {broker}: a parked consumer fetch waited fetch.max.wait.ms")
            }
            Timer::ConsumerHeartbeat { consumer, .. } => {
                format!("consumer {} heartbeat thread", sim.consumers[*consumer as usize].client_id)
            }
            Timer::ConsumerProcessed { consumer, .. } => {
                format!("consumer {} finished processing a record", sim.consumers[*consumer as usize].client_id)
            }
            Timer::ConsumerRetry { consumer, .. } => {
                format!("consumer {} retries", sim.consumers[*consumer as usize].client_id)
            }
            Timer::LeaderImbalanceCheck => {
                "controller checks leader imbalance (auto.leader.rebalance.enable)".to_string()
            }
            Timer::SessionCheck { broker } => {
                format!("controller checks broker {broker}'s session")
            }
            Timer::QuorumElection { controller, .. } => {
                format!("controller {controller}: election timer (fetch or election timeout)")
            }
            Timer::QuorumCheck { controller, .. } => {
                format!("controller {controller}: does a majority of voters still fetch?")
            }
            Timer::QuorumFetchWait { controller, .. } => {
                format!("controller {controller}: a held metadata fetch waited 500 ms")
            }
            Timer::QuorumFetchRetry { controller, .. } => format!("controller {controller}: fetch again"),
            Timer::MetadataFetchTimeout { broker, .. } => {
                format!("broker {broker}: its metadata fetch got no answer; it tries a controller again")
            }
            Timer::FetchWait { broker, follower, .. } => {
                format!("broker {broker}: a parked fetch from broker {follower} waited replica.fetch.wait.max.ms")
            }
            Timer::IsrExpiration { broker, .. } => format!("broker {broker}: ISR expiration check"),
            Timer::FetchTimeout { broker, .. } => {
                format!("broker {broker}: replica.socket.timeout.ms check of a fetch")
            }
            Timer::FetchRetry { broker, .. } => {
                format!("broker {broker}: fetch retry after backoff")
            }
            Timer::ProduceWait { broker, .. } => {
                format!("broker {broker}: a produce request timed out in purgatory")
            }
            Timer::RetentionCheck { broker, .. } => format!("broker {broker}: retention check"),
            Timer::LogCleaner { broker, .. } => format!("broker {broker}: log cleaner"),
            Timer::TxnCheck => "transaction coordinators: timeouts and marker retries".to_string(),
            Timer::TxnLogAdvanced { broker, tp } => {
                format!("broker {broker}: the HW of {} moved; transaction state changes take effect", sim.tp_name(*tp))
            }
            Timer::ProducerTick { producer, .. } => {
                format!("producer {} makes records", sim.producers[*producer as usize].name)
            }
            Timer::RequestTimeout { producer, .. } => {
                format!("producer {}: request.timeout.ms check", sim.producers[*producer as usize].name)
            }
            Timer::ProducerWake { producer, .. } => {
                format!("producer {} wakes to send", sim.producers[*producer as usize].name)
            }
        },
    }
}

/// `help`: every command, which Kafka the model is, the configs it only stores, and what it
/// simplifies.
pub fn help() -> String {
    use crate::configs::{broker::BROKER, client, stored_only, topic::TOPIC, Table};
    let wrap = |names: Vec<&str>| -> String {
        let mut out = String::new();
        let mut line = String::from("     ");
        for (i, n) in names.iter().enumerate() {
            let word = if i + 1 < names.len() { format!(" {n},") } else { format!(" {n}") };
            if line.len() + word.len() > 100 {
                out.push_str(&line);
                out.push('\n');
                line = String::from("     ");
            }
            line.push_str(&word);
        }
        out.push_str(&line);
        out
    };
    let broker_acted: Vec<&str> =
        BROKER.sorted().into_iter().filter(|k| k.modelled == crate::configs::Modelled::Yes).map(|k| k.name).collect();
    format!(
        "{HELP_HEAD}
Configs kafkascope accepts, validates and shows exactly as Kafka does, but only stores (the model
does not act on them; `producer start` and `consumer start` say so when one is given):
  producer:
{}
  consumer:
{}
  topic:
{}
  Broker configs: kafkascope acts on {} at their defaults or as
  `kafka-configs --alter --entity-type brokers --entity-default` sets the dynamic ones (the topic
  defaults min.insync.replicas, unclean.leader.election.enable, log.retention.*, log.cleanup.policy);
  every other broker config is shown by `kafka-configs --describe` but only stored, and per-broker
  values (--entity-name B) are stored only.
{HELP_TAIL}",
        wrap(stored_only(client::PRODUCER)),
        wrap(stored_only(client::CONSUMER)),
        wrap(stored_only(TOPIC)),
        broker_acted.join(", ")
    )
}

const HELP_HEAD: &str = "\
kafkascope models Apache Kafka 4.0 in KRaft mode: its tools' output, error texts, defaults
(linger.ms 5, KIP-1030) and assignors follow 4.0 (the reference snapshot of 2024-10-25 plus the
4.0 release's KIP-1030 changes). One command per line; # starts a comment.

Lines a Kafka tool prints on stderr are shown in the same stream, marked `[stderr] ` (an empty
stderr line is `[stderr]` alone); the rest of the line is what Kafka prints.

Kafka's tools (bin/ prefix, .sh suffix and --bootstrap-server are accepted and ignored; --topic is
an exact name, where Kafka's tools read a regular expression):
  kafka-topics --create --topic T [--partitions N] [--replication-factor R] [--config K=V]... [--if-not-exists]
               (without --partitions / --replication-factor: the brokers' num.partitions and
               default.replication.factor, 1 and 1)
  kafka-topics --create --topic T --replica-assignment 2:1:3,1:3:2 [--config K=V]...
  kafka-topics --describe [--topic T] [--exclude-internal] [--if-exists]
               [--under-replicated-partitions | --unavailable-partitions | --under-min-isr-partitions
                | --at-min-isr-partitions]
  kafka-topics --list [--exclude-internal] | --alter --topic T --partitions N [--if-exists]
  kafka-topics --delete --topic T [--if-exists]  (groups reading it rebalance when their leader's
               metadata shows it gone; its offsets and records are gone)
  kafka-configs --describe --entity-type topics [--entity-name T] [--all]
  kafka-configs --describe --entity-type brokers [--entity-name B | --entity-default] [--all]
  kafka-configs --alter --entity-type topics --entity-name T --add-config K=V[,K=V]  (K=[a,b] for a list)
      topic configs the model acts on: min.insync.replicas (1), unclean.leader.election.enable
      (false), retention.ms (604800000), retention.bytes (-1), cleanup.policy (delete | compact |
      compact,delete), segment.bytes (1073741824, at least 1048576), segment.ms (604800000),
      min.cleanable.dirty.ratio (0.5), min.compaction.lag.ms (0), max.compaction.lag.ms
      (9223372036854775807), delete.retention.ms (86400000), flush.messages and flush.ms
      (9223372036854775807: leave flushing to the OS); segment.jitter.ms is stored only
  kafka-configs --alter --entity-type brokers (--entity-default | --entity-name B) --add-config K=V[,K=V]
      only Kafka's dynamic broker configs; the others are refused as Kafka refuses them
  kafka-leader-election --election-type preferred|unclean (--topic T [--partition P] | --all-topic-partitions)
  kafka-console-consumer --topic T [--from-beginning | --partition P [--offset O|earliest|latest]]
      [--max-messages N] [--isolation-level read_committed] [--property K=V]...
      DefaultMessageFormatter properties: print.timestamp, print.key, print.value (true), print.partition,
      print.offset, print.epoch, print.headers, print.delivery, key.separator (TAB), line.separator
      (newline), null.literal (null). Timestamps are the leader's append times, in ms since the session
      started (printed CreateTime); records carry no headers.
  kafka-transactions list | describe --transactional-id ID
  kafka-log-dirs --describe [--broker-list 1,2]   each replica's size in bytes, as Kafka's JSON
  kafka-dump-log --files T-P/00000000000000000000.log [--broker B] [--print-data-log]
      a segment's batches and records (the leader's replica unless --broker); crc is computed over
      the model's own encoding, not Kafka's bytes
  kafka-dump-log --cluster-metadata-decoder --files __cluster_metadata-0/00000000000000000000.log [--broker ID]
      the KRaft metadata log on a controller (the active one unless --broker names another): one
      batch per record, each decoded as Kafka's JSON with the fields the model keeps (the decoder
      is always on for this log)
  kafka-delete-records --offset-json '{\"partitions\":[{\"topic\":\"T\",\"partition\":0,\"offset\":5}],\"version\":1}'
      moves the log start offset (offset -1: the high watermark)
  kafka-reassign-partitions --generate --topics-to-move-json '{\"topics\":[{\"topic\":\"T\"}],\"version\":1}' --broker-list 1,2,4 [--disable-rack-aware]
  kafka-reassign-partitions --execute --reassignment-json '{\"version\":1,\"partitions\":[{\"topic\":\"T\",\"partition\":0,\"replicas\":[1,2,4]}]}' [--throttle B/s]
  kafka-reassign-partitions --verify|--cancel --reassignment-json '...' [--preserve-throttles] | --list
      KIP-455: new replicas catch up as followers, then the old ones leave (describe shows Adding
      and Removing Replicas); also changes the replication factor. --throttle is modelled as a rate
      limit on what leaders send to the replicas being added (at most a second's worth per fetch);
      it is not written into the brokers' or topics' throttle configs. Not modelled: --additional,
      log_dirs other than \"any\"; a JSON syntax error gives serde's description, and no error
      prints Java's stack trace. --generate and topic creation place replicas as AdminUtils
      does (rack-aware when brokers have racks), not as KRaft's StripedReplicaPlacer
  kafka-get-offsets [--topic T] [--time latest|-1|earliest|-2|max-timestamp|-3|earliest-local|-4|latest-tiered|-5|MS]
  kafka-consumer-groups --describe --group G [--members [--verbose] | --state | --offsets]
  kafka-consumer-groups --list [--state] | --delete --group G
  kafka-metadata-quorum describe --status | --replication
      the KRaft quorum: leader, epoch, high watermark, voters and observers (the brokers), and per
      replica its log end offset and lag; with no active controller it times out as Kafka's does
  kafka-consumer-groups --reset-offsets --group G --topic T[:P,...] (--to-earliest|--to-latest|--to-offset N|--shift-by N)
                        [--execute | --dry-run]

Simulator verbs:
  seed N                       same seed + same commands = same run
  cluster --brokers N [--controllers C] [--racks R1,R2,...]
                               start with N brokers (default 3) and C KRaft controllers (default 3,
                               ids 100, 101, ...), broker.rack round-robin
  controller kill|stop|start|isolate|heal ID
                               break the quorum: a killed leader is replaced by an election
                               (controller.quorum.election.timeout.ms 1000 plus up to as much
                               again, pre-vote first); with a majority down no metadata changes
  broker kill|start|stop|isolate|heal B
  broker start B --rack R      start (or add) broker B with broker.rack=R
  rack kill|start R            a rack fails (every running broker on rack R crashes at once) or
                               comes back (its brokers start); the narration names the partitions
                               left with no in-sync replica running on another rack
  broker kill B --power-loss   the machine loses power: a crash that also loses the page cache, so
                               each of B's replicas keeps only what was flushed to disk (a down
                               broker can lose power too); `broker stop` flushes every log first
  broker remove B              unregister a stopped broker that holds no replica (kafka-cluster unregister);
                               with replicas it prints the reassignment that moves them away
  producer start NAME [--topic T] [--rate R/s] [--keys K1,K2|none] [--producer-property K=V]...
      producer configs the model acts on: acks (all), enable.idempotence (true),
      max.in.flight.requests.per.connection (5), retries (2147483647), retry.backoff.ms (100),
      delivery.timeout.ms (120000), request.timeout.ms (30000), linger.ms (5), batch.size (16384),
      partitioner.ignore.keys (false), partitioner.adaptive.partitioning.enable (true),
      max.block.ms (60000), transactional.id (none: makes the producer transactional; scripts wait
      for initTransactions()), transaction.timeout.ms (60000)
  producer describe NAME       the \"ProducerConfig values:\" block the client logged at start
  producer stop|kill|remove NAME   remove: close() it, then take it off the picture
  transaction begin|commit|abort --producer NAME [--async]
                               beginTransaction(), commitTransaction(), abortTransaction() of a producer
                               with transactional.id (commit and abort block in scripts)
  processor start NAME --group G --input T[,T2] --output T3
                 [--processing-guarantee at_least_once|exactly_once_v2] [--processing 20ms]
                 [--consumer-property K=V]... [--producer-property K=V]...
                               a read-process-write app (like a Kafka Streams task): consumer NAME
                               reads the input, producer NAME writes one output per record.
                               exactly_once_v2: each poll() batch is a transaction that also commits
                               the input offsets (sendOffsetsToTransaction); transactional.id NAME-txn.
                               at_least_once: send outputs, wait for their acks, then commit offsets.
  processor stop|kill|remove NAME
  consumer start CLIENT_ID --group G --topic T[,T2] [--consumer-property K=V]...
                 [--processing 20ms] [--commit auto|before|after]
      consumer configs the model acts on: partition.assignment.strategy (range,cooperative-sticky;
      kafkascope also takes the short names range, roundrobin, sticky, cooperative-sticky),
      group.instance.id, enable.auto.commit (true), auto.commit.interval.ms (5000),
      auto.offset.reset (latest), isolation.level (read_uncommitted), session.timeout.ms (45000),
      heartbeat.interval.ms (3000), max.poll.interval.ms (300000), max.poll.records (500),
      request.timeout.ms (30000), retry.backoff.ms (100), metadata.max.age.ms (300000)
      --processing: time to process one record; --commit before = commit after poll, then process
      (at-most-once); after = process, then commit (at-least-once); auto = enable.auto.commit
  consumer describe CLIENT_ID  the \"ConsumerConfig values:\" block the client logged at start
  consumer stop|kill|pause|resume|remove CLIENT_ID
  produce --topic T [--key K] [--value V | --tombstone] [--partition P] [--count N] [--producer NAME] [--async]
                               --tombstone: a null value, which deletes K from a compacted topic
                               in a script: Partition:P<TAB>Offset:O per record, or the exception
                               the client reports (e.g. NotEnoughReplicasException)
  network --latency 10ms [--jitter 2ms] [--link A:B]
                               one-way latency of every link, or of one link between brokers
                               (or a broker and `controller`), both ways (simulator knob)
  advance 500ms|10s|2m         run virtual time
  step                         run to the next event and say what it was
  ledger                       records acked, failed, pending, lost (gone from every serving copy)
                               and duplicated (in a log twice), checked against the logs, and
                               (when there are some) removed by retention or delete-records and
                               compacted away: deleted as configured, not lost; lost in a power
                               loss (every copy that had them lost power before they reached disk);
                               per group: processed once / more than once / skipped (committed
                               past, never processed) / before its start (it began at the log end,
                               auto.offset.reset, and never meant to read them) / removed before
                               read (retention or compaction took them first); per processor:
                               what a read_committed reader of its output sees per consumed input
  help
";

const HELP_TAIL: &str = "\
What the model simplifies:
  - The KRaft quorum is dedicated controllers (process.roles=controller) with a fixed voter set
    (no KIP-853 voter changes) and no snapshots: the metadata log is kept whole and a restarted
    broker replays it from offset 0. Records are appended one request at a time (no linger or
    batching) and carry the model's ms as timestamps. The quorum's timing is Kafka's defaults as
    constants: controller.quorum.election.timeout.ms 1000, fetch.timeout.ms 2000,
    request.timeout.ms 2000, a 500 ms fetch max wait; the controller.quorum.* configs are not
    settable. A leader that lost its majority resigns after 1.5 fetch timeouts (check-quorum) and
    until then its changes never commit; only the committed log reaches brokers and the
    controller's state (registrations, fencing, leaders, ISRs) is rebuilt from it by each new
    leader.
    Brokers start with the model's own server.properties (process.roles=broker, node.id, one
    PLAINTEXT listener); broker.session.timeout.ms and the other static broker configs keep their
    defaults (Kafka changes them only by restarting brokers with new properties).
  - Replica placement is Kafka's AdminUtils placement (ZooKeeper-era, KIP-36): rack-unaware
    round robin, or rack-aware (alternating racks) once brokers have a broker.rack, from the
    seeded RNG; not the KRaft controller's StripedReplicaPlacer.
  - Records are not serialized, but take the bytes Kafka's v2 format gives them (a 61-byte batch
    header, and per record its varint lengths, attributes, key and value; no headers, no
    compression): segments roll at segment.bytes or on the first append after segment.ms (each
    replica rolls its own), retention deletes whole inactive segments (rolling first when every
    segment has expired), and kafka-log-dirs reports these sizes. One log directory per broker.
  - The log cleaner (one per broker, every log.cleaner.backoff.ms = 15 s) compacts topics with
    cleanup.policy compact: below the active segment, the HW and the last stable offset it keeps
    the latest record of each key and leaves gaps in the offsets; tombstones and markers go on a
    pass after delete.retention.ms has passed since their first cleaning (KIP-534). Segments are
    not merged after cleaning.
  - Appends go to the page cache. A log reaches disk when Kafka flushes it (flush.messages
    unflushed messages, flush.ms since its last flush, a segment roll, a clean shutdown) or, with
    the defaults (leave it to the OS), by the model's stand-in for the OS's writeback: dirty pages
    older than 30 s (Linux vm.dirty_expire_centisecs=3000) are written. Only `broker kill
    --power-loss` loses what is not on disk; `broker kill` is a process crash (the page cache
    survives). The flush.ms flusher checks continuously: log.flush.scheduler.interval.ms is only
    stored (in Kafka, flush.ms acts only as often as that interval lets the flusher run).
  - A follower fetches each partition separately (Kafka batches partitions per leader in one request).
  - `broker isolate` cuts a broker off from the controller and the other brokers but not from clients.
  - `broker kill` is a crash of the broker's process: what the broker was still sending is lost,
    and clients with a request pending there wait for request.timeout.ms; the machine's page cache
    survives (`--power-loss` takes it too).
  - Group membership is kept as if loaded instantly by whichever broker coordinates (offsets are
    real records in __consumer_offsets); JoinGroup hands out the
    member id at once (no MEMBER_ID_REQUIRED round trip); auto.offset.reset uses ListOffsets.
  - Only the classic group protocol is modelled: group.protocol=consumer is stored, the group still
    rebalances the classic way. A consumer's member id is client.id-<uuid>; its host is /127.0.0.1.
  - A consumer stops processing the records of partitions it loses in a rebalance.
  - Clients read the controller's metadata when they need it; a consumer's metadata.max.age.ms
    refresh (and the one a fetch error asks for) is checked at its next poll or heartbeat. The group
    leader rejoins when a subscribed topic gained partitions, was deleted or was created again (Kafka
    notices the last through topic ids).
  - Group and transaction coordination follow the controller's leader at once: a broker that has
    not yet learned it lost a leadership (after an isolation) does not go on coordinating.
  - Partition reassignment is not modelled, so a broker can be removed only when it holds no
    replica. A deleted topic's name can be used again at once. kafkascope does not auto-create
    topics, and does not delete its internal topics.
  - The unclean-election switch takes effect at once (Kafka's controller checks every 5 minutes).
  - Transactions follow Kafka's first transaction protocol (no KIP-890 epoch bump per transaction);
    the coordinator checks for timed-out transactions and resends markers every second;
    a processor commits one transaction per poll() batch.
  - __consumer_offsets and __transaction_state are compacted by the log cleaner like any compacted
    topic (an offset commit's key is its group, topic and partition; a transaction state's, its
    transactional id). Their 100 MiB segments roll after 7 days, so in a session nothing of theirs is
    cleaned until you lower their segment.ms. A group's deletion is one tombstone record that ends
    all of its offsets (Kafka writes one per offset and one for the group).
  - Orders Kafka leaves to a java.util.HashMap (members of a group, a member's partitions, several
    topics in a describe) follow the JDK's iteration order; the order brokers answer in is by broker id.
  - ConfigCommand's error echoes the command without --bootstrap-server; stack traces are left out
    (their first line is kept).
";

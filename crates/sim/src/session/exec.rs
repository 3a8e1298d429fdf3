//! Applying commands to the model and printing Kafka's output formats. A `Session` is what the
//! headless runner, the console and the UI's clicks all drive.

use crate::audit::ledger::Delivery;
use crate::clients::consumer::{consumer_config, CommitMode};
use crate::clients::producer::{producer_config, KeySpec};
use crate::cluster::controller::ElectionType;
use crate::cluster::journal::format_time;
use crate::cluster::net::{Event, Payload, Timer};
use crate::cluster::sim::Sim;
use crate::coordinators::group::GroupState;
use crate::coordinators::txn::TxnClientState;
use crate::model::*;
use crate::session::command::ResetTo;
use crate::session::command::{parse_script, Command, LinkEnd, ParseError, ScriptLine, TxnAction};
use std::collections::BTreeMap;

pub const DEFAULT_SEED: u64 = 1;

/// The trace format. 2: moot timers (a timeout whose answer came) are dropped from the event
/// queue instead of firing, so the events a command is placed after are counted without them.
/// Format 1 (no `format` field) counted them.
pub const TRACE_FORMAT: u32 = 2;

fn first_trace_format() -> u32 {
    1
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
    pub command: Command,
    /// Whether it applied. A command that failed changed nothing: replays keep it (it fails the
    /// same way again), the script export leaves it out. Traces from before this field read as
    /// applied.
    #[serde(default = "applied_by_default", skip_serializing_if = "is_true")]
    pub applied: bool,
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
    pub commands: Vec<TimedCommand>,
    pub end_ms: Millis,
    pub journal: Vec<crate::cluster::journal::JournalEntry>,
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
}

impl Session {
    pub fn new(seed: u64) -> Session {
        Session::with_brokers(seed, DEFAULT_BROKERS)
    }

    pub fn with_brokers(seed: u64, brokers: u32) -> Session {
        let sim = Sim::with_brokers(seed, brokers);
        let seen = sim.journal.len();
        Session { sim, journal_seen: seen, started: false, brokers, history: Vec::new(), watches: Vec::new() }
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
            self.watches.push(Watch { command: self.history.len() - 1, first, reported: vec![false; n] });
        }
        out
    }

    /// The outcomes that happened since the last call, of the records sent by earlier
    /// `execute_interactive` produces: one `Report` per record acked or failed, in record order.
    /// Call it after running the model (every frame); a record still pending is reported later.
    pub fn take_reports(&mut self) -> Vec<Report> {
        let mut out = Vec::new();
        for w in &mut self.watches {
            for (i, done) in w.reported.iter_mut().enumerate() {
                if *done {
                    continue;
                }
                let id = RecordId(w.first + i as u64);
                let Some(e) = self.sim.ledger.get(id) else {
                    // Summarized away before this frame saw it (long out of reach): nothing to say.
                    *done = id < self.sim.ledger.base();
                    continue;
                };
                if e.state == Delivery::Pending {
                    continue;
                }
                *done = true;
                let line = delivery_line(e);
                let error = matches!(e.state, Delivery::Failed(_));
                out.push(Report { command: w.command, record: i, line, error });
            }
        }
        self.watches.retain(|w| w.reported.iter().any(|d| !d));
        out
    }

    /// Runs events until one the narration would tell (what `Sim::narrate` shows) has happened,
    /// at most `max_ms` of virtual time; stops right after that event. Returns its narration
    /// lines (`[mm:ss.mmm] text`), or nothing when no narrated event came within `max_ms` (the
    /// clock then stands at `max_ms` later) or nothing is scheduled. `step` still runs one event.
    pub fn run_to_next_narrated(&mut self, max_ms: Millis) -> Vec<String> {
        let deadline = self.sim.now().saturating_add(max_ms);
        let mut from = self.sim.journal.len();
        loop {
            if self.sim.net.next_event_time().is_none_or(|t| t > deadline) {
                self.sim.run_until(deadline);
                self.journal_seen = self.sim.journal.len();
                return Vec::new();
            }
            self.sim.step();
            let lines: Vec<String> = self
                .sim
                .journal
                .iter_from(from)
                .filter_map(|e| self.sim.narrate(e).map(|t| format!("[{}] {t}", format_time(e.at_ms))))
                .collect();
            from = self.sim.journal.len();
            if !lines.is_empty() {
                self.journal_seen = from;
                return lines;
            }
        }
    }

    pub fn trace(&self) -> Trace {
        Trace {
            format: TRACE_FORMAT,
            seed: self.sim.seed,
            brokers: self.brokers,
            commands: self.history.clone(),
            end_ms: self.sim.now(),
            journal: self.sim.journal.to_vec(),
        }
    }

    /// Rebuilds a session from a trace's seed and commands, up to `until` (or the trace's end).
    /// The result is the same state, event for event: the model is deterministic.
    pub fn replay(trace: &Trace, until: Option<Millis>) -> Session {
        let until = until.unwrap_or(trace.end_ms);
        let mut s = Session::with_brokers(trace.seed, trace.brokers);
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

    fn topic_id(&self, name: &str, tool: &str) -> Result<TopicId, Output> {
        self.sim.topic_by_name(name).ok_or_else(|| match tool {
            "topics" => {
                Output::err(format!("Error while executing topic command : Topic '{name}' does not exist as expected"))
            }
            "configs" => Output::err(format!("Error while executing config command : Topic '{name}' does not exist.")),
            _ => Output::err(format!("Error: Topic {name} does not exist (kafkascope does not auto-create topics).")),
        })
    }

    /// commitTransaction()/abortTransaction() block: run virtual time until the producer is Ready
    /// again (done) or failed, at most `max.block.ms` (60 s).
    fn wait_for_transaction(&mut self, idx: ProducerIdx, commit: bool) -> Vec<String> {
        let deadline = self.sim.now() + 60_000;
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
            _ => vec!["Error: TimeoutException: the transaction did not complete within max.block.ms (60000 ms).".to_string()],
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
                *self = Session::with_brokers(*s, self.brokers);
                Ok(vec![])
            }
            Command::Cluster { brokers } => {
                if self.started {
                    return Err(Output::err("Error: `cluster` must come before any other command (after `seed`)."));
                }
                let seed = sim.seed;
                *self = Session::with_brokers(seed, *brokers);
                Ok(vec![])
            }
            Command::TopicsCreate { topic, partitions, replication_factor, assignment, configs } => {
                e(sim.create_topic(
                    topic,
                    partitions.unwrap_or(0),
                    replication_factor.unwrap_or(0),
                    assignment.clone(),
                    configs,
                ))?;
                Ok(vec![format!("Created topic {topic}.")])
            }
            Command::TopicsDescribe { topic } => {
                let ids: Vec<TopicId> = match topic {
                    Some(name) => vec![self.topic_id(name, "topics")?],
                    None => self.sim.live_topics().map(|(t, _)| t).collect(),
                };
                Ok(ids.into_iter().flat_map(|t| describe_topic(&self.sim, t)).collect())
            }
            Command::TopicsList => {
                let mut names: Vec<String> = sim.live_topics().map(|(_, t)| t.name.clone()).collect();
                names.sort();
                Ok(names)
            }
            Command::TopicsDelete(topic) => {
                let t = self.topic_id(topic, "topics")?;
                e(self.sim.delete_topic(t))?;
                Ok(vec![])
            }
            Command::TopicsAlter { topic, partitions } => {
                let t = self.topic_id(topic, "topics")?;
                e(self.sim.add_partitions(t, *partitions))?;
                Ok(vec![])
            }
            Command::BrokerConfigsAlter { configs } => {
                self.sim
                    .alter_cluster_config(configs)
                    .map_err(|m| Output::err(format!("Error while executing config command : {m}")))?;
                Ok(vec!["Completed updating default config for brokers in the cluster.".to_string()])
            }
            Command::ConfigsAlter { topic, configs } => {
                let t = self.topic_id(topic, "configs")?;
                self.sim
                    .alter_topic_config(t, configs)
                    .map_err(|m| Output::err(format!("Error while executing config command : {m}")))?;
                Ok(vec![format!("Completed updating config for topic {topic}.")])
            }
            Command::LeaderElection { election, topic, partition } => {
                let t = self.topic_id(topic, "election")?;
                let n = self.sim.topic(t).partitions;
                if let Some(p) = partition {
                    if *p >= n {
                        return Err(Output::err(format!("Error: partition {topic}-{p} does not exist.")));
                    }
                }
                let tps: Vec<Tp> = match partition {
                    Some(p) => vec![Tp { topic: t, partition: *p }],
                    None => (0..n).map(|p| Tp { topic: t, partition: p }).collect(),
                };
                let kind = match election {
                    ElectionType::Preferred => "PREFERRED",
                    ElectionType::Unclean => "UNCLEAN",
                    ElectionType::Online => "ONLINE",
                };
                let results = self.sim.elect_leaders(&tps, *election);
                let ok: Vec<String> =
                    results.iter().filter(|(_, r)| r.is_ok()).map(|(tp, _)| self.sim.tp_name(*tp)).collect();
                let mut lines = Vec::new();
                if !ok.is_empty() {
                    lines.push(format!(
                        "Successfully completed leader election ({kind}) for partitions {}",
                        ok.join(", ")
                    ));
                }
                for (tp, r) in &results {
                    if let Err(why) = r {
                        lines.push(format!(
                            "Error completing leader election ({kind}) for partition: {}: org.apache.kafka.common.errors.{why}",
                            self.sim.tp_name(*tp)
                        ));
                    }
                }
                Ok(lines)
            }
            Command::ConsoleConsumer {
                topic,
                from_beginning,
                max_messages,
                print_partition,
                print_offset,
                print_key,
                read_committed,
            } => {
                let t = self.topic_id(topic, "consumer")?;
                Ok(console_consume(
                    &self.sim,
                    t,
                    *from_beginning,
                    *max_messages,
                    (*print_partition, *print_offset, *print_key),
                    *read_committed,
                ))
            }
            Command::GetOffsets { topic, time } => {
                let t = self.topic_id(topic, "offsets")?;
                let mut lines = Vec::new();
                for p in 0..self.sim.topic(t).partitions {
                    let tp = Tp { topic: t, partition: p };
                    match serving_log(&self.sim, tp) {
                        Some(log) => {
                            let off = if *time == -2 { log.log_start } else { log.hw };
                            lines.push(format!("{topic}:{p}:{off}"));
                        }
                        None => lines.push(format!("Error: {topic}-{p} has no leader (LEADER_NOT_AVAILABLE).")),
                    }
                }
                Ok(lines)
            }
            Command::BrokerKill(b) => e(sim.kill_broker(*b)).map(|_| vec![]),
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
                let config = producer_config(props).map_err(|m| Output::err(format!("Error: {m}")))?;
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
                    // initTransactions() blocks (up to max.block.ms, 60 s).
                    let deadline = self.sim.now() + 60_000;
                    let initializing = |s: &Sim| {
                        s.producers[idx as usize].txn.as_ref().is_some_and(|t| t.state == TxnClientState::Initializing)
                    };
                    while initializing(&self.sim) && self.sim.now() <= deadline {
                        if self.sim.step().is_none() {
                            break;
                        }
                    }
                    if initializing(&self.sim) {
                        return Err(Output::err("Error: TimeoutException: initTransactions() did not complete within max.block.ms (60000 ms)."));
                    }
                }
                Ok(vec![])
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
                let mut cconfig = consumer_config(consumer_props).map_err(|m| Output::err(format!("Error: {m}")))?;
                if let Some(ms) = processing_ms {
                    cconfig.processing_ms = *ms;
                }
                let pconfig = producer_config(producer_props).map_err(|m| Output::err(format!("Error: {m}")))?;
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
            Command::TransactionsList => Ok(transactions_list(&self.sim)),
            Command::TransactionsDescribe(tid) => describe_transaction(&self.sim, tid).map_err(Output::err),
            Command::ProducerStop(name) | Command::ProducerKill(name) => {
                let idx = sim
                    .producer_by_name(name)
                    .ok_or_else(|| Output::err(format!("Error: no producer named {name}.")))?;
                e(sim.stop_producer(idx, matches!(cmd, Command::ProducerKill(_))))?;
                Ok(vec![])
            }
            Command::Produce { topic, key, value, partition, count, producer, wait } => {
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
                let ids = e(self.sim.produce(idx, t, key.as_deref(), value.as_deref(), *partition, *count).map(|_| ()))
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
                let pending = |s: &Sim| s.ledger.since(first).any(|e| e.state == Delivery::Pending);
                while pending(&self.sim) && self.sim.now() <= deadline {
                    if self.sim.step().is_none() {
                        break;
                    }
                }
                let lines = self.sim.ledger.since(first).map(delivery_line).collect();
                self.sim.ledger.unpin();
                Ok(lines)
            }
            Command::Network { latency_ms, jitter_ms, link } => {
                let jitter = jitter_ms.unwrap_or(latency_ms / 5);
                match link {
                    None => sim.set_network_latency(*latency_ms, jitter),
                    Some((a, b)) => {
                        let node = |e: &LinkEnd| match e {
                            LinkEnd::Broker(id) => Node::Broker(*id),
                            LinkEnd::Controller => Node::Controller,
                        };
                        e(sim.set_link_latency(node(a), node(b), *latency_ms, jitter))?;
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
                let mut config = consumer_config(props).map_err(|m| Output::err(format!("Error: {m}")))?;
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
                Ok(vec![])
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
            Command::GroupsList => {
                let mut names: Vec<String> = sim.groups.values().map(|g| g.name.clone()).collect();
                names.sort();
                Ok(names)
            }
            Command::GroupsDelete(group) => match self.sim.delete_group(group) {
                Ok(()) => Ok(vec![format!("Deletion of requested consumer groups ('{group}') was successful.")]),
                Err(why) => Err(Output {
                    lines: vec![
                        "Error: Deletion of some consumer groups failed:".to_string(),
                        format!("* Group '{group}' could not be deleted due to: {why}"),
                    ],
                    error: true,
                }),
            },
            Command::GroupsDescribe { group, state: false } => describe_group(&self.sim, group).map_err(Output::err),
            Command::GroupsDescribe { group, state: true } => {
                describe_group_state(&self.sim, group).map_err(Output::err)
            }
            Command::GroupsReset { group, topic, to, execute } => {
                let t = self.topic_id(topic, "consumer")?;
                reset_offsets(&mut self.sim, group, t, *to, *execute).map_err(Output::err)
            }
            Command::Help => Ok(HELP.lines().map(String::from).collect()),
        }
    }
}

/// What `produce` prints for one record: `Partition:P<TAB>Offset:O` once acked (offset -1 with
/// acks=0), the error once the producer gave up; still pending when waiting ended, a timeout.
fn delivery_line(e: &crate::audit::ledger::LedgerEntry) -> String {
    match e.state {
        Delivery::Acked { offset } => {
            format!("Partition:{}\tOffset:{}", e.tp.partition, offset.map_or("-1".to_string(), |o| o.to_string()))
        }
        Delivery::Failed(err) => format!("Error: {}", err.name()),
        Delivery::Pending => "Error: REQUEST_TIMED_OUT".to_string(),
    }
}

/// `ledger`: what became of every record producers were given, checked against the logs.
/// `kafka-transactions list`: every transactional id a producer uses, with its coordinator's view.
fn transactions_list(sim: &Sim) -> Vec<String> {
    let mut lines = vec!["TransactionalId\tCoordinator\tProducerId\tTransactionState".to_string()];
    let mut tids: Vec<String> =
        sim.producers.iter().filter_map(|p| p.txn.as_ref()).map(|t| sim.interner.get(t.tid).to_string()).collect();
    tids.sort();
    tids.dedup();
    for tid in tids {
        let coord = sim.txn_coordinator_of(&tid).map_or("-1".to_string(), |b| b.to_string());
        match sim.txn_meta(&tid) {
            Some(m) => lines.push(format!("{tid}\t{coord}\t{}\t{}", m.current.producer_id, m.current.state.name())),
            None => lines.push(format!("{tid}\t{coord}\t-\t-")),
        }
    }
    lines
}

/// `kafka-transactions describe --transactional-id ID`, in Kafka's columns.
fn describe_transaction(sim: &Sim, tid: &str) -> Result<Vec<String>, String> {
    let coord = sim
        .txn_coordinator_of(tid)
        .ok_or_else(|| format!("Error: the coordinator of transactional id {tid} is not available."))?;
    let m = sim.txn_meta(tid).ok_or_else(|| format!("Error: TransactionalIdNotFoundException: {tid}"))?;
    let e = &m.current;
    let open = e.state == crate::coordinators::txn::TxnState::Ongoing;
    let parts = e.partitions.iter().map(|t| sim.tp_name(*t)).collect::<Vec<_>>().join(",");
    Ok(vec![
        "CoordinatorId\tTransactionalId\tProducerId\tProducerEpoch\tTransactionState\tTransactionTimeoutMs\tCurrentTransactionStartTimeMs\tTransactionDurationMs\tTopicPartitions".to_string(),
        format!(
            "{coord}\t{tid}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            e.producer_id,
            e.epoch,
            e.state.name(),
            e.timeout_ms,
            if open { e.start_ms.to_string() } else { "None".to_string() },
            if open { (sim.now() - e.start_ms).to_string() } else { "None".to_string() },
            if parts.is_empty() { "None".to_string() } else { parts }
        ),
    ])
}

fn ledger_lines(sim: &Sim) -> Vec<String> {
    let a = sim.audit();
    let mut lines = vec![format!(
        "acked {}  failed {}  pending {}  lost {}  duplicated {}",
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
    for id in a.duplicated.iter().take(20) {
        lines.push(format!("  duplicated: {}", describe(id)));
    }
    for g in &a.groups {
        // Records before the group's start (it began at the log end) were never meant for it:
        // said apart from "skipped", and only when there are some.
        let before = match g.before_start {
            0 => String::new(),
            n => format!("  before its start {n} (auto.offset.reset)"),
        };
        lines.push(format!(
            "group {}: processed once {}  more than once {}  skipped {}  not yet {}{before}",
            g.group,
            g.once,
            g.more_than_once.len(),
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

/// Lines padded to the widest cell of each column, separated by a space, as Kafka's tools print.
fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().enumerate().map(|(i, s)| format!("{s:<w$}", w = widths[i])).collect();
            cells.join(" ").trim_end().to_string()
        })
        .collect()
}

/// `kafka-consumer-groups --describe --group G`: per partition, the committed offset, the end of
/// the log as consumers see it (the high watermark), the lag and the owner.
fn describe_group(sim: &Sim, group: &str) -> Result<Vec<String>, String> {
    let sym = sim.interner.find(group).ok_or_else(|| format!("Error: Consumer group '{group}' does not exist."))?;
    let g = sim.groups.get(&sym).ok_or_else(|| format!("Error: Consumer group '{group}' does not exist."))?;
    let committed = sim.committed_offsets(group);
    let mut owners: BTreeMap<Tp, (&str, &str)> = BTreeMap::new();
    if g.state == GroupState::Stable {
        for m in g.members.values() {
            for tp in &m.assignment {
                owners.insert(*tp, (m.member_id.as_str(), m.client_id.as_str()));
            }
        }
    }
    let mut tps: Vec<Tp> = committed.keys().copied().chain(owners.keys().copied()).collect();
    tps.sort();
    tps.dedup();
    let mut lines = vec![String::new()];
    if g.members.is_empty() {
        lines.push(format!("Consumer group '{group}' has no active members."));
        lines.push(String::new());
    } else if g.state != GroupState::Stable {
        lines.push(format!("Warning: Consumer group '{group}' is rebalancing."));
        lines.push(String::new());
    }
    let mut rows = vec![[
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]
    .map(String::from)
    .to_vec()];
    for tp in tps {
        let end = serving_log(sim, tp).map(|l| l.hw);
        let current = committed.get(&tp).copied();
        let lag = match (current, end) {
            (Some(c), Some(e)) => e.saturating_sub(c).to_string(),
            _ => "-".into(),
        };
        let (member, client, host) = match owners.get(&tp) {
            Some((m, c)) => (m.to_string(), c.to_string(), "/127.0.0.1".to_string()),
            None => ("-".into(), "-".into(), "-".into()),
        };
        rows.push(vec![
            group.to_string(),
            sim.topic(tp.topic).name.clone(),
            tp.partition.to_string(),
            current.map_or("-".into(), |c| c.to_string()),
            end.map_or("-".into(), |e| e.to_string()),
            lag,
            member,
            host,
            client,
        ]);
    }
    lines.extend(table(&rows));
    Ok(lines)
}

/// `kafka-consumer-groups --describe --state`: coordinator, strategy, state, members.
fn describe_group_state(sim: &Sim, group: &str) -> Result<Vec<String>, String> {
    let g = sim
        .interner
        .find(group)
        .and_then(|s| sim.groups.get(&s))
        .ok_or_else(|| format!("Error: Consumer group '{group}' does not exist."))?;
    let coordinator = sim.coordinator_of(group).map_or("-".to_string(), |b| format!("broker{b}:9092 ({b})"));
    let rows = vec![
        ["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"].map(String::from).to_vec(),
        vec![
            group.to_string(),
            coordinator,
            g.strategy.map_or(String::new(), |s| s.name().to_string()),
            g.state.name().to_string(),
            g.members.len().to_string(),
        ],
    ];
    let mut lines = vec![String::new()];
    lines.extend(table(&rows));
    Ok(lines)
}

/// `kafka-consumer-groups --reset-offsets`: only for a group with no active members.
fn reset_offsets(
    sim: &mut Sim,
    group: &str,
    topic: TopicId,
    to: ResetTo,
    execute: bool,
) -> Result<Vec<String>, String> {
    if let Some(g) = sim.interner.find(group).and_then(|s| sim.groups.get(&s)) {
        if !g.members.is_empty() {
            return Err(format!(
                "Error: Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.",
                g.state.name()
            ));
        }
    }
    let committed = sim.committed_offsets(group);
    let mut offsets = Vec::new();
    for p in 0..sim.topic(topic).partitions {
        let tp = Tp { topic, partition: p };
        let Some(log) = serving_log(sim, tp) else {
            return Err(format!("Error: {} has no leader (LEADER_NOT_AVAILABLE).", sim.tp_name(tp)));
        };
        let (start, end) = (log.log_start, log.hw);
        let target = match to {
            ResetTo::Earliest => start,
            ResetTo::Latest => end,
            ResetTo::Offset(n) => n,
            ResetTo::ShiftBy(d) => committed.get(&tp).copied().unwrap_or(end).saturating_add_signed(d),
        };
        offsets.push((tp, target.clamp(start, end)));
    }
    let mut rows = vec![["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"].map(String::from).to_vec()];
    for (tp, o) in &offsets {
        rows.push(vec![group.to_string(), sim.topic(tp.topic).name.clone(), tp.partition.to_string(), o.to_string()]);
    }
    let mut lines = vec![String::new()];
    lines.extend(table(&rows));
    if execute {
        sim.admin_commit(group, &offsets)?;
    } else {
        lines.insert(
            0,
            "WARN: No action will be performed as the --execute option is missing. (This is a dry run.)".into(),
        );
    }
    Ok(lines)
}

/// The log that serves clients for `tp`: the current leader's, per the controller.
pub fn serving_log(sim: &Sim, tp: Tp) -> Option<&Log> {
    let leader = sim.partition(tp)?.leader?;
    sim.replica_log(leader, tp)
}

fn describe_topic(sim: &Sim, t: TopicId) -> Vec<String> {
    let topic = sim.topic(t);
    let configs: Vec<String> = topic.overrides.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut lines = vec![format!(
        "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}",
        topic.name,
        topic.topic_id,
        topic.partitions,
        topic.replication_factor,
        configs.join(",")
    )];
    for p in 0..topic.partitions {
        let Some(m) = sim.partition(Tp { topic: t, partition: p }) else {
            continue;
        };
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
        lines.push(format!(
            "\tTopic: {}\tPartition: {p}\tLeader: {}\tReplicas: {}\tIsr: {}",
            topic.name,
            m.leader.map_or("none".to_string(), |l| l.to_string()),
            ids(&m.replicas),
            ids(&m.isr)
        ));
    }
    lines
}

fn console_consume(
    sim: &Sim,
    t: TopicId,
    from_beginning: bool,
    max: Option<u64>,
    print: (bool, bool, bool),
    read_committed: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut n = 0u64;
    let limit = max.unwrap_or(u64::MAX);
    if from_beginning {
        'outer: for p in 0..sim.topic(t).partitions {
            let Some(log) = serving_log(sim, Tp { topic: t, partition: p }) else {
                continue;
            };
            let end = if read_committed { log.lso() } else { log.hw };
            for rec in log.records.iter().take_while(|r| r.offset < end) {
                // Markers never reach applications; read_committed also skips aborted records.
                if matches!(rec.value, Value::Marker { .. })
                    || (read_committed && !crate::clients::processor::visible(log, rec))
                {
                    continue;
                }
                if n >= limit {
                    break 'outer;
                }
                let mut fields = Vec::new();
                if print.0 {
                    fields.push(format!("Partition:{p}"));
                }
                if print.1 {
                    fields.push(format!("Offset:{}", rec.offset));
                }
                if print.2 {
                    fields.push(rec.key.map_or("null".to_string(), |k| sim.interner.get(k).to_string()));
                }
                fields.push(value_text(sim, rec.value));
                lines.push(fields.join("\t"));
                n += 1;
            }
        }
    }
    lines.push(format!("Processed a total of {n} messages"));
    lines
}

pub fn value_text(sim: &Sim, v: Value) -> String {
    match v {
        Value::Text(s) => sim.interner.get(s).to_string(),
        Value::Numbered(n) => format!("msg-{n}"),
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
        Node::Controller => "controller".into(),
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

pub const HELP: &str = "\
kafkascope commands (one per line; # starts a comment)

Kafka's tools (bin/ prefix, .sh suffix and --bootstrap-server are accepted and ignored):
  kafka-topics --create --topic T --partitions N --replication-factor R [--config K=V]...
  kafka-topics --create --topic T --replica-assignment 2:1:3,1:3:2 [--config K=V]...
  kafka-topics --describe [--topic T] | --list | --alter --topic T --partitions N
  kafka-topics --delete --topic T  (groups reading it rebalance; its offsets and records are gone)
  kafka-configs --alter --entity-type topics --entity-name T --add-config K=V[,K=V]
      topic configs: min.insync.replicas (1), unclean.leader.election.enable (false),
                     retention.ms (604800000), retention.bytes (-1)
  kafka-configs --alter --entity-type brokers --entity-default --add-config K=V[,K=V]
      cluster configs: broker.session.timeout.ms (9000), broker.heartbeat.interval.ms (2000),
                       replica.lag.time.max.ms (30000), replica.fetch.wait.max.ms (500),
                       auto.leader.rebalance.enable (true), leader.imbalance.check.interval.seconds (300),
                       leader.imbalance.per.broker.percentage (10)
  kafka-leader-election --election-type preferred|unclean --topic T [--partition P]
  kafka-console-consumer --topic T [--from-beginning] [--max-messages N]
      [--property print.partition=true] [--property print.offset=true] [--property print.key=true]
      [--isolation-level read_committed]   (read below the last stable offset, skip aborted records)
  kafka-transactions list | describe --transactional-id ID
  kafka-get-offsets --topic T [--time -1|-2]      (-1: high watermark, what clients see as the end; -2: log start)

Simulator verbs:
  seed N                       same seed + same commands = same run
  cluster --brokers N          start with N brokers (default 3)
  broker kill|start|stop|isolate|heal B
  broker remove B              unregister a stopped broker that holds no replica (kafka-cluster unregister)
  producer start NAME [--topic T] [--rate R/s] [--keys K1,K2|none] [--producer-property K=V]...
      producer configs: acks (all), enable.idempotence (true), max.in.flight.requests.per.connection (5),
      retries (2147483647), retry.backoff.ms (100), delivery.timeout.ms (120000),
      request.timeout.ms (30000), linger.ms (0), batch.size (16384),
      transactional.id (none: makes the producer transactional; scripts wait for initTransactions()),
      transaction.timeout.ms (60000)
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
      consumer configs: partition.assignment.strategy (range,cooperative-sticky), group.instance.id,
      enable.auto.commit (true), auto.commit.interval.ms (5000), auto.offset.reset (latest),
      isolation.level (read_uncommitted),
      session.timeout.ms (45000), heartbeat.interval.ms (3000), max.poll.interval.ms (300000),
      max.poll.records (500), request.timeout.ms (30000)
      --processing: time to process one record; --commit before = commit after poll, then process
      (at-most-once); after = process, then commit (at-least-once); auto = enable.auto.commit
  consumer stop|kill|pause|resume|remove CLIENT_ID
  kafka-consumer-groups --describe --group G [--state] | --list | --delete --group G
                               --delete: only a group without members; its committed offsets go
  kafka-consumer-groups --reset-offsets --group G --topic T (--to-earliest|--to-latest|--to-offset N|--shift-by N) --execute
  produce --topic T [--key K] [--value V] [--partition P] [--count N] [--producer NAME] [--async]
  network --latency 10ms [--jitter 2ms] [--link A:B]
                               one-way latency of every link, or of one link between brokers
                               (or a broker and `controller`), both ways (simulator knob)
  advance 500ms|10s|2m         run virtual time
  step                         run to the next event and say what it was
  ledger                       records acked, failed, pending, lost (gone from every serving copy)
                               and duplicated (in a log twice), checked against the logs;
                               per group: processed once / more than once / skipped (committed
                               past, never processed) / before its start (it began at the log end,
                               auto.offset.reset, and never meant to read them); per processor:
                               what a read_committed reader of its output sees per consumed input
  help

What the model simplifies:
  - The KRaft controller quorum is one node that never fails; brokers get metadata pushed to them.
  - Records are counted, not serialized: retention.bytes counts 100 bytes per record, and logs are
    deleted record by record rather than by segment.
  - Every append is on disk at once (no page-cache loss on a crash).
  - A follower fetches each partition separately (Kafka batches partitions per leader in one request).
  - `broker isolate` cuts a broker off from the controller and the other brokers but not from clients.
  - `broker kill` is a machine crash: what the broker was still sending is lost, and clients with a
    request pending there wait for request.timeout.ms.
  - Group membership is kept as if loaded instantly by whichever broker coordinates (offsets are
    real records in __consumer_offsets); JoinGroup hands out the
    member id at once (no MEMBER_ID_REQUIRED round trip); auto.offset.reset uses ListOffsets.
  - A consumer stops processing the records of partitions it loses in a rebalance.
  - Group and transaction coordination follow the controller's leader at once: a broker that has
    not yet learned it lost a leadership (after an isolation) does not go on coordinating.
  - Partition reassignment is not modelled, so a broker can be removed only when it holds no
    replica. A deleted topic's groups rebalance at once (their leader's metadata refresh is not
    modelled as a timer); its name can be used again at once.
  - The unclean-election switch takes effect at once (Kafka's controller checks every 5 minutes).
  - Transactions follow Kafka's first transaction protocol (no KIP-890 epoch bump per transaction);
    the coordinator checks for timed-out transactions and resends markers every second;
    a processor commits one transaction per poll() batch.
  - __consumer_offsets and __transaction_state are compacted by a stand-in: at each retention check
    (log.retention.check.interval.ms) a leader deletes the front of the log up to the first record
    that is still the latest for its key (Kafka's log cleaner removes superseded records anywhere,
    segment by segment), so a key written long ago and never again holds back what follows it.
";

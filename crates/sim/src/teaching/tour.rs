//! Guided tours: narrated scenario scripts with predict-then-reveal questions whose answers come
//! from the model. A tour is data (`tours/*.tour`); this module parses it (never panicking, errors
//! name the line), evaluates probes against a `Sim`, and plays a tour headless for the tests. The
//! UI's player walks the same phases with the same pieces (`Line`, `wait_step`, `Fact::check`,
//! `Target::resolve`, `Step::hides_counters`), so what the tests checked is what the learner sees.
//!
//! ```text
//! # comments start with '#'
//! title: The append-only log and offsets
//! point: the append-only log and offsets
//! seed: 7
//!
//! step: One partition, one log          a new step, with its heading
//! say: Each partition is a log ...      narration (repeat the key, or indent, to continue)
//! look: The row events-0 ...            what to look at in the picture
//! fact: leo events-0 = 3                a fact the say/look text states (`=` or `!=`)
//! highlight: partition events-0         what the picture highlights while say/look show
//! hide: ledger                          keep the ledger's counters hidden, the reveal included
//! run: kafka-topics --create ...        commands run when the step opens (repeatable)
//! wait: hw events-0 = 3 within 5s       play time event by event until the probe holds
//! skip: 4m                              jump the clock (said on screen); a wait: must follow
//! ask: Which offset will the next record get?
//! choice: 3                             the possible answers (values a probe can give)
//! choice: 4
//! probe: leo events-0                   what the model is asked after the step has played
//! answer: 4                             the value the tour claims; the tests check the model agrees
//! do: produce --topic events --value e3 the learner's action (a button in the UI)
//! then: advance 1s                      commands run after the answer and the action
//! wait: leader orders-0 != 1 within 15s
//! explain: Why the model answers so     shown with the model's value
//! reveal-fact: hw events-0 = 4          a fact the explanation states, true at the reveal
//! reveal-highlight: leader events-0     what the picture highlights at the reveal
//!
//! summary: Say it in the interview ... (after the last step)
//! ```
//!
//! A step plays in phases:
//! - (a) its `run` sequence: commands are applied as the console applies them
//!   (`Session::execute_interactive`: a `produce` sends without waiting, so a `wait:` follows it
//!   where the step needs the records written); an `advance D` among them is *played* (the UI
//!   animates virtual time up to now + D; headless it runs at once; the end state is the same);
//!   a `wait:` plays time event by event until its probe holds, at most its duration.
//! - (b) `say`, `look` and the question are shown; `fact:`s must hold now, `highlight:`s are drawn.
//! - (c) the learner picks a choice.
//! - (d) the action (`do:`) and the `then` sequence play, like phase a.
//! - (e) the reveal: the probe's value (never the declared answer) and `explain`; `reveal-fact:`s
//!   must hold now, `reveal-highlight:`s are drawn.
//!
//! A step reads in phase order: its `run:` lines come before its `ask:`, `do:` and `then:` lines.
//! A `wait:` joins the `then` sequence once one of those is above it in its step, else the `run`
//! sequence. A wait that times out is a tour error, as is a false fact or a highlight that points
//! at nothing: `Tour::check` reports them.
//! Counters that answer a question stay hidden until the reveal (`Step::hides_counters`); with
//! `hide: ledger` through the reveal as well (`Step::hides_counters_at_reveal`), for a step whose
//! reveal would show the answer of a later one.

use crate::cluster::sim::Sim;
use crate::model::*;
use crate::session::command::{parse_duration, parse_line, Command};
use crate::session::exec::{serving_log, value_text, Session};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tour {
    pub title: String,
    /// The interview point this tour makes.
    pub point: String,
    pub seed: u64,
    pub steps: Vec<Step>,
    /// The "say it in the interview" summary.
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Step {
    pub title: String,
    pub say: String,
    pub look: String,
    /// Phase a: played when the step opens.
    pub run: Vec<Line>,
    /// Phase d: the learner's action, then the `then` sequence.
    pub action: Option<TourCommand>,
    pub then: Vec<Line>,
    pub question: Option<Question>,
    pub explain: String,
    /// What `say`/`look` state about the cluster: true when they are shown (phase b).
    pub facts: Vec<Fact>,
    /// What `explain` states: true at the reveal (phase e).
    pub reveal_facts: Vec<Fact>,
    /// What the picture highlights while `say`/`look` show (phase b), and at the reveal (phase e).
    pub highlights: Vec<Highlight>,
    pub reveal_highlights: Vec<Highlight>,
    /// `hide: ledger`: the ledger's counters stay hidden for the whole step, its reveal included
    /// (the reveal shows the probe's value alone), so a later step's answer is not on screen.
    pub hide_ledger: bool,
}

impl Step {
    /// Whether the ledger's, groups' and processors' counters must stay hidden until the reveal
    /// (phases a to d): the question is about one of them (its answer would be on screen), or the
    /// step says `hide: ledger`.
    pub fn hides_counters(&self) -> bool {
        self.hide_ledger || self.question.as_ref().is_some_and(|q| q.probe.is_counter())
    }

    /// Whether they stay hidden at the reveal too (`hide: ledger`): a later step asks about a
    /// counter the reveal would otherwise show.
    pub fn hides_counters_at_reveal(&self) -> bool {
        self.hide_ledger
    }
}

/// A command line of a tour, parsed when the tour is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourCommand {
    pub line: usize,
    pub text: String,
    pub command: Command,
}

impl TourCommand {
    /// For `advance D`: D, which the UI plays (animates) instead of jumping.
    pub fn advance_ms(&self) -> Option<Millis> {
        match self.command {
            Command::Advance(ms) => Some(ms),
            _ => None,
        }
    }
}

/// One line of a step's `run` or `then` sequence, played in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Command(TourCommand),
    Wait(Wait),
    /// `skip: DURATION`: the clock jumps over a stretch in which nothing the step is about
    /// happens (a 5-minute retention check, say), so the learner does not sit through it. The
    /// player says so on screen; a `wait:` must follow in the same sequence, so the moment the
    /// step is about still plays.
    Skip(Skip),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub line: usize,
    pub ms: Millis,
}

impl Line {
    /// The tour file's line number.
    pub fn line(&self) -> usize {
        match self {
            Line::Command(c) => c.line,
            Line::Wait(w) => w.line,
            Line::Skip(k) => k.line,
        }
    }
}

/// `wait: PROBE OP VALUE within DURATION`: play until the probe holds, at most DURATION.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub line: usize,
    pub until: Condition,
    pub within_ms: Millis,
}

impl Wait {
    /// Whether the wait is over: its condition holds now.
    pub fn holds(&self, sim: &Sim) -> bool {
        self.until.holds(sim)
    }
}

/// `PROBE = VALUE` or `PROBE != VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub probe: Probe,
    /// The probe as written, e.g. `leader orders-0`.
    pub probe_text: String,
    /// `=` (false) or `!=` (true).
    pub negated: bool,
    pub value: String,
}

impl Condition {
    fn parse(text: &str) -> Result<Condition, String> {
        let w: Vec<&str> = text.split_whitespace().collect();
        let Some(at) = w.iter().position(|t| *t == "=" || *t == "!=") else {
            return Err(format!("expected `PROBE = VALUE` or `PROBE != VALUE`, got `{text}`"));
        };
        let probe_text = w[..at].join(" ");
        let value = w[at + 1..].join(" ");
        if value.is_empty() {
            return Err(format!("`{text}` has no value after `{}`", w[at]));
        }
        Ok(Condition { probe: Probe::parse(&probe_text)?, probe_text, negated: w[at] == "!=", value })
    }

    pub fn holds(&self, sim: &Sim) -> bool {
        (self.probe.eval(sim) == self.value) != self.negated
    }

    /// As written: `leader orders-0 != 2`.
    pub fn text(&self) -> String {
        format!("{} {} {}", self.probe_text, if self.negated { "!=" } else { "=" }, self.value)
    }
}

/// A fact a sentence of the tour states about the cluster, checked at the moment it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub line: usize,
    pub claim: Condition,
}

impl Fact {
    /// Ok when the fact holds now; else what the model says instead.
    pub fn check(&self, sim: &Sim) -> Result<(), String> {
        if self.claim.holds(sim) {
            Ok(())
        } else {
            Err(format!(
                "line {}: the fact `{}` is false: the model says `{}`",
                self.line,
                self.claim.text(),
                self.claim.probe.eval(sim)
            ))
        }
    }
}

/// `highlight: TARGET`: what the picture lights up while the text speaks of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub line: usize,
    pub target: Target,
}

/// What a highlight names, as written in the tour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Broker(BrokerId),
    /// One broker's copy of a partition.
    Replica(String, u32, BrokerId),
    /// The replica leading the partition at that moment.
    Leader(String, u32),
    /// The partition's row.
    Partition(String, u32),
    Producer(String),
    /// A consumer by client id.
    Consumer(String),
    Group(String),
    Ledger,
    Controller,
}

/// What a target points at in the model at one moment, for the picture to map to its elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Element {
    Broker(BrokerId),
    Replica(Tp, BrokerId),
    Partition(Tp),
    Producer(ProducerIdx),
    Consumer(ConsumerIdx),
    Group(String),
    Ledger,
    Controller,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        let w: Vec<&str> = text.split_whitespace().collect();
        let broker = |s: &str| s.parse::<BrokerId>().map_err(|_| format!("`{s}` is not a broker id"));
        Ok(match w.as_slice() {
            ["broker", b] => Target::Broker(broker(b)?),
            ["replica", tp, b] => {
                let (t, p) = tp_arg(tp)?;
                Target::Replica(t, p, broker(b)?)
            }
            ["leader", tp] => {
                let (t, p) = tp_arg(tp)?;
                Target::Leader(t, p)
            }
            ["partition", tp] => {
                let (t, p) = tp_arg(tp)?;
                Target::Partition(t, p)
            }
            ["producer", n] => Target::Producer(n.to_string()),
            ["consumer", c] => Target::Consumer(c.to_string()),
            ["group", g] => Target::Group(g.to_string()),
            ["ledger"] => Target::Ledger,
            ["controller"] => Target::Controller,
            _ => {
                return Err(format!(
                "unknown highlight `{text}` (broker B, replica T-P B, leader T-P, partition T-P, producer NAME, consumer ID, group G, ledger, controller)"
            ))
            }
        })
    }

    /// The element this target names now: `leader T-P` becomes the replica leading it at this
    /// moment. An error when it names nothing on screen (no such topic, broker, client or group,
    /// or a partition without a leader).
    pub fn resolve(&self, sim: &Sim) -> Result<Element, String> {
        let tp = |t: &str, p: u32| -> Result<Tp, String> {
            let topic = sim.topic_by_name(t).ok_or_else(|| format!("no topic {t}"))?;
            let tp = Tp { topic, partition: p };
            sim.partition(tp).map(|_| tp).ok_or_else(|| format!("no partition {t}-{p}"))
        };
        let broker = |b: BrokerId| -> Result<BrokerId, String> {
            sim.brokers.get(&b).map(|_| b).ok_or_else(|| format!("no broker {b}"))
        };
        Ok(match self {
            Target::Broker(b) => Element::Broker(broker(*b)?),
            Target::Replica(t, p, b) => {
                let tp = tp(t, *p)?;
                if sim.partition(tp).is_none_or(|m| !m.replicas.contains(b)) {
                    return Err(format!("broker {b} holds no replica of {t}-{p}"));
                }
                Element::Replica(tp, *b)
            }
            Target::Leader(t, p) => {
                let tp = tp(t, *p)?;
                let leader =
                    sim.partition(tp).and_then(|m| m.leader).ok_or_else(|| format!("{t}-{p} has no leader"))?;
                Element::Replica(tp, leader)
            }
            Target::Partition(t, p) => Element::Partition(tp(t, *p)?),
            Target::Producer(n) => Element::Producer(
                sim.producers
                    .iter()
                    .rposition(|x| x.name == *n && !x.removed)
                    .map(|i| i as ProducerIdx)
                    .ok_or_else(|| format!("no producer {n}"))?,
            ),
            Target::Consumer(c) => Element::Consumer(consumer_named(sim, c).ok_or_else(|| format!("no consumer {c}"))?),
            Target::Group(g) => {
                if !sim.consumers.iter().any(|c| c.group_name == *g && !c.removed) {
                    return Err(format!("no group {g} on the picture"));
                }
                Element::Group(g.clone())
            }
            Target::Ledger => Element::Ledger,
            Target::Controller => Element::Controller,
        })
    }
}

/// The consumer on the picture with this client id (the latest one, if it was started again).
fn consumer_named(sim: &Sim, client_id: &str) -> Option<ConsumerIdx> {
    sim.consumers.iter().rposition(|c| c.client_id == client_id && !c.removed).map(|i| i as ConsumerIdx)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub text: String,
    pub choices: Vec<String>,
    pub probe: Probe,
    /// The probe as written, e.g. `leader orders-0`.
    pub probe_text: String,
    /// The answer the tour declares; only the tests read it. The UI reveals the probe's value.
    pub answer: String,
}

/// Something the model is asked after a step. Values are plain text, compared with the choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// The KRaft quorum: the active controller's id, or `none`.
    ActiveController,
    /// A controller's role (`leader`, `follower`, `candidate`, `prospective`, `unattached`) or
    /// `dead` / `stopped`.
    Controller(u32),
    /// The highest epoch any controller has reached.
    QuorumEpoch,
    /// The metadata log's high watermark (its committed end).
    MetadataHw,
    /// A broker's metadata offset: how much of the committed log it has applied.
    MetadataOffset(BrokerId),
    /// The partition's leader per the controller, or `none`.
    Leader(String, u32),
    /// The ISR per the controller, comma-separated.
    Isr(String, u32),
    /// The replicas per the controller, in its order (as `kafka-topics --describe` prints them):
    /// while a reassignment runs, the target followed by the replicas leaving.
    Replicas(String, u32),
    /// A running reassignment's `Adding Replicas` and `Removing Replicas`, or `none`.
    Adding(String, u32),
    Removing(String, u32),
    /// The leader epoch per the controller.
    Epoch(String, u32),
    /// High watermark, log end offset, last stable offset of the serving (leader's) log.
    Hw(String, u32),
    Leo(String, u32),
    Lso(String, u32),
    /// Records between the last stable offset and the high watermark (of undecided transactions).
    Unstable(String, u32),
    /// Data records in the serving log (markers and internal records left out).
    Records(String, u32),
    /// The serving log's log start offset (moved by retention and kafka-delete-records).
    LogStart(String, u32),
    /// How many segments the serving log has (the last is the active one).
    Segments(String, u32),
    /// Data records in the serving logs of all of a topic's partitions.
    TopicRecords(String),
    /// Records on the leader above its high watermark (drawn hatched).
    AboveHw(String, u32),
    /// The log end offset of one broker's copy, or `none`.
    ReplicaLeo(String, u32, BrokerId),
    /// A replica's header in the picture: `leader`, `in-sync` (follower · in sync), `out-of-isr`
    /// (follower · out of ISR), or `none` (no replica there).
    Role(String, u32, BrokerId),
    /// How many partitions a topic has now, or `none`.
    Partitions(String),
    /// The partitions of a topic whose serving log holds a record with this key.
    PartitionOf(String, String),
    /// How many partitions of a topic hold a record with this key.
    KeyPartitions(String, String),
    /// The partition the default partitioner picks for a key (murmur2), records or not.
    PartitionFor(String, String),
    /// The values of one key's records in a partition's serving log, in log order.
    Values(String, u32, String),
    /// Whether one key's records in a partition's serving log are in the order they were sent,
    /// each once (`yes`), or not (`no`: reordered by retries, or a record written twice).
    InOrder(String, u32, String),
    /// The values of one key's records in a partition's log that landed after a record sent
    /// later (reordered by a retry, or written a second time), comma-separated, or `none`.
    Late(String, u32, String),
    /// Values as `kafka-console-consumer --from-beginning` prints them, comma-separated.
    Read {
        topic: String,
        committed: bool,
    },
    /// A ledger counter: acked, failed, pending, lost, duplicated.
    Ledger(String),
    /// A group fact: once, more-than-once, skipped, pending, before-start, state, generation,
    /// members.
    Group(String, String),
    /// The group's committed offset for a partition (the ▲ under the leader's log), or `none`.
    Committed(String, String, u32),
    /// The members owning a partition in a group, or `none`.
    Owner(String, String, u32),
    /// A read-process-write app's output for a read_committed reader: lost, duplicated, outputs.
    Processor(String, String),
    /// How many partitions a consumer (by client id) owns now.
    Assigned(String),
    /// The partitions a live consumer owns now (its chips), comma-separated, or `none`.
    Owns(String),
    /// What the group coordinator records as a member's partitions: comma-separated, `none`, or
    /// `not a member` (never joined, or removed by its session timeout or LeaveGroup).
    CoordinatorAssignment(String, String),
    /// A consumer's next offset and lag on a partition (its chip `pN @offset lag L`), or `none`.
    Position(String, String, u32),
    Lag(String, String, u32),
    /// A consumer as the picture draws it: crashed, closed, paused, idle, consuming, rebalancing,
    /// left the group.
    Consumer(String),
    /// A broker as the picture shows it: alive, fenced, dead, stopped.
    Broker(u32),
    /// How many partitions (of every topic) the controller lists the broker among the replicas of.
    Hosted(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for TourError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const LEDGER_FIELDS: [&str; 7] = ["acked", "failed", "pending", "lost", "duplicated", "removed", "compacted"];
const GROUP_FIELDS: [&str; 9] = [
    "once",
    "more-than-once",
    "skipped",
    "pending",
    "before-start",
    "removed-before-read",
    "state",
    "generation",
    "members",
];
/// Group fields that are counters of the ledger (hidden until the reveal when asked about).
const GROUP_COUNTERS: [&str; 6] =
    ["once", "more-than-once", "skipped", "pending", "before-start", "removed-before-read"];
const PROCESSOR_FIELDS: [&str; 4] = ["lost", "duplicated", "outputs", "aborted"];

fn tp_arg(s: &str) -> Result<(String, u32), String> {
    match s.rsplit_once('-').map(|(t, p)| (t, p.parse::<u32>())) {
        Some((t, Ok(p))) if !t.is_empty() => Ok((t.to_string(), p)),
        _ => Err(format!("`{s}` is not a partition like orders-0")),
    }
}

fn field(s: &str, allowed: &[&str]) -> Result<String, String> {
    if allowed.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not one of {}", allowed.join(", ")))
    }
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(",")
    }
}

impl Probe {
    pub fn parse(text: &str) -> Result<Probe, String> {
        let w: Vec<&str> = text.split_whitespace().collect();
        let usage = "probes: leader|isr|replicas|adding|removing|epoch|hw|leo|lso|unstable|records|above-hw|log-start|segments TOPIC-P, replica-leo|role TOPIC-P BROKER, partitions|topic-records TOPIC, partition-of|partition-for|key-partitions TOPIC KEY, values|in-order|late TOPIC-P KEY, read|read-committed TOPIC, ledger FIELD, group G FIELD, committed G TOPIC-P, owner G TOPIC-P, assigned|owns|consumer CLIENT, coordinator-assignment G CLIENT, position|lag CLIENT TOPIC-P, processor G FIELD, broker|hosted ID, active-controller, controller ID, quorum-epoch, metadata-hw, metadata-offset BROKER";
        let broker = |s: &str| s.parse::<BrokerId>().map_err(|_| format!("`{s}` is not a broker id"));
        let p = match w.as_slice() {
            [kind @ ("leader" | "isr" | "replicas" | "adding" | "removing" | "epoch" | "hw" | "leo" | "lso"
            | "unstable" | "records" | "above-hw" | "log-start" | "segments"), tp] => {
                let (t, p) = tp_arg(tp)?;
                match *kind {
                    "leader" => Probe::Leader(t, p),
                    "isr" => Probe::Isr(t, p),
                    "replicas" => Probe::Replicas(t, p),
                    "adding" => Probe::Adding(t, p),
                    "removing" => Probe::Removing(t, p),
                    "epoch" => Probe::Epoch(t, p),
                    "hw" => Probe::Hw(t, p),
                    "leo" => Probe::Leo(t, p),
                    "lso" => Probe::Lso(t, p),
                    "above-hw" => Probe::AboveHw(t, p),
                    "unstable" => Probe::Unstable(t, p),
                    "log-start" => Probe::LogStart(t, p),
                    "segments" => Probe::Segments(t, p),
                    _ => Probe::Records(t, p),
                }
            }
            [kind @ ("replica-leo" | "role"), tp, b] => {
                let (t, p) = tp_arg(tp)?;
                let b = broker(b)?;
                if *kind == "role" {
                    Probe::Role(t, p, b)
                } else {
                    Probe::ReplicaLeo(t, p, b)
                }
            }
            ["partitions", topic] => Probe::Partitions(topic.to_string()),
            ["topic-records", topic] => Probe::TopicRecords(topic.to_string()),
            ["partition-of", topic, key] => Probe::PartitionOf(topic.to_string(), key.to_string()),
            ["key-partitions", topic, key] => Probe::KeyPartitions(topic.to_string(), key.to_string()),
            ["partition-for", topic, key] => Probe::PartitionFor(topic.to_string(), key.to_string()),
            [kind @ ("values" | "in-order" | "late"), tp, key] => {
                let (t, p) = tp_arg(tp)?;
                let key = key.to_string();
                match *kind {
                    "values" => Probe::Values(t, p, key),
                    "in-order" => Probe::InOrder(t, p, key),
                    _ => Probe::Late(t, p, key),
                }
            }
            ["read", topic] => Probe::Read { topic: topic.to_string(), committed: false },
            ["read-committed", topic] => Probe::Read { topic: topic.to_string(), committed: true },
            ["ledger", f] => Probe::Ledger(field(f, &LEDGER_FIELDS)?),
            ["group", g, f] => Probe::Group(g.to_string(), field(f, &GROUP_FIELDS)?),
            [kind @ ("owner" | "committed"), g, tp] => {
                let (t, p) = tp_arg(tp)?;
                if *kind == "owner" {
                    Probe::Owner(g.to_string(), t, p)
                } else {
                    Probe::Committed(g.to_string(), t, p)
                }
            }
            [kind @ ("position" | "lag"), c, tp] => {
                let (t, p) = tp_arg(tp)?;
                if *kind == "lag" {
                    Probe::Lag(c.to_string(), t, p)
                } else {
                    Probe::Position(c.to_string(), t, p)
                }
            }
            ["processor", g, f] => Probe::Processor(g.to_string(), field(f, &PROCESSOR_FIELDS)?),
            ["assigned", c] => Probe::Assigned(c.to_string()),
            ["owns", c] => Probe::Owns(c.to_string()),
            ["consumer", c] => Probe::Consumer(c.to_string()),
            ["coordinator-assignment", g, c] => Probe::CoordinatorAssignment(g.to_string(), c.to_string()),
            ["broker", id] => Probe::Broker(broker(id)?),
            ["hosted", id] => Probe::Hosted(broker(id)?),
            ["active-controller"] => Probe::ActiveController,
            ["controller", id] => {
                Probe::Controller(id.parse::<u32>().map_err(|_| format!("`{id}` is not a controller id"))?)
            }
            ["quorum-epoch"] => Probe::QuorumEpoch,
            ["metadata-hw"] => Probe::MetadataHw,
            ["metadata-offset", id] => Probe::MetadataOffset(broker(id)?),
            _ => return Err(format!("unknown probe `{text}` ({usage})")),
        };
        Ok(p)
    }

    /// Whether the value is one of the ledger's counters (the ledger, a group's delivery counts,
    /// a processor's output audit): shown in the ledger panel, so hidden until the reveal.
    pub fn is_counter(&self) -> bool {
        match self {
            Probe::Ledger(_) | Probe::Processor(..) => true,
            Probe::Group(_, f) => GROUP_COUNTERS.contains(&f.as_str()),
            _ => false,
        }
    }

    /// The probe's value in the model's present state.
    pub fn eval(&self, sim: &Sim) -> String {
        let tp = |t: &str, p: u32| sim.topic_by_name(t).map(|topic| Tp { topic, partition: p });
        let none = || "none".to_string();
        let log = |t: &str, p: u32| tp(t, p).and_then(|tp| serving_log(sim, tp));
        // A crashed or stopped consumer owns nothing, whatever the coordinator still believes.
        let live = |c: &crate::clients::consumer::Consumer| c.is_alive();
        let data = |r: &&Record| r.id != INTERNAL_RECORD && !matches!(r.value, Value::Marker { .. });
        let key_records = |t: &str, p: u32, key: &str| -> Option<Vec<Record>> {
            let k = sim.interner.find(key);
            let l = log(t, p)?;
            Some(l.iter().filter(data).filter(|r| r.key.is_some() && r.key == k).copied().collect())
        };
        let consumer = |c: &str| consumer_named(sim, c).map(|i| &sim.consumers[i as usize]);
        match self {
            Probe::Leader(t, p) => {
                tp(t, *p).and_then(|tp| sim.partition(tp)).and_then(|m| m.leader).map_or_else(none, |l| l.to_string())
            }
            Probe::Isr(t, p) => tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| {
                // A set: shown in broker order (kafka-topics prints the controller's order).
                let mut isr = m.isr.clone();
                crate::sort::sort(&mut isr);
                list(isr.iter().map(|b| b.to_string()).collect())
            }),
            Probe::Replicas(t, p) | Probe::Adding(t, p) | Probe::Removing(t, p) => {
                tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| {
                    let bs = match self {
                        Probe::Replicas(..) => &m.replicas,
                        Probe::Adding(..) => &m.adding,
                        _ => &m.removing,
                    };
                    list(bs.iter().map(|b| b.to_string()).collect())
                })
            }
            Probe::Epoch(t, p) => {
                tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| m.leader_epoch.to_string())
            }
            Probe::Hw(t, p) => log(t, *p).map_or_else(none, |l| l.hw.to_string()),
            Probe::Leo(t, p) => log(t, *p).map_or_else(none, |l| l.leo().to_string()),
            Probe::Lso(t, p) => log(t, *p).map_or_else(none, |l| l.lso().to_string()),
            Probe::Unstable(t, p) => log(t, *p).map_or_else(none, |l| l.hw.saturating_sub(l.lso()).to_string()),
            Probe::Records(t, p) => log(t, *p).map_or_else(none, |l| l.iter().filter(data).count().to_string()),
            Probe::LogStart(t, p) => log(t, *p).map_or_else(none, |l| l.log_start.to_string()),
            Probe::Segments(t, p) => log(t, *p).map_or_else(none, |l| l.segments.len().to_string()),
            Probe::AboveHw(t, p) => log(t, *p).map_or_else(none, |l| (l.leo() - l.hw).to_string()),
            Probe::ReplicaLeo(t, p, b) => {
                tp(t, *p).and_then(|tp| sim.replica_log(*b, tp)).map_or_else(none, |l| l.leo().to_string())
            }
            Probe::Role(t, p, b) => tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| {
                if !m.replicas.contains(b) {
                    none()
                } else if m.leader == Some(*b) {
                    "leader".to_string()
                } else if m.isr.contains(b) {
                    "in-sync".to_string()
                } else {
                    "out-of-isr".to_string()
                }
            }),
            Probe::Partitions(t) => sim.topic_by_name(t).map_or_else(none, |t| sim.topic(t).partitions.to_string()),
            Probe::TopicRecords(t) => sim.topic_by_name(t).map_or_else(none, |topic| {
                (0..sim.topic(topic).partitions)
                    .filter_map(|p| serving_log(sim, Tp { topic, partition: p }))
                    .map(|l| l.iter().filter(data).count())
                    .sum::<usize>()
                    .to_string()
            }),
            Probe::PartitionFor(t, key) => sim.topic_by_name(t).map_or_else(none, |topic| {
                crate::murmur::partition_for_key(key, sim.topic(topic).partitions).to_string()
            }),
            Probe::PartitionOf(t, key) | Probe::KeyPartitions(t, key) => {
                let Some(topic) = sim.topic_by_name(t) else { return none() };
                let k = sim.interner.find(key);
                let ps: Vec<String> = (0..sim.topic(topic).partitions)
                    .filter(|&p| {
                        serving_log(sim, Tp { topic, partition: p })
                            .is_some_and(|l| l.iter().filter(data).any(|r| r.key.is_some() && r.key == k))
                    })
                    .map(|p| p.to_string())
                    .collect();
                if matches!(self, Probe::KeyPartitions(..)) {
                    ps.len().to_string()
                } else {
                    list(ps)
                }
            }
            Probe::Values(t, p, key) => key_records(t, *p, key)
                .map_or_else(none, |rs| list(rs.iter().map(|r| value_text(sim, r.value)).collect())),
            // Record ids are given in the order producers were asked to send.
            Probe::InOrder(t, p, key) => key_records(t, *p, key).map_or_else(none, |rs| {
                let ordered = rs.windows(2).all(|w| w[0].id < w[1].id);
                (if ordered { "yes" } else { "no" }).to_string()
            }),
            Probe::Late(t, p, key) => key_records(t, *p, key).map_or_else(none, |rs| {
                let mut latest = None;
                let mut late = Vec::new();
                for r in &rs {
                    if latest.is_some_and(|l| r.id <= l) {
                        late.push(value_text(sim, r.value));
                    }
                    latest = latest.max(Some(r.id));
                }
                list(late)
            }),
            Probe::Read { topic, committed } => {
                let Some(t) = sim.topic_by_name(topic) else { return none() };
                let mut values = Vec::new();
                for p in 0..sim.topic(t).partitions {
                    let Some(l) = serving_log(sim, Tp { topic: t, partition: p }) else { continue };
                    let end = if *committed { l.lso() } else { l.hw };
                    for r in l.iter().take_while(|r| r.offset < end).filter(data) {
                        if *committed && !crate::clients::processor::visible(l, r) {
                            continue;
                        }
                        values.push(value_text(sim, r.value));
                    }
                }
                list(values)
            }
            Probe::Ledger(f) => {
                let a = sim.audit();
                match f.as_str() {
                    "acked" => a.acked,
                    "failed" => a.failed,
                    "pending" => a.pending,
                    "lost" => a.lost.len() as u64,
                    "removed" => a.removed,
                    "compacted" => a.compacted,
                    _ => a.duplicated.len() as u64,
                }
                .to_string()
            }
            Probe::Group(g, f) => match f.as_str() {
                "state" => {
                    sim.groups.values().find(|gr| gr.name == *g).map_or_else(none, |gr| gr.state.name().to_string())
                }
                "generation" => {
                    sim.groups.values().find(|gr| gr.name == *g).map_or_else(none, |gr| gr.generation.to_string())
                }
                "members" => sim.groups.values().find(|gr| gr.name == *g).map_or_else(none, |gr| {
                    list(
                        sim.consumers
                            .iter()
                            .filter(|c| {
                                c.group_name == *g && c.member_id.as_ref().is_some_and(|id| gr.members.contains_key(id))
                            })
                            .map(|c| c.client_id.clone())
                            .collect(),
                    )
                }),
                _ => {
                    let Some(d) = sim.group_deliveries().into_iter().find(|d| d.group == *g) else { return none() };
                    match f.as_str() {
                        "once" => d.once,
                        "more-than-once" => d.twice(),
                        "skipped" => d.skipped.len() as u64,
                        "before-start" => d.before_start,
                        "removed-before-read" => d.removed_unread,
                        _ => d.pending,
                    }
                    .to_string()
                }
            },
            Probe::Committed(g, t, p) => {
                tp(t, *p).and_then(|tp| sim.committed_offsets(g).get(&tp).copied()).map_or_else(none, |o| o.to_string())
            }
            Probe::Owner(g, t, p) => {
                let Some(tp) = tp(t, *p) else { return none() };
                list(
                    sim.consumers
                        .iter()
                        .filter(|c| c.group_name == *g && live(c) && c.assigned.contains(&tp))
                        .map(|c| c.client_id.clone())
                        .collect(),
                )
            }
            Probe::Processor(g, f) => {
                let Some(a) = sim.processor_audit().into_iter().find(|a| a.group == *g) else { return none() };
                match f.as_str() {
                    "lost" => a.lost.len() as u64,
                    "duplicated" => a.duplicated.len() as u64,
                    "outputs" => a.outputs,
                    _ => a.aborted_outputs,
                }
                .to_string()
            }
            Probe::Assigned(c) => sim
                .consumers
                .iter()
                .filter(|x| x.client_id == *c && live(x))
                .map(|x| x.assigned.len())
                .sum::<usize>()
                .to_string(),
            Probe::Owns(c) => consumer(c)
                .filter(|x| live(x))
                .map_or_else(none, |x| list(x.assigned.iter().map(|tp| sim.tp_name(*tp)).collect())),
            Probe::CoordinatorAssignment(g, c) => {
                match sim.coordinator_assignment(g).into_iter().find(|(id, _)| id == c) {
                    Some((_, tps)) => list(tps.iter().map(|tp| sim.tp_name(*tp)).collect()),
                    None => "not a member".to_string(),
                }
            }
            Probe::Position(c, t, p) | Probe::Lag(c, t, p) => {
                let Some(tp) = tp(t, *p) else { return none() };
                let Some(x) = consumer(c).filter(|x| live(x) && x.assigned.contains(&tp)) else { return none() };
                let Some(&pos) = x.positions.get(&tp) else { return none() };
                if matches!(self, Probe::Position(..)) {
                    pos.to_string()
                } else {
                    serving_log(sim, tp).map_or_else(none, |l| l.hw.saturating_sub(pos).to_string())
                }
            }
            Probe::Consumer(c) => consumer_named(sim, c).map_or_else(none, |i| sim.consumer_state(i).to_string()),
            Probe::Broker(b) => sim.broker_state(*b).to_string(),
            Probe::ActiveController => sim.active_controller().map_or_else(none, |c| c.to_string()),
            Probe::Controller(c) => sim.quorum.node(*c).map_or_else(none, |n| match n.status {
                crate::cluster::quorum::ControllerStatus::Running => n.role.name().to_string(),
                crate::cluster::quorum::ControllerStatus::Dead => "dead".to_string(),
                crate::cluster::quorum::ControllerStatus::Stopped => "stopped".to_string(),
            }),
            Probe::QuorumEpoch => sim.quorum.nodes.values().map(|n| n.epoch).max().unwrap_or(0).to_string(),
            Probe::MetadataHw => sim.quorum.committed_end().to_string(),
            Probe::MetadataOffset(b) => sim.brokers.get(b).map_or_else(none, |br| br.metadata_offset.to_string()),
            Probe::Hosted(b) => {
                sim.controller.partitions.values().filter(|m| m.replicas.contains(b)).count().to_string()
            }
        }
    }
}

/// Plays virtual time up to `until_ms`, one virtual millisecond's events at a time (the probe,
/// which may audit the whole ledger, is checked once per moment, not once per event), stopping
/// right after the moment that made the wait hold; true when it holds (at once, if it already did). The headless player calls it
/// once with the wait's deadline; the UI calls it every frame with that frame's virtual time
/// (capped at the deadline), so the learner watches time run up to the moment and stop there.
/// When it returns false the clock stands at `until_ms`.
pub fn wait_step(session: &mut Session, w: &Wait, until_ms: Millis) -> bool {
    if w.holds(&session.sim) {
        return true;
    }
    while let Some(t) = session.sim.net.next_event_time().filter(|&t| t <= until_ms) {
        while session.sim.net.next_event_time() == Some(t) {
            session.sim.step();
        }
        if w.holds(&session.sim) {
            return true;
        }
    }
    session.sim.run_until(until_ms);
    false
}

/// A duration in words, for what the player says about a `skip:` ("4 min 30 s", "90 ms").
pub fn duration_words(ms: Millis) -> String {
    let (m, s, milli) = (ms / 60_000, (ms / 1000) % 60, ms % 1000);
    let mut parts = Vec::new();
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 {
        parts.push(format!("{s} s"));
    }
    if milli > 0 || parts.is_empty() {
        parts.push(format!("{milli} ms"));
    }
    parts.join(" ")
}

/// Plays a `run` or `then` sequence headless (commands applied, `advance` at once, each wait to
/// the moment it holds), adding what went wrong to `errors`.
pub fn play_lines(session: &mut Session, lines: &[Line], errors: &mut Vec<String>) {
    for l in lines {
        match l {
            Line::Command(c) => run_command(session, c, errors),
            Line::Skip(k) => {
                let to = session.sim.now().saturating_add(k.ms);
                session.sim.run_until(to);
            }
            Line::Wait(w) => {
                let deadline = session.sim.now().saturating_add(w.within_ms);
                if !wait_step(session, w, deadline) {
                    errors.push(format!(
                        "line {}: `wait: {}` did not hold within {} ms: the model says `{}`",
                        w.line,
                        w.until.text(),
                        w.within_ms,
                        w.until.probe.eval(&session.sim)
                    ));
                }
            }
        }
    }
}

/// Applies a tour command as the console and the UI's player do (`execute_interactive`: a
/// `produce` sends without waiting), so the headless run is what the learner sees.
fn run_command(session: &mut Session, c: &TourCommand, errors: &mut Vec<String>) {
    let out = session.execute_interactive(&c.command);
    if out.error {
        errors.push(format!("line {}: `{}` failed: {}", c.line, c.text, out.lines.join(" / ")));
    }
}

/// The first false fact of a list, as a problem line; None when every fact holds.
pub fn first_false(sim: &Sim, facts: &[Fact]) -> Option<String> {
    facts.iter().find_map(|f| f.check(sim).err())
}

/// Every highlight resolved to what it points at now, or the first that points at nothing.
pub fn resolve_all(sim: &Sim, hs: &[Highlight]) -> Result<Vec<Element>, String> {
    hs.iter().map(|h| h.target.resolve(sim).map_err(|e| format!("line {}: highlight: {e}", h.line))).collect()
}

fn append(text: &mut String, more: &str) {
    if !text.is_empty() && !more.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// Parses a tour. Never panics; the first problem is reported with its line.
pub fn parse(src: &str) -> Result<Tour, TourError> {
    let mut tour =
        Tour { title: String::new(), point: String::new(), seed: 1, steps: Vec::new(), summary: String::new() };
    // The text field a continuation line (indented) adds to.
    #[derive(Clone, Copy, PartialEq)]
    enum Field {
        None,
        Say,
        Look,
        Ask,
        Explain,
        Summary,
        Title,
        Point,
    }
    let mut last = Field::None;
    // Whether the step is past its run sequence (an `ask:`, `do:` or `then:` came): a `wait:`
    // then joins the `then` sequence, and a `run:` is out of order.
    let mut in_then = false;
    let mut pending_q: Option<(usize, String, Vec<String>, Option<(String, Probe)>, Option<String>)> = None;
    let err = |line: usize, message: String| TourError { line, message };

    fn close_question(
        steps: &mut [Step],
        q: Option<(usize, String, Vec<String>, Option<(String, Probe)>, Option<String>)>,
    ) -> Result<(), TourError> {
        let Some((line, text, choices, probe, answer)) = q else { return Ok(()) };
        let Some((probe_text, probe)) = probe else {
            return Err(TourError { line, message: "this question has no `probe:`".into() });
        };
        let Some(answer) = answer else {
            return Err(TourError { line, message: "this question has no `answer:`".into() });
        };
        if choices.len() < 2 {
            return Err(TourError { line, message: "a question needs at least two `choice:` lines".into() });
        }
        if !choices.contains(&answer) {
            return Err(TourError { line, message: format!("the answer `{answer}` is not one of the choices") });
        }
        let mut sorted = choices.clone();
        crate::sort::sort(&mut sorted);
        sorted.dedup();
        if sorted.len() != choices.len() {
            return Err(TourError { line, message: "two choices are the same".into() });
        }
        if let Some(step) = steps.last_mut() {
            step.question = Some(Question { text, choices, probe, probe_text, answer });
        }
        Ok(())
    }

    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if raw.starts_with(char::is_whitespace) && last != Field::None {
            let target = match last {
                Field::Say => tour.steps.last_mut().map(|s| &mut s.say),
                Field::Look => tour.steps.last_mut().map(|s| &mut s.look),
                Field::Explain => tour.steps.last_mut().map(|s| &mut s.explain),
                Field::Ask => pending_q.as_mut().map(|q| &mut q.1),
                Field::Summary => Some(&mut tour.summary),
                Field::Title => Some(&mut tour.title),
                Field::Point => Some(&mut tour.point),
                Field::None => None,
            };
            if let Some(t) = target {
                append(t, trimmed);
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(err(line, format!("expected `key: value`, got `{trimmed}`")));
        };
        let (key, value) = (key.trim(), value.trim());
        let in_step = |tour: &mut Tour| -> Result<(), TourError> {
            if tour.steps.is_empty() {
                Err(err(line, format!("`{key}:` must come after a `step:`")))
            } else {
                Ok(())
            }
        };
        let command = |text: &str| -> Result<TourCommand, TourError> {
            match parse_line(text) {
                Ok(Some(command)) => Ok(TourCommand { line, text: text.to_string(), command }),
                Ok(None) => Err(err(line, "an empty command".into())),
                Err((col, m)) => Err(err(line, format!("command, col {col}: {m}"))),
            }
        };
        last = Field::None;
        match key {
            "title" => {
                append(&mut tour.title, value);
                last = Field::Title;
            }
            "point" => {
                append(&mut tour.point, value);
                last = Field::Point;
            }
            "seed" => tour.seed = value.parse().map_err(|_| err(line, format!("`{value}` is not a seed")))?,
            "step" => {
                close_question(&mut tour.steps, pending_q.take())?;
                tour.steps.push(Step { title: value.to_string(), ..Step::default() });
                in_then = false;
            }
            "say" | "look" | "explain" => {
                in_step(&mut tour)?;
                let s = tour.steps.last_mut().expect("checked");
                let (t, f) = match key {
                    "say" => (&mut s.say, Field::Say),
                    "look" => (&mut s.look, Field::Look),
                    _ => (&mut s.explain, Field::Explain),
                };
                append(t, value);
                last = f;
            }
            "run" | "then" | "do" => {
                in_step(&mut tour)?;
                let c = command(value)?;
                if matches!(c.command, Command::Seed(_) | Command::Cluster { .. }) {
                    return Err(err(line, "use the tour's `seed:` instead of seed/cluster commands".into()));
                }
                if key == "run" && in_then {
                    return Err(err(line, "a `run:` comes before the step's `ask:`, `do:` and `then:` lines".into()));
                }
                let s = tour.steps.last_mut().expect("checked");
                in_then = key != "run";
                match key {
                    "run" => s.run.push(Line::Command(c)),
                    "then" => s.then.push(Line::Command(c)),
                    _ => {
                        if s.action.is_some() {
                            return Err(err(line, "a step has at most one `do:`".into()));
                        }
                        s.action = Some(c);
                    }
                }
            }
            "skip" => {
                in_step(&mut tour)?;
                let ms = parse_duration(value.trim()).map_err(|m| err(line, m))?;
                let k = Line::Skip(Skip { line, ms });
                let s = tour.steps.last_mut().expect("checked");
                if in_then {
                    s.then.push(k);
                } else {
                    s.run.push(k);
                }
            }
            "wait" => {
                in_step(&mut tour)?;
                let Some((cond, dur)) = value.rsplit_once(" within ") else {
                    return Err(err(line, "expected `wait: PROBE = VALUE within DURATION` (or `!=`)".into()));
                };
                let until = Condition::parse(cond).map_err(|m| err(line, m))?;
                let within_ms = parse_duration(dur.trim()).map_err(|m| err(line, m))?;
                let w = Line::Wait(Wait { line, until, within_ms });
                let s = tour.steps.last_mut().expect("checked");
                if in_then {
                    s.then.push(w);
                } else {
                    s.run.push(w);
                }
            }
            "fact" | "reveal-fact" => {
                in_step(&mut tour)?;
                let f = Fact { line, claim: Condition::parse(value).map_err(|m| err(line, m))? };
                let s = tour.steps.last_mut().expect("checked");
                if key == "fact" {
                    s.facts.push(f);
                } else {
                    s.reveal_facts.push(f);
                }
            }
            "highlight" | "reveal-highlight" => {
                in_step(&mut tour)?;
                let h = Highlight { line, target: Target::parse(value).map_err(|m| err(line, m))? };
                let s = tour.steps.last_mut().expect("checked");
                if key == "highlight" {
                    s.highlights.push(h);
                } else {
                    s.reveal_highlights.push(h);
                }
            }
            "hide" => {
                in_step(&mut tour)?;
                if value != "ledger" {
                    return Err(err(line, format!("`hide: {value}`: only `hide: ledger` is known")));
                }
                tour.steps.last_mut().expect("checked").hide_ledger = true;
            }
            "ask" => {
                in_step(&mut tour)?;
                if pending_q.is_some() || tour.steps.last().is_some_and(|s| s.question.is_some()) {
                    return Err(err(line, "a step has at most one question".into()));
                }
                pending_q = Some((line, value.to_string(), Vec::new(), None, None));
                last = Field::Ask;
                in_then = true;
            }
            "choice" | "probe" | "answer" => {
                let Some(q) = pending_q.as_mut() else {
                    return Err(err(line, format!("`{key}:` must follow an `ask:`")));
                };
                match key {
                    "choice" => {
                        if value.is_empty() {
                            return Err(err(line, "an empty choice".into()));
                        }
                        q.2.push(value.to_string());
                    }
                    "probe" => {
                        if q.3.is_some() {
                            return Err(err(line, "a question has one probe".into()));
                        }
                        q.3 = Some((value.to_string(), Probe::parse(value).map_err(|m| err(line, m))?));
                    }
                    _ => q.4 = Some(value.to_string()),
                }
            }
            "summary" => {
                close_question(&mut tour.steps, pending_q.take())?;
                append(&mut tour.summary, value);
                last = Field::Summary;
            }
            other => {
                return Err(err(
                    line,
                    format!("unknown key `{other}` (title, point, seed, step, say, look, fact, highlight, hide, run, wait, skip, ask, choice, probe, answer, do, then, explain, reveal-fact, reveal-highlight, summary)"),
                ))
            }
        }
    }
    close_question(&mut tour.steps, pending_q.take())?;
    if tour.title.is_empty() {
        return Err(err(1, "a tour needs a `title:`".into()));
    }
    if tour.steps.is_empty() {
        return Err(err(1, "a tour needs at least one `step:`".into()));
    }
    if tour.summary.is_empty() {
        return Err(err(src.lines().count().max(1), "a tour ends with a `summary:`".into()));
    }
    // A skip jumps over what the step is not about; the moment it is about must still play.
    for st in &tour.steps {
        for seq in [&st.run, &st.then] {
            for (i, l) in seq.iter().enumerate() {
                if let Line::Skip(k) = l {
                    if !seq[i + 1..].iter().any(|l| matches!(l, Line::Wait(_))) {
                        return Err(err(
                            k.line,
                            "a `skip:` must be followed by a `wait:` for the moment it leads to".into(),
                        ));
                    }
                }
            }
        }
    }
    Ok(tour)
}

/// What happened in one step of a headless run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRun {
    /// The probe's value after the step played (if the step asks a question).
    pub value: Option<String>,
    /// What went wrong, each with its tour line: commands that did not apply (with their output),
    /// waits that timed out, the first false fact of each phase, highlights that point at nothing.
    pub errors: Vec<String>,
    /// Virtual time when the question was shown (phase b) and at the reveal (phase e).
    pub shown_ms: Millis,
    pub revealed_ms: Millis,
}

/// Plays one step headless, phase by phase, as a learner who does the action.
pub fn play_step(s: &mut Session, step: &Step) -> StepRun {
    let mut errors = Vec::new();
    // (a) the run sequence.
    play_lines(s, &step.run, &mut errors);
    // (b) say, look and the question are shown.
    let shown_ms = s.sim.now();
    errors.extend(first_false(&s.sim, &step.facts));
    errors.extend(resolve_all(&s.sim, &step.highlights).err());
    // (c) the learner picks; (d) the action and the then sequence.
    if let Some(a) = &step.action {
        run_command(s, a, &mut errors);
    }
    play_lines(s, &step.then, &mut errors);
    // (e) the reveal.
    let value = step.question.as_ref().map(|q| q.probe.eval(&s.sim));
    errors.extend(first_false(&s.sim, &step.reveal_facts));
    errors.extend(resolve_all(&s.sim, &step.reveal_highlights).err());
    StepRun { value, errors, shown_ms, revealed_ms: s.sim.now() }
}

impl Tour {
    /// A fresh session for this tour: its seed, nothing run yet.
    pub fn session(&self) -> Session {
        Session::new(self.seed)
    }

    /// The session as it is when step `i` opens: every earlier step played headless (the model
    /// is deterministic, so this is what the learner had, for Back).
    pub fn session_before(&self, i: usize) -> Session {
        let mut s = self.session();
        for step in self.steps.iter().take(i) {
            play_step(&mut s, step);
        }
        s
    }

    /// Plays every step headless, as a learner who does every action, and evaluates each probe.
    pub fn play(&self) -> (Session, Vec<StepRun>) {
        let mut s = self.session();
        let runs = self.steps.iter().map(|step| play_step(&mut s, step)).collect();
        (s, runs)
    }

    /// Every way the tour disagrees with the model: a command that fails, a wait that times out,
    /// a false fact, a highlight of nothing, or a declared answer that is not what the model
    /// computes. Each names the tour, the step and the line. Empty when the tour is right.
    pub fn check(&self) -> Vec<String> {
        let (_, runs) = self.play();
        let mut problems = Vec::new();
        for (step, run) in self.steps.iter().zip(&runs) {
            let at = format!("{}, step `{}`", self.title, step.title);
            problems.extend(run.errors.iter().map(|e| format!("{at}: {e}")));
            if let (Some(q), Some(v)) = (&step.question, &run.value) {
                if *v != q.answer {
                    problems.push(format!(
                        "{at}: the tour says `{}` but the model says `{v}` ({})",
                        q.answer, q.probe_text
                    ));
                }
                if !q.choices.contains(v) {
                    problems.push(format!("{at}: the model's value `{v}` is not among the choices"));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "title: T\npoint: p\nseed: 3\nstep: one\nsay: hello\n  world\nrun: kafka-topics --create --topic t --partitions 1 --replication-factor 3\nask: Who leads?\nchoice: 1\nchoice: 2\nchoice: 3\nprobe: leader t-0\nanswer: 1\nsummary: done\n";

    #[test]
    fn parses_and_continues_lines() {
        let t = parse(SMALL).unwrap();
        assert_eq!(t.seed, 3);
        assert_eq!(t.steps[0].say, "hello world");
        assert_eq!(t.steps[0].question.as_ref().unwrap().probe, Probe::Leader("t".into(), 0));
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SMALL.replace("probe: leader t-0", "probe: leader t");
        assert_eq!(parse(&bad).unwrap_err().line, 12);
        let bad = SMALL.replace("answer: 1", "answer: 9");
        assert!(parse(&bad).unwrap_err().message.contains("not one of the choices"));
        assert!(parse("say: x").is_err());
        assert!(parse("").is_err());
        for (bad, what) in [
            ("wait: leader t-0 = 1", "within"),
            ("wait: leader t-0 1 within 5s", "PROBE = VALUE"),
            ("wait: leader t-0 = 1 within soon", "duration"),
            ("fact: leader t-0 =", "no value"),
            ("highlight: broker one", "broker id"),
            ("highlight: the leader", "unknown highlight"),
            ("hide: console", "only `hide: ledger`"),
            ("then: advance 1s\nrun: advance 1s", "comes before"),
        ] {
            let src = SMALL.replace("ask: Who leads?", &format!("{bad}\nask: Who leads?"));
            let e = parse(&src).unwrap_err();
            // The problem is on the last line inserted, before the `ask:`.
            assert_eq!(e.line, 7 + bad.lines().count(), "{bad}: {e}");
            assert!(e.message.contains(what), "{bad}: {e}");
        }
    }

    /// A wait joins the run sequence until an `ask:`, `do:` or `then:` comes, then the then
    /// sequence; facts, highlights and `hide` land in their phase.
    #[test]
    fn waits_facts_and_highlights_land_in_their_phase() {
        let src = "title: T\nseed: 3\nstep: one\nwait: broker 1 = alive within 1s\nrun: broker kill 1\nwait: broker 1 = fenced within 20s\nfact: leader t-0 != 1\nhighlight: leader t-0\nhide: ledger\nask: Q\nchoice: a\nchoice: b\nprobe: ledger lost\nanswer: a\nwait: broker 1 = dead within 1s\ndo: broker start 1\nwait: broker 1 = alive within 20s\nthen: advance 1s\nwait: isr t-0 = 1,2,3 within 30s\nreveal-fact: epoch t-0 = 1\nreveal-highlight: replica t-0 1\nsummary: s\n";
        let t = parse(src).unwrap();
        let s = &t.steps[0];
        let kinds = |ls: &[Line]| ls.iter().map(|l| matches!(l, Line::Wait(_))).collect::<Vec<_>>();
        assert_eq!(kinds(&s.run), [true, false, true]);
        assert_eq!(kinds(&s.then), [true, true, false, true]);
        assert_eq!(s.facts.len(), 1);
        assert!(s.facts[0].claim.negated);
        assert_eq!(s.highlights[0].target, Target::Leader("t".into(), 0));
        assert_eq!(s.reveal_highlights[0].target, Target::Replica("t".into(), 0, 1));
        assert_eq!(s.reveal_facts[0].claim.text(), "epoch t-0 = 1");
        assert!(s.hides_counters() && s.hides_counters_at_reveal());
        let Line::Wait(w) = &s.then[3] else { unreachable!() };
        assert_eq!((w.within_ms, w.until.value.as_str()), (30_000, "1,2,3"));
    }

    fn killed_leader() -> (Session, Wait) {
        let mut s = Session::new(3);
        let create =
            parse_line("kafka-topics --create --topic t --partitions 1 --replication-factor 3").unwrap().unwrap();
        s.execute(&create);
        s.sim.run_for(1000);
        let leader = s.sim.partition(Tp { topic: 0, partition: 0 }).unwrap().leader.unwrap();
        s.execute(&Command::BrokerKill(leader));
        let until = Condition::parse(&format!("leader t-0 != {leader}")).unwrap();
        (s, Wait { line: 1, until, within_ms: 20_000 })
    }

    /// `wait_step` stops right after the event that made its condition true, whether it is called
    /// once (headless) or frame by frame (the UI), and both end in the same state.
    #[test]
    fn wait_step_stops_at_the_moment_and_frames_agree() {
        let (mut once, w) = killed_leader();
        let start = once.sim.now();
        assert!(!w.holds(&once.sim));
        assert!(wait_step(&mut once, &w, start + w.within_ms));
        assert!(w.holds(&once.sim));
        let at = once.sim.now();
        // The election follows the fencing, broker.session.timeout.ms (9 s) after the dead
        // broker's last heartbeat (sent up to 2 s before the crash).
        assert!(at > start + 6000 && at <= start + 9000, "held at {at}, crash at {start}");
        let (mut frames, _) = killed_leader();
        let mut t = start;
        let mut held = false;
        while !held {
            t += 16;
            held = wait_step(&mut frames, &w, t.min(start + w.within_ms));
            assert!(held || frames.sim.now() == t, "between frames the clock stands at the frame's time");
        }
        assert_eq!(frames.sim.now(), at);
        assert_eq!(frames.sim.net.processed, once.sim.net.processed);
        assert_eq!(frames.sim.journal, once.sim.journal);
        // Already true: nothing runs.
        let events = once.sim.net.processed;
        assert!(wait_step(&mut once, &w, at + 5000));
        assert_eq!(once.sim.net.processed, events);
        // Never true within the time: false, and the clock at the limit.
        let never = Wait { line: 1, until: Condition::parse("leader t-0 = 9").unwrap(), within_ms: 1000 };
        assert!(!wait_step(&mut once, &never, at + 1000));
        assert_eq!(once.sim.now(), at + 1000);
    }

    #[test]
    fn targets_resolve_against_the_model() {
        let (s, _) = killed_leader();
        let leader = s.sim.partition(Tp { topic: 0, partition: 0 }).unwrap().leader.unwrap();
        let r = |t: &str| Target::parse(t).unwrap().resolve(&s.sim);
        assert_eq!(r("leader t-0"), Ok(Element::Replica(Tp { topic: 0, partition: 0 }, leader)));
        assert_eq!(r("partition t-0"), Ok(Element::Partition(Tp { topic: 0, partition: 0 })));
        assert_eq!(r("broker 2"), Ok(Element::Broker(2)));
        assert_eq!(r("controller"), Ok(Element::Controller));
        assert!(r("broker 7").is_err());
        assert!(r("partition t-1").is_err());
        assert!(r("producer nobody").is_err());
        assert!(r("group nobody").is_err());
    }

    /// Counters that answer the question are hidden until the reveal; other questions hide nothing.
    #[test]
    fn counter_questions_hide_the_counters() {
        let q = |probe: &str| {
            let t = parse(&SMALL.replace("probe: leader t-0", &format!("probe: {probe}"))).unwrap();
            assert!(!t.steps[0].hides_counters_at_reveal(), "the reveal shows the counters");
            t.steps[0].hides_counters()
        };
        assert!(!q("leader t-0"));
        assert!(q("ledger lost"));
        assert!(q("group g skipped"));
        assert!(q("group g before-start"));
        assert!(q("processor g duplicated"));
        assert!(!q("group g state"));
        assert!(!q("owner g t-0"));
    }
}

//! Guided tours: narrated scenario scripts with predict-then-reveal questions whose answers come
//! from the model. A tour is data (`tours/*.tour`); this module parses it (never panicking, errors
//! name the line), evaluates probes against a `Sim`, and plays a tour headless for the tests.
//!
//! ```text
//! # comments start with '#'
//! title: The append-only log and offsets
//! point: the append-only log and offsets
//! seed: 7
//!
//! step: Set the scene                  a new step, with its heading
//! say: Each partition is a log ...      narration (repeat the key, or indent, to continue)
//! look: The row orders-0 ...           what to look at in the picture
//! run: kafka-topics --create ...       commands run when the step opens (repeatable)
//! ask: Which offset will the next record get?
//! choice: 2                            the possible answers (values a probe can give)
//! choice: 3
//! probe: leo orders-0                  what the model is asked after the step has played
//! answer: 3                            the value the tour claims; the tests check the model agrees
//! do: broker kill 1                    the learner's action (a button in the UI)
//! then: advance 10s                    commands run after the answer (and the action): the reveal
//! explain: Why the model answers so    shown after the model's value
//!
//! summary: Say it in the interview ... (after the last step)
//! ```
//!
//! A step plays in this order: `run` commands; the question (the learner picks a choice); the
//! action; the `then` commands; the probe is evaluated and its value is the reveal.

use crate::cluster::sim::Sim;
use crate::model::*;
use crate::session::command::{parse_line, Command};
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
    pub run: Vec<TourCommand>,
    pub action: Option<TourCommand>,
    pub then: Vec<TourCommand>,
    pub question: Option<Question>,
    pub explain: String,
}

/// A command line of a tour, parsed when the tour is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourCommand {
    pub line: usize,
    pub text: String,
    pub command: Command,
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
    /// The partition's leader per the controller, or `none`.
    Leader(String, u32),
    /// The ISR per the controller, comma-separated.
    Isr(String, u32),
    /// The leader epoch per the controller.
    Epoch(String, u32),
    /// High watermark, log end offset, last stable offset of the serving (leader's) log.
    Hw(String, u32),
    Leo(String, u32),
    Lso(String, u32),
    /// Data records in the serving log (markers and internal records left out).
    Records(String, u32),
    /// The partitions of a topic whose serving log holds a record with this key.
    PartitionOf(String, String),
    /// Values as `kafka-console-consumer --from-beginning` prints them, comma-separated.
    Read {
        topic: String,
        committed: bool,
    },
    /// A ledger counter: acked, failed, pending, lost, duplicated.
    Ledger(String),
    /// A group fact: once, more-than-once, skipped, pending, state, generation, members.
    Group(String, String),
    /// The members owning a partition in a group, or `none`.
    Owner(String, String, u32),
    /// A read-process-write app's output for a read_committed reader: lost, duplicated, outputs.
    Processor(String, String),
    /// How many partitions a consumer (by client id) owns now.
    Assigned(String),
    /// A broker as the picture shows it: alive, fenced, dead, stopped.
    Broker(u32),
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

const LEDGER_FIELDS: [&str; 5] = ["acked", "failed", "pending", "lost", "duplicated"];
const GROUP_FIELDS: [&str; 7] = ["once", "more-than-once", "skipped", "pending", "state", "generation", "members"];
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

impl Probe {
    pub fn parse(text: &str) -> Result<Probe, String> {
        let w: Vec<&str> = text.split_whitespace().collect();
        let usage = "probes: leader|isr|epoch|hw|leo|lso|records TOPIC-P, partition-of TOPIC KEY, read|read-committed TOPIC, ledger FIELD, group G FIELD, owner G TOPIC-P, assigned CLIENT, processor G FIELD, broker ID";
        let p = match w.as_slice() {
            [kind @ ("leader" | "isr" | "epoch" | "hw" | "leo" | "lso" | "records"), tp] => {
                let (t, p) = tp_arg(tp)?;
                match *kind {
                    "leader" => Probe::Leader(t, p),
                    "isr" => Probe::Isr(t, p),
                    "epoch" => Probe::Epoch(t, p),
                    "hw" => Probe::Hw(t, p),
                    "leo" => Probe::Leo(t, p),
                    "lso" => Probe::Lso(t, p),
                    _ => Probe::Records(t, p),
                }
            }
            ["partition-of", topic, key] => Probe::PartitionOf(topic.to_string(), key.to_string()),
            ["read", topic] => Probe::Read { topic: topic.to_string(), committed: false },
            ["read-committed", topic] => Probe::Read { topic: topic.to_string(), committed: true },
            ["ledger", f] => Probe::Ledger(field(f, &LEDGER_FIELDS)?),
            ["group", g, f] => Probe::Group(g.to_string(), field(f, &GROUP_FIELDS)?),
            ["owner", g, tp] => {
                let (t, p) = tp_arg(tp)?;
                Probe::Owner(g.to_string(), t, p)
            }
            ["processor", g, f] => Probe::Processor(g.to_string(), field(f, &PROCESSOR_FIELDS)?),
            ["assigned", c] => Probe::Assigned(c.to_string()),
            ["broker", id] => Probe::Broker(id.parse().map_err(|_| format!("`{id}` is not a broker id"))?),
            _ => return Err(format!("unknown probe `{text}` ({usage})")),
        };
        Ok(p)
    }

    /// The probe's value in the model's present state.
    pub fn eval(&self, sim: &Sim) -> String {
        let tp = |t: &str, p: u32| sim.topic_by_name(t).map(|topic| Tp { topic, partition: p });
        let none = || "none".to_string();
        let log = |t: &str, p: u32| tp(t, p).and_then(|tp| serving_log(sim, tp));
        // A crashed or stopped consumer owns nothing, whatever the coordinator still believes.
        let live = |c: &crate::clients::consumer::Consumer| c.is_alive();
        let data = |r: &&Record| r.id != INTERNAL_RECORD && !matches!(r.value, Value::Marker { .. });
        match self {
            Probe::Leader(t, p) => {
                tp(t, *p).and_then(|tp| sim.partition(tp)).and_then(|m| m.leader).map_or_else(none, |l| l.to_string())
            }
            Probe::Isr(t, p) => tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| {
                // A set: shown in broker order (kafka-topics prints the controller's order).
                let mut isr = m.isr.clone();
                isr.sort();
                let ids: Vec<String> = isr.iter().map(|b| b.to_string()).collect();
                if ids.is_empty() {
                    none()
                } else {
                    ids.join(",")
                }
            }),
            Probe::Epoch(t, p) => {
                tp(t, *p).and_then(|tp| sim.partition(tp)).map_or_else(none, |m| m.leader_epoch.to_string())
            }
            Probe::Hw(t, p) => log(t, *p).map_or_else(none, |l| l.hw.to_string()),
            Probe::Leo(t, p) => log(t, *p).map_or_else(none, |l| l.leo().to_string()),
            Probe::Lso(t, p) => log(t, *p).map_or_else(none, |l| l.lso().to_string()),
            Probe::Records(t, p) => log(t, *p).map_or_else(none, |l| l.records.iter().filter(data).count().to_string()),
            Probe::PartitionOf(t, key) => {
                let Some(topic) = sim.topic_by_name(t) else { return none() };
                let Some(k) = sim.interner.find(key) else { return none() };
                let ps: Vec<String> = (0..sim.topic(topic).partitions)
                    .filter(|&p| {
                        serving_log(sim, Tp { topic, partition: p })
                            .is_some_and(|l| l.records.iter().filter(data).any(|r| r.key == Some(k)))
                    })
                    .map(|p| p.to_string())
                    .collect();
                if ps.is_empty() {
                    none()
                } else {
                    ps.join(",")
                }
            }
            Probe::Read { topic, committed } => {
                let Some(t) = sim.topic_by_name(topic) else { return none() };
                let mut values = Vec::new();
                for p in 0..sim.topic(t).partitions {
                    let Some(l) = serving_log(sim, Tp { topic: t, partition: p }) else { continue };
                    let end = if *committed { l.lso() } else { l.hw };
                    for r in l.records.iter().take_while(|r| r.offset < end).filter(data) {
                        if *committed && !crate::clients::processor::visible(l, r) {
                            continue;
                        }
                        values.push(value_text(sim, r.value));
                    }
                }
                if values.is_empty() {
                    none()
                } else {
                    values.join(",")
                }
            }
            Probe::Ledger(f) => {
                let a = sim.audit();
                match f.as_str() {
                    "acked" => a.acked,
                    "failed" => a.failed,
                    "pending" => a.pending,
                    "lost" => a.lost.len() as u64,
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
                    let m: Vec<&str> = sim
                        .consumers
                        .iter()
                        .filter(|c| {
                            c.group_name == *g && c.member_id.as_ref().is_some_and(|id| gr.members.contains_key(id))
                        })
                        .map(|c| c.client_id.as_str())
                        .collect();
                    if m.is_empty() {
                        none()
                    } else {
                        m.join(",")
                    }
                }),
                _ => {
                    let Some(d) = sim.group_deliveries().into_iter().find(|d| d.group == *g) else { return none() };
                    match f.as_str() {
                        "once" => d.once,
                        "more-than-once" => d.more_than_once.len() as u64,
                        "skipped" => d.skipped.len() as u64,
                        _ => d.pending,
                    }
                    .to_string()
                }
            },
            Probe::Owner(g, t, p) => {
                let Some(tp) = tp(t, *p) else { return none() };
                let owners: Vec<&str> = sim
                    .consumers
                    .iter()
                    .filter(|c| c.group_name == *g && live(c) && c.assigned.contains(&tp))
                    .map(|c| c.client_id.as_str())
                    .collect();
                if owners.is_empty() {
                    none()
                } else {
                    owners.join(",")
                }
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
            Probe::Broker(b) => sim.broker_state(*b).to_string(),
        }
    }
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
        sorted.sort();
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
                let s = tour.steps.last_mut().expect("checked");
                match key {
                    "run" => s.run.push(c),
                    "then" => s.then.push(c),
                    _ => {
                        if s.action.is_some() {
                            return Err(err(line, "a step has at most one `do:`".into()));
                        }
                        s.action = Some(c);
                    }
                }
            }
            "ask" => {
                in_step(&mut tour)?;
                if pending_q.is_some() || tour.steps.last().is_some_and(|s| s.question.is_some()) {
                    return Err(err(line, "a step has at most one question".into()));
                }
                pending_q = Some((line, value.to_string(), Vec::new(), None, None));
                last = Field::Ask;
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
                    format!("unknown key `{other}` (title, point, seed, step, say, look, run, ask, choice, probe, answer, do, then, explain, summary)"),
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
    Ok(tour)
}

/// What happened in one step of a headless run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRun {
    /// The probe's value after the step played (if the step asks a question).
    pub value: Option<String>,
    /// Commands that did not apply, with their tour line and output.
    pub errors: Vec<String>,
}

impl Tour {
    /// A fresh session for this tour: its seed, nothing run yet.
    pub fn session(&self) -> Session {
        Session::new(self.seed)
    }

    /// Plays every step headless, as a learner who does every action, and evaluates each probe.
    pub fn play(&self) -> (Session, Vec<StepRun>) {
        let mut s = self.session();
        let mut runs = Vec::new();
        for step in &self.steps {
            let mut errors = Vec::new();
            let cmds = step.run.iter().chain(step.action.iter()).chain(step.then.iter());
            for c in cmds {
                let out = s.execute(&c.command);
                if out.error {
                    errors.push(format!("line {}: `{}` failed: {}", c.line, c.text, out.lines.join(" / ")));
                }
            }
            let value = step.question.as_ref().map(|q| q.probe.eval(&s.sim));
            runs.push(StepRun { value, errors });
        }
        (s, runs)
    }

    /// Every way the tour disagrees with the model: a command that fails, or a declared answer that
    /// is not what the model computes. Empty when the tour is right.
    pub fn check(&self) -> Vec<String> {
        let (_, runs) = self.play();
        let mut problems = Vec::new();
        for (step, run) in self.steps.iter().zip(&runs) {
            problems.extend(run.errors.iter().cloned());
            if let (Some(q), Some(v)) = (&step.question, &run.value) {
                if *v != q.answer {
                    problems.push(format!(
                        "step `{}`: the tour says `{}` but the model says `{v}` ({})",
                        step.title, q.answer, q.probe_text
                    ));
                }
                if !q.choices.contains(v) {
                    problems.push(format!("step `{}`: the model's value `{v}` is not among the choices", step.title));
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
    }
}

//! Read-process-write apps: a consumer that reads input topics and, for every record it processes,
//! writes one output record through its own producer (what a Kafka Streams task does).
//!
//! - `exactly_once_v2`: each poll() batch is one transaction: beginTransaction, the outputs,
//!   sendOffsetsToTransaction (the input offsets commit *with* the outputs), commitTransaction.
//!   Any failure aborts the transaction and rewinds the inputs to the committed offsets, so a
//!   read_committed reader of the output sees every input's output exactly once.
//! - `at_least_once`: outputs are sent, flushed (acknowledged), then the input offsets are
//!   committed. A crash between the two re-processes the batch: duplicates in the output.
//!
//! The ledger side: `Sim::processor_audit` counts, for a read_committed reader of the output,
//! how many committed outputs each consumed input has (0 = lost, 2+ = duplicated).

use crate::clients::consumer::{ConsumerConfig, ConsumerStatus};
use crate::clients::producer::{ClientStatus, KeySpec};
use crate::cluster::journal::SimEvent;
use crate::cluster::sim::{ActionResult, Sim};
use crate::coordinators::txn::TxnClientState;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A consumer's link to the producer it writes its outputs with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLink {
    pub producer: ProducerIdx,
    pub output: TopicId,
    /// `processing.guarantee=exactly_once_v2` (else `at_least_once`).
    pub eos: bool,
    /// Waiting for the producer: a commit (EOS), an abort, or a flush (at-least-once).
    pub waiting: bool,
    /// After the abort completes, re-read the inputs from the committed offsets.
    pub rewind: bool,
    /// At-least-once: the outputs of the current batch (a failed one means re-processing).
    pub batch_outputs: Vec<RecordId>,
}

/// What a read_committed reader of one app's output sees, per consumed input record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EosAudit {
    pub group: String,
    pub output: String,
    pub eos: bool,
    /// Input records below the group's committed offsets.
    pub consumed: u64,
    /// Output records visible to read_committed readers.
    pub outputs: u64,
    /// Output records written in transactions that aborted (invisible to read_committed).
    pub aborted_outputs: u64,
    /// Consumed inputs with no visible output.
    pub lost: Vec<RecordId>,
    /// Inputs with two or more visible outputs.
    pub duplicated: Vec<RecordId>,
}

impl Sim {
    /// `processor start NAME`: a consumer (client id NAME) in `group` reading `inputs`, and a
    /// producer (NAME) writing to `output`; transactional with `transactional.id` NAME-txn under
    /// exactly-once. Restarting a killed processor fences its previous instance.
    #[allow(clippy::too_many_arguments)]
    pub fn start_processor(
        &mut self,
        name: &str,
        group: &str,
        inputs: &[TopicId],
        output: TopicId,
        eos: bool,
        mut cconfig: ConsumerConfig,
        mut pconfig: ProducerConfig,
    ) -> ActionResult {
        if let Some(c) = self.consumer_by_id(name) {
            if self.consumers[c as usize].is_alive() {
                return Err(format!("Error: processor {name} is already running."));
            }
        }
        if let Some(p) = self.producer_by_name(name) {
            if self.producers[p as usize].status == ClientStatus::Running {
                return Err(format!("Error: a producer named {name} is already running."));
            }
        }
        if eos {
            // Kafka Streams' exactly_once_v2: read_committed inputs, a transactional producer, no
            // auto-commit (offsets go through the transaction).
            cconfig.read_committed = true;
            if pconfig.transactional_id.is_none() {
                pconfig.transactional_id = Some(format!("{name}-txn"));
            }
            pconfig.enable_idempotence = true;
        } else if pconfig.transactional_id.is_some() {
            return Err("Error: transactional.id is for --processing-guarantee exactly_once_v2.".into());
        }
        cconfig.commit = crate::clients::consumer::CommitMode::AfterProcessing;
        let p = self.start_producer(name, None, 0, KeySpec::Null, pconfig)?;
        let c = match self.start_consumer(name, group, inputs, cconfig) {
            Ok(c) => c,
            Err(e) => {
                let _ = self.stop_producer(p, true);
                return Err(e);
            }
        };
        self.producers[p as usize].app = Some(c);
        self.consumers[c as usize].app =
            Some(AppLink { producer: p, output, eos, waiting: false, rewind: false, batch_outputs: Vec::new() });
        Ok(())
    }

    /// `processor stop|kill NAME`: both halves of the app stop (a kill is a crash mid-whatever).
    pub fn stop_processor(&mut self, name: &str, kill: bool) -> ActionResult {
        let c = self
            .consumer_by_id(name)
            .filter(|&c| self.consumers[c as usize].app.is_some())
            .ok_or_else(|| format!("Error: no processor named {name}."))?;
        if !self.consumers[c as usize].is_alive() {
            return Err(format!("Error: processor {name} is not running."));
        }
        let p = self.consumers[c as usize].app.as_ref().expect("checked").producer;
        self.stop_consumer(c, kill)?;
        if self.producers[p as usize].status == ClientStatus::Running {
            self.stop_producer(p, kill)?;
        }
        Ok(())
    }

    /// `processor remove NAME`: stops it cleanly if it runs, then takes its consumer and
    /// producer off the picture.
    pub fn remove_processor(&mut self, name: &str) -> ActionResult {
        let c = self
            .consumer_by_id(name)
            .filter(|&c| self.consumers[c as usize].app.is_some() && !self.consumers[c as usize].removed)
            .ok_or_else(|| format!("Error: no processor named {name}."))?;
        if self.consumers[c as usize].is_alive() {
            self.stop_processor(name, false)?;
        }
        let p = self.consumers[c as usize].app.as_ref().expect("checked").producer;
        if self.producers[p as usize].status == ClientStatus::Running {
            self.stop_producer(p, false)?;
        }
        self.consumers[c as usize].removed = true;
        self.producers[p as usize].removed = true;
        self.log_event(SimEvent::ClientRemoved { what: format!("Processor {name}") });
        Ok(())
    }

    fn app(&self, c: ConsumerIdx) -> Option<&AppLink> {
        self.consumers[c as usize].app.as_ref()
    }

    fn app_mut(&mut self, c: ConsumerIdx) -> Option<&mut AppLink> {
        self.consumers[c as usize].app.as_mut()
    }

    fn producer_txn_state(&self, p: ProducerIdx) -> Option<TxnClientState> {
        self.producers[p as usize].txn.as_ref().map(|t| t.state)
    }

    /// Before poll() hands out a batch: may the app start one now?
    pub(crate) fn app_may_poll(&mut self, c: ConsumerIdx) -> bool {
        let Some(app) = self.app(c).cloned() else { return true };
        if app.waiting {
            return false;
        }
        if !app.eos {
            return true;
        }
        match self.producer_txn_state(app.producer) {
            Some(TxnClientState::Ready) => true,
            Some(TxnClientState::AbortableError(_)) => {
                self.app_abort(c);
                false
            }
            Some(TxnClientState::Fatal(e)) => {
                self.app_fenced(c, e);
                false
            }
            _ => false,
        }
    }

    /// poll() returned a batch: under exactly-once it is one transaction.
    pub(crate) fn app_batch_started(&mut self, c: ConsumerIdx) {
        let Some(app) = self.app(c).cloned() else { return };
        if app.eos {
            let _ = self.begin_transaction(app.producer);
        }
    }

    /// One input record processed: its output goes to the producer.
    pub(crate) fn app_processed(&mut self, c: ConsumerIdx, rec: &Record) {
        let Some(app) = self.app(c).cloned() else { return };
        let p = app.producer;
        if self.producers[p as usize].status != ClientStatus::Running {
            return;
        }
        if app.eos && self.producer_txn_state(p) != Some(TxnClientState::InTransaction) {
            return; // the transaction is doomed: the batch will be aborted and re-read
        }
        let id = self.make_record(p, app.output, rec.key, Some(Value::Derived(rec.id)), None);
        if let Some(t) = self.producers[p as usize].txn.as_mut() {
            t.records.push(id);
        }
        self.app_mut(c).expect("linked").batch_outputs.push(id);
        self.drain(p);
    }

    /// The batch is processed. `true`: the app commits (the consumer waits for it).
    pub(crate) fn app_batch_done(&mut self, c: ConsumerIdx) -> bool {
        let Some(app) = self.app(c).cloned() else { return false };
        let p = app.producer;
        if app.eos {
            let co = &self.consumers[c as usize];
            let offsets: Vec<(Tp, u64)> =
                co.positions.iter().filter(|(tp, _)| co.assigned.contains(tp)).map(|(tp, o)| (*tp, *o)).collect();
            let (group, generation, member) = (co.group, co.generation, co.member_id.clone().unwrap_or_default());
            self.send_offsets_to_transaction(p, group, generation, member, offsets);
            self.app_mut(c).expect("linked").waiting = true;
            if self.end_transaction(p, true).is_err() {
                self.app_abort(c);
            }
            return true;
        }
        if self.producers[p as usize].outstanding() == 0 && !self.app_outputs_failed(c) {
            self.app_mut(c).expect("linked").batch_outputs.clear();
            return false; // flushed: commit the inputs now
        }
        self.app_mut(c).expect("linked").waiting = true;
        if self.producers[p as usize].outstanding() == 0 {
            self.app_notify(p);
        }
        true
    }

    /// At-least-once: did an output of this batch fail (retries or delivery.timeout.ms exhausted)?
    fn app_outputs_failed(&self, c: ConsumerIdx) -> bool {
        self.app(c).is_some_and(|a| {
            a.batch_outputs
                .iter()
                .filter_map(|id| self.ledger.get(*id))
                .any(|e| matches!(e.state, crate::audit::ledger::Delivery::Failed(_)))
        })
    }

    /// The consumer lost partitions: an open transaction holds outputs of their records; abort it
    /// and re-read everything from the committed offsets.
    pub(crate) fn app_revoked(&mut self, c: ConsumerIdx) {
        let Some(app) = self.app(c).cloned() else { return };
        if app.eos && self.producer_txn_state(app.producer) == Some(TxnClientState::InTransaction) {
            let co = &mut self.consumers[c as usize];
            co.batch.clear();
            co.processing_until = None;
            self.app_abort(c);
        }
    }

    fn app_abort(&mut self, c: ConsumerIdx) {
        let Some(app) = self.app_mut(c) else { return };
        app.waiting = true;
        app.rewind = true;
        let p = app.producer;
        if self.end_transaction(p, false).is_err() {
            // Nothing to abort (already aborting, or fenced): the producer's next state decides.
            self.app_notify(p);
        }
    }

    fn app_fenced(&mut self, c: ConsumerIdx, e: ErrorCode) {
        if !self.consumers[c as usize].is_alive() {
            return;
        }
        self.log_event(SimEvent::ConsumerError {
            consumer: c,
            error: format!(
                "{}: this instance was fenced (a newer instance or the coordinator's timeout took over); it shuts down",
                e.name()
            ),
        });
        let _ = self.stop_consumer(c, false);
    }

    /// The app's producer changed state (initialized, committed, aborted, failed, flushed).
    pub(crate) fn app_notify(&mut self, p: ProducerIdx) {
        let Some(c) = self.producers[p as usize].app else { return };
        let Some(app) = self.app(c).cloned().filter(|a| a.producer == p) else { return };
        if self.consumers[c as usize].status == ConsumerStatus::Dead
            || self.consumers[c as usize].status == ConsumerStatus::Stopped
        {
            return;
        }
        if !app.eos {
            if app.waiting && self.producers[p as usize].outstanding() == 0 {
                let failed = self.app_outputs_failed(c);
                let a = self.app_mut(c).expect("linked");
                a.waiting = false;
                a.batch_outputs.clear();
                if failed {
                    // A send failed: do not commit past its input; process the batch again.
                    self.log_event(SimEvent::ConsumerError {
                        consumer: c,
                        error: "an output could not be sent: the batch is not committed and will be processed again"
                            .into(),
                    });
                    self.app_rewind(c);
                    self.poll(c);
                } else {
                    self.app_commit_inputs(c);
                }
            }
            return;
        }
        match self.producer_txn_state(p) {
            Some(TxnClientState::Ready) => {
                let rewind = app.rewind;
                let a = self.app_mut(c).expect("linked");
                a.waiting = false;
                a.rewind = false;
                if rewind {
                    self.app_rewind(c);
                } else {
                    // The transaction committed the positions with the outputs.
                    let co = &mut self.consumers[c as usize];
                    let done: Vec<(Tp, u64)> = co
                        .positions
                        .iter()
                        .filter(|(tp, _)| co.assigned.contains(tp))
                        .map(|(tp, o)| (*tp, *o))
                        .collect();
                    co.committed.extend(done);
                }
                self.poll(c);
            }
            Some(TxnClientState::AbortableError(_)) if app.waiting && !app.rewind => self.app_abort(c),
            Some(TxnClientState::AbortableError(_)) if !app.waiting => self.app_abort(c),
            Some(TxnClientState::Fatal(e)) => self.app_fenced(c, e),
            _ => {}
        }
    }

    /// At-least-once: the outputs are acknowledged; commit the inputs (commitSync) and go on.
    fn app_commit_inputs(&mut self, c: ConsumerIdx) {
        self.commit_positions(c, true);
        if self.consumers[c as usize].commit_in_flight.is_none() {
            self.poll(c);
        }
    }

    /// After an abort: forget the positions and fetch the committed offsets again.
    fn app_rewind(&mut self, c: ConsumerIdx) {
        let co = &mut self.consumers[c as usize];
        co.positions.clear();
        co.buffer.clear();
        co.buffered_tp.clear();
        co.batch.clear();
        co.fetching.clear();
        co.last_processed.clear();
        let tps = co.assigned.clone();
        if !tps.is_empty() {
            self.fetch_committed(c, tps);
        }
    }

    /// For every app (group and output topic): what a read_committed reader of the output sees,
    /// input by consumed input.
    pub fn processor_audit(&self) -> Vec<EosAudit> {
        let mut apps: BTreeMap<(Sym, TopicId), (bool, BTreeSet<TopicId>)> = BTreeMap::new();
        for c in &self.consumers {
            if let Some(a) = &c.app {
                let e = apps.entry((c.group, a.output)).or_insert((a.eos, BTreeSet::new()));
                e.1.extend(c.topics.iter().copied());
            }
        }
        let mut out = Vec::new();
        for ((group, output), (eos, inputs)) in apps {
            let gname = self.interner.get(group).to_string();
            let committed = self.committed_offsets(&gname);
            let mut a =
                EosAudit { group: gname, output: self.topics[output as usize].name.clone(), eos, ..Default::default() };
            let mut consumed: Vec<RecordId> = Vec::new();
            for t in inputs {
                for p in 0..self.topics[t as usize].partitions {
                    let tp = Tp { topic: t, partition: p };
                    let Some(log) = self.audited_log(tp) else { continue };
                    let upto = committed.get(&tp).copied().unwrap_or(0);
                    for rec in log.iter().take_while(|r| r.offset < upto.min(log.lso())) {
                        if visible(log, rec) {
                            consumed.push(rec.id);
                        }
                    }
                }
            }
            let mut seen: BTreeMap<RecordId, u32> = BTreeMap::new();
            for p in 0..self.topics[output as usize].partitions {
                let tp = Tp { topic: output, partition: p };
                let Some(log) = self.audited_log(tp) else { continue };
                for rec in log.iter().take_while(|r| r.offset < log.lso()) {
                    let Value::Derived(src) = rec.value else { continue };
                    if visible(log, rec) {
                        a.outputs += 1;
                        *seen.entry(src).or_insert(0) += 1;
                    } else {
                        a.aborted_outputs += 1;
                    }
                }
            }
            a.consumed = consumed.len() as u64;
            a.lost = consumed.iter().copied().filter(|id| !seen.contains_key(id)).collect();
            a.duplicated = seen.iter().filter(|(_, &n)| n > 1).map(|(id, _)| *id).collect();
            out.push(a);
        }
        out
    }
}

/// Whether an application reading with read_committed gets this record (not a marker, not in an
/// aborted transaction, not internal).
pub fn visible(log: &Log, rec: &Record) -> bool {
    rec.id != INTERNAL_RECORD
        && !matches!(rec.value, Value::Marker { .. })
        && !(rec.txn && log.aborted_txns.iter().any(|a| a.covers(rec)))
}

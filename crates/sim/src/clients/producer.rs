//! Producers: the partitioner (murmur2 for keys, sticky for null keys), the record accumulator,
//! sending with `max.in.flight.requests.per.connection`, retries with backoff and
//! `delivery.timeout.ms`, metadata refresh, and idempotent sequence numbers (sections 1, 5, 6).

use crate::audit::ledger::{Delivery, LedgerEntry};
use crate::cluster::journal::SimEvent;
use crate::cluster::net::*;
use crate::cluster::sim::{ActionResult, Sim};
use crate::coordinators::txn::{TxnClient, TxnClientState};
use crate::model::*;
use crate::murmur::partition_for_key;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientStatus {
    Running,
    /// Closed: makes no new records, finishes what it has.
    Stopped,
    /// Crashed: everything unsent or unacknowledged is gone with it.
    Dead,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySpec {
    /// Null keys: the sticky partitioner spreads them.
    Null,
    /// Each record takes one of these keys, drawn by the seeded RNG.
    Keys(Vec<Sym>),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueuedBatch {
    pub tp: Tp,
    pub records: Vec<Record>,
    /// Assigned when first sent by an idempotent producer; kept across retries, always sent with
    /// the producer epoch it was assigned under (never an old sequence under a new epoch).
    pub base_sequence: Option<i32>,
    pub producer_epoch: u16,
    pub attempts: u32,
    pub created_ms: Millis,
    pub ready_ms: Millis,
    pub last_error: Option<ErrorCode>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InFlight {
    pub broker: BrokerId,
    pub batch: QueuedBatch,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Producer {
    pub name: String,
    pub config: ProducerConfig,
    pub status: ClientStatus,
    pub incarnation: u64,
    pub topic: Option<TopicId>,
    pub rate_per_s: u32,
    pub keys: KeySpec,
    pub producer_id: Option<u64>,
    pub producer_epoch: u16,
    pub next_seq: BTreeMap<Tp, i32>,
    /// Metadata cache: leader per partition (None: unknown or offline).
    pub leaders: BTreeMap<Tp, Option<BrokerId>>,
    pub metadata_sent_ms: Option<Millis>,
    /// When the last metadata answer (or refusal) came.
    pub metadata_answered_ms: Option<Millis>,
    metadata_cursor: usize,
    pub queues: BTreeMap<Tp, VecDeque<QueuedBatch>>,
    pub in_flight: BTreeMap<u64, InFlight>,
    /// Sticky partition per topic and the bytes produced to it so far.
    pub sticky: BTreeMap<TopicId, (u32, u64)>,
    next_req: u64,
    tick_carry: u64,
    /// Times a `ProducerWake` is scheduled for (each once).
    wakes: std::collections::BTreeSet<Millis>,
    /// With `transactional.id`: the transaction manager.
    pub txn: Option<TxnClient>,
    /// The read-process-write app (consumer) this producer writes for, if any.
    pub app: Option<ConsumerIdx>,
    /// Taken off the picture (`producer remove`); starting it again brings it back.
    #[serde(default)]
    pub removed: bool,
}

impl Producer {
    pub fn is_running(&self) -> bool {
        self.status != ClientStatus::Dead
    }

    /// A new request id (unique across this producer's requests and restarts).
    pub(crate) fn next_request(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    fn in_flight_to(&self, b: BrokerId) -> u32 {
        self.in_flight.values().filter(|f| f.broker == b).count() as u32
    }

    /// Records queued or in flight (not yet acknowledged or failed).
    pub fn outstanding(&self) -> usize {
        self.queues.values().flatten().map(|b| b.records.len()).sum::<usize>()
            + self.in_flight.values().map(|f| f.batch.records.len()).sum::<usize>()
    }
}

/// `ConfigException`'s class name, as a client that fails to start reports it.
pub const CONFIG_EXCEPTION: &str = "org.apache.kafka.common.config.ConfigException";

/// Builds a producer config from `--producer-property K=V` pairs exactly as `ProducerConfig` and
/// the `KafkaProducer` constructor do: every value parsed and validated by its definition
/// (`configs::client::PRODUCER`), then Kafka's rules for idempotence (section 5.1: set explicitly
/// with a conflicting setting is a `ConfigException`; only by default, it is silently turned off),
/// `transactional.id` and `delivery.timeout.ms`. Unknown names are accepted, as Kafka does (it
/// only logs them). The error is the exception line the client would throw.
pub fn producer_config(props: &[(String, String)]) -> Result<ProducerConfig, String> {
    use crate::configs::{client::PRODUCER, find};
    let ce = |m: String| format!("{CONFIG_EXCEPTION}: {m}");
    let mut c = ProducerConfig { props: props.to_vec(), ..ProducerConfig::default() };
    let given = |name: &str| props.iter().any(|(k, _)| k == name);
    for (k, v) in props {
        let Some(key) = find(PRODUCER, k) else { continue };
        let value = key.parse(v).map_err(ce)?;
        let int = || value.as_int().unwrap_or(0).max(0) as u64;
        match k.as_str() {
            "acks" => {
                c.acks = match value.as_str().unwrap_or("all") {
                    "0" => Acks::Zero,
                    "1" => Acks::One,
                    _ => Acks::All,
                }
            }
            "enable.idempotence" => c.enable_idempotence = value.as_bool().unwrap_or(true),
            "max.in.flight.requests.per.connection" => c.max_in_flight = int() as u32,
            "retries" => c.retries = int() as u32,
            "retry.backoff.ms" => c.retry_backoff_ms = int(),
            "delivery.timeout.ms" => c.delivery_timeout_ms = int(),
            "request.timeout.ms" => c.request_timeout_ms = int(),
            "linger.ms" => c.linger_ms = int(),
            "batch.size" => c.batch_size = int() as u32,
            "transactional.id" => c.transactional_id = value.as_str().map(String::from),
            "transaction.timeout.ms" => c.transaction_timeout_ms = int(),
            "partitioner.ignore.keys" => c.partitioner_ignore_keys = value.as_bool().unwrap_or(false),
            "partitioner.adaptive.partitioning.enable" => c.partitioner_adaptive = value.as_bool().unwrap_or(true),
            "max.block.ms" => c.max_block_ms = int(),
            _ => {}
        }
    }
    // ProducerConfig.postProcessAndValidateIdempotenceConfigs.
    let explicit = given("enable.idempotence");
    if c.enable_idempotence {
        let conflict = if c.retries == 0 {
            Some("Must set retries to non-zero when using the idempotent producer.")
        } else if c.acks != Acks::All {
            Some("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
        } else if c.max_in_flight > 5 {
            Some("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
        } else {
            None
        };
        if let Some(msg) = conflict {
            if explicit {
                return Err(ce(msg.to_string()));
            }
            c.enable_idempotence = false;
        }
    }
    if c.transactional_id.is_some() && !c.enable_idempotence {
        return Err(ce("Cannot set a transactional.id without also enabling idempotence.".into()));
    }
    // KafkaProducer.configureDeliveryTimeout.
    if c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms {
        if given("delivery.timeout.ms") {
            return Err(ce(
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms".into()
            ));
        }
        c.delivery_timeout_ms = c.linger_ms + c.request_timeout_ms;
    }
    // The broker's transaction.max.timeout.ms (900000) refuses a longer timeout at InitProducerId.
    if c.transactional_id.is_some() && c.transaction_timeout_ms > 900_000 {
        return Err("org.apache.kafka.common.errors.InvalidTxnTimeoutException: The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).".into());
    }
    Ok(c)
}

/// What a client says about its properties when it starts: Kafka's log line for names it does
/// not know, and the model's note for the ones it only stores (`help` lists them).
pub fn config_notes(table: impl crate::configs::Table, props: &[(String, String)]) -> Vec<String> {
    use crate::configs::{find, Modelled};
    let mut unknown: Vec<&str> = Vec::new();
    let mut stored: Vec<&str> = Vec::new();
    for (k, _) in props {
        match find(table, k) {
            None if !unknown.contains(&k.as_str()) => unknown.push(k),
            Some(key) if key.modelled == Modelled::Stored && !stored.contains(&k.as_str()) => stored.push(k),
            _ => {}
        }
    }
    let mut notes = Vec::new();
    if !unknown.is_empty() {
        notes.push(format!("These configurations '[{}]' were supplied but are not used yet.", unknown.join(", ")));
    }
    if !stored.is_empty() {
        notes.push(format!(
            "Note: kafkascope stores {} as Kafka would but does not act on {} (see help).",
            stored.join(", "),
            if stored.len() == 1 { "it" } else { "them" }
        ));
    }
    notes
}

/// The "ProducerConfig values:" block the client logs when it starts: every config, given or
/// default, after Kafka's post-processing (`acks` as a number, the `client.id`, idempotence).
pub fn producer_values(sim: &Sim, name: &str, c: &ProducerConfig) -> Vec<String> {
    use crate::configs::{client::PRODUCER, find, values, values_block, Value};
    let mut given: Vec<(String, Value)> =
        c.props.iter().filter_map(|(k, v)| Some((k.clone(), find(PRODUCER, k)?.parse(v).ok()?))).collect();
    let servers: Vec<String> = sim.brokers.keys().map(|b| format!("broker{b}:9092")).collect();
    let serializer = "org.apache.kafka.common.serialization.StringSerializer";
    let mut derived = vec![
        ("bootstrap.servers", Value::List(servers)),
        (
            "acks",
            Value::Str(
                match c.acks {
                    Acks::Zero => "0",
                    Acks::One => "1",
                    Acks::All => "-1",
                }
                .into(),
            ),
        ),
        ("enable.idempotence", Value::Bool(c.enable_idempotence)),
        ("delivery.timeout.ms", Value::Int(c.delivery_timeout_ms as i64)),
    ];
    if !c.props.iter().any(|(k, _)| k == "client.id") {
        derived.push(("client.id", Value::Str(name.to_string())));
    }
    for k in ["key.serializer", "value.serializer"] {
        if !c.props.iter().any(|(p, _)| p == k) {
            derived.push((k, Value::Class(serializer.to_string())));
        }
    }
    given.extend(derived.into_iter().map(|(k, v)| (k.to_string(), v)));
    values_block("ProducerConfig", &values(PRODUCER, &given))
}

/// A record's body in bytes (`model::record_body_bytes`) for its key and value as Kafka would
/// serialize them: strings as UTF-8, a generated value as its `msg-N` text, and the internal
/// records by their schemas (an offset commit's key: version, group, topic, partition; its value:
/// version, offset, leader epoch, metadata, commit timestamp; a control record's key: version and
/// type, its value: version and coordinator epoch; a transaction state: version, producer id and
/// epoch, timeout, state, partitions and timestamps).
pub fn record_body(key: Option<Sym>, value: &Value, interner: &Interner, topics: &[crate::cluster::sim::Topic]) -> u16 {
    let text = |s: Sym| interner.get(s).len();
    let (key, value) = match *value {
        Value::Text(s) => (key.map(text), Some(text(s))),
        Value::Numbered(n) => (key.map(text), Some(4 + n.to_string().len())),
        Value::Derived(id) => (key.map(text), Some(8 + id.0.to_string().len())),
        Value::Null => (key.map(text), None),
        Value::OffsetCommit { group, tp, .. } => {
            let topic = topics.get(tp.topic as usize).map_or(0, |t| t.name.len());
            (Some(2 + 2 + text(group) + 2 + topic + 4), Some(2 + 8 + 4 + 2 + 8))
        }
        Value::GroupTombstone { group } => (Some(2 + 2 + text(group)), None),
        Value::Marker { .. } => (Some(4), Some(6)),
        Value::TxnState { tid, .. } => (Some(2 + 2 + text(tid)), Some(2 + 8 + 2 + 4 + 1 + 4 + 16 + 8)),
    };
    record_body_bytes(key, value)
}

/// Records per produce batch at most (stands in for `batch.size` bytes).
const MAX_BATCH_RECORDS: usize = 500;

impl Sim {
    pub fn start_producer(
        &mut self,
        name: &str,
        topic: Option<TopicId>,
        rate_per_s: u32,
        keys: KeySpec,
        config: ProducerConfig,
    ) -> ActionResult<ProducerIdx> {
        if let Some(i) = self.producer_by_name(name) {
            if self.producers[i as usize].status == ClientStatus::Running {
                return Err(format!("Error: producer {name} is already running."));
            }
        }
        let txn = config.transactional_id.as_deref().map(|t| TxnClient::new(self.interner.intern(t)));
        // A transactional producer gets its id and epoch from its coordinator (InitProducerId).
        let pid = if config.enable_idempotence && txn.is_none() {
            self.next_producer_id += 1;
            Some(self.next_producer_id - 1)
        } else {
            None
        };
        let producer = Producer {
            name: name.to_string(),
            config,
            status: ClientStatus::Running,
            incarnation: 1,
            topic,
            rate_per_s,
            keys,
            producer_id: pid,
            producer_epoch: 0,
            next_seq: BTreeMap::new(),
            leaders: BTreeMap::new(),
            metadata_sent_ms: None,
            metadata_answered_ms: None,
            metadata_cursor: 0,
            queues: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            sticky: BTreeMap::new(),
            next_req: 0,
            tick_carry: 0,
            wakes: Default::default(),
            txn,
            app: None,
            removed: false,
        };
        let idx = match self.producer_by_name(name) {
            Some(i) => {
                // Request ids continue across restarts so a late answer to the crashed instance's
                // request can never be taken for an answer to the new one's.
                let old = &self.producers[i as usize];
                let (inc, next_req, app) = (old.incarnation + 1, old.next_req, old.app);
                self.producers[i as usize] = Producer { incarnation: inc, next_req, app, ..producer };
                i
            }
            None => {
                self.producers.push(producer);
                (self.producers.len() - 1) as ProducerIdx
            }
        };
        self.log_event(SimEvent::ProducerStarted { producer: idx });
        self.request_metadata(idx);
        self.txn_pump(idx);
        if topic.is_some() && rate_per_s > 0 {
            let inc = self.producers[idx as usize].incarnation;
            let every = tick_interval_ms(rate_per_s);
            self.net.timer(every, Timer::ProducerTick { producer: idx, incarnation: inc });
        }
        Ok(idx)
    }

    pub fn stop_producer(&mut self, idx: ProducerIdx, kill: bool) -> ActionResult {
        let p = &mut self.producers[idx as usize];
        if p.status != ClientStatus::Running {
            return Err(format!("Error: producer {} is not running.", p.name));
        }
        if kill {
            p.status = ClientStatus::Dead;
            p.incarnation += 1;
            p.queues.clear();
            p.in_flight.clear();
        } else {
            p.status = ClientStatus::Stopped;
        }
        self.log_event(SimEvent::ProducerStopped { producer: idx, killed: kill });
        Ok(())
    }

    /// `producer remove NAME`: close() it if it runs (what it holds is still sent), then take it
    /// off the picture.
    pub fn remove_producer(&mut self, idx: ProducerIdx) -> ActionResult {
        let p = &self.producers[idx as usize];
        if p.removed {
            return Err(format!("Error: no producer named {}.", p.name));
        }
        if p.app.is_some() {
            return Err(format!("Error: producer {} belongs to a processor; use `processor remove`.", p.name));
        }
        if p.status == ClientStatus::Running {
            self.stop_producer(idx, false)?;
        }
        let p = &mut self.producers[idx as usize];
        p.removed = true;
        let what = format!("Producer {}", p.name);
        self.log_event(SimEvent::ClientRemoved { what });
        Ok(())
    }

    /// The producer `produce` uses when none is named: Kafka's defaults.
    pub fn default_producer(&mut self) -> ProducerIdx {
        const NAME: &str = "console-producer";
        match self.producer_by_name(NAME) {
            Some(i) if self.producers[i as usize].status == ClientStatus::Running => i,
            _ => self
                .start_producer(NAME, None, 0, KeySpec::Null, ProducerConfig::default())
                .expect("the default producer starts"),
        }
    }

    /// Hands records to a producer, as `send()` does. Returns their ledger ids.
    pub fn produce(
        &mut self,
        idx: ProducerIdx,
        topic: TopicId,
        key: Option<&str>,
        value: Option<&str>,
        tombstone: bool,
        partition: Option<u32>,
        count: u32,
    ) -> ActionResult<Vec<RecordId>> {
        let parts = self.topics[topic as usize].partitions;
        if tombstone && key.is_none() {
            return Err("Error: a tombstone needs a key (--key K): it deletes that key from a compacted topic.".into());
        }
        if let Some(p) = partition {
            if p >= parts {
                return Err(format!(
                    "Error: partition {p} does not exist: topic {} has partitions 0..{}.",
                    self.topics[topic as usize].name,
                    parts - 1
                ));
            }
        }
        if self.producers[idx as usize].status != ClientStatus::Running {
            return Err(format!("Error: producer {} is not running.", self.producers[idx as usize].name));
        }
        if let Some(t) = &self.producers[idx as usize].txn {
            match t.state {
                TxnClientState::InTransaction => {}
                TxnClientState::Fatal(e) => return Err(crate::coordinators::txn::fenced_text(self.interner.get(t.tid), e)),
                s => {
                    return Err(format!(
                        "Error: Cannot call send in state {} (a transactional producer sends between `transaction begin` and `transaction commit`).",
                        s.name()
                    ))
                }
            }
        }
        let key = key.map(|k| self.interner.intern(k));
        let value = if tombstone { Some(Value::Null) } else { value.map(|v| Value::Text(self.interner.intern(v))) };
        let mut ids = Vec::with_capacity(count as usize);
        for _ in 0..count {
            ids.push(self.make_record(idx, topic, key, value, partition));
        }
        if let Some(t) = self.producers[idx as usize].txn.as_mut() {
            t.records.extend(ids.iter().copied());
        }
        self.drain(idx);
        Ok(ids)
    }

    pub(crate) fn make_record(
        &mut self,
        idx: ProducerIdx,
        topic: TopicId,
        key: Option<Sym>,
        value: Option<Value>,
        partition: Option<u32>,
    ) -> RecordId {
        let id = self.ledger.next_id();
        let value = value.unwrap_or(Value::Numbered(id.0));
        let mut rec = Record {
            offset: 0,
            epoch: 0,
            key,
            value,
            id,
            producer_id: None,
            producer_epoch: 0,
            sequence: 0,
            last_in_batch: false,
            append_ms: 0,
            txn: false,
            size: 0,
            cleaned: false,
        };
        rec.size = record_body(key, &value, &self.interner, &self.topics);
        let size = record_bytes(rec.size, 0);
        let ignore_keys = self.producers[idx as usize].config.partitioner_ignore_keys;
        let partition = match (partition, key) {
            (Some(p), _) => p,
            (None, Some(k)) if !ignore_keys => {
                partition_for_key(self.interner.get(k), self.topics[topic as usize].partitions)
            }
            (None, _) => self.sticky_partition(idx, topic, size),
        };
        let tp = Tp { topic, partition };
        let now = self.net.now;
        self.ledger.push(LedgerEntry { producer: idx, tp, key, value, created_ms: now, state: Delivery::Pending });
        rec.id = id;
        let p = &mut self.producers[idx as usize];
        let q = p.queues.entry(tp).or_default();
        match q.back_mut() {
            Some(b) if b.attempts == 0 && b.base_sequence.is_none() && b.records.len() < MAX_BATCH_RECORDS => {
                b.records.push(rec)
            }
            _ => q.push_back(QueuedBatch {
                tp,
                records: vec![rec],
                base_sequence: None,
                producer_epoch: 0,
                attempts: 0,
                created_ms: now,
                ready_ms: now,
                last_error: None,
            }),
        }
        id
    }

    /// KIP-794's built-in sticky partitioner: stay on one partition until `batch.size` bytes went to
    /// it, then pick another among partitions with a leader, weighted against long queues.
    fn sticky_partition(&mut self, idx: ProducerIdx, topic: TopicId, size: u64) -> u32 {
        let parts = self.topics[topic as usize].partitions;
        let p = &self.producers[idx as usize];
        let batch_size = p.config.batch_size as u64;
        if parts == 1 {
            return 0;
        }
        if let Some(&(part, bytes)) = p.sticky.get(&topic) {
            if bytes < batch_size {
                self.producers[idx as usize].sticky.insert(topic, (part, bytes + size));
                return part;
            }
        }
        let queue_len = |part: u32| p.queues.get(&Tp { topic, partition: part }).map_or(0, |q| q.len()) as u64;
        let mut candidates: Vec<u32> =
            (0..parts).filter(|&part| matches!(p.leaders.get(&Tp { topic, partition: part }), Some(Some(_)))).collect();
        if candidates.is_empty() {
            candidates = (0..parts).collect();
        }
        // Adaptive partitioning weighs against long queues; without it the choice is uniform.
        let adaptive = p.config.partitioner_adaptive;
        let max_q = candidates.iter().map(|&c| queue_len(c)).max().unwrap_or(0);
        let weights: Vec<u64> =
            candidates.iter().map(|&c| if adaptive { max_q + 1 - queue_len(c) } else { 1 }).collect();
        let total: u64 = weights.iter().sum();
        let mut pick = self.net.rng.below(total);
        let mut chosen = candidates[0];
        for (c, w) in candidates.iter().zip(&weights) {
            if pick < *w {
                chosen = *c;
                break;
            }
            pick -= w;
        }
        self.producers[idx as usize].sticky.insert(topic, (chosen, size));
        chosen
    }

    fn request_metadata(&mut self, idx: ProducerIdx) {
        let now = self.net.now;
        let p = &self.producers[idx as usize];
        if p.status == ClientStatus::Dead {
            return;
        }
        if let Some(sent) = p.metadata_sent_ms {
            let deadline = sent + p.config.request_timeout_ms;
            if now < deadline {
                // One metadata request at a time; if it is lost, try again at its deadline.
                self.schedule_wake(idx, deadline);
                return;
            }
            // No answer in request.timeout.ms: that broker is unreachable; ask the next one.
            self.producers[idx as usize].metadata_cursor += 1;
        }
        // Metadata refreshes are spaced by retry.backoff.ms, as the Java client does.
        let p = &self.producers[idx as usize];
        if let Some(last) = p.metadata_answered_ms {
            let next = last + p.config.retry_backoff_ms;
            if now < next {
                self.schedule_wake(idx, next);
                return;
            }
        }
        // The bootstrap list is every broker the cluster was ever given; try them in turn.
        let ids: Vec<BrokerId> = self.brokers.keys().copied().collect();
        if ids.is_empty() {
            return;
        }
        let p = &mut self.producers[idx as usize];
        let b = ids[p.metadata_cursor % ids.len()];
        p.metadata_sent_ms = Some(now);
        let deadline = now + p.config.request_timeout_ms;
        self.net.send(Node::Producer(idx), Node::Broker(b), Payload::Metadata);
        // If the answer never comes, look again at the deadline.
        self.schedule_wake(idx, deadline);
    }

    pub(crate) fn schedule_wake(&mut self, idx: ProducerIdx, at: Millis) {
        let at = at.max(self.net.now);
        let p = &mut self.producers[idx as usize];
        if !p.wakes.insert(at) {
            return;
        }
        let inc = p.incarnation;
        self.net.schedule(at, Event::Timer(Timer::ProducerWake { producer: idx, incarnation: inc }));
    }

    /// Sends every batch that may go now.
    pub(crate) fn drain(&mut self, idx: ProducerIdx) {
        let now = self.net.now;
        let mut need_metadata = false;
        let mut next_wake: Option<Millis> = None;
        let tps: Vec<Tp> = self.producers[idx as usize].queues.keys().copied().collect();
        for tp in tps {
            // A transactional producer sends to a partition once the coordinator added it.
            if !self.txn_may_send(idx, tp) {
                continue;
            }
            loop {
                let p = &mut self.producers[idx as usize];
                if p.status == ClientStatus::Dead {
                    return;
                }
                let Some(front) = p.queues.get(&tp).and_then(|q| q.front()) else {
                    break;
                };
                let leader = match p.leaders.get(&tp) {
                    Some(Some(l)) => *l,
                    _ => {
                        need_metadata = true;
                        break;
                    }
                };
                let linger_until = front.created_ms + p.config.linger_ms;
                let wait_until = if front.attempts == 0 && front.records.len() < MAX_BATCH_RECORDS {
                    front.ready_ms.max(linger_until)
                } else {
                    front.ready_ms
                };
                if wait_until > now {
                    next_wake = Some(next_wake.map_or(wait_until, |w: Millis| w.min(wait_until)));
                    break;
                }
                if p.in_flight_to(leader) >= p.config.max_in_flight {
                    break;
                }
                // Idempotent ordering: while a batch of this partition is still in flight to another
                // broker (a leader that may have died), later sequences wait for it to resolve, as the
                // Java client only sends a retry when it is first in line.
                if p.producer_id.is_some() && p.in_flight.values().any(|f| f.batch.tp == tp && f.broker != leader) {
                    break;
                }
                // After an epoch bump, new sequences wait until nothing of the old epoch is in flight.
                if p.producer_id.is_some()
                    && front.base_sequence.is_none()
                    && p.in_flight.values().any(|f| f.batch.tp == tp && f.batch.producer_epoch != p.producer_epoch)
                {
                    break;
                }
                let mut batch = p.queues.get_mut(&tp).and_then(|q| q.pop_front()).expect("front exists");
                if p.queues.get(&tp).is_some_and(|q| q.is_empty()) {
                    p.queues.remove(&tp);
                }
                if p.producer_id.is_some() && batch.base_sequence.is_none() {
                    let seq = p.next_seq.entry(tp).or_insert(0);
                    batch.base_sequence = Some(*seq);
                    batch.producer_epoch = p.producer_epoch;
                    *seq = seq.wrapping_add(batch.records.len() as i32);
                }
                let n = batch.records.len();
                for (i, r) in batch.records.iter_mut().enumerate() {
                    r.last_in_batch = i + 1 == n;
                }
                p.next_req += 1;
                let req = p.next_req;
                let payload = Payload::Produce {
                    req,
                    tp,
                    acks: p.config.acks,
                    timeout_ms: p.config.request_timeout_ms,
                    batch: ProduceBatch {
                        records: batch.records.clone(),
                        producer_id: p.producer_id,
                        producer_epoch: batch.producer_epoch,
                        base_sequence: batch.base_sequence.unwrap_or(-1),
                        transactional: p.txn.is_some(),
                    },
                };
                let acks = p.config.acks;
                let timeout = p.config.request_timeout_ms;
                let inc = p.incarnation;
                if acks == Acks::Zero {
                    // Fire and forget: "acked" the moment it leaves, offset unknown (-1).
                    for r in &batch.records {
                        self.ledger.resolve(r.id, Delivery::Acked { offset: None });
                    }
                } else {
                    p.in_flight.insert(req, InFlight { broker: leader, batch });
                    self.net.timer(timeout, Timer::RequestTimeout { producer: idx, incarnation: inc, req });
                }
                self.net.send(Node::Producer(idx), Node::Broker(leader), payload);
            }
        }
        if need_metadata {
            self.request_metadata(idx);
        }
        if let Some(w) = next_wake {
            self.schedule_wake(idx, w);
        }
        // Whatever still waits must fail on time if it never gets out.
        let p = &self.producers[idx as usize];
        let timeout = p.config.delivery_timeout_ms;
        if let Some(oldest) = p.queues.values().filter_map(|q| q.front()).map(|b| b.created_ms).min() {
            self.schedule_wake(idx, oldest + timeout);
        }
        self.txn_pump(idx);
    }

    pub(crate) fn producer_handle(&mut self, idx: ProducerIdx, msg: Message) {
        let from = msg.from;
        if self.txn_producer_handle(idx, &msg.payload) {
            return;
        }
        match msg.payload {
            Payload::MetadataResponse { leaders } => {
                let p = &mut self.producers[idx as usize];
                p.metadata_sent_ms = None;
                p.metadata_answered_ms = Some(self.net.now);
                for (tp, leader, _) in leaders {
                    p.leaders.insert(tp, leader);
                }
                // A broker whose answer leaves us without a leader we need may be stale: ask
                // another one next time.
                if p.queues.keys().any(|tp| !matches!(p.leaders.get(tp), Some(Some(_)))) {
                    p.metadata_cursor += 1;
                }
                self.drain(idx);
            }
            Payload::ProduceResponse { req, tp: _, result } => {
                let Some(f) = self.producers[idx as usize].in_flight.remove(&req) else {
                    return;
                };
                match result {
                    Ok(base) => {
                        for (i, r) in f.batch.records.iter().enumerate() {
                            self.ledger.resolve(r.id, Delivery::Acked { offset: Some(base + i as u64) });
                        }
                        self.drain(idx);
                        self.app_notify(idx);
                    }
                    Err(e) => self.batch_failed(idx, f.batch, e),
                }
            }
            Payload::Disconnected { req: Some(req), .. } => {
                if let Some(f) = self.producers[idx as usize].in_flight.remove(&req) {
                    self.batch_failed(idx, f.batch, ErrorCode::NetworkException);
                }
            }
            Payload::Disconnected { req: None, .. } => {
                // The metadata request hit a dead broker: try the next bootstrap server.
                let p = &mut self.producers[idx as usize];
                p.metadata_sent_ms = None;
                p.metadata_answered_ms = Some(self.net.now);
                p.metadata_cursor += 1;
                if let Node::Broker(b) = from {
                    for l in p.leaders.values_mut() {
                        if *l == Some(b) {
                            *l = None;
                        }
                    }
                }
                self.request_metadata(idx);
            }
            _ => {}
        }
    }

    fn batch_failed(&mut self, idx: ProducerIdx, mut batch: QueuedBatch, error: ErrorCode) {
        let now = self.net.now;
        let tp = batch.tp;
        let p = &mut self.producers[idx as usize];
        if matches!(
            error,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::NetworkException
                | ErrorCode::RequestTimedOut
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnknownTopicOrPartition
        ) {
            p.leaders.insert(tp, None);
            p.metadata_cursor += 1;
        }
        // An idempotent batch whose predecessor is being retried gets OUT_OF_ORDER_SEQUENCE: it
        // simply waits its turn.
        let earlier_pending = batch.base_sequence.is_some_and(|seq| {
            p.queues.get(&tp).into_iter().flatten().any(|b| b.base_sequence.is_some_and(|s| s < seq))
                || p.in_flight.values().any(|f| f.batch.tp == tp && f.batch.base_sequence.is_some_and(|s| s < seq))
        });
        let retriable = error.retriable() || (error == ErrorCode::OutOfOrderSequenceNumber && earlier_pending);
        let expired = now >= batch.created_ms + p.config.delivery_timeout_ms;
        batch.last_error = Some(error);
        if retriable && batch.attempts < p.config.retries && !expired && p.status != ClientStatus::Dead {
            batch.attempts += 1;
            batch.ready_ms = now + p.config.retry_backoff_ms;
            let q = p.queues.entry(tp).or_default();
            // Keep sequence order: a retried batch goes before later ones.
            let pos = q
                .iter()
                .position(|b| match (b.base_sequence, batch.base_sequence) {
                    (Some(s), Some(mine)) => s > mine,
                    (None, _) => true,
                    _ => false,
                })
                .unwrap_or(q.len());
            q.insert(pos, batch);
            self.request_metadata(idx);
            let wake = now + self.producers[idx as usize].config.retry_backoff_ms;
            self.schedule_wake(idx, wake);
            return;
        }
        let count = batch.records.len() as u32;
        for r in &batch.records {
            self.ledger.resolve(r.id, Delivery::Failed(error));
        }
        let p = &mut self.producers[idx as usize];
        if p.txn.is_some() {
            // A transactional producer's failed send dooms the transaction; a stale epoch means a
            // newer instance (or the coordinator's timeout) fenced this one.
            self.log_event(SimEvent::ProducerFailed { producer: idx, tp, count, error });
            if matches!(error, ErrorCode::InvalidProducerEpoch | ErrorCode::ProducerFenced) {
                self.txn_fatal(idx, ErrorCode::ProducerFenced);
            } else {
                self.txn_abortable(idx, error);
            }
            self.drain(idx);
            self.app_notify(idx);
            return;
        }
        if p.producer_id.is_some() {
            // The sequence is broken for this partition: bump the epoch and start over (KIP-360).
            // Batches already sent keep their (epoch, sequence): a retry of an appended batch is
            // then recognised, or refused with INVALID_PRODUCER_EPOCH, never acked by mistake.
            p.producer_epoch = p.producer_epoch.wrapping_add(1);
            p.next_seq.clear();
        }
        self.log_event(SimEvent::ProducerFailed { producer: idx, tp, count, error });
        self.drain(idx);
    }

    pub(crate) fn on_request_timeout(&mut self, idx: ProducerIdx, incarnation: u64, req: u64) {
        let p = &mut self.producers[idx as usize];
        if p.incarnation != incarnation {
            return;
        }
        if let Some(f) = p.in_flight.remove(&req) {
            self.batch_failed(idx, f.batch, ErrorCode::RequestTimedOut);
        } else {
            self.txn_request_timeout(idx, req);
        }
    }

    pub(crate) fn on_producer_wake(&mut self, idx: ProducerIdx, incarnation: u64) {
        let p = &mut self.producers[idx as usize];
        if p.incarnation != incarnation || p.status == ClientStatus::Dead {
            return;
        }
        let now = self.net.now;
        p.wakes.retain(|&w| w > now);
        // Batches that waited past delivery.timeout.ms fail without another try.
        let now = self.net.now;
        let timeout = p.config.delivery_timeout_ms;
        let mut expired = Vec::new();
        for q in p.queues.values_mut() {
            while let Some(pos) = q.iter().position(|b| now >= b.created_ms + timeout) {
                expired.push(q.remove(pos).expect("found"));
            }
        }
        p.queues.retain(|_, q| !q.is_empty());
        for b in expired {
            let err = b.last_error.unwrap_or(ErrorCode::RequestTimedOut);
            let tp = b.tp;
            let count = b.records.len() as u32;
            for r in &b.records {
                self.ledger.resolve(r.id, Delivery::Failed(err));
            }
            self.log_event(SimEvent::ProducerFailed { producer: idx, tp, count, error: err });
            if self.producers[idx as usize].txn.is_some() {
                self.txn_abortable(idx, err);
            }
        }
        self.drain(idx);
    }

    pub(crate) fn on_producer_tick(&mut self, idx: ProducerIdx, incarnation: u64) {
        let p = &mut self.producers[idx as usize];
        if p.incarnation != incarnation || p.status != ClientStatus::Running {
            return;
        }
        let Some(topic) = p.topic else { return };
        let every = tick_interval_ms(p.rate_per_s);
        p.tick_carry += p.rate_per_s as u64 * every;
        let n = p.tick_carry / 1000;
        p.tick_carry %= 1000;
        for _ in 0..n {
            let p = &self.producers[idx as usize];
            let key = match &p.keys {
                KeySpec::Null => None,
                KeySpec::Keys(ks) => {
                    let len = ks.len() as u64;
                    let ks = ks.clone();
                    Some(ks[self.net.rng.below(len) as usize])
                }
            };
            self.make_record(idx, topic, key, None, None);
        }
        self.drain(idx);
        self.net.timer(every, Timer::ProducerTick { producer: idx, incarnation });
    }
}

/// Tick often enough for smooth output, at most every millisecond.
fn tick_interval_ms(rate_per_s: u32) -> Millis {
    (1000 / rate_per_s.max(1) as u64).clamp(1, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn idempotence_rules_follow_kafka() {
        assert!(producer_config(&[]).unwrap().enable_idempotence);
        // Only the default: silently disabled.
        assert!(!producer_config(&props(&[("acks", "1")])).unwrap().enable_idempotence);
        // Explicit: a ConfigException.
        let e = producer_config(&props(&[("acks", "1"), ("enable.idempotence", "true")])).unwrap_err();
        assert_eq!(e, "org.apache.kafka.common.config.ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.");
        let e =
            producer_config(&props(&[("max.in.flight.requests.per.connection", "6"), ("enable.idempotence", "true")]))
                .unwrap_err();
        assert!(e.contains("at most 5"), "{e}");
    }
}

//! The ledger: every record a producer was asked to send, and what became of it. The loss and
//! duplicate counters come from comparing it with the logs (`Sim::audit`).

use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Not yet acknowledged (queued, in flight, or being retried).
    Pending,
    /// The producer got an ack: with the offset, or without one for acks=0 (offset -1).
    Acked { offset: Option<u64> },
    /// The producer gave up (retries or `delivery.timeout.ms` exhausted, or a fatal error).
    Failed(ErrorCode),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub producer: ProducerIdx,
    pub tp: Tp,
    pub key: Option<Sym>,
    pub value: Value,
    pub created_ms: Millis,
    pub state: Delivery,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// Indexed by `RecordId.0`.
    pub entries: Vec<LedgerEntry>,
    pub acked: u64,
    pub failed: u64,
}

impl Ledger {
    pub fn next_id(&self) -> RecordId {
        RecordId(self.entries.len() as u64)
    }

    pub fn push(&mut self, e: LedgerEntry) -> RecordId {
        let id = self.next_id();
        self.entries.push(e);
        id
    }

    pub fn get(&self, id: RecordId) -> &LedgerEntry {
        &self.entries[id.0 as usize]
    }

    pub fn resolve(&mut self, id: RecordId, state: Delivery) {
        let e = &mut self.entries[id.0 as usize];
        if e.state != Delivery::Pending {
            return; // the first outcome the producer saw stands
        }
        e.state = state;
        match state {
            Delivery::Acked { .. } => self.acked += 1,
            Delivery::Failed(_) => self.failed += 1,
            Delivery::Pending => {}
        }
    }
}

/// What the logs say about the ledger at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub acked: u64,
    pub failed: u64,
    pub pending: u64,
    /// Acked records that are in no log that can serve them (truncated away, or on a leader-less
    /// partition's dead replicas only); deletion by retention is not loss.
    pub lost: Vec<RecordId>,
    /// Records present more than once in the serving log (a retried batch that landed twice).
    pub duplicated: Vec<RecordId>,
    /// Per consumer group: how often it processed the records of the topics it reads.
    pub groups: Vec<GroupDelivery>,
}

/// Delivery accounting for one consumer group, over the committed records of its topics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDelivery {
    pub group: String,
    pub once: u64,
    /// Processed two or more times (at-least-once after a crash or rebalance).
    pub more_than_once: Vec<RecordId>,
    /// Never processed although the group committed past them (at-most-once after a crash).
    pub skipped: Vec<RecordId>,
    /// Never read because they came before the group's start: with no committed offset,
    /// `auto.offset.reset` (latest, the default) put it at the log end. Not a loss.
    #[serde(default)]
    pub before_start: u64,
    /// Not processed yet (at or above the committed offset).
    pub pending: u64,
}

//! Coordinators that run on brokers: the group coordinator (`__consumer_offsets`) and the
//! transaction coordinator (`__transaction_state`).

pub mod group;
pub mod txn;

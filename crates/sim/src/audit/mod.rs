//! The audit: the ledger of every record a producer was asked to send and what became of it,
//! and the invariants checked after every event in the property tests.

pub mod invariants;
pub mod ledger;

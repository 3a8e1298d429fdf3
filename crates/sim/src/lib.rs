//! kafkascope-sim: a deterministic, sans-IO model of an Apache Kafka cluster.
//!
//! The caller owns time: it calls [`Sim::run_until`] (or [`Sim::step`]) with virtual milliseconds;
//! the model never reads a clock and draws every random choice from one seeded RNG. The same seed
//! and the same commands give the same trace, natively and in wasm. See ARCHITECTURE.md.

pub mod assignor;
pub mod broker;
pub mod command;
pub mod consumer;
pub mod controller;
pub mod exec;
pub mod group;
pub mod inspect;
pub mod invariants;
pub mod journal;
pub mod ledger;
pub mod model;
pub mod murmur;
pub mod net;
pub mod processor;
pub mod producer;
pub mod rng;
pub mod share;
pub mod sim;
pub mod txn;

pub use command::{parse_line, parse_script, Command, ParseError};
pub use exec::Session;
pub use model::*;
pub use net::{Message, MessageKind, PartitionMeta, Payload};
pub use sim::Sim;

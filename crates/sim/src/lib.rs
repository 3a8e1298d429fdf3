//! kafkascope-sim: a deterministic, sans-IO model of an Apache Kafka cluster (Apache Kafka 4.0 in
//! KRaft mode).
//!
//! The caller owns time: it calls [`Sim::run_until`] (or [`Sim::step`]) with virtual milliseconds;
//! the model never reads a clock and draws every random choice from one seeded RNG. The same seed
//! and the same commands give the same trace, natively and in wasm. See ARCHITECTURE.md.
//!
//! The folders are the layers, from the wire up:
//! - [`cluster`]: the network, the KRaft controller, the brokers and their replicas, the event loop;
//! - [`clients`]: producers, consumers, read-process-write apps and the client-side assignors;
//! - [`coordinators`]: the group and transaction coordinators that live on brokers;
//! - [`session`]: the command language, running commands with Kafka's output, scripts, share links;
//! - [`teaching`]: tours, comparisons and the read-only views of the inspect panel;
//! - [`audit`]: the ledger of every record sent and the invariants checked against it.

pub mod audit;
pub mod chunked;
pub mod clients;
pub mod cluster;
pub mod configs;
pub mod coordinators;
pub mod footprint;
pub mod model;
pub mod murmur;
pub mod rng;
pub mod session;
pub mod sort;
pub mod teaching;

pub use cluster::net::{Message, MessageKind, PartitionMeta, Payload};
pub use cluster::sim::Sim;
pub use model::*;
pub use session::command::{parse_line, parse_script, Command, ParseError};
pub use session::exec::Session;

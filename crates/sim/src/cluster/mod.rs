//! The cluster: the network between nodes (`net`), the KRaft controller, the brokers with their
//! replicas, and `Sim`, which owns all state and runs the event loop. `journal` records what
//! happened, in the model's words.

pub mod broker;
pub mod cleaner;
pub mod configs;
pub mod controller;
pub mod journal;
pub mod net;
pub mod quorum;
pub mod sim;

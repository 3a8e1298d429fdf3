//! The session: the command language (`command`), running commands against a `Sim` with Kafka's
//! output formats (`exec`; the storage tools in `logtools`), commands back to text (`script`), share links (`share`)
//! and scripts from a real cluster's `kafka-topics --describe` output (`import`).

pub mod command;
pub mod exec;
pub mod groups;
pub mod import;
pub mod logtools;
pub mod print;
pub mod reassign;
pub mod script;
pub mod share;
pub mod tools;
pub mod topics;

//! The session: the command language (`command`), running commands against a `Sim` with Kafka's
//! output formats (`exec`), commands back to text (`script`) and share links (`share`).

pub mod command;
pub mod exec;
pub mod script;
pub mod share;

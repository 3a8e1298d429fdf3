//! Kafka's clients: the producer (partitioner, accumulator, idempotence, the producer side of
//! transactions), the consumer (group membership, poll loop, commits), read-process-write apps,
//! and the client-side partition assignors of the classic group protocol.

pub mod assignor;
pub mod consumer;
pub mod processor;
pub mod producer;

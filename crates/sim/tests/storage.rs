//! What the logs keep over a long session: the internal topics are compacted (by the stand-in for
//! Kafka's log cleaner), so a group that auto-commits every 5 s for an hour does not grow
//! `__consumer_offsets` by a record per partition per commit forever.

use kafkascope_sim::model::Tp;
use kafkascope_sim::session::exec::DEFAULT_SEED;
use kafkascope_sim::{parse_line, Session};

/// Records held by the leaders of a topic's partitions.
fn leader_records(s: &Session, topic: &str) -> usize {
    let t = s.sim.topic_by_name(topic).expect("the topic exists");
    (0..s.sim.topic(t).partitions)
        .map(|p| Tp { topic: t, partition: p })
        .filter_map(|tp| s.sim.replica_log(s.sim.partition(tp)?.leader?, tp))
        .map(|log| log.records.len())
        .sum()
}

#[test]
fn committed_offsets_are_compacted_and_stay_bounded() {
    let mut s = Session::new(DEFAULT_SEED);
    for line in [
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
        "producer start p1 --topic orders --rate 5/s",
        "consumer start c1 --group billing --topic orders",
        "advance 10m",
    ] {
        let out = s.execute(&parse_line(line).unwrap().unwrap());
        assert!(!out.error, "{line}: {out:?}");
    }
    let at_10 = leader_records(&s, "__consumer_offsets");
    s.execute(&parse_line("advance 50m").unwrap().unwrap());
    let at_60 = leader_records(&s, "__consumer_offsets");
    // One commit of 3 partitions every 5 s is 2,160 records in an hour. Compacted at each
    // retention check (every 5 min), the log holds at most what was written since the last check
    // and the latest record of each key: about 180 + 3.
    assert!(at_60 <= 400, "__consumer_offsets holds {at_60} records after an hour (at 10 min: {at_10})");
    assert!(at_60 <= at_10 + 200, "it keeps growing: {at_10} records at 10 min, {at_60} at 60 min");
}

//! What the logs keep over a long session: the internal topics are compacted by the log cleaner
//! like any compacted topic, so a group that auto-commits every 5 s for an hour holds the latest
//! commit per partition plus what its active segment has gathered. With Kafka's defaults for them
//! (100 MiB segments that roll after 7 days) nothing of theirs is cleaned in an hour, as in Kafka.

use kafkascope_sim::model::Tp;
use kafkascope_sim::session::exec::DEFAULT_SEED;
use kafkascope_sim::{parse_line, Session};

/// Record slots held by the leaders of a topic's partitions (a cleaned offset stays a slot until
/// a leading run of gaps leaves storage), and of them the records the cleaner has not removed.
fn leader_records(s: &Session, topic: &str) -> (usize, usize) {
    let t = s.sim.topic_by_name(topic).expect("the topic exists");
    (0..s.sim.topic(t).partitions)
        .map(|p| Tp { topic: t, partition: p })
        .filter_map(|tp| s.sim.replica_log(s.sim.partition(tp)?.leader?, tp))
        .map(|log| (log.records.len(), log.iter().count()))
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

fn run(s: &mut Session, lines: &[&str]) {
    for line in lines {
        let out = s.execute(&parse_line(line).unwrap().unwrap());
        assert!(!out.error, "{line}: {out:?}");
    }
}

const GROUP: [&str; 3] = [
    "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
    "producer start p1 --topic orders --rate 5/s",
    "consumer start c1 --group billing --topic orders",
];

#[test]
fn committed_offsets_are_compacted_and_stay_bounded() {
    let mut s = Session::new(DEFAULT_SEED);
    run(&mut s, &GROUP);
    run(
        &mut s,
        &[
            "advance 5s",
            "kafka-configs --alter --entity-type topics --entity-name __consumer_offsets --add-config segment.ms=60000",
        ],
    );
    run(&mut s, &["advance 10m"]);
    let (at_10, _) = leader_records(&s, "__consumer_offsets");
    run(&mut s, &["advance 50m"]);
    let (at_60, live) = leader_records(&s, "__consumer_offsets");
    // One commit of 3 partitions every 5 s is 2,160 records in an hour. A segment rolls every
    // minute and the cleaner (every 15 s) takes it once half the log is dirty: what stays is the
    // latest commit of each partition, the active segment's minute (36) and at most one more.
    assert!(live <= 100, "__consumer_offsets keeps {live} records after an hour");
    assert!(at_60 <= 400, "__consumer_offsets holds {at_60} slots after an hour (at 10 min: {at_10})");
    assert!(at_60 <= at_10 + 200, "it keeps growing: {at_10} slots at 10 min, {at_60} at 60 min");
}

#[test]
fn with_kafkas_defaults_the_active_segment_of_the_offsets_topic_is_never_cleaned() {
    let mut s = Session::new(DEFAULT_SEED);
    run(&mut s, &GROUP);
    run(&mut s, &["advance 60m"]);
    let t = s.sim.topic_by_name("__consumer_offsets").unwrap();
    let tp = s.sim.offsets_tp("billing").unwrap();
    let log = s.sim.replica_log(s.sim.partition(tp).unwrap().leader.unwrap(), tp).unwrap();
    assert_eq!(log.segments.len(), 1, "100 MiB segments that roll after 7 days: one segment after an hour");
    assert!(log.iter().all(|r| !r.cleaned), "nothing cleaned: the active segment never is");
    let (held, _) = leader_records(&s, "__consumer_offsets");
    assert!((100..=2_200).contains(&held), "every commit is kept, at most 3 per 5 s: {held} in an hour");
    assert_eq!(s.sim.topic(t).config.segment_bytes, 104_857_600, "offsets.topic.segment.bytes");
}

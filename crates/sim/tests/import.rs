//! `kafkascope import` round-trips: `kafka-topics --describe` of every scenario's cluster at its
//! end, imported and run, describes the same topics again: the same partitions, each with the same
//! replicas in the same order, the same replication factor and the same configs.

use kafkascope_sim::session::import::import;
use kafkascope_sim::Session;

fn describe(s: &mut Session) -> String {
    let cmd = kafkascope_sim::parse_line("kafka-topics --describe --exclude-internal").unwrap().unwrap();
    s.execute(&cmd).lines.join("\n")
}

/// What an import must keep: per topic its summary without the TopicId, per partition its replicas.
fn assignment(describe: &str) -> Vec<String> {
    describe
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.trim().split('\t').collect();
            if f.get(1).is_some_and(|x| x.starts_with("Partition: ")) {
                Some(format!("{} {} {}", f[0], f[1], f.iter().find(|x| x.starts_with("Replicas: "))?))
            } else if f.first().is_some_and(|x| x.starts_with("Topic: ")) {
                Some(f.iter().filter(|x| !x.starts_with("TopicId: ")).copied().collect::<Vec<_>>().join(" "))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn describe_import_describe_gives_the_same_assignment() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ks") {
            continue;
        }
        let Ok(mut s) = Session::run_script_session(&std::fs::read_to_string(&path).unwrap()) else { continue };
        if s.sim.topics.iter().all(|t| t.name.starts_with("__")) {
            continue;
        }
        let before = describe(&mut s);
        if before.contains("Adding Replicas") || before.contains("Error") {
            continue;
        }
        let imported = import(&before).unwrap_or_else(|e| panic!("{}: {e}\n{before}", path.display()));
        let mut again = Session::run_script_session(&imported.script)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), imported.script));
        let after = describe(&mut again);
        assert_eq!(assignment(&after), assignment(&before), "{}\n{}", path.display(), imported.script);
        checked += 1;
    }
    assert!(checked > 30, "{checked} scenarios");
}

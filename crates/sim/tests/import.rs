//! `kafkascope import` round-trips: `kafka-topics --describe` of every scenario's cluster at its
//! end, imported and run, describes the same topics again: the same partitions, each with the same
//! replicas in the same order, the same replication factor and the same configs; with each group's
//! `kafka-consumer-groups --describe` pasted too, the same committed offsets and log end offsets.

use kafkascope_sim::session::import::import;
use kafkascope_sim::Session;

fn run(s: &mut Session, line: &str) -> String {
    let cmd = kafkascope_sim::parse_line(line).unwrap().unwrap();
    s.execute(&cmd).lines.join("\n")
}

fn describe(s: &mut Session) -> String {
    run(s, "kafka-topics --describe --exclude-internal")
}

/// Every group's offsets view, as a user would paste it after the topics.
fn describe_groups(s: &mut Session) -> String {
    let list = run(s, "kafka-consumer-groups --list");
    let mut out = String::new();
    for g in list.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('[')) {
        // Without the runner's `[stderr]` mark: a terminal shows both streams as one.
        for l in run(s, &format!("kafka-consumer-groups --describe --group {g}")).lines() {
            out.push_str(l.strip_prefix("[stderr]").map_or(l, str::trim_start));
            out.push('\n');
        }
    }
    out
}

/// (group, topic, partition, current offset, log end offset) of each offsets-view row.
fn offsets(groups: &str) -> Vec<(String, String, String, String, String)> {
    let mut rows: Vec<_> = groups
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.len() >= 6 && w[0] != "GROUP" && w[2].parse::<u32>().is_ok())
        .map(|w| (w[0].to_string(), w[1].to_string(), w[2].to_string(), w[3].to_string(), w[4].to_string()))
        .collect();
    rows.sort();
    rows
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
    let mut with_groups = 0;
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
        let groups = describe_groups(&mut s);
        let pasted = format!("{before}\n{groups}");
        let imported = import(&pasted).unwrap_or_else(|e| panic!("{}: {e}\n{pasted}", path.display()));
        let mut again = Session::run_script_session(&imported.script)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), imported.script));
        let after = describe(&mut again);
        assert_eq!(assignment(&after), assignment(&before), "{}\n{}", path.display(), imported.script);
        checked += 1;
        // Offsets: every row whose partition the import could fill (internal topics and logs
        // longer than it writes are named in its notes instead).
        let want: Vec<_> = offsets(&groups)
            .into_iter()
            .filter(|r| !r.1.starts_with("__"))
            .filter(|r| {
                r.4.parse::<u64>().is_ok_and(|n| n <= kafkascope_sim::session::import::MAX_RECORDS_PER_PARTITION)
            })
            .collect();
        if want.is_empty() || imported.notes.iter().any(|n| n.contains("more records than an import writes")) {
            continue;
        }
        let got = offsets(&describe_groups(&mut again));
        // Rows without a committed offset and no owner do not show once the members are gone.
        let want: Vec<_> = want.into_iter().filter(|r| r.3 != "-").collect();
        let got: Vec<_> = got.into_iter().filter(|r| r.3 != "-").collect();
        assert_eq!(got, want, "{}\n{pasted}\n{}", path.display(), imported.script);
        with_groups += 1;
    }
    assert!(checked > 30, "{checked} scenarios");
    assert!(with_groups > 10, "{with_groups} scenarios with groups");
}

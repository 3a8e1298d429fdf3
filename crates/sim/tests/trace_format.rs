//! The trace format as docs/trace-format.md documents it: every scenario's trace has the shape
//! docs/trace.schema.json gives (checked by a small validator for the keywords that schema uses),
//! and a trace written by hand or by a tool, as that page shows, opens as a link and replays.

use kafkascope_sim::cluster::journal::SimEvent;
use kafkascope_sim::session::exec::{Trace, TRACE_FORMAT};
use kafkascope_sim::session::share;
use kafkascope_sim::Session;
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("docs/trace.schema.json")).unwrap()).unwrap()
}

/// The errors of `v` against `schema`, for the keywords docs/trace.schema.json uses (an unknown
/// keyword is an error too, so the schema cannot quietly say more than is checked).
fn check(schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let s = schema.as_object().expect("a schema is an object");
    for (key, want) in s {
        match key.as_str() {
            "$schema" | "title" | "description" => {}
            "type" => {
                let types: Vec<&str> = match want {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("{at}: type"),
                };
                let ok = types.iter().any(|t| match *t {
                    "object" => v.is_object(),
                    "array" => v.is_array(),
                    "string" => v.is_string(),
                    "integer" => v.is_u64() || v.is_i64(),
                    "boolean" => v.is_boolean(),
                    other => panic!("{at}: type {other} not checked"),
                });
                if !ok {
                    errors.push(format!("{at}: {v} is not {types:?}"));
                }
            }
            "const" if v != want => errors.push(format!("{at}: {v} is not {want}")),
            "const" => {}
            "minimum" if v.as_f64().is_some_and(|x| x < want.as_f64().unwrap()) => {
                errors.push(format!("{at}: {v} < {want}"))
            }
            "maximum" if v.as_f64().is_some_and(|x| x > want.as_f64().unwrap()) => {
                errors.push(format!("{at}: {v} > {want}"))
            }
            "minimum" | "maximum" => {}
            "required" => {
                for r in want.as_array().unwrap() {
                    if v.get(r.as_str().unwrap()).is_none() {
                        errors.push(format!("{at}: {r} is missing"));
                    }
                }
            }
            "properties" => {
                if let Some(obj) = v.as_object() {
                    for (k, sub) in want.as_object().unwrap() {
                        if let Some(x) = obj.get(k) {
                            check(sub, x, &format!("{at}.{k}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(want, &Value::Bool(false), "{at}");
                let known = s["properties"].as_object().unwrap();
                for k in v.as_object().into_iter().flat_map(|o| o.keys()) {
                    if !known.contains_key(k) {
                        errors.push(format!("{at}: {k} is not in the schema"));
                    }
                }
            }
            "items" => {
                for (i, x) in v.as_array().into_iter().flatten().enumerate() {
                    check(want, x, &format!("{at}[{i}]"), errors);
                }
            }
            other => panic!("{at}: the schema uses {other}, which this check does not know"),
        }
    }
}

#[test]
fn every_scenarios_trace_fits_the_schema() {
    let schema = schema();
    assert_eq!(schema["properties"]["format"]["const"], TRACE_FORMAT, "the schema names this format");
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ks") {
            continue;
        }
        let Ok(session) = Session::run_script_session(&std::fs::read_to_string(&path).unwrap()) else { continue };
        let json: Value = serde_json::to_value(session.trace()).unwrap();
        let mut errors = Vec::new();
        check(&schema, &json, "$", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        // Each command is its script line.
        for c in json["commands"].as_array().unwrap() {
            let line = c["command"].as_str().unwrap();
            assert!(kafkascope_sim::parse_line(line).unwrap().is_some(), "{line}");
        }
        seen += 1;
    }
    assert!(seen > 40, "{seen} scenarios");
    // And the validator can fail: a misspelt field, a command that is not a line, a wrong format.
    for (bad, why) in [
        (r#"{"format":4,"seed":1,"brokers":3,"commands":[],"end_ms":0,"brokrs":3}"#, "brokrs"),
        (
            r#"{"format":4,"seed":1,"brokers":3,"commands":[{"at_ms":0,"events":0,"command":{"Seed":1}}],"end_ms":0}"#,
            "command",
        ),
        (r#"{"format":3,"seed":1,"brokers":3,"commands":[],"end_ms":0}"#, "format"),
    ] {
        let mut errors = Vec::new();
        check(&schema, &serde_json::from_str(bad).unwrap(), "$", &mut errors);
        assert!(errors.iter().any(|e| e.contains(why)), "{bad}: {errors:?}");
    }
}

/// docs/trace-format.md's example: a trace a tool writes (no journal, `events` 0: "when virtual
/// time reaches at_ms") opens as a link and replays, the kill at 5 s and the records after it.
#[test]
fn a_written_trace_opens_as_a_link_and_replays() {
    let written = r#"{
      "format": 4, "seed": 7, "brokers": 3,
      "commands": [
        {"at_ms": 0, "events": 0, "command": "kafka-topics --create --topic orders --partitions 3 --replication-factor 3"},
        {"at_ms": 1000, "events": 0, "command": "producer start p1 --topic orders --rate 10/s"},
        {"at_ms": 5000, "events": 0, "command": "broker kill 1"}
      ],
      "end_ms": 20000
    }"#;
    let trace: Trace = serde_json::from_str(written).unwrap();
    let text = share::encode(&trace);
    let opened = share::decode(&text).unwrap();
    assert_eq!(opened, trace);
    let s = Session::replay(&opened, None);
    assert_eq!(s.sim.now(), 20_000);
    let killed = s
        .sim
        .journal
        .iter()
        .find(|e| matches!(e.event, SimEvent::BrokerKilled { broker: 1 }))
        .expect("broker 1 killed");
    assert_eq!(killed.at_ms, 5000);
    let produced = s.sim.ledger.next_id().0;
    assert!(produced > 150, "the producer ran for 19 s: {produced} records");
    // A command that is not a line of the language is refused with its reason, not guessed at.
    let bad = written.replace("broker kill 1", "broker kil 1");
    let err = serde_json::from_str::<Trace>(&bad).unwrap_err().to_string();
    assert!(err.contains("broker kil 1"), "{err}");
}

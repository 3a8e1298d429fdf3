//! The storage tools as Kafka 4.0 prints them: `kafka-log-dirs --describe` (`LogDirsCommand`),
//! `kafka-dump-log --files` (`DumpLogSegments`) and `kafka-delete-records --offset-json`
//! (`DeleteRecordsCommand`). Sizes are the segments' (`Log::size_bytes`, Kafka's v2 batch format);
//! each broker has one log directory, its `log.dirs`.

use crate::cluster::configs::static_configs;
use crate::model::*;
use crate::session::exec::{value_text, Output};
use crate::session::print::stderr;
use crate::Sim;

fn err(text: String) -> Output {
    Output { lines: vec![stderr(&text)], error: true }
}

/// The broker's one log directory (its static `log.dirs`).
fn log_dir(b: BrokerId) -> String {
    static_configs(b).into_iter().find(|(k, _)| *k == "log.dirs").map_or_else(String::new, |(_, v)| v)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `kafka-log-dirs --describe [--broker-list 1,2]`: the two progress lines, then one JSON line:
/// per broker, its log directory and every partition replica in it with its size in bytes and its
/// offset lag (HW − LEO, at least 0: Kafka's `getLogEndOffsetLag`). Only running brokers answer.
pub fn log_dirs(sim: &Sim, brokers: Option<&[u32]>) -> Output {
    let running: Vec<BrokerId> = sim.brokers.iter().filter(|(_, b)| b.is_running()).map(|(&id, _)| id).collect();
    let wanted: Vec<BrokerId> = match brokers {
        None => running.clone(),
        Some(list) => {
            for b in list {
                if !running.contains(b) {
                    return err(format!(
                        "Error: broker {b} is not running or does not exist (running brokers: {}).",
                        join(&running)
                    ));
                }
            }
            list.to_vec()
        }
    };
    let mut out = vec!["Querying brokers for log directories information".to_string()];
    out.push(format!("Received log directory information from brokers {}", join(&wanted)));
    let mut entries = Vec::new();
    for b in &wanted {
        let broker = &sim.brokers[b];
        let mut parts: Vec<(String, u64, u64)> = broker
            .replicas
            .iter()
            .filter(|(tp, _)| !sim.topics[tp.topic as usize].deleted)
            .map(|(&tp, r)| (sim.tp_name(tp), r.log.size_bytes(), r.log.hw.saturating_sub(r.log.leo())))
            .collect();
        crate::sort::sort_by(&mut parts, |a, c| crate::clients::assignor::java_string_cmp(&a.0, &c.0));
        let parts: Vec<String> = parts
            .into_iter()
            .map(|(name, size, lag)| {
                format!("{{\"partition\":{},\"size\":{size},\"offsetLag\":{lag},\"isFuture\":false}}", json_str(&name))
            })
            .collect();
        entries.push(format!(
            "{{\"broker\":{b},\"logDirs\":[{{\"logDir\":{},\"error\":null,\"partitions\":[{}]}}]}}",
            json_str(&log_dir(*b)),
            parts.join(",")
        ));
    }
    out.push(format!("{{\"brokers\":[{}],\"version\":1}}", entries.join(",")));
    Output { lines: out, error: false }
}

fn join(ids: &[u32]) -> String {
    ids.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")
}

/// CRC-32C (Castagnoli), as a v2 batch's `crc` field uses.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
        }
    }
    !crc
}

/// `kafka-dump-log --files T-P/NNNNNNNNNNNNNNNNNNNN.log [--print-data-log]` on broker `broker` (the
/// partition's leader when not given): `Dumping …`, `Log starting offset: …` (the segment's base
/// offset, from its name), one line per batch and, under it, one `| offset: …` line per record
/// (with `key:` and `payload:` under `--print-data-log`). Batches keep their offsets after
/// cleaning (the records the cleaner removed are not printed; `count` is what is left). The
/// `crc` is a CRC-32C over the model's own encoding of the batch, not Kafka's bytes.
pub fn dump_log(sim: &Sim, file: &str, broker: Option<u32>, print_data: bool) -> Output {
    let Some((dir, name)) = file.rsplit_once('/') else {
        return err(format!("Error: --files takes TOPIC-PARTITION/NNNNNNNNNNNNNNNNNNNN.log, not {file}."));
    };
    if dir == "__cluster_metadata-0" {
        return dump_metadata_log(sim, file, name, broker);
    }
    let parsed = dir.rsplit_once('-').and_then(|(t, p)| Some((sim.topic_by_name(t)?, p.parse::<u32>().ok()?)));
    let Some((topic, partition)) = parsed.filter(|&(t, p)| p < sim.topics[t as usize].partitions) else {
        return err(format!("Error: no partition {dir} (the directory is TOPIC-PARTITION, e.g. orders-0)."));
    };
    let tp = Tp { topic, partition };
    let b = match broker.or_else(|| sim.partition(tp).and_then(|m| m.leader)) {
        Some(b) => b,
        None => return err(format!("Error: {dir} has no leader: give --broker B.")),
    };
    let Some(log) = sim.replica_log(b, tp) else {
        return err(format!("Error: broker {b} holds no replica of {dir}."));
    };
    let Some(i) = log.segments.iter().position(|s| s.file_name() == name) else {
        let names: Vec<String> = log.segments.iter().map(|s| s.file_name()).collect();
        return err(format!(
            "Error: java.nio.file.NoSuchFileException: {file} (broker {b}'s segments of {dir}: {})",
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        ));
    };
    let seg = log.segments[i];
    let end = log.segments.get(i + 1).map_or(log.leo(), |s| s.base_offset);
    let mut out = vec![format!("Dumping {file}"), format!("Log starting offset: {}", seg.base_offset)];
    let records: Vec<Record> =
        log.records.iter().filter(|r| r.offset >= seg.base_offset && r.offset < end).copied().collect();
    let mut position = 0u64;
    let mut i = 0;
    while i < records.len() {
        let j = batch_end(&records, i);
        let batch = &records[i..=j];
        let base = batch[0].offset;
        let live: Vec<&Record> = batch.iter().filter(|r| !r.cleaned).collect();
        i = j + 1;
        let Some(first) = live.first() else { continue };
        let size = BATCH_HEADER_BYTES + live.iter().map(|r| record_bytes(r.size, r.offset - base)).sum::<u64>();
        let control = matches!(first.value, Value::Marker { .. });
        let horizon = live.iter().find_map(|r| log.tombstones.get(&r.offset));
        let mut enc = Vec::new();
        for r in &live {
            enc.extend_from_slice(&r.offset.to_be_bytes());
            enc.extend_from_slice(&r.append_ms.to_be_bytes());
            enc.extend_from_slice(value_text(sim, r.value).as_bytes());
        }
        let max_ts = live.iter().map(|r| r.append_ms).max().unwrap_or(0);
        let (pid, pepoch, seq0, seq1) = match first.producer_id {
            Some(p) => (p as i64, first.producer_epoch as i64, first.sequence, live.last().map_or(-1, |r| r.sequence)),
            None => (-1, -1, -1, -1),
        };
        out.push(format!(
            "baseOffset: {base} lastOffset: {} count: {} baseSequence: {seq0} lastSequence: {seq1} producerId: {pid} producerEpoch: {pepoch} partitionLeaderEpoch: {} isTransactional: {} isControl: {control} deleteHorizonMs: {} position: {position} CreateTime: {max_ts} size: {size} magic: 2 compresscodec: none crc: {} isvalid: true",
            batch.last().map_or(base, |r| r.offset),
            live.len(),
            first.epoch,
            first.txn,
            horizon.map_or("OptionalLong.empty".to_string(), |h| format!("OptionalLong[{h}]")),
            crc32c(&enc),
        ));
        position += size;
        for r in live {
            let key = r.key.map(|k| sim.interner.get(k).to_string());
            let (key_size, value_size) = body_sizes(sim, r);
            let mut line = format!(
                "| offset: {} CreateTime: {} keySize: {key_size} valueSize: {value_size} sequence: {} headerKeys: []",
                r.offset,
                r.append_ms,
                if r.producer_id.is_some() { r.sequence } else { -1 }
            );
            if print_data {
                match r.value {
                    Value::Marker { commit } => {
                        line +=
                            &format!(" endTxnMarker: {} coordinatorEpoch: 0", if commit { "COMMIT" } else { "ABORT" })
                    }
                    v => {
                        let payload = if v == Value::Null { "null".to_string() } else { value_text(sim, v) };
                        line += &format!(" key: {} payload: {payload}", key.as_deref().unwrap_or("null"));
                    }
                }
            }
            out.push(line);
        }
    }
    Output { lines: out, error: false }
}

/// `kafka-dump-log --cluster-metadata-decoder --files __cluster_metadata-0/00000000000000000000.log
/// [--broker ID]`: one controller's copy of the metadata log (the active one's unless `--broker`
/// names a controller), each record decoded. The model appends one record per batch and keeps one
/// segment; sizes are those of the decoded JSON in a v2 batch.
fn dump_metadata_log(sim: &Sim, file: &str, name: &str, node: Option<u32>) -> Output {
    let id = match node.or_else(|| sim.active_controller()).or_else(|| sim.quorum.committed_log().map(|n| n.id)) {
        Some(id) => id,
        None => return err("Error: no controller holds __cluster_metadata.".to_string()),
    };
    let Some(ctl) = sim.quorum.node(id) else {
        let ids: Vec<String> = sim.quorum.voters().iter().map(|v| v.to_string()).collect();
        return err(format!(
            "Error: {id} is not a controller: the metadata log is on the controllers ({}); brokers keep only what they applied.",
            ids.join(", ")
        ));
    };
    if name != "00000000000000000000.log" {
        return err(format!(
            "Error: java.nio.file.NoSuchFileException: {file} (controller {id}'s segments of __cluster_metadata-0: 00000000000000000000.log)"
        ));
    }
    let mut out = vec![format!("Dumping {file}"), "Log starting offset: 0".to_string()];
    let mut position = 0u64;
    for e in ctl.log.iter() {
        let payload = e.record.decoded(sim);
        let control = matches!(e.record, crate::cluster::quorum::MetaRecord::LeaderChange { .. });
        let value = payload.split_once(": ").map_or(0, |(_, v)| v.len()) as u64;
        let (key_size, body) =
            if control { (4u64, 1 + 1 + 1 + 4 + 1 + value + 1) } else { (0, 1 + 1 + 1 + 1 + value + 1) };
        let size = BATCH_HEADER_BYTES + record_bytes(body.min(u16::MAX as u64) as u16, 0);
        let crc = crc32c(format!("{}{}{payload}", e.offset, e.at_ms).as_bytes());
        out.push(format!(
            "baseOffset: {o} lastOffset: {o} count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: {} isTransactional: false isControl: {control} deleteHorizonMs: OptionalLong.empty position: {position} CreateTime: {} size: {size} magic: 2 compresscodec: none crc: {crc} isvalid: true",
            e.epoch,
            e.at_ms,
            o = e.offset
        ));
        out.push(format!(
            "| offset: {} CreateTime: {} keySize: {} valueSize: {value} sequence: -1 headerKeys: [] {payload}",
            e.offset,
            e.at_ms,
            if control { key_size as i64 } else { -1 }
        ));
        position += size;
    }
    Output { lines: out, error: false }
}

/// A record's key and value sizes (-1 for null), as `DumpLogSegments` prints them.
fn body_sizes(sim: &Sim, r: &Record) -> (i64, i64) {
    match r.value {
        Value::Marker { .. } => (4, 6),
        Value::Null => (r.key.map_or(-1, |k| sim.interner.get(k).len() as i64), -1),
        Value::Text(_) | Value::Numbered(_) | Value::Derived(_) => {
            let key = r.key.map_or(-1, |k| sim.interner.get(k).len() as i64);
            (key, value_text(sim, r.value).len() as i64)
        }
        // Internal records: what their schemas take (`record_body`), split as key and value.
        _ => {
            let key = r.key.map_or(-1, |k| 4 + sim.interner.get(k).len() as i64);
            let total = r.size as i64 - 5;
            (key, (total - key.max(0) - 2).max(0))
        }
    }
}

/// One partition of `--offset-json`.
#[derive(serde::Deserialize)]
struct DeleteSpec {
    topic: String,
    partition: u32,
    offset: i64,
}

#[derive(serde::Deserialize)]
struct DeleteJson {
    partitions: Vec<DeleteSpec>,
}

/// `kafka-delete-records --offset-json '{"partitions":[{"topic":"T","partition":0,"offset":5}],"version":1}'`:
/// each partition's leader moves its log start offset to `offset` (-1: the high watermark);
/// followers follow with their next fetch. Kafka's lines: the two headers, then per partition
/// `partition: T-P\tlow_watermark: N` or `partition: T-P\terror: …`.
pub fn delete_records(sim: &mut Sim, json: &str) -> Output {
    let spec: DeleteJson = match serde_json::from_str(json) {
        Ok(s) => s,
        Err(e) => return err(format!("Error: --offset-json is not valid: {e}")),
    };
    let mut out =
        vec!["Executing records delete operation".to_string(), "Records delete operation completed:".to_string()];
    for p in spec.partitions {
        let name = format!("{}-{}", p.topic, p.partition);
        let tp = sim.topic_by_name(&p.topic).map(|t| Tp { topic: t, partition: p.partition });
        match tp.filter(|tp| tp.partition < sim.topics[tp.topic as usize].partitions) {
            None => out.push(format!(
                "partition: {name}\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition."
            )),
            Some(tp) => match sim.delete_records(tp, p.offset) {
                Ok(low) => out.push(format!("partition: {name}\tlow_watermark: {low}")),
                Err(e) => out.push(format!("partition: {name}\terror: {e}")),
            },
        }
    }
    Output { lines: out, error: false }
}

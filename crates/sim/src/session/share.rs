//! Share links: a session's trace (seed, cluster size, timed commands) as compact, URL-safe text.
//! JSON, deflated, then base64url without padding. Decoding never panics and refuses anything it
//! cannot fully read; the caller shows the reason and starts a fresh session.

use crate::session::exec::Trace;

/// Longest share text accepted (characters) and largest inflated trace (bytes): a bound on work.
pub const MAX_SHARE_CHARS: usize = 200_000;
const MAX_INFLATED_BYTES: usize = 4 << 20;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The part of a trace a link needs: the journal is rebuilt by replaying.
pub fn encode(trace: &Trace) -> String {
    let slim = Trace { journal: Vec::new(), ..trace.clone() };
    let json = serde_json::to_vec(&slim).expect("traces serialize");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    base64url(&packed)
}

/// The page's URL that replays `trace`, from the page's address `base` (its query, if any, is
/// replaced): `BASE?s=TEXT`, or with `embed` the iframe's `BASE?embed=1&s=TEXT`. The share text is
/// base64url, so it needs no escaping.
pub fn page_url(base: &str, trace: &Trace, embed: bool) -> String {
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let sep = if base.ends_with('/') || base.ends_with(".html") { "" } else { "/" };
    format!("{base}{sep}?{}s={}", if embed { "embed=1&" } else { "" }, encode(trace))
}

pub fn decode(text: &str) -> Result<Trace, String> {
    if text.len() > MAX_SHARE_CHARS {
        return Err(format!("the link is too long ({} characters)", text.len()));
    }
    let packed = unbase64url(text.trim()).ok_or("the link is not valid base64url text")?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED_BYTES)
        .map_err(|_| "the link's data is damaged (it does not inflate)".to_string())?;
    // The format first: a link of another format may not even read as this one's trace.
    #[derive(serde::Deserialize)]
    struct Format {
        #[serde(default = "first_format")]
        format: u32,
    }
    fn first_format() -> u32 {
        1
    }
    let Format { format } =
        serde_json::from_slice(&json).map_err(|e| format!("the link does not hold a kafkascope session ({e})"))?;
    if format != crate::session::exec::TRACE_FORMAT {
        return Err(format!(
            "the link was made by {} version of kafkascope (trace format {format}; this one replays format {}), whose sessions replay differently here",
            if format < crate::session::exec::TRACE_FORMAT { "an earlier" } else { "a newer" },
            crate::session::exec::TRACE_FORMAT
        ));
    }
    let trace: Trace =
        serde_json::from_slice(&json).map_err(|e| format!("the link does not hold a kafkascope session ({e})"))?;
    if trace.brokers == 0 || trace.brokers > 64 {
        return Err(format!("the link asks for {} brokers (1 to 64 are possible)", trace.brokers));
    }
    if trace.commands.windows(2).any(|w| w[1].at_ms < w[0].at_ms || w[1].events < w[0].events) {
        return Err("the link's commands are out of order".into());
    }
    if trace.end_ms > 24 * 3_600_000 || trace.commands.iter().any(|c| c.at_ms > trace.end_ms) {
        return Err("the link's times are out of range".into());
    }
    Ok(trace)
}

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::exec::Session;

    #[test]
    fn a_shared_session_replays_to_the_same_state() {
        let src = "seed 5\nkafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
                   producer start p --topic t --rate 20/s --keys a,b\nadvance 3s\nbroker kill 2\nadvance 12s\n";
        let s = Session::run_script_session(src).unwrap();
        let link = encode(&s.trace());
        assert!(link.bytes().all(|b| ALPHABET.contains(&b)), "URL-safe");
        let back = Session::replay(&decode(&link).unwrap(), None);
        assert_eq!(back.sim.journal, s.sim.journal);
        assert_eq!(back.sim.now(), s.sim.now());
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(unbase64url(&base64url(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn tampered_links_are_refused_with_a_reason() {
        let s = Session::run_script_session("kafka-topics --create --topic t --partitions 1 --replication-factor 1\n")
            .unwrap();
        let link = encode(&s.trace());
        assert!(decode("not*base64").unwrap_err().contains("base64url"));
        assert!(decode(&link[..link.len() / 2]).is_err());
        let mut flipped = link.into_bytes();
        flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
        let _ = decode(&String::from_utf8(flipped).unwrap()); // refused or harmless, never a panic
        assert!(decode(&"A".repeat(MAX_SHARE_CHARS + 1)).unwrap_err().contains("too long"));
    }

    #[test]
    fn links_of_the_first_trace_format_are_refused_with_a_reason() {
        let s = Session::run_script_session("kafka-topics --create --topic t --partitions 1 --replication-factor 1\n")
            .unwrap();
        let mut json: serde_json::Value = serde_json::to_value(s.trace()).unwrap();
        json.as_object_mut().unwrap().remove("format"); // what links made before format 2 carry
        let packed = miniz_oxide::deflate::compress_to_vec(&serde_json::to_vec(&json).unwrap(), 9);
        let why = decode(&base64url(&packed)).unwrap_err();
        assert!(why.contains("an earlier version of kafkascope") && why.contains("format 1"), "{why}");
        assert!(decode(&encode(&s.trace())).is_ok());
    }
}

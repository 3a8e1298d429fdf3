//! Property tests: the URL/embed-parameter parser, the saved-session reader, the postMessage
//! request reader and the console (parser, completion, `Model::run`) never panic, whatever text
//! they get. Inputs come from a seeded generator (the sim's SplitMix64), so a failure names a seed
//! and reproduces; the same tests run natively and in headless Chromium (`scripts/test.sh wasm`).

use crate::params::{decode_component, parse_query, parse_time};
use crate::state::Model;
use kafkascope_sim::rng::Rng;

/// Pieces that make interesting inputs: the parameters' own names and syntax, escapes (valid,
/// truncated, invalid UTF-8), numbers at the edges, markup, and non-ASCII text.
const PIECES: &[&str] = &[
    "?",
    "&",
    "=",
    "+",
    "%",
    "%2",
    "%20",
    "%FF",
    "%C3%A9",
    "%E2%82",
    "%00",
    "#",
    ";",
    ":",
    "/",
    "//",
    "*",
    " ",
    "\t",
    "\n",
    "s",
    "embed",
    "scenario",
    "autoplay",
    "speed",
    "t",
    "seed",
    "origin",
    "reset",
    "debug",
    "panic",
    "1",
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    "0.001",
    "20",
    "18446744073709551616",
    "99999999999999999999",
    "1m30s",
    "500ms",
    "01:30",
    "59.9999",
    "2h",
    "h",
    "ms",
    "https://",
    "http://a.example:8080",
    "null",
    "default",
    "leader-failover",
    "<img src=x onerror=alert(1)>",
    "\"",
    "'",
    "é",
    "日本",
    "\u{202e}",
    "\u{fffd}",
    "broker",
    "kill",
    "start",
    "--topic",
    "orders",
    "--group",
    "kafka-topics",
    "--describe",
    "produce",
    "--value",
    "consumer",
    "advance",
    "10s",
    "AAAA",
    "eJ",
    "{",
    "}",
    "[",
    "]",
    "\"v\":1",
    "\"s\":",
    "\"t\":",
];

fn random_text(rng: &mut Rng, max_pieces: u64) -> String {
    let n = rng.below(max_pieces + 1);
    let mut s = String::new();
    for _ in 0..n {
        if rng.below(5) == 0 {
            // A random char anywhere in Unicode's scalar range.
            let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}');
            s.push(c);
        } else {
            s.push_str(PIECES[rng.below(PIECES.len() as u64) as usize]);
        }
    }
    s
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn url_parameters_never_panic_and_stay_in_bounds() {
    for seed in 0..3000u64 {
        let mut rng = Rng::new(seed);
        let q = random_text(&mut rng, 24);
        let p = parse_query(&q);
        if let Some(s) = p.speed {
            assert!((0.01..=20.0).contains(&s), "seed {seed}: speed {s} from {q:?}");
        }
        if let Some(t) = p.t_ms {
            assert!(t <= crate::params::MAX_START_MS, "seed {seed}: t {t} from {q:?}");
        }
        if let Some(o) = &p.origin {
            assert!(
                o == "*" || o.split_once("://").is_some_and(|(_, h)| !h.is_empty() && !h.contains('/')),
                "seed {seed}: origin {o:?}"
            );
            assert!(!o.contains(['<', '>', '"', ' ', '?', '#']), "seed {seed}: origin {o:?}");
        }
        let _ = parse_time(&q);
        let _ = decode_component(&q);
        let _ = crate::persist::decode(&q);
        // Problems quote the bad value: shortened, and it is text for the view, never markup.
        for problem in &p.problems {
            assert!(problem.chars().count() < 200, "seed {seed}: {problem}");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn host_messages_never_panic() {
    for seed in 0..2000u64 {
        let mut rng = Rng::new(seed);
        let text = random_text(&mut rng, 12);
        let json =
            format!("{{\"type\":\"kafkascope:command\",\"command\":{}}}", serde_json::Value::String(text.clone()));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(crate::embed::read_request(&v).is_ok(), "seed {seed}: a string command is always read");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = crate::embed::read_request(&v);
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_console_never_panics() {
    let mut m = Model::new();
    for seed in 0..400u64 {
        let mut rng = Rng::new(seed ^ 0x5eed);
        let line = random_text(&mut rng, 8);
        let _ = kafkascope_sim::parse_line(&line);
        let _ = m.complete(&line);
        // Only lines that cannot move virtual time far run against the model (advance is bounded
        // by the parser, but thousands of them would make the test slow, not wrong).
        if !line.contains("advance") && !line.contains("produce") {
            let before = m.console.len();
            m.run(&line);
            assert!(m.console.len() <= before + 1, "seed {seed}: one entry per line at most");
        }
    }
}

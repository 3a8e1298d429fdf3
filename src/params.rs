//! The page's URL parameters (share links, embedding, presets) and the named scenario presets.
//! Pure Rust, no browser: `parse_query` takes `location.search` as text, never panics, and reports
//! every parameter it could not use (the app shows those as a notice and ignores them).
//! Documented for users in docs/embedding.md.

use kafkascope_sim::session::command::parse_duration;
use kafkascope_sim::session::exec::{Session, Trace};
use kafkascope_sim::{parse_script, Command};

/// Scenario scripts that make sense as starting points (the others in `scenarios/` test errors).
/// Each one runs headless as a scenario test; as a preset its commands play out over virtual time.
pub const PRESETS: [(&str, &str); 30] = [
    ("default", include_str!("../scenarios/default.ks")),
    ("leader-failover", include_str!("../scenarios/leader-failover.ks")),
    ("acks1-loss", include_str!("../scenarios/acks1-loss.ks")),
    ("acks-all-no-loss", include_str!("../scenarios/acks-all-no-loss.ks")),
    ("min-insync-replicas", include_str!("../scenarios/min-insync-replicas.ks")),
    ("unclean-election", include_str!("../scenarios/unclean-election.ks")),
    ("controlled-shutdown", include_str!("../scenarios/controlled-shutdown.ks")),
    ("zombie-leader", include_str!("../scenarios/zombie-leader.ks")),
    ("idempotence", include_str!("../scenarios/idempotence.ks")),
    ("consumer-crash", include_str!("../scenarios/consumer-crash.ks")),
    ("consumer-leave", include_str!("../scenarios/consumer-leave.ks")),
    ("coordinator-failover", include_str!("../scenarios/coordinator-failover.ks")),
    ("eager-vs-cooperative", include_str!("../scenarios/eager-vs-cooperative.ks")),
    ("static-membership", include_str!("../scenarios/static-membership.ks")),
    ("stuck-consumer", include_str!("../scenarios/stuck-consumer.ks")),
    ("delivery-semantics", include_str!("../scenarios/delivery-semantics.ks")),
    ("assignors", include_str!("../scenarios/assignors.ks")),
    ("eos-vs-alo", include_str!("../scenarios/eos-vs-alo.ks")),
    ("txn-commit", include_str!("../scenarios/txn-commit.ks")),
    ("txn-abort", include_str!("../scenarios/txn-abort.ks")),
    ("txn-zombie", include_str!("../scenarios/txn-zombie.ks")),
    ("delete-and-remove", include_str!("../scenarios/delete-and-remove.ks")),
    ("txn-timeout", include_str!("../scenarios/txn-timeout.ks")),
    ("txn-coordinator-failover", include_str!("../scenarios/txn-coordinator-failover.ks")),
    ("retention", include_str!("../scenarios/retention.ks")),
    ("compaction", include_str!("../scenarios/compaction.ks")),
    ("power-loss", include_str!("../scenarios/power-loss.ks")),
    ("scaling-out", include_str!("../scenarios/scaling-out.ks")),
    ("controller-failover", include_str!("../scenarios/controller-failover.ks")),
    ("rack-failure", include_str!("../scenarios/rack-failure.ks")),
];

/// Longest query string read (characters); a share link's own bound is below this.
pub const MAX_QUERY_CHARS: usize = 262_144;
/// Latest start time `t=` accepts: the model is run up to it before the first frame.
pub const MAX_START_MS: u64 = 2 * 3_600_000;
/// Speed bounds, as on the speed slider.
pub const MIN_SPEED: f64 = 0.01;
pub const MAX_SPEED: f64 = 20.0;

/// What the URL asks for. Unknown parameters are ignored silently (hosts add their own); known
/// ones with a value that cannot be used are listed in `problems` and otherwise ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// `s=`: a share link's session.
    pub share: Option<String>,
    /// `embed=1`: minimal chrome for an iframe.
    pub embed: bool,
    /// `scenario=NAME`: a preset by name, as written (checked by `preset`).
    pub scenario: Option<String>,
    /// `autoplay=0|1`.
    pub autoplay: Option<bool>,
    /// `speed=X`: virtual ms per wall ms.
    pub speed: Option<f64>,
    /// `t=`: start at this virtual time (ms).
    pub t_ms: Option<u64>,
    /// `seed=N`: the seed the scenario runs with.
    pub seed: Option<u64>,
    /// `origin=`: the host origin allowed to use the postMessage API (`*` for any).
    pub origin: Option<String>,
    /// `theme=light|dark|auto`: the colours (auto follows the reader's system).
    pub theme: Option<crate::app::Theme>,
    /// `reset=1`: forget the session stored in this browser (the panic panel's Reset links here).
    pub reset: bool,
    /// `debug=panic`: panics on purpose after the first frame, to exercise the panic panel.
    pub debug_panic: bool,
    /// `debug=trap`: a wasm trap (not a panic) after the first frame, for the same panel.
    pub debug_trap: bool,
    pub problems: Vec<String>,
}

impl Params {
    /// Whether the URL names a session (share link, preset or seed) rather than "whatever was here".
    pub fn names_a_session(&self) -> bool {
        self.share.is_some() || self.scenario.is_some() || self.seed.is_some() || self.embed
    }
}

/// Parses `?a=b&c=d` (with or without the `?`). `+` is a space and `%XX` escapes are decoded; bad
/// escapes are kept as written. The first occurrence of a parameter wins.
pub fn parse_query(search: &str) -> Params {
    let mut p = Params::default();
    if search.len() > MAX_QUERY_CHARS {
        p.problems.push(format!("the address is too long ({} characters); its parameters were ignored", search.len()));
        return p;
    }
    let search = search.strip_prefix('?').unwrap_or(search);
    let mut seen: Vec<String> = Vec::new();
    for pair in search.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode_component(k), decode_component(v));
        if seen.contains(&k) {
            continue;
        }
        seen.push(k.clone());
        let v = v.trim();
        match k.as_str() {
            "s" => p.share = Some(v.to_string()),
            "embed" => match flag(v) {
                Some(b) => p.embed = b,
                None => p.problems.push(bad("embed", v, "1 or 0")),
            },
            "scenario" => p.scenario = Some(v.to_string()),
            "autoplay" => match flag(v) {
                Some(b) => p.autoplay = Some(b),
                None => p.problems.push(bad("autoplay", v, "1 or 0")),
            },
            "speed" => match v.strip_suffix('x').unwrap_or(v).parse::<f64>() {
                Ok(s) if s.is_finite() && (MIN_SPEED..=MAX_SPEED).contains(&s) => p.speed = Some(s),
                _ => p.problems.push(bad("speed", v, &format!("a number from {MIN_SPEED} to {MAX_SPEED}"))),
            },
            "t" => match parse_time(v) {
                Some(t) if t <= MAX_START_MS => p.t_ms = Some(t),
                _ => p.problems.push(bad("t", v, "a virtual time up to 2h, like 90, 90s, 1m30s, 500ms or 01:30")),
            },
            "seed" => match v.parse::<u64>() {
                Ok(s) => p.seed = Some(s),
                Err(_) => p.problems.push(bad("seed", v, "a whole number")),
            },
            "origin" => match check_origin(v) {
                Some(o) => p.origin = Some(o),
                None => p.problems.push(bad("origin", v, "an origin like https://example.com, parent, or *")),
            },
            "theme" => match crate::app::Theme::parse(v) {
                Some(t) => p.theme = Some(t),
                None => p.problems.push(bad("theme", v, "light, dark or auto")),
            },
            "reset" => p.reset = flag(v).unwrap_or(false),
            "debug" => {
                p.debug_panic = v == "panic";
                p.debug_trap = v == "trap";
            }
            _ => {}
        }
    }
    p
}

/// `1`, `true`, `yes`, `on` or nothing at all (`?embed`) → true; `0`, `false`, `no`, `off` → false.
fn flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn bad(name: &str, value: &str, expected: &str) -> String {
    let shown: String = value.chars().take(40).collect();
    let more = if value.chars().count() > 40 { "…" } else { "" };
    format!("the parameter {name}=\"{shown}{more}\" was ignored: expected {expected}")
}

/// A virtual time: plain seconds (`90`, `1.5`), `mm:ss`, or durations like `1m30s`, `500ms`.
pub fn parse_time(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 32 {
        return None;
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0 && secs <= MAX_START_MS as f64 / 1000.0)
            .then(|| (secs * 1000.0).round() as u64);
    }
    if let Some((m, s)) = v.split_once(':') {
        let m: u64 = m.parse().ok()?;
        let s: f64 = s.parse().ok()?;
        if !(0.0..60.0).contains(&s) || m > MAX_START_MS / 60_000 {
            return None;
        }
        return Some(m * 60_000 + (s * 1000.0).round() as u64);
    }
    // Durations, possibly several in a row: `1m30s`, `2m`, `1h5m`.
    let mut total: u64 = 0;
    let mut rest = v;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let unit_len = rest[digits..].find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len() - digits);
        let part = &rest[..digits + unit_len];
        total = total.checked_add(parse_duration(part).ok()?)?;
        rest = &rest[digits + unit_len..];
    }
    Some(total)
}

/// An origin as `postMessage` wants it: `scheme://host[:port]` with nothing after, or `*`.
fn check_origin(v: &str) -> Option<String> {
    if v == "*" || v == "parent" {
        return Some(v.to_string()); // `parent`: the framing page's origin, found at start (embed::Host)
    }
    let (scheme, rest) = v.split_once("://")?;
    let scheme_ok = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let host_ok = !rest.is_empty()
        && rest.len() <= 253
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        && !rest.starts_with(':');
    (scheme_ok && host_ok).then(|| format!("{}://{}", scheme.to_ascii_lowercase(), rest.to_ascii_lowercase()))
}

/// Percent-decoding for one query component; invalid UTF-8 becomes U+FFFD, bad escapes stay as is.
pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && hex(b[i + 1]).is_some() && hex(b[i + 2]).is_some() => {
                out.push(hex(b[i + 1]).unwrap_or(0) << 4 | hex(b[i + 2]).unwrap_or(0));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encoding for a query value (unreserved characters kept).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// The script of a preset, by name (case-insensitive, surrounding spaces ignored).
pub fn preset(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.trim();
    PRESETS.iter().copied().find(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Runs a preset's script (with its `seed` line replaced by `seed` when given) and returns the
/// trace it leaves: the app starts at its beginning and plays its commands as their time comes.
pub fn preset_trace(script: &str, seed: Option<u64>) -> Result<Trace, String> {
    let lines = parse_script(script).map_err(|e| e.to_string())?;
    let own_seed = match lines.first().map(|l| &l.command) {
        Some(Command::Seed(s)) => Some(*s),
        _ => None,
    };
    let mut session = Session::new(seed.or(own_seed).unwrap_or(kafkascope_sim::session::exec::DEFAULT_SEED));
    for l in lines.iter().filter(|l| !matches!(l.command, Command::Seed(_))) {
        session.execute(&l.command);
    }
    // `advance` only moves time, and every later command keeps the exact point it applied at: left
    // in, replaying it would jump the model ahead of the picture; left out, time just flows.
    let mut trace = session.trace();
    trace.commands.retain(|c| !matches!(c.command, Command::Advance(_)));
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn reads_every_documented_parameter() {
        let p = parse_query(
            "?embed=1&scenario=leader-failover&autoplay=0&speed=2&t=1m30s&seed=9&origin=https%3A%2F%2FExample.com",
        );
        assert!(p.embed);
        assert_eq!(p.scenario.as_deref(), Some("leader-failover"));
        assert_eq!(p.autoplay, Some(false));
        assert_eq!(p.speed, Some(2.0));
        assert_eq!(p.t_ms, Some(90_000));
        assert_eq!(p.seed, Some(9));
        assert_eq!(p.origin.as_deref(), Some("https://example.com"));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(parse_query("s=abc_-&embed").share.as_deref(), Some("abc_-"));
        assert!(parse_query("embed").embed);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn bad_values_are_reported_and_ignored() {
        let p = parse_query("speed=fast&t=-3&seed=x&origin=javascript:alert(1)&autoplay=maybe&embed=2");
        assert_eq!(p.speed, None);
        assert_eq!(p.t_ms, None);
        assert_eq!(p.seed, None);
        assert_eq!(p.origin, None);
        assert_eq!(p.autoplay, None);
        assert!(!p.embed);
        assert_eq!(p.problems.len(), 6, "{:?}", p.problems);
        assert_eq!(parse_query("speed=100").speed, None, "above the slider's range");
        assert_eq!(parse_query("t=3h").t_ms, None, "beyond the start-time bound");
        assert_eq!(parse_query("origin=https://a.example/path").origin, None, "an origin has no path");
        assert_eq!(parse_query("origin=parent").origin.as_deref(), Some("parent"));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn times_in_every_form() {
        assert_eq!(parse_time("90"), Some(90_000));
        assert_eq!(parse_time("1.5"), Some(1_500));
        assert_eq!(parse_time("01:30"), Some(90_000));
        assert_eq!(parse_time("500ms"), Some(500));
        assert_eq!(parse_time("1h5m"), Some(3_900_000));
        assert_eq!(parse_time("1m30"), None);
        assert_eq!(parse_time("m"), None);
        assert_eq!(parse_time(""), None);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn every_preset_runs_and_a_seed_replaces_the_scripts_own() {
        for (name, script) in PRESETS {
            let t = preset_trace(script, None).unwrap_or_else(|e| panic!("preset {name}: {e}"));
            assert!(!t.commands.is_empty(), "preset {name} does something");
            // Played back without its `advance` lines, the preset reaches the script's own state.
            let ran = kafkascope_sim::Session::run_script_session(script).unwrap();
            let played = kafkascope_sim::Session::replay(&t, None);
            assert_eq!(played.sim.journal, ran.sim.journal, "preset {name}");
        }
        assert_eq!(preset(" Leader-Failover ").map(|p| p.0), Some("leader-failover"));
        assert!(preset("nope").is_none());
        let (_, s) = preset("leader-failover").unwrap();
        assert_eq!(preset_trace(s, Some(123)).unwrap().seed, 123);
        assert_eq!(preset_trace(s, None).unwrap().seed, 4);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn percent_coding_round_trips() {
        for s in ["a b", "é/ü?&=#%", "<img src=x onerror=alert(1)>", ""] {
            assert_eq!(decode_component(&encode_component(s)), s);
        }
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
    }
}

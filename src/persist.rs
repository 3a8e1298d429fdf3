//! The session survives a reload: its trace (seed, cluster size, every recorded command, the
//! horizon) and the moment on screen are kept in `localStorage` under one versioned key. Stored
//! state that is corrupt or from another version is ignored (and removed) with a notice. Where
//! storage is unavailable (a sandboxed iframe throws on any access, private modes may refuse to
//! write) the app simply does not persist; nothing here can panic.

use kafkascope_sim::session::exec::Trace;

/// The `localStorage` key. The stored text is JSON: `{"v": VERSION, "s": share text, "t": ms}`.
pub const KEY: &str = "kafkascope.session";
/// Bump when the stored format or the meaning of a trace changes: older entries are then ignored.
pub const VERSION: u32 = 4;

#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    v: u32,
    /// The trace as a share link's text (`kafkascope_sim::session::share`): compact and already validated
    /// on the way back in.
    s: String,
    /// Virtual time on screen, in ms.
    t: u64,
}

/// The stored text for a trace shown at `view_ms`.
pub fn encode(trace: &Trace, view_ms: u64) -> String {
    let stored = Stored { v: VERSION, s: kafkascope_sim::session::share::encode(trace), t: view_ms };
    serde_json::to_string(&stored).unwrap_or_default()
}

/// Reads stored text back: the trace and the moment to show, or why it was refused.
pub fn decode(text: &str) -> Result<(Trace, u64), String> {
    #[derive(serde::Deserialize)]
    struct Version {
        v: u32,
    }
    let version: Version =
        serde_json::from_str(text).map_err(|_| "the session saved in this browser is damaged".to_string())?;
    if version.v != VERSION {
        return Err(format!(
            "the session saved in this browser is from {} version of kafkascope (format {}, this one reads {VERSION}), whose sessions replay differently here",
            if version.v < VERSION { "an earlier" } else { "a newer" },
            version.v
        ));
    }
    let stored: Stored =
        serde_json::from_str(text).map_err(|_| "the session saved in this browser is damaged".to_string())?;
    let trace = kafkascope_sim::session::share::decode(&stored.s)
        .map_err(|why| format!("the session saved in this browser could not be read ({why})"))?;
    let at = stored.t.min(trace.end_ms);
    Ok((trace, at))
}

/// `localStorage`, if this page may use it (a sandboxed, opaque-origin iframe may not: the
/// getter throws, which web-sys turns into `Err`).
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored text, if storage is usable and holds one.
pub fn load() -> Option<String> {
    storage()?.get_item(KEY).ok().flatten()
}

/// Stores the text; false when storage is unavailable or full.
pub fn save(text: &str) -> bool {
    storage().is_some_and(|s| s.set_item(KEY, text).is_ok())
}

pub fn clear() {
    if let Some(s) = storage() {
        s.remove_item(KEY).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkascope_sim::session::exec::Session;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn stored_sessions_round_trip_and_bad_ones_say_why() {
        let s = Session::run_script_session(
            "kafka-topics --create --topic t --partitions 1 --replication-factor 1\nadvance 2s\n",
        )
        .unwrap();
        let text = encode(&s.trace(), 1500);
        let (trace, t) = decode(&text).unwrap();
        assert_eq!(trace.commands, s.history);
        assert_eq!(t, 1500);
        assert!(decode("{not json").unwrap_err().contains("damaged"));
        assert!(decode(r#"{"v":3,"s":"x","t":1}"#).unwrap_err().contains("an earlier version"));
        assert!(decode(r#"{"v":5,"s":"x","t":1}"#).unwrap_err().contains("a newer version"));
        assert!(decode(r#"{"v":4,"s":"!!","t":1}"#).unwrap_err().contains("could not be read"));
        assert!(decode(r#"{"v":4}"#).unwrap_err().contains("damaged"));
    }
}

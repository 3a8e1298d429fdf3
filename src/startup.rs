//! Which session the page opens with, decided from its URL parameters and the session saved in
//! this browser. Precedence: `reset=1` forgets the saved session; a share link (`s=`), then a
//! preset (`scenario=`, `seed=`), then the saved session, then the default scenario. `t=`, `speed=`
//! and `autoplay=` then apply to whichever it is. Pure: the caller reads the URL and storage.

use crate::params::{preset, preset_trace, Params, PRESETS};
use crate::state::{ConsoleEntry, Model};

pub struct Startup {
    pub model: Model,
    /// Things the user should know (a parameter ignored, saved state refused), shown as a banner.
    pub notices: Vec<String>,
    /// Whether to keep saving the session in this browser (never in an embed).
    pub persist: bool,
    /// Whether the saved session must be removed (it was refused, or `reset=1`).
    pub clear_saved: bool,
}

pub fn initial_model(params: &Params, saved: Option<&str>) -> Startup {
    let mut notices = params.problems.clone();
    let mut clear_saved = params.reset;
    let saved = if params.reset { None } else { saved };
    // From a saved session we show the moment it was left at; otherwise the start of the session.
    let mut restored_at = None;
    let mut model = if let Some(link) = &params.share {
        if let Err(why) = kafkascope_sim::session::share::decode(link) {
            notices.push(format!("This share link could not be opened: {why}. Started the default session instead."));
        }
        Model::from_share(Some(link))
    } else if params.scenario.is_some() || params.seed.is_some() {
        let name = params.scenario.as_deref().unwrap_or("default");
        let script = match preset(name) {
            Some((_, s)) => s,
            None => {
                let known: Vec<&str> = PRESETS.iter().map(|p| p.0).collect();
                notices.push(format!(
                    "There is no scenario called \"{}\". Started the default session instead. The scenarios are: {}.",
                    name.chars().take(60).collect::<String>(),
                    known.join(", ")
                ));
                PRESETS[0].1
            }
        };
        match preset_trace(script, params.seed) {
            Ok(trace) => {
                let mut m = Model::from_trace(&trace, 0);
                m.playing = true;
                m
            }
            Err(e) => {
                notices.push(format!("The scenario could not be started ({e}). Started the default session instead."));
                Model::new()
            }
        }
    } else if let Some(text) = saved {
        match crate::persist::decode(text) {
            Ok((trace, at)) => {
                let mut m = Model::from_trace(&trace, at);
                m.playing = false;
                m.console.push(ConsoleEntry {
                    input: "(reloaded)".into(),
                    lines: vec![format!(
                        "Restored your session from this browser: {} command(s); press Play to go on.",
                        trace.commands.len()
                    )],
                    ..ConsoleEntry::default()
                });
                restored_at = Some(at);
                m
            }
            Err(why) => {
                clear_saved = true;
                notices.push(format!("{why}, so it was ignored and a fresh session started."));
                Model::new()
            }
        }
    } else {
        Model::new()
    };
    if let Some(t) = params.t_ms {
        go_to(&mut model, t);
    } else if let Some(t) = restored_at {
        go_to(&mut model, t);
    }
    if let Some(s) = params.speed {
        model.speed = s;
    }
    if let Some(a) = params.autoplay {
        model.playing = a;
    }
    Startup { model, notices, persist: !params.embed, clear_saved }
}

/// Shows virtual time `t`: a seek within the recorded session, a run ahead beyond it.
pub fn go_to(m: &mut Model, t: u64) {
    let playing = m.playing;
    if t <= m.timeline.horizon_ms {
        m.seek(t);
    } else {
        m.seek(m.timeline.horizon_ms);
        m.run_to(t);
    }
    m.playing = playing;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse_query;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_preset_starts_at_its_beginning_and_plays_its_script() {
        let s = initial_model(&parse_query("?embed=1&scenario=leader-failover"), None);
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        assert!(!s.persist, "embeds do not save");
        let m = &s.model;
        assert!(m.playing);
        assert!(m.in_past(), "the script's later commands are the recorded future");
        assert!(m.timeline.horizon_ms >= 15_000);
        assert_eq!(m.session.sim.seed, 4);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn unknown_scenarios_and_bad_saves_give_a_notice_and_the_default_session() {
        let s = initial_model(&parse_query("scenario=<b>nope</b>"), None);
        assert_eq!(s.notices.len(), 1);
        assert!(s.notices[0].contains("no scenario called \"<b>nope</b>\""));
        assert_eq!(s.model.session.sim.seed, 42, "the default scenario");
        let s = initial_model(&parse_query(""), Some("garbage"));
        assert!(s.clear_saved && s.notices[0].contains("damaged"), "{:?}", s.notices);
    }

    /// Links and saved sessions made before trace format 2 (when moot timers still fired and were
    /// counted) would replay differently: they are refused, saying why.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn links_and_saves_of_an_earlier_format_are_refused_with_a_notice() {
        // A share link made by kafkascope before format 2: `kafka-topics --create --topic t`.
        let old = kafkascope_sim::session::share::encode(&kafkascope_sim::session::exec::Trace {
            format: 1,
            ..Model::new().session.trace()
        });
        let s = initial_model(&parse_query(&format!("?s={old}")), None);
        assert_eq!(s.notices.len(), 1, "{:?}", s.notices);
        assert!(s.notices[0].contains("an earlier version of kafkascope"), "{}", s.notices[0]);
        assert_eq!(s.model.session.sim.seed, 42, "the default scenario instead");
        let saved = format!(r#"{{"v":1,"s":"{old}","t":0}}"#);
        let s = initial_model(&parse_query(""), Some(&saved));
        assert!(s.clear_saved && s.notices[0].contains("an earlier version of kafkascope"), "{:?}", s.notices);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn saved_sessions_come_back_where_they_were_left_but_links_win() {
        let mut m = Model::new();
        m.speed = 1.0;
        for _ in 0..30 {
            m.tick(100.0);
        }
        m.run("broker kill 2");
        for _ in 0..20 {
            m.tick(100.0);
        }
        let saved = crate::persist::encode(&m.timeline_trace(), m.view_ms as u64);
        let s = initial_model(&parse_query(""), Some(&saved));
        assert_eq!(s.model.session.sim.now(), m.session.sim.now());
        assert_eq!(s.model.session.sim.journal, m.session.sim.journal);
        assert!(!s.model.playing);
        let s = initial_model(&parse_query("?seed=5"), Some(&saved));
        assert_eq!(s.model.session.sim.seed, 5, "URL parameters take precedence over the saved session");
        let s = initial_model(&parse_query("?reset=1"), Some(&saved));
        assert!(s.clear_saved);
        assert_eq!(s.model.session.history.len(), Model::new().session.history.len());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_start_time_beyond_the_script_runs_ahead() {
        let s = initial_model(&parse_query("?t=40s&autoplay=0&speed=3"), None);
        assert_eq!(s.model.session.sim.now(), 40_000);
        assert_eq!(s.model.timeline.horizon_ms, 40_000);
        assert!(!s.model.playing);
        assert_eq!(s.model.speed, 3.0);
    }
}

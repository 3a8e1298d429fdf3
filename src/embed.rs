//! The page's side of embedding and the browser services around a session: the postMessage API
//! (commands in, results and sim events out, origin-checked), saving the session for a reload,
//! the iframe snippet and copying to the clipboard. The protocol is documented for host pages in
//! docs/embedding.md; keep the two in step.
//!
//! Everything that touches a browser API here tolerates failure: inside `<iframe
//! sandbox="allow-scripts">` the origin is opaque, so storage and the clipboard throw.

use crate::params::{encode_component, Params};
use crate::state::Model;
use kafkascope_sim::cluster::journal::{JournalEntry, SimEvent};
use kafkascope_sim::Sim;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Every message this page posts or reads has a `type` starting with this.
pub const PREFIX: &str = "kafkascope:";
/// Longest command accepted over postMessage (characters).
pub const MAX_COMMAND_CHARS: usize = 4096;
/// Events posted per frame at most; a bigger burst (a jump in time) is summarised, not flooded.
const MAX_EVENTS_PER_FRAME: usize = 200;
/// How often (wall ms) a changed session is saved for a reload.
const SAVE_EVERY_MS: f64 = 1000.0;

/// The page's address without query or fragment (works for an opaque origin too, where
/// `location.origin` is the string "null").
pub fn page_base() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let end = href.find(['?', '#']).unwrap_or(href.len());
    href[..end].to_string()
}

/// `location.search`, or "" when there is none.
pub fn location_search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// Removes `reset=1` (and only that) from the address bar so a reload does not reset again.
pub fn forget_reset_param() {
    let Some(w) = web_sys::window() else { return };
    let search = location_search();
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("reset"))
        .collect();
    let url = if kept.is_empty() { page_base() } else { format!("{}?{}", page_base(), kept.join("&")) };
    if let Ok(h) = w.history() {
        h.replace_state_with_url(&JsValue::NULL, "", Some(&url)).ok();
    }
}

/// The iframe snippet for a session: its share text, embed chrome, and the current speed when it
/// is not the default.
pub fn iframe_snippet(base: &str, share_text: &str, speed: f64, theme: crate::app::Theme) -> String {
    let mut src = format!("{base}?embed=1&s={}", encode_component(share_text));
    if (speed - crate::state::DEFAULT_SPEED).abs() > 1e-9 {
        src.push_str(&format!("&speed={}", (speed * 1000.0).round() / 1000.0));
    }
    if theme != crate::app::Theme::Auto {
        src.push_str(&format!("&theme={}", theme.name()));
    }
    format!(
        "<iframe src=\"{}\" title=\"kafkascope: a Kafka cluster you can break\" width=\"960\" height=\"640\" sandbox=\"allow-scripts\" loading=\"lazy\"></iframe>",
        src.replace('&', "&amp;").replace('"', "&quot;")
    )
}

/// Copies text to the clipboard and reports whether it worked. The Clipboard API is missing on
/// insecure pages and rejects in a sandboxed iframe; either way `done(false)` is called, never a
/// panic or an uncaught error.
pub fn copy_to_clipboard(text: &str, done: impl FnOnce(bool) + 'static) {
    let promise = (|| -> Option<js_sys::Promise> {
        let nav = web_sys::window()?.navigator();
        let clipboard = js_sys::Reflect::get(&nav, &"clipboard".into()).ok()?;
        let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?.dyn_into().ok()?;
        write.call1(&clipboard, &text.into()).ok()?.dyn_into().ok()
    })();
    match promise {
        Some(p) => wasm_bindgen_futures::spawn_local(async move {
            done(wasm_bindgen_futures::JsFuture::from(p).await.is_ok());
        }),
        None => done(false),
    }
}

/// Event names for the host page. The ones a host most likely wants have stable, plain names;
/// every other journal event is posted under its kind in kebab-case.
pub fn event_message(sim: &Sim, e: &JournalEntry) -> Option<Value> {
    let text = sim.narrate(e)?; // what the narration leaves out (internal-topic noise) is not posted
    let topic = |t: u32| sim.topics.get(t as usize).map(|t| t.name.clone()).unwrap_or_default();
    let (name, detail) = match &e.event {
        SimEvent::LeaderChanged { tp, from, to: Some(to), epoch, isr, unclean, .. } => (
            "leader-elected".to_string(),
            json!({"topic": topic(tp.topic), "partition": tp.partition, "leader": to, "previous": from,
                   "epoch": epoch, "isr": isr, "unclean": unclean}),
        ),
        SimEvent::LeaderChanged { tp, from, to: None, epoch, .. } => (
            "partition-offline".to_string(),
            json!({"topic": topic(tp.topic), "partition": tp.partition, "previous": from, "epoch": epoch}),
        ),
        SimEvent::GroupStable { group, generation, members, strategy } => (
            "rebalance-done".to_string(),
            json!({"group": group, "generation": generation, "members": members, "strategy": strategy}),
        ),
        SimEvent::RebalanceStarted { group, why, .. } => {
            ("rebalance-started".to_string(), json!({"group": group, "why": why}))
        }
        // Records gone from every live replica; the ledger's verdict is `records-lost` (lost_message).
        SimEvent::RecordsLost { tp, ids, why } => (
            "acked-records-unavailable".to_string(),
            json!({"topic": topic(tp.topic), "partition": tp.partition, "count": ids.len(), "why": why}),
        ),
        other => {
            // `{"BrokerKilled": {...}}` → ("broker-killed", {...}).
            let v = serde_json::to_value(other).ok()?;
            let (kind, detail) = match v {
                Value::Object(m) => m.into_iter().next()?,
                Value::String(s) => (s, Value::Null),
                _ => return None,
            };
            (kebab(&kind), detail)
        }
    };
    Some(json!({"type": "kafkascope:event", "event": name, "at_ms": e.at_ms, "text": text, "detail": detail}))
}

/// `records-lost`: the ledger audit counts acknowledged records that no log can serve any more.
pub fn lost_message(sim: &Sim, ids: &[kafkascope_sim::RecordId], total: usize) -> Value {
    let records: Vec<Value> = ids
        .iter()
        .filter_map(|id| sim.ledger.get(*id))
        .map(|e| {
            let offset = match e.state {
                kafkascope_sim::audit::ledger::Delivery::Acked { offset } => offset,
                _ => None,
            };
            json!({"topic": sim.topics.get(e.tp.topic as usize).map(|t| t.name.clone()), "partition": e.tp.partition,
                   "offset": offset, "key": e.key.map(|k| sim.interner.get(k).to_string()),
                   "value": kafkascope_sim::session::exec::value_text(sim, e.value)})
        })
        .collect();
    let text = format!(
        "{} acknowledged record(s) lost: no log that can serve them holds them any more ({total} lost in all).",
        ids.len()
    );
    json!({"type": "kafkascope:event", "event": "records-lost", "at_ms": sim.now(), "text": text,
           "detail": {"count": ids.len(), "total": total, "records": records}})
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a valid incoming message asks for.
#[derive(Debug, PartialEq)]
pub enum Request {
    Command(String),
    Play(bool),
    /// `kafkascope:theme`: the host's colours changed (`theme`: `light`, `dark` or `auto`).
    Theme(crate::app::Theme),
    /// `kafkascope:gif`: record a range as an animated GIF; the result comes when it is done.
    Gif {
        opts: crate::gif_export::GifOptions,
        id: Option<Value>,
    },
}

/// Reads a host message's data (already parsed from the structured clone into JSON): `{type:
/// "kafkascope:command", command: "..."}`, or `kafkascope:play` / `kafkascope:pause`. Anything
/// else is `Err` with the reason posted back.
pub fn read_request(data: &Value) -> Result<Request, String> {
    let ty = data.get("type").and_then(Value::as_str).ok_or("a message needs a string `type`")?;
    match ty {
        "kafkascope:command" => {
            let cmd = data.get("command").and_then(Value::as_str).ok_or("`command` must be a string")?;
            if cmd.chars().count() > MAX_COMMAND_CHARS {
                return Err(format!("the command is longer than {MAX_COMMAND_CHARS} characters"));
            }
            Ok(Request::Command(cmd.to_string()))
        }
        "kafkascope:play" => Ok(Request::Play(true)),
        "kafkascope:pause" => Ok(Request::Play(false)),
        "kafkascope:gif" => {
            let num = |k: &str, default: Option<f64>| -> Result<f64, String> {
                match data.get(k) {
                    None | Some(Value::Null) => default.ok_or(format!("`{k}` is required (virtual milliseconds)")),
                    Some(v) => {
                        v.as_f64().filter(|x| x.is_finite() && *x >= 0.0).ok_or(format!("`{k}` must be a number"))
                    }
                }
            };
            let opts = crate::gif_export::GifOptions {
                from_ms: num("from_ms", None)? as u64,
                to_ms: num("to_ms", None)? as u64,
                speed: num("speed", Some(1.0))?,
                fps: num("fps", Some(10.0))? as u32,
                width: num("width", Some(800.0))? as u32,
            };
            opts.frame_times()?;
            Ok(Request::Gif { opts, id: data.get("id").cloned() })
        }
        "kafkascope:theme" => data
            .get("theme")
            .and_then(Value::as_str)
            .and_then(crate::app::Theme::parse)
            .map(Request::Theme)
            .ok_or_else(|| "`theme` must be \"light\", \"dark\" or \"auto\"".to_string()),
        other => Err(format!("unknown message type `{other}`")),
    }
}

/// The page's link to the outside: postMessage with the allowed host origin, and saving the
/// session for a reload. The app calls `after_change` whenever the model changed.
pub struct Host {
    /// The origin allowed to use the postMessage API (`origin=`); `None`: the API is off.
    pub origin: Option<String>,
    /// Whether the session is saved in localStorage (not in embeds, not after storage failed).
    pub persist: Cell<bool>,
    /// Journal entries already posted (or skipped by a jump in time).
    posted: Cell<usize>,
    /// Lost records already reported (the audit's list at the last post).
    lost: RefCell<std::collections::BTreeSet<u64>>,
    last_save: Cell<f64>,
    /// What was saved last: (commands recorded, horizon, view time), to skip identical saves.
    saved: RefCell<Option<(usize, u64, u64)>>,
    /// The heights posted as `kafkascope:size` for a frame width and cluster shape.
    sizes: RefCell<(Vec<u32>, (u32, (u32, u32, u32)))>,
}

impl Host {
    pub fn new(params: &Params, persist: bool) -> Host {
        let origin = match params.origin.as_deref() {
            Some("parent") => parent_origin(),
            other => other.map(String::from),
        };
        Host {
            origin,
            persist: Cell::new(persist),
            posted: Cell::new(0),
            lost: RefCell::new(Default::default()),
            last_save: Cell::new(f64::NEG_INFINITY),
            saved: RefCell::new(None),
            sizes: RefCell::new((Vec::new(), (0, (0, 0, 0)))),
        }
    }

    /// Posts a message to the parent window, to the allowed origin only.
    pub fn post(&self, msg: &Value) {
        if msg.is_null() {
            return; // the reply comes later (a GIF being recorded)
        }
        let Ok(data) = js_sys::JSON::parse(&msg.to_string()) else { return };
        self.post_js(&data);
    }

    /// `post` for a message that JSON cannot hold (a GIF's bytes as a `Uint8Array`).
    pub fn post_js(&self, data: &JsValue) {
        let Some(origin) = &self.origin else { return };
        let Some(w) = web_sys::window() else { return };
        let Ok(Some(parent)) = w.parent() else { return };
        if js_sys::Object::is(&parent, &w) {
            return; // not framed
        }
        parent.post_message(data, origin).ok();
    }

    /// Whether a received message may be acted on: it comes from the parent window and from the
    /// allowed origin.
    pub fn accepts(&self, e: &web_sys::MessageEvent) -> bool {
        let Some(origin) = &self.origin else { return false };
        let Some(w) = web_sys::window() else { return false };
        let Ok(Some(parent)) = w.parent() else { return false };
        if js_sys::Object::is(&parent, &w) {
            return false;
        }
        let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
        from_parent && (origin == "*" || e.origin() == *origin)
    }

    /// Posts the journal entries that appeared since the last call (time moved forward or a
    /// command ran). A backwards jump resets the mark; a very large burst is skipped.
    pub fn post_events(&self, m: &Model) {
        let journal = &m.session.sim.journal;
        let from = self.posted.get().min(journal.len());
        if self.origin.is_some() && journal.len() - from <= MAX_EVENTS_PER_FRAME {
            for e in journal.iter_from(from) {
                if let Some(msg) = event_message(&m.session.sim, e) {
                    self.post(&msg);
                }
            }
        }
        self.posted.set(journal.len());
        let audit_lost = &m.audit.lost;
        let new: Vec<kafkascope_sim::RecordId> =
            audit_lost.iter().copied().filter(|id| !self.lost.borrow().contains(&id.0)).collect();
        if !new.is_empty() && self.origin.is_some() {
            self.post(&lost_message(&m.session.sim, &new, audit_lost.len()));
        }
        *self.lost.borrow_mut() = audit_lost.iter().map(|id| id.0).collect();
    }

    /// Posts `kafkascope:size` when the height the page would like changed: the bars plus the
    /// picture drawn at the frame's full width (its layout's aspect ratio), so a host that sets
    /// the iframe to that height shows the picture without empty bands. The picture may rearrange
    /// a little at the new height, so for one width and one cluster shape (brokers, partitions,
    /// clients) the page posts at most twice, and only changes of 16 px or more: a host that
    /// follows it settles.
    pub fn post_size(&self, m: &Model) {
        if self.origin.is_none() {
            return;
        }
        let Some((width, height)) = wanted_height() else { return };
        let sim = &m.session.sim;
        let shape = (
            sim.brokers.len() as u32,
            sim.live_topics().map(|(_, t)| t.partitions).sum::<u32>(),
            (sim.producers.len() + sim.consumers.len()) as u32,
        );
        let mut sizes = self.sizes.borrow_mut();
        if sizes.1 != (width, shape) {
            *sizes = (Vec::new(), (width, shape));
        }
        if sizes.0.len() >= 2 || sizes.0.last().is_some_and(|l| l.abs_diff(height) < 16) {
            return;
        }
        sizes.0.push(height);
        drop(sizes);
        self.post(&json!({"type": "kafkascope:size", "height": height, "width": width}));
    }

    /// After a seek or a step back: the events up to the new moment are history, not news.
    pub fn skip_events(&self, m: &Model) {
        self.posted.set(m.session.sim.journal.len());
        *self.lost.borrow_mut() = m.audit.lost.iter().map(|id| id.0).collect();
    }

    /// Keeps the panic panel's copy of the trace and (throttled by wall time unless `now`) saves the
    /// session for a reload.
    pub fn remember(&self, m: &Model, wall_ms: f64, now: bool) {
        if !now && wall_ms - self.last_save.get() < SAVE_EVERY_MS {
            return;
        }
        self.last_save.set(wall_ms);
        let key = (m.timeline.recorded.len(), m.timeline.horizon_ms, m.view_ms as u64);
        if *self.saved.borrow() == Some(key) {
            return;
        }
        *self.saved.borrow_mut() = Some(key);
        let trace = m.timeline_trace();
        if self.persist.get() && !crate::persist::save(&crate::persist::encode(&trace, m.view_ms as u64)) {
            self.persist.set(false); // storage refused (full, or forbidden): stop trying
        }
        crate::panic::remember(&trace, self.origin.as_deref());
    }
}

/// `origin=parent`: the origin of the page that frames this one, from `location.ancestorOrigins`
/// (Chromium, Safari) or else the referrer (Firefox sends at least the origin across origins);
/// `None` (the API stays off) when neither says, or when the page is not framed.
fn parent_origin() -> Option<String> {
    let w = web_sys::window()?;
    let location: JsValue = w.location().into();
    let from_list = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins"))
        .ok()
        .filter(|l| !l.is_undefined())
        .and_then(|l| js_sys::Reflect::get(&l, &JsValue::from_f64(0.0)).ok())
        .and_then(|o| o.as_string());
    let origin = from_list.or_else(|| {
        let referrer = w.document()?.referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    })?;
    (origin.contains("://") && origin != "null").then_some(origin)
}

/// (frame width, wanted page height) in CSS pixels: the page less the picture frame, plus the
/// picture at the frame's width. `None` before the picture is drawn.
fn wanted_height() -> Option<(u32, u32)> {
    let w = web_sys::window()?;
    let doc = w.document()?;
    let frame = doc.query_selector(".picture-frame").ok()??;
    let svg = doc.query_selector("svg#cluster").ok()??;
    let vb = svg.get_attribute("viewBox")?;
    let parts: Vec<f64> = vb.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    let (vw, vh) = (*parts.get(2)?, *parts.get(3)?);
    let page_h = w.inner_height().ok()?.as_f64()?;
    let (fw, fh) = (frame.client_width() as f64, frame.client_height() as f64);
    if vw <= 0.0 || fw <= 0.0 {
        return None;
    }
    let bars = (page_h - fh).max(0.0);
    let picture = fw * vh / vw;
    Some((fw.round() as u32, (bars + picture).clamp(240.0, 4000.0).round() as u32))
}

/// Listens for host messages while the returned closure is alive; `handle` gets each accepted
/// message's request (or the reason it is invalid) and its `id`, echoed in the reply.
pub fn listen(
    host: std::rc::Rc<Host>,
    handle: impl Fn(Result<Request, String>) -> Value + 'static,
) -> Option<Closure<dyn FnMut(web_sys::MessageEvent)>> {
    host.origin.as_ref()?;
    let w = web_sys::window()?;
    let h = host.clone();
    let cb = Closure::wrap(Box::new(move |e: web_sys::MessageEvent| {
        if !h.accepts(&e) {
            return; // not our host: ignored without a reply
        }
        // Structured-clone data to JSON; anything JSON cannot hold is refused.
        let data = js_sys::JSON::stringify(&e.data())
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .unwrap_or(Value::Null);
        let is_ours =
            data.get("type").and_then(Value::as_str).is_some_and(|t| t.starts_with(PREFIX) && !t.ends_with(":result"));
        if !is_ours {
            return; // other libraries' messages on the same window
        }
        let mut reply = handle(read_request(&data));
        if let (Some(obj), Some(id)) = (reply.as_object_mut(), data.get("id")) {
            obj.insert("id".into(), id.clone());
        }
        h.post(&reply);
    }) as Box<dyn FnMut(web_sys::MessageEvent)>);
    w.add_event_listener_with_callback("message", cb.as_ref().unchecked_ref()).ok()?;
    Some(cb)
}

/// Stops listening (the component unmounts).
pub fn unlisten(cb: &Closure<dyn FnMut(web_sys::MessageEvent)>) {
    if let Some(w) = web_sys::window() {
        w.remove_event_listener_with_callback("message", cb.as_ref().unchecked_ref()).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn requests_are_read_strictly() {
        assert_eq!(
            read_request(&json!({"type": "kafkascope:command", "command": "broker kill 1"})),
            Ok(Request::Command("broker kill 1".into()))
        );
        assert_eq!(read_request(&json!({"type": "kafkascope:pause"})), Ok(Request::Play(false)));
        assert!(read_request(&json!({"type": "kafkascope:command", "command": 3})).is_err());
        assert!(read_request(&json!({"type": "kafkascope:nope"})).unwrap_err().contains("unknown"));
        assert_eq!(
            read_request(&json!({"type": "kafkascope:theme", "theme": "dark"})),
            Ok(Request::Theme(crate::app::Theme::Dark))
        );
        assert!(read_request(&json!({"type": "kafkascope:theme", "theme": "blue"})).unwrap_err().contains("light"));
        match read_request(&json!({"type": "kafkascope:gif", "from_ms": 0, "to_ms": 2000, "id": 7})) {
            Ok(Request::Gif { opts, id }) => {
                assert_eq!((opts.from_ms, opts.to_ms, opts.fps, opts.width), (0, 2000, 10, 800));
                assert_eq!(id, Some(json!(7)));
            }
            other => panic!("{other:?}"),
        }
        assert!(read_request(&json!({"type": "kafkascope:gif", "to_ms": 2000})).unwrap_err().contains("from_ms"));
        assert!(read_request(&json!({"type": "kafkascope:gif", "from_ms": 0, "to_ms": 2000, "width": 9}))
            .unwrap_err()
            .contains("width"));
        assert!(read_request(&json!("text")).is_err());
        let long = "x".repeat(MAX_COMMAND_CHARS + 1);
        assert!(read_request(&json!({"type": "kafkascope:command", "command": long})).is_err());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_failover_posts_leader_elected_with_topic_names() {
        let s = kafkascope_sim::Session::run_script_session(include_str!("../scenarios/leader-failover.ks")).unwrap();
        let msgs: Vec<Value> = s.sim.journal.iter().filter_map(|e| event_message(&s.sim, e)).collect();
        let elected: Vec<&Value> = msgs.iter().filter(|m| m["event"] == "leader-elected").collect();
        assert!(!elected.is_empty(), "{msgs:?}");
        assert!(elected.iter().all(|m| m["detail"]["topic"] == "orders" && m["text"].is_string()));
        assert!(msgs.iter().any(|m| m["event"] == "broker-killed"), "other kinds in kebab-case");
        assert_eq!(kebab("BrokerKilled"), "broker-killed");
        let s = kafkascope_sim::Session::run_script_session(include_str!("../scenarios/acks1-loss.ks")).unwrap();
        let audit = s.sim.audit();
        let lost = lost_message(&s.sim, &audit.lost, audit.lost.len());
        assert_eq!(lost["event"], "records-lost");
        assert_eq!(lost["detail"]["records"][0]["value"], "risky-1");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_snippet_is_escaped_and_sandboxed() {
        let s = iframe_snippet("https://x.example/app/", "AbC-_", 2.0, crate::app::Theme::Auto);
        assert!(s.starts_with("<iframe src=\"https://x.example/app/?embed=1&amp;s=AbC-_&amp;speed=2\""), "{s}");
        assert!(s.contains("sandbox=\"allow-scripts\""));
        let dark = iframe_snippet("https://x.example/app/", "AbC-_", 2.0, crate::app::Theme::Dark);
        assert!(dark.contains("&amp;speed=2&amp;theme=dark\""), "{dark}");
    }
}

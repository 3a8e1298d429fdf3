//! A panic must never leave a blank page. The hook draws an error panel over the app with what
//! happened, the session's seed and command log (its trace, and a link that replays it) to report,
//! and a Reset link that forgets the saved session and starts afresh. The release build aborts on
//! panic, so the panel is plain DOM built inside the hook and needs no wasm afterwards: Reset is a
//! link (`?reset=1`), not a Rust callback.
//!
//! The app keeps a copy of the trace here (`remember`) as it goes; the hook never touches the
//! model, which may be mid-borrow when the panic happens.

use kafkascope_sim::session::exec::Trace;
use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    /// The latest trace and the host origin allowed by `origin=` (for a `kafkascope:panic` message).
    static LAST: RefCell<Option<(Trace, Option<String>)>> = const { RefCell::new(None) };
}

/// Records the session's trace for the panel (cheap: the app calls it about once a second).
pub fn remember(trace: Trace, origin: Option<String>) {
    LAST.with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = Some((trace, origin));
        }
    });
}

/// The report text: seed, cluster size, end time and every command with the point it applied at.
pub fn report(trace: &Trace) -> String {
    let slim = Trace { journal: Vec::new(), ..trace.clone() };
    serde_json::to_string_pretty(&slim).unwrap_or_default()
}

/// Installs the hook through Yew: `Renderer::render` would otherwise replace a plain
/// `std::panic::set_hook` with its own console-only hook.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&format!("kafkascope panicked: {msg}").into());
        let last = LAST.with(|l| l.try_borrow().ok().and_then(|l| l.clone()));
        show_panel(&msg, last.as_ref().map(|(t, _)| t));
        if let Some((_, Some(origin))) = &last {
            notify_host(&msg, origin);
        }
    }));
}

fn notify_host(msg: &str, origin: &str) {
    let Some(w) = web_sys::window() else { return };
    let Ok(Some(parent)) = w.parent() else { return };
    let data = serde_json::json!({"type": "kafkascope:panic", "message": msg}).to_string();
    if let Ok(v) = js_sys::JSON::parse(&data) {
        parent.post_message(&v, origin).ok();
    }
}

/// Builds the panel with DOM calls only; every piece of text goes in as text, never as markup.
fn show_panel(msg: &str, trace: Option<&Trace>) -> Option<()> {
    let doc = web_sys::window()?.document()?;
    let body = doc.body()?;
    if doc.get_element_by_id("panic-panel").is_some() {
        return Some(()); // a second panic (abort) keeps the first report
    }
    let el = |tag: &str, class: &str, text: Option<&str>| -> Option<web_sys::Node> {
        let e = doc.create_element(tag).ok()?;
        if !class.is_empty() {
            e.set_class_name(class);
        }
        if let Some(t) = text {
            e.set_text_content(Some(t));
        }
        Some(e.into())
    };
    let elem = |tag: &str, class: &str, text: Option<&str>| -> Option<web_sys::Element> {
        el(tag, class, text)?.dyn_into().ok()
    };
    let panel = elem("div", "panic-panel", None)?;
    panel.set_id("panic-panel");
    panel.set_attribute("role", "alert").ok();
    panel.append_child(&el("h2", "", Some("kafkascope hit an internal error and stopped"))?).ok();
    panel
        .append_child(&el(
            "p",
            "",
            Some("This is a bug in kafkascope, not in your session. Please report it with the details below: the seed and command log replay it exactly."),
        )?)
        .ok();
    panel.append_child(&el("pre", "panic-message", Some(msg))?).ok();

    let base = crate::embed::page_base();
    if let Some(t) = trace {
        let summary = format!(
            "Seed {} · {} broker(s) · {} command(s) · virtual time {} ms",
            t.seed,
            t.brokers,
            t.commands.len(),
            t.end_ms
        );
        panel.append_child(&el("p", "panic-summary", Some(&summary))?).ok();
        let area = elem("textarea", "panic-trace", None)?;
        area.set_id("panic-trace");
        area.set_attribute("readonly", "").ok();
        area.set_attribute("rows", "8").ok();
        area.set_attribute("aria-label", "Seed and command log (JSON)").ok();
        area.set_text_content(Some(&report(t)));
        panel.append_child(&area).ok();
        let link = format!("{base}?s={}", kafkascope_sim::session::share::encode(t));
        let p = elem("p", "panic-replay", Some("A link that replays the session up to the error: "))?;
        let input = elem("input", "", None)?;
        input.set_id("panic-link");
        input.set_attribute("readonly", "").ok();
        input.set_attribute("value", &link).ok();
        p.append_child(&input).ok();
        panel.append_child(&p).ok();
    } else {
        panel.append_child(&el("p", "panic-summary", Some("The error happened before the session started."))?).ok();
    }
    let actions = elem("p", "panic-actions", None)?;
    let reset = elem("a", "button", Some("Reset: start a fresh session"))?;
    reset.set_id("panic-reset");
    reset.set_attribute("href", &format!("{base}?reset=1")).ok();
    actions.append_child(&reset).ok();
    panel.append_child(&actions).ok();
    body.class_list().add_1("panicked").ok();
    let panel: web_sys::HtmlElement = panel.dyn_into().ok()?;
    body.prepend_with_node_1(&panel).ok();
    Some(())
}

//! A panic must never leave a blank or frozen page. The panel (assets/panic.js, plain JavaScript)
//! shows what happened, the session's seed and command log (its trace, and a link that replays
//! it) to report, and a Reset link that forgets the saved session and starts afresh. It is built
//! by JavaScript because the instance may be dead: the release build aborts on panic, and a wasm
//! trap (`unreachable`, an out-of-memory abort) ends it without any Rust code running. So:
//! - the app hands the panel's script the latest report about once a second (`remember`);
//! - a Rust panic: the hook below logs it and asks the script to show the panel now;
//! - a trap: the script's global `error`/`unhandledrejection` handlers show it from its copy.
//!
//! The hook never touches the model, which may be mid-borrow when the panic happens.

use kafkascope_sim::session::exec::Trace;
use wasm_bindgen::JsValue;

/// Hands the panel's script the report for this trace: cheap enough for about once a second.
pub fn remember(trace: &Trace, origin: Option<&str>) {
    let base = crate::embed::page_base();
    let state = serde_json::json!({
        "summary": format!(
            "Seed {} · {} broker(s) · {} command(s) · virtual time {} ms",
            trace.seed,
            trace.brokers,
            trace.commands.len(),
            trace.end_ms
        ),
        "report": report(trace),
        "link": format!("{base}?s={}", kafkascope_sim::session::share::encode(trace)),
        "reset": format!("{base}?reset=1"),
        "origin": origin,
    });
    if let Ok(v) = js_sys::JSON::parse(&state.to_string()) {
        call_panel("remember", &v);
    }
}

/// The report text: seed, cluster size, end time and every command with the point it applied at.
pub fn report(trace: &Trace) -> String {
    let slim = Trace { journal: Vec::new(), ..trace.clone() };
    serde_json::to_string_pretty(&slim).unwrap_or_default()
}

/// Calls `window.kafkascopePanel[method](arg)` (assets/panic.js); nothing if the script is absent.
fn call_panel(method: &str, arg: &JsValue) {
    let Some(w) = web_sys::window() else { return };
    let Ok(panel) = js_sys::Reflect::get(&w, &"kafkascopePanel".into()) else { return };
    let Ok(f) = js_sys::Reflect::get(&panel, &method.into()) else { return };
    if let Ok(f) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f) {
        f.call1(&panel, arg).ok();
    }
}

/// Installs the hook through Yew: `Renderer::render` would otherwise replace a plain
/// `std::panic::set_hook` with its own console-only hook.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&format!("kafkascope panicked: {msg}").into());
        call_panel("show", &msg.into());
    }));
}

/// `?debug=trap` (docs/embedding.md): a real wasm trap, not a Rust panic: the `unreachable`
/// instruction, which ends the instance as an out-of-memory abort does.
pub fn trap() {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    std::process::abort();
}

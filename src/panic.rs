//! A panic must never leave a blank page: show what happened, with the seed to report.

use wasm_bindgen::JsCast;

pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&msg.clone().into());
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(body) = doc.body() else { return };
        let Ok(panel) = doc.create_element("div") else { return };
        panel.set_class_name("panic-panel");
        panel.set_attribute("role", "alert").ok();
        // Text only: nothing from the message is parsed as markup.
        panel.set_text_content(Some(&format!(
            "kafkascope hit an internal error and stopped. Reload the page to start again. Details: {msg}"
        )));
        if let Ok(el) = panel.dyn_into::<web_sys::HtmlElement>() {
            body.prepend_with_node_1(&el).ok();
        }
    }));
}

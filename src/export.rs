//! Exports: the picture as SVG and PNG, the session's trace as JSON, and the session as a scenario
//! script the headless runner reproduces. Files are handed to the browser as a Blob URL behind a
//! temporary `<a download>`; nothing is evaluated and no inline style attributes are used (the
//! standalone SVG carries the stylesheet in its own `<style>` element).

use crate::state::Model;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The page's own style rules, as text, for the standalone SVG: read from the loaded stylesheets
/// (same origin), so the CSS is not carried a second time inside the wasm.
fn page_stylesheet(document: &web_sys::Document) -> String {
    let mut css = String::new();
    let sheets = document.style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets.get(i).and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok()) else { continue };
        let Ok(rules) = sheet.css_rules() else { continue };
        for j in 0..rules.length() {
            if let Some(r) = rules.get(j) {
                css.push_str(&r.css_text());
                css.push('\n');
            }
        }
    }
    css
}

/// Offers `blob` as a download named `name`.
fn download_blob(blob: &web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_class_name("visually-hidden");
    let body = document.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    // Revoked a moment later: some browsers read the URL after click() returns.
    gloo_timers::callback::Timeout::new(10_000, move || {
        web_sys::Url::revoke_object_url(&url).ok();
    })
    .forget();
    Ok(())
}

pub fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
}

/// Offers bytes (an image) as a download.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    download_blob(&web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?, name)
}

pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    download_blob(&text_blob(text, mime)?, name)
}

/// The picture (`svg#cluster`, or the first cluster picture on the page) as a standalone SVG
/// document, with its styles inlined (light theme) and its size, and the width and height. The
/// page draws it in layers (fills, messages in flight, the picture); the file has them in one SVG,
/// in the same order.
pub fn svg_text() -> Result<(String, f64, f64), JsValue> {
    let (copy, w, h) = svg_element()?;
    let text = web_sys::XmlSerializer::new()?.serialize_to_string(&copy)?;
    Ok((text, w, h))
}

/// `svg_text`'s document as an element (not in the page), and its width and height.
pub fn svg_element() -> Result<(web_sys::Element, f64, f64), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let svg = document
        .query_selector("svg#cluster")?
        .or(document.query_selector("svg.cluster")?)
        .ok_or("there is no picture to save")?;
    let copy: web_sys::Element = svg.clone_node_with_deep(true)?.dyn_into()?;
    if let Some(layers) = svg.parent_element() {
        for class in ["messages-layer", "backdrop"] {
            let Some(layer) = layers.query_selector(&format!(":scope > svg.{class}"))? else { continue };
            let g = document.create_element_ns(Some("http://www.w3.org/2000/svg"), "g")?;
            g.set_attribute("class", class)?;
            let children = layer.child_nodes();
            for i in 0..children.length() {
                if let Some(c) = children.item(i) {
                    g.append_child(&c.clone_node_with_deep(true)?)?;
                }
            }
            copy.insert_before(&g, copy.first_child().as_ref())?;
        }
    }
    let (w, h) = match copy.get_attribute("viewBox") {
        Some(vb) => {
            let n: Vec<f64> = vb.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            (n.get(2).copied().unwrap_or(1200.0), n.get(3).copied().unwrap_or(800.0))
        }
        None => (1200.0, 800.0),
    };
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")?;
    copy.set_attribute("width", &format!("{w:.0}"))?;
    copy.set_attribute("height", &format!("{h:.0}"))?;
    // The page's rules apply inside the file: custom properties on the svg root, light theme only.
    let css = page_stylesheet(&document)
        .replace(":root", "svg")
        .replace("@media (prefers-color-scheme: dark)", "@media not all");
    let style = document.create_element_ns(Some("http://www.w3.org/2000/svg"), "style")?;
    // No animations in a still picture (an image would show their first frame: records invisible).
    style.set_text_content(Some(&format!(
        "{css}\nsvg {{ background: var(--bg); font-family: var(--sans); }}\nsvg * {{ animation: none !important; }}\n"
    )));
    copy.insert_before(&style, copy.first_child().as_ref())?;
    Ok((copy, w, h))
}

pub fn save_svg() -> Result<(), JsValue> {
    let (text, _, _) = svg_text()?;
    download_text("kafkascope.svg", "image/svg+xml", &text)
}

/// Draws the standalone SVG on a canvas (2× for sharp slides) and saves that as PNG.
pub fn save_png() -> Result<(), JsValue> {
    let (text, w, h) = svg_text()?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(&text_blob(&text, "image/svg+xml")?)?;
    let img = web_sys::HtmlImageElement::new()?;
    let slot: Rc<RefCell<Option<Closure<dyn FnMut()>>>> = Rc::new(RefCell::new(None));
    let (img2, slot2, url2) = (img.clone(), slot.clone(), url.clone());
    *slot.borrow_mut() = Some(Closure::wrap(Box::new(move || {
        let result = (|| -> Result<(), JsValue> {
            let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
            let scale = 2.0;
            canvas.set_width((w * scale) as u32);
            canvas.set_height((h * scale) as u32);
            let ctx: web_sys::CanvasRenderingContext2d =
                canvas.get_context("2d")?.ok_or("no 2d context")?.dyn_into()?;
            ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, w * scale, h * scale)?;
            let on_blob = Closure::once_into_js(move |blob: JsValue| {
                if let Ok(blob) = blob.dyn_into::<web_sys::Blob>() {
                    if let Err(e) = download_blob(&blob, "kafkascope.png") {
                        web_sys::console::warn_1(&e);
                    }
                }
            });
            canvas.to_blob_with_type(on_blob.unchecked_ref(), "image/png")?;
            Ok(())
        })();
        if let Err(e) = result {
            web_sys::console::warn_1(&e);
        }
        web_sys::Url::revoke_object_url(&url2).ok();
        // The closure is done: drop it (and the image's reference to it).
        img2.set_onload(None);
        slot2.borrow_mut().take();
    }) as Box<dyn FnMut()>));
    if let Some(cb) = slot.borrow().as_ref() {
        img.set_onload(Some(cb.as_ref().unchecked_ref()));
    }
    img.set_src(&url);
    Ok(())
}

pub fn save_trace(m: &Model) -> Result<(), JsValue> {
    download_text(
        "kafkascope-trace.json",
        "application/json",
        &kafkascope_sim::session::script::trace_json(&m.session.trace()),
    )
}

pub fn save_script(m: &Model) -> Result<(), JsValue> {
    download_text(
        "kafkascope-session.ks",
        "text/plain",
        &kafkascope_sim::session::script::trace_script(&m.session.trace()),
    )
}

/// The export buttons. They read the model when clicked.
pub fn toolbar(model: Rc<RefCell<Model>>, on_gif: Callback<MouseEvent>) -> Html {
    let report = |r: Result<(), JsValue>| {
        if let Err(e) = r {
            web_sys::console::warn_2(&JsValue::from_str("export failed:"), &e);
        }
    };
    let on_svg = Callback::from(move |_: MouseEvent| report(save_svg()));
    let on_png = Callback::from(move |_: MouseEvent| report(save_png()));
    let m1 = model.clone();
    let on_trace = Callback::from(move |_: MouseEvent| report(save_trace(&m1.borrow())));
    let on_script = Callback::from(move |_: MouseEvent| report(save_script(&model.borrow())));
    html! {
        <span class="exports" role="group" aria-label="Export">
            <span class="hint">{"Save: "}</span>
            <button id="export-svg" onclick={on_svg} title="The picture as an SVG file">{"SVG"}</button>
            <button id="export-png" onclick={on_png} title="The picture as a PNG image">{"PNG"}</button>
            <button id="export-gif" onclick={on_gif} title="A range of the session as an animated GIF">{"GIF…"}</button>
            <button id="export-trace" onclick={on_trace} title="The session's trace (seed, timed commands, journal) as JSON">{"Trace JSON"}</button>
            <button id="export-script" onclick={on_script} title="The session as a scenario script: kafkascope run FILE reproduces it">{"Script .ks"}</button>
        </span>
    }
}

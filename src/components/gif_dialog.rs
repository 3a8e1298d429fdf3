//! More → GIF: records a time range of the session as an animated GIF (`gif_export`), with a
//! progress bar and Cancel while it draws and encodes, then offers the file.

use crate::gif_export::{record, record_svg, GifOptions};
use crate::state::Model;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct Props {
    pub model: Rc<RefCell<Model>>,
    /// Draws the page again (the recording moves the model from frame to frame).
    pub redraw: Callback<()>,
    pub on_close: Callback<()>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.model, &other.model) && self.redraw == other.redraw && self.on_close == other.on_close
    }
}

/// Seconds as typed (`12.5`) to virtual milliseconds.
fn seconds(s: &str) -> Option<u64> {
    let v: f64 = s.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * 1000.0).round() as u64)
}

#[component]
pub fn GifDialog(props: &Props) -> Html {
    // Defaults: the ten virtual seconds before the moment on screen (or after the start).
    let defaults = use_memo((), {
        let model = props.model.clone();
        move |_| {
            let m = model.borrow();
            let (start, end, now) = (m.timeline.start_ms(), m.timeline.horizon_ms, m.view_ms.round() as u64);
            let (from, to) = if now >= start + 2000 {
                (now.saturating_sub(10_000).max(start), now)
            } else {
                (start, (start + 10_000).min(end))
            };
            (from, to, m.speed, start, end)
        }
    });
    let (from_ref, to_ref, speed_ref, width_ref, fps_ref) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let progress = use_state(|| None::<(usize, usize)>);
    let status = use_state(String::new);
    let cancel = use_mut_ref(|| Rc::new(Cell::new(false)));
    let running = progress.is_some();
    let value = |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
    let make = |svg: bool| {
        let (model, redraw) = (props.model.clone(), props.redraw.clone());
        let (progress, status, cancel) = (progress.clone(), status.clone(), cancel.clone());
        let refs = (from_ref.clone(), to_ref.clone(), speed_ref.clone(), width_ref.clone(), fps_ref.clone());
        Callback::from(move |_: MouseEvent| {
            let opts = (|| -> Result<GifOptions, String> {
                let from_ms = seconds(&value(&refs.0)).ok_or("the start is a time in seconds, like 5 or 12.5")?;
                let to_ms = seconds(&value(&refs.1)).ok_or("the end is a time in seconds, like 15")?;
                let horizon = model.borrow().timeline.horizon_ms;
                if to_ms > horizon {
                    return Err(format!(
                        "the end is after what has happened so far ({:.1} s): play further first",
                        horizon as f64 / 1000.0
                    ));
                }
                let speed: f64 = value(&refs.2).trim().parse().map_err(|_| "the speed is a number, like 1 or 0.5")?;
                let width: u32 = value(&refs.3).trim().parse().map_err(|_| "the width is a number of pixels")?;
                let fps: u32 = value(&refs.4).trim().parse().map_err(|_| "frames per second is a whole number")?;
                let o = GifOptions { from_ms, to_ms, speed, fps, width };
                o.frame_times()?;
                Ok(o)
            })();
            let opts = match opts {
                Ok(o) => o,
                Err(e) => return status.set(format!("Not recorded: {e}.")),
            };
            let flag = Rc::new(Cell::new(false));
            *cancel.borrow_mut() = flag.clone();
            progress.set(Some((0, opts.frame_times().map_or(0, |t| t.len()))));
            status.set(String::new());
            let (model, redraw, progress, status) = (model.clone(), redraw.clone(), progress.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let p2 = progress.clone();
                let redraw = Rc::new(move || redraw.emit(()));
                let on_progress: Rc<dyn Fn(usize, usize)> = Rc::new(move |done, total| p2.set(Some((done, total))));
                let result = if svg {
                    record_svg(model, redraw, opts, on_progress, flag).await.map(String::into_bytes)
                } else {
                    record(model, redraw, opts, on_progress, flag).await
                };
                progress.set(None);
                let (name, mime) =
                    if svg { ("kafkascope-animated.svg", "image/svg+xml") } else { ("kafkascope.gif", "image/gif") };
                match result {
                    Ok(bytes) => {
                        let frames = opts.frame_times().map_or(0, |t| t.len());
                        match crate::export::download_bytes(name, mime, &bytes) {
                            Ok(()) => status.set(format!(
                                "Saved {name}: {frames} frames, {:.0} KB, {:.1} s from {:.1} s at {}×.",
                                bytes.len() as f64 / 1024.0,
                                (opts.to_ms - opts.from_ms) as f64 / 1000.0,
                                opts.from_ms as f64 / 1000.0,
                                opts.speed
                            )),
                            Err(_) => status.set("The browser refused the download.".into()),
                        }
                    }
                    Err(e) if e == "cancelled" => status.set("Cancelled.".into()),
                    Err(e) => status.set(format!("Not recorded: {e}.")),
                }
            });
        })
    };
    let on_cancel = {
        let cancel = cancel.clone();
        Callback::from(move |_: MouseEvent| cancel.borrow().set(true))
    };
    let on_close = {
        let (cancel, close) = (cancel.clone(), props.on_close.clone());
        Callback::from(move |_: MouseEvent| {
            cancel.borrow().set(true);
            close.emit(());
        })
    };
    let onkeydown = crate::components::escape_closes(&props.on_close);
    let (from, to, speed, start, end) = *defaults;
    let secs = |ms: u64| format!("{}", (ms as f64 / 100.0).round() / 10.0);
    html! {
        <section class="panel embed-dialog gif-dialog" role="dialog" aria-labelledby="gif-h" {onkeydown}>
            <h2 id="gif-h">{"Record an animation"}</h2>
            <p class="hint">{ format!(
                "A range of this session, drawn at exact virtual times, as a GIF that plays anywhere (READMEs, slides, chat) or a self-playing SVG. The session runs from {} s to {} s so far{}.",
                secs(start), secs(end),
                if end < start + 500 { ": play it on a little first, then record" } else { "" }
            ) }</p>
            <div class="gif-fields">
                <label>{"From (s) "}<input id="gif-from" ref={from_ref.clone()} type="text" inputmode="decimal" size="6" value={secs(from)} disabled={running} /></label>
                <label>{"To (s) "}<input id="gif-to" ref={to_ref.clone()} type="text" inputmode="decimal" size="6" value={secs(to)} disabled={running} /></label>
                <label>{"Speed (×) "}<input id="gif-speed" ref={speed_ref.clone()} type="text" inputmode="decimal" size="5" value={format!("{}", (speed * 1000.0).round() / 1000.0)} disabled={running} /></label>
                <label>{"Width (px) "}<input id="gif-width" ref={width_ref.clone()} type="text" inputmode="numeric" size="5" value="800" disabled={running} /></label>
                <label>{"Frames/s "}<input id="gif-fps" ref={fps_ref.clone()} type="text" inputmode="numeric" size="3" value="10" disabled={running} /></label>
            </div>
            <div class="embed-actions">
                if let Some((done, total)) = *progress {
                    <progress id="gif-progress" max={total.to_string()} value={done.to_string()} />
                    <span role="status">{ format!("frame {done} of {total}") }</span>
                    <button id="gif-cancel" onclick={on_cancel}>{"Cancel"}</button>
                } else {
                    <button id="gif-make" onclick={make(false)}>{"Make GIF"}</button>
                    <button id="gif-make-svg" onclick={make(true)} title="A self-playing SVG: sharp at any size, plays where SVG images are shown">{"Make SVG"}</button>
                    <button id="gif-close" onclick={on_close}>{"Close"}</button>
                }
            </div>
            <p id="gif-status" role="status">{ (*status).clone() }</p>
        </section>
    }
}

//! Animated GIF export: a time range of the session drawn frame by frame at exact virtual times
//! (the model seeks to each one, the page draws it, the standalone SVG of `export::svg_text` is
//! rasterized on a canvas) and encoded in the page with the `gif` crate. The palette is computed
//! once (NeuQuant over the first, middle and last frames) and every frame after the first stores
//! only the rectangle that changed, with unchanged pixels transparent, so a 10-second 800-px
//! animation of a cluster stays small. The same session and options give the same bytes.

use crate::state::Model;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What to record: virtual start and end (ms), how fast it plays back (virtual ms per wall ms),
/// frames per wall second and the image width in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GifOptions {
    pub from_ms: u64,
    pub to_ms: u64,
    pub speed: f64,
    pub fps: u32,
    pub width: u32,
}

pub const MAX_FRAMES: usize = 600;
pub const MIN_WIDTH: u32 = 200;
pub const MAX_WIDTH: u32 = 1600;

impl GifOptions {
    /// The virtual times of the frames, or why these options cannot be recorded.
    pub fn frame_times(&self) -> Result<Vec<u64>, String> {
        if self.to_ms <= self.from_ms {
            return Err("the end must come after the start".into());
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err("the speed must be a positive number".into());
        }
        if !(1..=30).contains(&self.fps) {
            return Err("frames per second: 1 to 30".into());
        }
        if !(MIN_WIDTH..=MAX_WIDTH).contains(&self.width) {
            return Err(format!("width: {MIN_WIDTH} to {MAX_WIDTH} pixels"));
        }
        let step = 1000.0 / self.fps as f64 * self.speed;
        let n = ((self.to_ms - self.from_ms) as f64 / step).floor() as usize + 1;
        if n > MAX_FRAMES {
            return Err(format!(
                "{n} frames: at most {MAX_FRAMES} (a shorter range, a higher speed or fewer frames per second)"
            ));
        }
        Ok((0..n).map(|i| self.from_ms + (i as f64 * step).round() as u64).collect())
    }

    /// Each frame's delay in hundredths of a second (GIF's unit).
    fn delay_cs(&self) -> u16 {
        (100 / self.fps).max(2) as u16
    }
}

/// Lets the page draw what the model now holds (Yew renders from a scheduled task).
async fn yield_to_page() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok();
        }
    });
    wasm_bindgen_futures::JsFuture::from(p).await.ok();
}

/// The picture on screen now, as RGBA pixels of a `width` × `height` image: scaled to fit,
/// centred across and from the top (a picture that grew taller or narrower during the range keeps
/// its proportions), on white.
async fn rasterize(width: u32, height: u32) -> Result<Vec<u8>, JsValue> {
    let (text, w, h) = crate::export::svg_text()?;
    let scale = (width as f64 / w).min(height as f64 / h);
    let (dw, dh) = (w * scale, h * scale);
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(&crate::export::text_blob(&text, "image/svg+xml")?)?;
    let img = web_sys::HtmlImageElement::new()?;
    img.set_src(&url);
    let decoded = wasm_bindgen_futures::JsFuture::from(img.decode()).await;
    web_sys::Url::revoke_object_url(&url).ok();
    decoded?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d")?.ok_or("no 2d context")?.dyn_into()?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, width as f64, height as f64);
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, ((width as f64 - dw) / 2.0).round(), 0.0, dw, dh)?;
    let data = ctx.get_image_data(0.0, 0.0, width as f64, height as f64)?;
    Ok(data.data().0)
}

/// Maps RGBA pixels to palette indices (with a cache: a drawing has few distinct colours).
struct Indexer {
    nq: color_quant::NeuQuant,
    cache: HashMap<u32, u8>,
}

impl Indexer {
    fn index(&mut self, rgba: &[u8]) -> Vec<u8> {
        rgba.chunks_exact(4)
            .map(|p| {
                let key = u32::from_le_bytes([p[0], p[1], p[2], 255]);
                *self.cache.entry(key).or_insert_with(|| self.nq.index_of(&[p[0], p[1], p[2], 255]) as u8)
            })
            .collect()
    }
}

/// The palette's transparent entry (NeuQuant fills 0..255).
const TRANSPARENT: u8 = 255;

/// Records the GIF: `progress(done, total)` after each frame; stops with `Err("cancelled")` when
/// `cancel` is set. The model is left where it was, paused or playing as it was.
pub async fn record(
    model: Rc<RefCell<Model>>,
    redraw: Rc<dyn Fn()>,
    opts: GifOptions,
    progress: Rc<dyn Fn(usize, usize)>,
    cancel: Rc<Cell<bool>>,
) -> Result<Vec<u8>, String> {
    let times = opts.frame_times()?;
    let place = Place::of(&model);
    let result = record_frames(&model, &redraw, &opts, &times, &progress, &cancel).await;
    place.restore(&model, &redraw);
    result
}

/// Where the session was before a recording moved it: the moment on screen, playing or not.
struct Place {
    at: u64,
    playing: bool,
}

impl Place {
    fn of(model: &Rc<RefCell<Model>>) -> Place {
        let m = model.borrow();
        Place { at: m.view_ms.round() as u64, playing: m.playing }
    }

    fn restore(self, model: &Rc<RefCell<Model>>, redraw: &Rc<dyn Fn()>) {
        {
            let mut m = model.borrow_mut();
            m.seek(self.at);
            m.playing = self.playing;
        }
        redraw();
    }
}

/// Records the range as a self-playing SVG (`svg_anim`), as `record` does a GIF.
pub async fn record_svg(
    model: Rc<RefCell<Model>>,
    redraw: Rc<dyn Fn()>,
    opts: GifOptions,
    progress: Rc<dyn Fn(usize, usize)>,
    cancel: Rc<Cell<bool>>,
) -> Result<String, String> {
    let times = opts.frame_times()?;
    let place = Place::of(&model);
    let mut anim = crate::svg_anim::SvgAnimation::default();
    let mut result = Ok(());
    for (i, &t) in times.iter().enumerate() {
        if cancel.get() {
            result = Err("cancelled".to_string());
            break;
        }
        show(&model, &redraw, t).await;
        let added = crate::export::svg_element().and_then(|(el, w, h)| anim.add_frame(&el, w, h));
        if let Err(e) = added {
            result = Err(format!("could not draw the frame at {t} ms: {e:?}"));
            break;
        }
        progress(i + 1, times.len());
    }
    place.restore(&model, &redraw);
    result.map(|()| anim.finish(opts.fps, opts.width))
}

/// Moves the model to `t` and lets the page draw it.
async fn show(model: &Rc<RefCell<Model>>, redraw: &Rc<dyn Fn()>, t: u64) {
    model.borrow_mut().seek(t);
    redraw();
    yield_to_page().await;
}

async fn frame_at(
    model: &Rc<RefCell<Model>>,
    redraw: &Rc<dyn Fn()>,
    t: u64,
    w: u32,
    h: u32,
) -> Result<Vec<u8>, String> {
    show(model, redraw, t).await;
    rasterize(w, h).await.map_err(|e| format!("could not draw the frame at {t} ms: {e:?}"))
}

async fn record_frames(
    model: &Rc<RefCell<Model>>,
    redraw: &Rc<dyn Fn()>,
    opts: &GifOptions,
    times: &[u64],
    progress: &Rc<dyn Fn(usize, usize)>,
    cancel: &Rc<Cell<bool>>,
) -> Result<Vec<u8>, String> {
    let total = times.len();
    // The first, middle and last frames: the image is as tall as the tallest of them needs (the
    // picture grows when a topic or client appears), and they give the palette, so colours that
    // come later (a dead broker, a lost record) are in it.
    let mut samples = vec![times[0], times[total / 2], times[total - 1]];
    samples.dedup();
    let mut height = 1;
    for &t in &samples {
        show(model, redraw, t).await;
        let (_, w, h) = crate::export::svg_text().map_err(|e| format!("no picture to record: {e:?}"))?;
        height = height.max(((h / w) * opts.width as f64).round() as u32);
    }
    let height = height.clamp(1, 4 * opts.width);
    let mut sample = Vec::new();
    for &t in &samples {
        sample.extend_from_slice(&frame_at(model, redraw, t, opts.width, height).await?);
    }
    let nq = color_quant::NeuQuant::new(10, 255, &sample);
    drop(sample);
    let mut palette = nq.color_map_rgb();
    palette.extend_from_slice(&[255, 255, 255]);
    let mut ix = Indexer { nq, cache: HashMap::new() };
    let (w, h) = (opts.width as u16, height as u16);
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &palette).map_err(|e| e.to_string())?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(|e| e.to_string())?;
        let mut prev: Option<Vec<u8>> = None;
        // A frame is written when the next one differs (its delay grows while nothing changes).
        let mut pending: Option<gif::Frame<'static>> = None;
        for (i, &t) in times.iter().enumerate() {
            if cancel.get() {
                return Err("cancelled".into());
            }
            let px = frame_at(model, redraw, t, opts.width, height).await?;
            let cur = ix.index(&px);
            let frame = match &prev {
                None => Some(full_frame(w, h, cur.clone())),
                Some(before) => changed_frame(w, h, before, &cur),
            };
            match (frame, pending.as_mut()) {
                (None, Some(p)) => p.delay += opts.delay_cs(),
                (Some(mut f), _) => {
                    if let Some(p) = pending.take() {
                        enc.write_frame(&p).map_err(|e| e.to_string())?;
                    }
                    f.delay = opts.delay_cs();
                    pending = Some(f);
                }
                (None, None) => {}
            }
            prev = Some(cur);
            progress(i + 1, total);
        }
        if let Some(p) = pending.take() {
            enc.write_frame(&p).map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

fn full_frame(w: u16, h: u16, indices: Vec<u8>) -> gif::Frame<'static> {
    gif::Frame { width: w, height: h, buffer: indices.into(), ..gif::Frame::default() }
}

/// The rectangle where `cur` differs from `before`, unchanged pixels in it transparent; `None`
/// when nothing changed.
fn changed_frame(w: u16, h: u16, before: &[u8], cur: &[u8]) -> Option<gif::Frame<'static>> {
    let (w, h) = (w as usize, h as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        let row = y * w;
        for x in 0..w {
            if before[row + x] != cur[row + x] {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 > x1 {
        return None;
    }
    let (fw, fh) = (x1 - x0 + 1, y1 - y0 + 1);
    let mut buf = Vec::with_capacity(fw * fh);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let i = y * w + x;
            buf.push(if before[i] == cur[i] { TRANSPARENT } else { cur[i] });
        }
    }
    Some(gif::Frame {
        left: x0 as u16,
        top: y0 as u16,
        width: fw as u16,
        height: fh as u16,
        transparent: Some(TRANSPARENT),
        dispose: gif::DisposalMethod::Keep,
        buffer: buf.into(),
        ..gif::Frame::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn frames_fall_at_exact_virtual_times_and_bad_options_are_named() {
        let o = GifOptions { from_ms: 1000, to_ms: 3000, speed: 1.0, fps: 10, width: 800 };
        let t = o.frame_times().unwrap();
        assert_eq!(t.len(), 21);
        assert_eq!((t[0], t[1], t[20]), (1000, 1100, 3000));
        assert_eq!(o.delay_cs(), 10);
        assert!(GifOptions { to_ms: 1000, ..o }.frame_times().unwrap_err().contains("after the start"));
        assert!(GifOptions { width: 50, ..o }.frame_times().unwrap_err().contains("width"));
        assert!(GifOptions { to_ms: 1_000_000, ..o }.frame_times().unwrap_err().contains("at most 600"));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_frame_holds_only_what_changed() {
        let before = vec![1, 1, 1, 1, 1, 1, 1, 1, 1];
        let mut cur = before.clone();
        cur[4] = 7;
        cur[5] = 8;
        let f = changed_frame(3, 3, &before, &cur).unwrap();
        assert_eq!((f.left, f.top, f.width, f.height), (1, 1, 2, 1));
        assert_eq!(&f.buffer[..], &[7, 8]);
        assert!(changed_frame(3, 3, &before, &before).is_none());
    }
}

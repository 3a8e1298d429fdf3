//! The root component: owns the model, drives virtual time from requestAnimationFrame, and turns
//! clicks and keys into commands.
//!
//! The page is the picture first: a top bar (time controls, the drawer's tabs, a More menu), the
//! picture's frame filling the rest with its zoom tools and the message legend, a side drawer for
//! the panels (tours, console, configure, ledger, events, inspect, help) that the learner opens and
//! closes (remembered, `prefs`), and a bottom bar with the timeline and the latest event. On a
//! phone the drawer is a bottom sheet and the top bar folds into a menu.

use crate::components::config::{props_for, ConfigPanel};
use crate::components::embed_dialog::EmbedDialog;
use crate::components::gif_dialog::GifDialog;
use crate::components::import_dialog::ImportDialog;
use crate::components::inspect::Inspect;
use crate::components::menus::Target;
use crate::components::{cluster, compare, glossary, inspect, menus, panels, tour};
use crate::embed::{self, Host, Request};
use crate::prefs::{Prefs, Tab};
use crate::state::{speed_from_slider, Model};
use kafkascope_sim::model::{BrokerId, Tp};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `frame(dt_ms)` on every animation frame while the component is mounted and the page can
/// be seen: a hidden tab (`visibilitychange`) or a page scrolled out of view, such as an iframe
/// off its host's screen (an IntersectionObserver on the root element), runs no frames at all, so
/// no simulation either. `dt_ms` is the wall time since the previous frame, and 0 for the first
/// frame after a pause: the model resumes where it was, without replaying the time it missed.
/// While stopped, `<html data-frames="stopped">` says so (the e2e test reads it).
#[hook]
fn use_animation_frame(frame: Rc<dyn Fn(f64)>) {
    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a browser window");
        let document = window.document().expect("a document");
        let root = document.document_element();
        let state = Rc::new(FrameLoop {
            window: window.clone(),
            root: root.clone(),
            id: Cell::new(None),
            last: Cell::new(None),
            visible: Cell::new(document.visibility_state() != web_sys::VisibilityState::Hidden),
            on_screen: Cell::new(true),
            tick: RefCell::new(None),
        });
        let weak = Rc::downgrade(&state);
        *state.tick.borrow_mut() = Some(Closure::wrap(Box::new(move |ts: f64| {
            let Some(s) = weak.upgrade() else { return };
            s.id.set(None);
            let dt = s.last.replace(Some(ts)).map_or(0.0, |prev| ts - prev);
            frame(dt);
            s.resume();
        }) as Box<dyn FnMut(f64)>));
        let on_visibility = {
            let (state, document) = (state.clone(), document.clone());
            Closure::<dyn FnMut()>::new(move || {
                state.visible.set(document.visibility_state() != web_sys::VisibilityState::Hidden);
                state.resume();
            })
        };
        document.add_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref()).ok();
        let on_intersect = {
            let state = state.clone();
            Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                if let Some(e) =
                    entries.iter().last().and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                {
                    state.on_screen.set(e.is_intersecting());
                    state.resume();
                }
            })
        };
        let observer = web_sys::IntersectionObserver::new(on_intersect.as_ref().unchecked_ref()).ok();
        if let (Some(o), Some(r)) = (&observer, &root) {
            o.observe(r);
        }
        state.resume();
        move || {
            state.visible.set(false);
            state.resume(); // cancels the pending frame
            state.tick.borrow_mut().take();
            document
                .remove_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref())
                .ok();
            if let Some(o) = observer {
                o.disconnect();
            }
            drop(on_intersect);
        }
    });
}

/// The animation-frame loop of `use_animation_frame`: runs while the page is visible and on screen.
struct FrameLoop {
    window: web_sys::Window,
    root: Option<web_sys::Element>,
    /// The requested frame, if one is pending.
    id: Cell<Option<i32>>,
    /// The previous frame's timestamp; None after a pause.
    last: Cell<Option<f64>>,
    visible: Cell<bool>,
    on_screen: Cell<bool>,
    tick: RefCell<Option<Closure<dyn FnMut(f64)>>>,
}

impl FrameLoop {
    /// Requests the next frame if the page can be seen (and none is pending); otherwise cancels
    /// the pending one and forgets the last timestamp.
    fn resume(&self) {
        let run = self.visible.get() && self.on_screen.get();
        if let Some(r) = &self.root {
            if run {
                r.remove_attribute("data-frames").ok();
            } else {
                r.set_attribute("data-frames", "stopped").ok();
            }
        }
        if !run {
            if let Some(id) = self.id.take() {
                self.window.cancel_animation_frame(id).ok();
            }
            self.last.set(None);
            return;
        }
        if self.id.get().is_some() {
            return;
        }
        if let Some(cb) = self.tick.borrow().as_ref() {
            if let Ok(id) = self.window.request_animation_frame(cb.as_ref().unchecked_ref()) {
                self.id.set(Some(id));
            }
        }
    }
}

/// Keeps `size` equal to the inner size (CSS px) of the element `node` refers to, and redraws
/// when it changes (the window resized, the drawer opened or closed). Re-observes when `key`
/// changes (the element was replaced).
#[hook]
fn use_frame_size(node: NodeRef, size: Rc<Cell<(f64, f64)>>, redraw: UseForceUpdateHandle, key: u64) {
    use_effect_with(key, move |_| {
        let observer = node.cast::<web_sys::Element>().and_then(|el| {
            let (size2, redraw2, el2) = (size.clone(), redraw.clone(), el.clone());
            let cb = Closure::wrap(Box::new(move |_entries: js_sys::Array| {
                let s = (el2.client_width() as f64, el2.client_height() as f64);
                if s != size2.get() {
                    size2.set(s);
                    redraw2.force_update();
                }
            }) as Box<dyn FnMut(js_sys::Array)>);
            let obs = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()).ok()?;
            obs.observe(&el);
            size.set((el.client_width() as f64, el.client_height() as f64));
            redraw.force_update();
            Some((obs, cb))
        });
        move || {
            if let Some((obs, _cb)) = observer {
                obs.disconnect();
            }
        }
    });
}

/// Calls the latest `handler` for every keydown on the document (so shortcuts work from the moment
/// the page loads, wherever focus is).
#[hook]
fn use_document_keys(handler: Callback<KeyboardEvent>) {
    let latest = use_mut_ref(|| handler.clone());
    *latest.borrow_mut() = handler;
    use_effect_with((), move |_| {
        let doc = web_sys::window().and_then(|w| w.document());
        let cb = Closure::wrap(Box::new(move |e: web_sys::KeyboardEvent| {
            let h = latest.borrow().clone();
            h.emit(e);
        }) as Box<dyn FnMut(web_sys::KeyboardEvent)>);
        if let Some(d) = &doc {
            d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
        }
        move || {
            if let Some(d) = &doc {
                d.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
            }
        }
    });
}

/// The `s` query parameter of the page's URL (a share link), if any.
fn share_param() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("s")
}

/// This page's address with `s=TEXT` as its only parameter.
fn share_url(text: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default();
    format!("{base}?s={text}")
}

/// Colour theme: `Auto` follows `prefers-color-scheme`; the others set `data-theme` on <html>.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// `theme=` and the `kafkascope:theme` message: `auto`, `light` or `dark`.
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Whether the user asked the system for less motion.
fn prefers_reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}

fn media_matches(query: &str) -> bool {
    web_sys::window().and_then(|w| w.match_media(query).ok().flatten()).is_some_and(|m| m.matches())
}

/// A phone-sized screen: the picture is drawn in one column (`Layout::stacked`), the drawer is a
/// bottom sheet. Read every frame, so turning the phone redraws the picture in the other layout.
const NARROW_QUERY: &str = "(max-width: 600px)";
/// Wide enough that the drawer opens by default beside the picture.
const WIDE_QUERY: &str = "(min-width: 1400px)";

fn narrow_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW_QUERY).ok().flatten()
}

/// Focuses the first element matching `selector`, if any (HTML or SVG).
fn focus(selector: &str) {
    focus_now(selector);
    // The action may have removed what focus goes back to (a removed consumer, a deleted topic's
    // label): once the page is redrawn, a keyboard user lands on the picture (where it was)
    // rather than on nothing.
    gloo_timers::callback::Timeout::new(0, || {
        let doc = web_sys::window().and_then(|w| w.document());
        let lost =
            doc.as_ref().is_some_and(|d| d.active_element().is_none_or(|a| d.body().is_some_and(|b| a == *b.as_ref())));
        if lost {
            focus_now("#picture-frame");
        }
    })
    .forget();
}

fn focus_now(selector: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el {
        if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
            h.focus().ok();
        } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
            s.focus().ok();
        }
    }
}

/// Scrolls the picture's frame so that the first element matching `selector` is in view.
fn scroll_into_view(selector: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        opts.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

/// Opens a <details> element (the shortcuts list) and focuses its summary.
fn open_details(id: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = el {
        el.set_attribute("open", "").ok();
        if let Ok(Some(summary)) = el.query_selector("summary") {
            if let Some(h) = summary.dyn_ref::<web_sys::HtmlElement>() {
                h.focus().ok();
            }
        }
    }
}

/// Panels drawn from the model, each rebuilt (and diffed) only when its fingerprint changes.
type PanelCache = std::collections::HashMap<&'static str, (u64, Html)>;

fn memo_panel(cache: &RefCell<PanelCache>, name: &'static str, hash: u64, build: impl FnOnce() -> Html) -> Html {
    let mut c = cache.borrow_mut();
    let content = match c.get(name) {
        Some((h, html)) if *h == hash => html.clone(),
        _ => {
            let html = build();
            c.insert(name, (hash, html.clone()));
            html
        }
    };
    html! { <cluster::Memo {hash} {content} /> }
}

fn tab_id_for_scroll(p: &Prefs) -> (&'static str, Option<bool>) {
    (p.tab.id(), p.drawer_open)
}

/// The zoom steps of the picture's − and + buttons and keys.
const ZOOM_STEP: f64 = 1.25;
const ZOOM_MIN: f64 = 0.25;
const ZOOM_MAX: f64 = 4.0;

/// What the pointer is on in the picture: a message in flight (its id), or a thing whose details
/// are shown on hover when the picture is zoomed out (its label), at a point of the picture (units).
#[derive(Clone, Debug, Default, PartialEq)]
struct Pointed {
    message: Option<u64>,
    card: Option<String>,
    x: f64,
    y: f64,
}

#[component]
pub fn App() -> Html {
    // URL parameters, the saved session and the page's link to a host: read once (src/startup.rs).
    let boot = use_memo((), |_| {
        let params = crate::params::parse_query(&embed::location_search());
        if params.reset {
            crate::persist::clear();
            embed::forget_reset_param();
        }
        let saved = if params.names_a_session() { None } else { crate::persist::load() };
        let s = crate::startup::initial_model(&params, saved.as_deref());
        if s.clear_saved {
            crate::persist::clear();
        }
        let host = Rc::new(Host::new(&params, s.persist));
        (params, RefCell::new(Some(s.model)), s.notices, host)
    });
    let (params, host) = (&boot.0, boot.3.clone());
    let model =
        use_mut_ref(|| boot.1.borrow_mut().take().unwrap_or_else(|| Model::from_share(share_param().as_deref())));
    let notices = use_state(|| boot.2.clone());
    let embed_snippet = use_state(|| None::<[String; 3]>);
    let import_open = use_state(|| false);
    let gif_open = use_state(|| false);
    let share_link = use_state(|| None::<String>);
    let redraw = use_force_update();
    let console_ref = use_node_ref();
    let key_ref = use_node_ref();
    let value_ref = use_node_ref();
    let frame_ref = use_node_ref();
    let menu = use_state(|| None::<Target>);
    let inspecting = use_state(|| None::<Inspect>);
    let open_term = use_state(|| None::<&'static str>);
    let theme = use_state(|| boot.0.theme.unwrap_or(Theme::Auto));
    let prefs = use_state(crate::prefs::load);
    // The learner's zoom on top of the fit zoom, and whether the frame follows the selection.
    let zoom = use_state(|| 1.0_f64);
    let follow = use_state(|| false);
    let more_open = use_state(|| false);
    let confirm_new = use_state(|| false);
    let pointed = use_mut_ref(Pointed::default);
    let frame_size = use_mut_ref(|| Rc::new(Cell::new((0.0_f64, 0.0_f64))));
    let frame_size = frame_size.borrow().clone();
    // Keep a centred point of the picture in place when the zoom changes: (x, y) in units.
    let zoom_anchor = use_mut_ref(|| None::<(f64, f64)>);
    let reduced_motion = use_memo((), |_| prefers_reduced_motion());
    let wide_default = use_memo((), |_| media_matches(WIDE_QUERY));
    let narrow_mql = use_memo((), |_| narrow_query());
    // Whether the last render saw a narrow screen (the animation frame compares and redraws).
    let narrow_drawn = use_mut_ref(|| false);
    let view_cache = use_mut_ref(cluster::ViewCache::default);
    let panel_cache = use_mut_ref(PanelCache::new);
    // Static panels: built once, never diffed again.
    let static_panels = use_memo((), |_| (glossary::panel(), glossary::shortcuts()));
    // Where focus goes back to when a menu, the inspect panel or an explanation closes.
    let return_focus = use_mut_ref(|| None::<String>);

    {
        let prefs = *prefs;
        let model = model.clone();
        use_effect_with(prefs, move |p| {
            crate::prefs::save(p);
            model.borrow_mut().slow.enabled = p.slow_motion;
        });
    }

    {
        let model = model.clone();
        let redraw = redraw.clone();
        let host = host.clone();
        let (narrow_mql, narrow_drawn) = (narrow_mql.clone(), narrow_drawn.clone());
        let wall = Cell::new(0.0);
        use_animation_frame(Rc::new(move |dt| {
            wall.set(wall.get() + dt);
            let ts = wall.get();
            let mut m = model.borrow_mut();
            if m.playing {
                m.tick(dt);
                tour::drive(&mut m);
                redraw.force_update();
            } else if tour::drive(&mut m) {
                redraw.force_update();
            } else if narrow_mql.as_ref().as_ref().is_some_and(|q| q.matches()) != *narrow_drawn.borrow() {
                redraw.force_update();
            }
            host.post_events(&m);
            host.post_size(&m);
            host.remember(&m, ts, false);
        }));
    }
    let comparing = model.borrow().compare.is_some();
    use_frame_size(frame_ref.clone(), frame_size.clone(), redraw.clone(), u64::from(comparing));

    // The postMessage API (only with `origin=`), the ready message, and the debug panic hook.
    {
        let (model, redraw, host, theme) = (model.clone(), redraw.clone(), host.clone(), theme.clone());
        let (host2, gif_busy) = (host.clone(), Rc::new(Cell::new(false)));
        let (debug_panic, debug_trap) = (params.debug_panic, params.debug_trap);
        let ready = serde_json::json!({"type": "kafkascope:ready", "protocol": 1,
            "scenario": params.scenario, "seed": model.borrow().session.sim.seed});
        use_effect_with((), move |_| {
            host.skip_events(&model.borrow());
            host.remember(&model.borrow(), 0.0, true);
            let listener = embed::listen(host.clone(), move |req| {
                let reply = match req {
                    Ok(Request::Command(line)) => {
                        let mut m = model.borrow_mut();
                        let blank = matches!(kafkascope_sim::parse_line(line.trim()), Ok(None));
                        m.run(&line);
                        let (ok, lines) = match m.console.last() {
                            Some(e) if !blank => (!e.error, e.lines.clone()),
                            _ => (true, Vec::new()),
                        };
                        serde_json::json!({"type": "kafkascope:result", "ok": ok, "command": line, "lines": lines})
                    }
                    Ok(Request::Play(on)) => {
                        model.borrow_mut().playing = on;
                        serde_json::json!({"type": "kafkascope:result", "ok": true, "playing": on})
                    }
                    Ok(Request::Theme(t)) => {
                        theme.set(t);
                        serde_json::json!({"type": "kafkascope:result", "ok": true, "theme": t.name()})
                    }
                    Ok(Request::Gif { opts, id }) => {
                        let horizon = model.borrow().timeline.horizon_ms;
                        if opts.to_ms > horizon {
                            serde_json::json!({"type": "kafkascope:result", "ok": false, "lines": [format!(
                                "to_ms {} is after what has happened so far ({horizon} ms)", opts.to_ms)]})
                        } else if gif_busy.get() {
                            serde_json::json!({"type": "kafkascope:result", "ok": false, "lines": ["a GIF is being recorded"]})
                        } else {
                            gif_busy.set(true);
                            let (model, redraw, host, busy) =
                                (model.clone(), redraw.clone(), host2.clone(), gif_busy.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                let h = host.clone();
                                let id2 = id.clone();
                                let progress = Rc::new(move |done: usize, total: usize| {
                                    h.post(&serde_json::json!({"type": "kafkascope:progress", "id": id2, "done": done, "total": total}));
                                });
                                let r = crate::gif_export::record(
                                    model,
                                    Rc::new(move || redraw.force_update()),
                                    opts,
                                    progress,
                                    Rc::new(Cell::new(false)),
                                )
                                .await;
                                busy.set(false);
                                match r {
                                    Ok(bytes) => {
                                        let msg = js_sys::Object::new();
                                        let set = |k: &str, v: &JsValue| { js_sys::Reflect::set(&msg, &JsValue::from_str(k), v).ok(); };
                                        set("type", &JsValue::from_str("kafkascope:result"));
                                        set("ok", &JsValue::TRUE);
                                        if let Some(id) = id.as_ref().and_then(|v| js_sys::JSON::parse(&v.to_string()).ok()) {
                                            set("id", &id);
                                        }
                                        set("gif", &js_sys::Uint8Array::from(&bytes[..]));
                                        host.post_js(&msg);
                                    }
                                    Err(e) => host.post(&serde_json::json!({"type": "kafkascope:result", "ok": false, "id": id, "lines": [e]})),
                                }
                            });
                            serde_json::Value::Null
                        }
                    }
                    Err(why) => serde_json::json!({"type": "kafkascope:result", "ok": false, "lines": [why]}),
                };
                redraw.force_update();
                reply
            });
            host.post(&ready);
            if debug_panic {
                // `?debug=panic` (docs/embedding.md): exercises the panic panel after the first frame.
                gloo_timers::callback::Timeout::new(0, || panic!("deliberate panic requested by ?debug=panic"))
                    .forget();
            }
            if debug_trap {
                // `?debug=trap`: the instance dies without a panic; assets/panic.js shows the panel.
                gloo_timers::callback::Timeout::new(0, crate::panic::trap).forget();
            }
            move || {
                if let Some(l) = listener {
                    embed::unlisten(&l);
                }
            }
        });
    }

    let act = {
        let model = model.clone();
        let redraw = redraw.clone();
        move |f: Box<dyn FnOnce(&mut Model)>| {
            f(&mut model.borrow_mut());
            redraw.force_update();
        }
    };
    let act = Rc::new(act);
    // Tours and compare change the model through this (components/tour.rs, components/compare.rs).
    let act_cb: tour::Act = {
        let act = act.clone();
        Callback::from(move |f| act(f))
    };

    // The drawer: open (remembered; by default only where there is room beside the picture) and
    // on which tab. Inspecting a partition opens the Inspect tab.
    let drawer_open = prefs.drawer_open.unwrap_or(*wide_default);
    let tab = if inspecting.is_some() && prefs.tab == Tab::Inspect { Tab::Inspect } else { prefs.tab };
    let set_tab = {
        let prefs = prefs.clone();
        Callback::from(move |t: Tab| {
            let open = prefs.drawer_open.unwrap_or(media_matches(WIDE_QUERY));
            // The tab on show closes the drawer; another tab opens it on that tab.
            let (open, t) = if open && prefs.tab == t { (false, t) } else { (true, t) };
            prefs.set(Prefs { drawer_open: Some(open), tab: t, ..*prefs });
        })
    };
    let show_tab = {
        let prefs = prefs.clone();
        Callback::from(move |t: Tab| prefs.set(Prefs { drawer_open: Some(true), tab: t, ..*prefs }))
    };

    // Stable callbacks (made once), so memoized components see unchanged props.
    let run_line = {
        let act = act.clone();
        use_memo((), move |_| Callback::from(move |line: String| act(Box::new(move |m| m.run(&line)))))
    };
    let on_term = {
        let (open_term, return_focus) = (open_term.clone(), return_focus.clone());
        use_memo((), move |_| {
            Callback::from(move |id: &'static str| {
                // Back to the focused term link when the explanation closes.
                let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                if let Some(a) = active {
                    a.set_attribute("data-return-focus", "").ok();
                }
                *return_focus.borrow_mut() = Some("[data-return-focus]".into());
                open_term.set(Some(id));
            })
        })
    };
    let open_menu = {
        let (menu, return_focus) = (menu.clone(), return_focus.clone());
        Callback::from(move |t: Target| {
            *return_focus.borrow_mut() = Some(t.selector());
            menu.set(Some(t));
        })
    };
    let events = cluster::Events {
        on_broker: open_menu.reform(Target::Broker),
        on_consumer: open_menu.reform(Target::Consumer),
        on_producer: open_menu.reform(Target::Producer),
        on_group: open_menu.reform(Target::Group),
        on_controller: open_menu.reform(Target::Controller),
        on_partition: {
            let (inspecting, return_focus, model, show_tab) =
                (inspecting.clone(), return_focus.clone(), model.clone(), show_tab.clone());
            Callback::from(move |tp: Tp| {
                let topic = model.borrow().session.sim.topic(tp.topic).name.clone();
                *return_focus.borrow_mut() = Some(format!(
                    "svg#cluster g.row-label[data-topic=\"{topic}\"][data-partition=\"{}\"]",
                    tp.partition
                ));
                inspecting.set(Some(Inspect { tp, broker: None }));
                show_tab.emit(Tab::Inspect);
            })
        },
        on_replica: {
            let (inspecting, show_tab) = (inspecting.clone(), show_tab.clone());
            Callback::from(move |(tp, b): (Tp, BrokerId)| {
                inspecting.set(Some(Inspect { tp, broker: Some(b) }));
                show_tab.emit(Tab::Inspect);
            })
        },
    };
    let close_menu = {
        let (menu, return_focus) = (menu.clone(), return_focus.clone());
        Callback::from(move |_| {
            menu.set(None);
            if let Some(sel) = return_focus.borrow_mut().take() {
                focus(&sel);
            }
        })
    };
    let close_inspect = {
        let (inspecting, return_focus, prefs) = (inspecting.clone(), return_focus.clone(), prefs.clone());
        Callback::from(move |_| {
            inspecting.set(None);
            if prefs.tab == Tab::Inspect {
                prefs.set(Prefs { tab: Tab::Tours, ..*prefs });
            }
            if let Some(sel) = return_focus.borrow_mut().take() {
                focus(&sel);
            }
        })
    };
    let select_replica = {
        let inspecting = inspecting.clone();
        Callback::from(move |b: Option<BrokerId>| {
            if let Some(i) = *inspecting {
                inspecting.set(Some(Inspect { broker: b, ..i }));
            }
        })
    };
    let close_term = {
        let (open_term, return_focus) = (open_term.clone(), return_focus.clone());
        Callback::from(move |_| {
            open_term.set(None);
            if let Some(sel) = return_focus.borrow_mut().take() {
                focus(&sel);
                let doc = web_sys::window().and_then(|w| w.document());
                if let Some(Ok(list)) = doc.map(|d| d.query_selector_all("[data-return-focus]")) {
                    for i in 0..list.length() {
                        if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                            el.remove_attribute("data-return-focus").ok();
                        }
                    }
                }
            }
        })
    };
    // Focus follows what opens: a menu's first action, the inspect panel, an explanation's close button.
    use_effect_with((*menu).clone(), |m| {
        if m.is_some() {
            focus(".action-menu .menu-item");
        }
    });
    use_effect_with(inspecting.map(|i| i.tp), |tp| {
        if tp.is_some() {
            focus("#inspect");
        }
    });
    use_effect_with(embed_snippet.is_some(), |open| {
        if *open {
            focus("#embed-copy");
        }
    });
    use_effect_with(*import_open, |open| {
        if *open {
            focus("#import-text");
        }
    });
    use_effect_with(*open_term, |t| {
        if t.is_some() {
            focus("#term-pop-close");
        }
    });
    use_effect_with(*theme, |t| {
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
        if let Some(root) = root {
            match t {
                Theme::Auto => root.remove_attribute("data-theme").ok(),
                t => root.set_attribute("data-theme", t.name()).ok(),
            };
        }
    });
    // After a zoom change, scroll so that the point that was in the middle of the frame stays there.
    {
        let (frame_ref, zoom_anchor, view_cache) = (frame_ref.clone(), zoom_anchor.clone(), view_cache.clone());
        use_effect_with(*zoom, move |_| {
            if let (Some((ux, uy)), Some(frame)) =
                (zoom_anchor.borrow_mut().take(), frame_ref.cast::<web_sys::Element>())
            {
                if let Some((_, z)) = view_cache.borrow().drawn.as_ref() {
                    frame.set_scroll_left((ux * z - frame.client_width() as f64 / 2.0) as i32);
                    frame.set_scroll_top((uy * z - frame.client_height() as f64 / 2.0) as i32);
                }
            }
        });
    }
    // Follow the selection: keep what the menu or the inspect panel is about in view.
    {
        let follow = *follow;
        let target = (*menu).as_ref().map(|t| t.selector()).or_else(|| {
            inspecting.map(|i| {
                let m = model.borrow();
                let topic = m.session.sim.topic(i.tp.topic).name.clone();
                format!("svg#cluster g.replica[data-topic=\"{topic}\"][data-partition=\"{}\"]", i.tp.partition)
            })
        });
        use_effect_with((follow, target, *zoom), move |(follow, target, _)| {
            if let (true, Some(sel)) = (*follow, target) {
                scroll_into_view(sel);
            }
        });
    }

    // The console shows its newest entry: scrolled to the bottom whenever an entry is added.
    {
        let n = model.borrow().console.len();
        use_effect_with((n, tab_id_for_scroll(&prefs)), |_| {
            let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("console-log"));
            if let Some(el) = el {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let set_zoom = {
        let (zoom, zoom_anchor, frame_ref, view_cache) =
            (zoom.clone(), zoom_anchor.clone(), frame_ref.clone(), view_cache.clone());
        Callback::from(move |z: f64| {
            let z = z.clamp(ZOOM_MIN, ZOOM_MAX);
            if let (Some(frame), Some((_, cur))) =
                (frame_ref.cast::<web_sys::Element>(), view_cache.borrow().drawn.as_ref())
            {
                let ux = (frame.scroll_left() as f64 + frame.client_width() as f64 / 2.0) / cur;
                let uy = (frame.scroll_top() as f64 + frame.client_height() as f64 / 2.0) / cur;
                *zoom_anchor.borrow_mut() = Some((ux, uy));
            }
            zoom.set(z);
        })
    };

    let handlers = panels::Handlers {
        toggle_play: {
            let act = act.clone();
            Callback::from(move |_| act(Box::new(|m| m.playing = !m.playing)))
        },
        step: {
            let act = act.clone();
            Callback::from(move |_| act(Box::new(|m| m.step_narrated())))
        },
        step_event: {
            let act = act.clone();
            Callback::from(move |_| act(Box::new(|m| m.step())))
        },
        set_speed: {
            let act = act.clone();
            Callback::from(move |v: f64| act(Box::new(move |m| m.speed = speed_from_slider(v))))
        },
        toggle_kind: {
            let act = act.clone();
            Callback::from(move |k| {
                act(Box::new(move |m| {
                    if !m.hidden.remove(&k) {
                        m.hidden.insert(k);
                    }
                }))
            })
        },
        run: {
            let act = act.clone();
            Callback::from(move |line: String| act(Box::new(move |m| m.run(&line))))
        },
        seek: {
            let (act, host, model) = (act.clone(), host.clone(), model.clone());
            Callback::from(move |t: f64| {
                act(Box::new(move |m| m.seek(t.max(0.0) as u64)));
                host.skip_events(&model.borrow());
            })
        },
        back: {
            let (act, host, model) = (act.clone(), host.clone(), model.clone());
            Callback::from(move |_| {
                act(Box::new(|m| m.step_back()));
                host.skip_events(&model.borrow());
            })
        },
        recall: {
            let model = model.clone();
            Callback::from(move |n: usize| {
                let m = model.borrow();
                let typed: Vec<&str> =
                    m.console.iter().map(|c| c.input.as_str()).filter(|i| !i.starts_with('(')).collect();
                typed.len().checked_sub(n).map(|i| typed[i].to_string())
            })
        },
        complete: {
            let model = model.clone();
            Callback::from(move |line: String| model.borrow().complete(&line))
        },
        set_tab: set_tab.clone(),
        toggle_labels: {
            let prefs = prefs.clone();
            Callback::from(move |_| prefs.set(Prefs { label_messages: !prefs.label_messages, ..*prefs }))
        },
        toggle_slow: {
            let prefs = prefs.clone();
            Callback::from(move |_| prefs.set(Prefs { slow_motion: !prefs.slow_motion, ..*prefs }))
        },
    };

    // Shortcuts, from the moment the page loads, wherever focus is (unless typing in a field).
    // Escape closes the innermost open thing: an explanation, a menu, a dialog, the inspect panel,
    // the More menu, then the drawer.
    let onkeydown = {
        let act = act.clone();
        let theme = theme.clone();
        let (close_menu, close_inspect, close_term) = (close_menu.clone(), close_inspect.clone(), close_term.clone());
        let (menu_open, inspect_open, term_open) = (menu.is_some(), inspecting.is_some(), open_term.is_some());
        let (embed_snippet, share_link, more_open, confirm_new, prefs) =
            (embed_snippet.clone(), share_link.clone(), more_open.clone(), confirm_new.clone(), prefs.clone());
        let (import_open, gif_open) = (import_open.clone(), gif_open.clone());
        let (set_zoom, zoom, show_tab) = (set_zoom.clone(), *zoom, show_tab.clone());
        Callback::from(move |e: KeyboardEvent| {
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let typing =
                target.as_ref().is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if e.key() == "Escape" {
                if typing {
                    // Leaving a field (the console): focus goes back to the page, not a trap.
                    if let Some(h) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlElement>()) {
                        h.blur().ok();
                    }
                    return;
                }
                if term_open {
                    close_term.emit(());
                } else if menu_open {
                    close_menu.emit(());
                } else if *confirm_new {
                    confirm_new.set(false);
                } else if embed_snippet.is_some() {
                    embed_snippet.set(None);
                    focus("#more");
                } else if *import_open {
                    import_open.set(false);
                    focus("#more");
                } else if *gif_open {
                    gif_open.set(false);
                    focus("#more");
                } else if share_link.is_some() {
                    share_link.set(None);
                } else if *more_open {
                    more_open.set(false);
                    focus("#more");
                } else if inspect_open {
                    close_inspect.emit(());
                } else if prefs.drawer_open.unwrap_or(media_matches(WIDE_QUERY)) {
                    prefs.set(Prefs { drawer_open: Some(false), ..*prefs });
                }
                return;
            }
            let on_button = target
                .as_ref()
                .is_some_and(|el| el.tag_name() == "BUTTON" || el.get_attribute("role").as_deref() == Some("button"));
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            match e.key().as_str() {
                " " => {
                    if on_button {
                        return; // a focused button takes Space itself
                    }
                    e.prevent_default();
                    act(Box::new(|m| m.playing = !m.playing));
                }
                "." => act(Box::new(|m| m.step_narrated())),
                ">" => act(Box::new(|m| m.step())),
                "," => act(Box::new(|m| m.step_back())),
                "t" => theme.set(theme.next()),
                "?" => {
                    show_tab.emit(Tab::Help);
                    // Once the Help tab is drawn, its shortcuts list opens.
                    gloo_timers::callback::Timeout::new(0, || open_details("shortcuts")).forget();
                }
                "+" | "=" => set_zoom.emit(zoom * ZOOM_STEP),
                "-" | "_" => set_zoom.emit(zoom / ZOOM_STEP),
                "0" => set_zoom.emit(1.0),
                _ => {}
            }
        })
    };
    use_document_keys(onkeydown);

    let on_share = {
        let (model, share_link, more_open) = (model.clone(), share_link.clone(), more_open.clone());
        Callback::from(move |_: MouseEvent| {
            let text = model.borrow().share_text();
            share_link.set(Some(share_url(&text)));
            more_open.set(false);
        })
    };
    let on_embed = {
        let (model, embed_snippet, more_open) = (model.clone(), embed_snippet.clone(), more_open.clone());
        Callback::from(move |_: MouseEvent| {
            let m = model.borrow();
            let (base, text) = (embed::page_base(), m.share_text());
            embed_snippet.set(Some(
                [Theme::Auto, Theme::Light, Theme::Dark].map(|t| embed::iframe_snippet(&base, &text, m.speed, t)),
            ));
            more_open.set(false);
        })
    };
    let on_import = {
        let (import_open, more_open) = (import_open.clone(), more_open.clone());
        Callback::from(move |_: MouseEvent| {
            import_open.set(true);
            more_open.set(false);
        })
    };
    let notice_bar = if notices.is_empty() {
        Html::default()
    } else {
        let dismiss = {
            let notices = notices.clone();
            Callback::from(move |_: MouseEvent| notices.set(Vec::new()))
        };
        html! {
            <div class="notices" role="status">
                { for notices.iter().map(|n| html! { <p class="notice">{n.clone()}</p> }) }
                <button id="notice-close" onclick={dismiss} title="Dismiss">{"OK"}</button>
            </div>
        }
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(theme.next()))
    };

    // Pointing at the picture: the nearest message in flight gets a label; zoomed out, the thing
    // under the pointer shows its details in a card.
    let on_pointer = {
        let (model, view_cache, pointed, frame_ref, redraw, reduced) =
            (model.clone(), view_cache.clone(), pointed.clone(), frame_ref.clone(), redraw.clone(), *reduced_motion);
        Callback::from(move |e: PointerEvent| {
            let Some(frame) = frame_ref.cast::<web_sys::Element>() else { return };
            let r = frame.get_bounding_client_rect();
            let (fx, fy) = (e.client_x() as f64 - r.left(), e.client_y() as f64 - r.top());
            let cache = view_cache.borrow();
            let Some((lay, z)) = cache.drawn.as_ref() else { return };
            let ux = (fx + frame.scroll_left() as f64) / z;
            let uy = (fy + frame.scroll_top() as f64) / z;
            let message = cluster::message_near(&model.borrow(), lay, ux, uy, 12.0 / z.min(1.0), reduced);
            let card = if cluster::detail_level(*z) != "full" {
                e.target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("[aria-label]").ok().flatten())
                    .filter(|el| el.tag_name() != "svg")
                    .and_then(|el| el.get_attribute("aria-label"))
            } else {
                None
            };
            let next = Pointed { message, card, x: ux, y: uy };
            if *pointed.borrow() != next {
                *pointed.borrow_mut() = next;
                redraw.force_update();
            }
        })
    };
    let on_pointer_leave = {
        let (pointed, redraw) = (pointed.clone(), redraw.clone());
        Callback::from(move |_: PointerEvent| {
            if *pointed.borrow() != Pointed::default() {
                *pointed.borrow_mut() = Pointed::default();
                redraw.force_update();
            }
        })
    };
    // Ctrl + wheel (and a trackpad's pinch, which browsers send as one) zooms; the wheel alone pans.
    let on_wheel = {
        let (set_zoom, zoom) = (set_zoom.clone(), *zoom);
        Callback::from(move |e: WheelEvent| {
            if e.ctrl_key() || e.meta_key() {
                e.prevent_default();
                let factor = (-e.delta_y() / 300.0).exp().clamp(0.5, 2.0);
                set_zoom.emit(zoom * factor);
            }
        })
    };
    // Two fingers on a touch screen pinch-zoom the picture (one finger pans it by scrolling).
    let touches = use_mut_ref(std::collections::BTreeMap::<i32, (f64, f64)>::new);
    let pinch_start = use_mut_ref(|| None::<(f64, f64)>);
    let on_touch_down = {
        let (touches, pinch_start, zoom) = (touches.clone(), pinch_start.clone(), *zoom);
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() == "touch" {
                touches.borrow_mut().insert(e.pointer_id(), (e.client_x() as f64, e.client_y() as f64));
                let t = touches.borrow();
                if t.len() == 2 {
                    let v: Vec<&(f64, f64)> = t.values().collect();
                    *pinch_start.borrow_mut() = Some(((v[0].0 - v[1].0).hypot(v[0].1 - v[1].1), zoom));
                }
            }
        })
    };
    let on_touch_move = {
        let (touches, pinch_start, set_zoom, on_pointer) =
            (touches.clone(), pinch_start.clone(), set_zoom.clone(), on_pointer.clone());
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() == "touch" && touches.borrow().contains_key(&e.pointer_id()) {
                touches.borrow_mut().insert(e.pointer_id(), (e.client_x() as f64, e.client_y() as f64));
                let t = touches.borrow();
                if let (2, Some((d0, z0))) = (t.len(), *pinch_start.borrow()) {
                    let v: Vec<&(f64, f64)> = t.values().collect();
                    let d = (v[0].0 - v[1].0).hypot(v[0].1 - v[1].1);
                    if d0 > 10.0 {
                        set_zoom.emit(z0 * d / d0);
                    }
                }
                return;
            }
            on_pointer.emit(e);
        })
    };
    let on_touch_up = {
        let (touches, pinch_start) = (touches.clone(), pinch_start.clone());
        Callback::from(move |e: PointerEvent| {
            touches.borrow_mut().remove(&e.pointer_id());
            if touches.borrow().len() < 2 {
                *pinch_start.borrow_mut() = None;
            }
        })
    };

    let m = model.borrow();
    let narrow = narrow_mql.as_ref().as_ref().is_some_and(|q| q.matches());
    *narrow_drawn.borrow_mut() = narrow;
    let (fw, fh) = frame_size.get();
    let (fw, fh) = if fw > 0.0 {
        (fw, fh)
    } else {
        // Before the frame is measured: the window's size less the bars.
        let w = web_sys::window();
        let ww = w.as_ref().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).unwrap_or(1280.0);
        let wh = w.as_ref().and_then(|w| w.inner_height().ok()).and_then(|v| v.as_f64()).unwrap_or(720.0);
        (ww - if drawer_open && !narrow { 380.0 } else { 24.0 }, wh - 140.0)
    };
    let marks = tour::marks(&m);
    let pointed_now = pointed.borrow().clone();
    let opts = cluster::Options {
        reduced_motion: *reduced_motion,
        stacked: narrow && *zoom <= 1.0,
        frame_w: fw,
        frame_h: fh,
        zoom: *zoom,
        label_messages: prefs.label_messages && (m.effective_speed() <= 0.25 || !m.playing),
        pointed: pointed_now.message,
        card: pointed_now.card.clone().map(|c| (c, pointed_now.x, pointed_now.y)),
        marks,
    };
    let console_hash = cluster::fingerprint((
        m.console.len(),
        m.console.last().map(|c| (&c.input, &c.lines, c.error)),
        m.console.iter().filter(|c| c.dropped).count(),
    ));
    let a = &m.audit;
    let hide_counters = tour::hides_counters(&m);
    let counters_hash = cluster::fingerprint((
        (a.acked, a.failed, a.pending, a.lost.len(), a.duplicated.len(), hide_counters, a.removed, a.compacted),
        a.groups
            .iter()
            .map(|g| (&g.group, g.once, g.twice(), g.skipped.len(), g.pending, g.before_start, g.removed_unread))
            .collect::<Vec<_>>(),
    ));
    let narration_hash = cluster::fingerprint(m.session.sim.journal.len());
    let legend_hash = cluster::fingerprint((&m.hidden, prefs.label_messages));
    let picture = cluster::view(&m, &events, &opts, &view_cache);
    let zoom_now = view_cache.borrow().drawn.as_ref().map_or(1.0, |(_, z)| *z);
    let tools = panels::picture_tools(*zoom, zoom_now, *follow, &set_zoom, &{
        let follow = follow.clone();
        Callback::from(move |_| follow.set(!*follow))
    });

    if params.embed {
        // Minimal chrome for an iframe: time controls, the picture and the timeline.
        return html! {
            <div class="app embed">
                { notice_bar }
                { panels::topbar(&m, &handlers, None) }
                <main class="stage">
                    <div class="picture-area">
                        <div class="picture picture-frame" ref={frame_ref.clone()} onpointermove={on_pointer.clone()} onpointerleave={on_pointer_leave.clone()} onwheel={on_wheel.clone()}>
                            { picture }
                        </div>
                        { tools }
                    </div>
                </main>
                <footer class="bottombar">{ panels::timeline(&m, &handlers) }</footer>
            </div>
        };
    }

    let more = {
        let toggle_more = {
            let more_open = more_open.clone();
            Callback::from(move |_: MouseEvent| more_open.set(!*more_open))
        };
        let ask_new = {
            let (confirm_new, more_open) = (confirm_new.clone(), more_open.clone());
            Callback::from(move |_: MouseEvent| {
                confirm_new.set(true);
                more_open.set(false);
            })
        };
        html! {
            <div class="more">
                <button id="more" aria-haspopup="true" aria-expanded={more_open.to_string()} onclick={toggle_more} title="Share, embed, save, compare, new session, theme">{"More ▾"}</button>
                if *more_open {
                    <div class="more-menu" id="more-menu" role="group" aria-label="More" onclick={{
                        // A button in the menu does its thing and the menu closes (checkboxes keep it open).
                        let more_open = more_open.clone();
                        Callback::from(move |e: MouseEvent| {
                            let on_button = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| el.tag_name() == "BUTTON");
                            if on_button {
                                more_open.set(false);
                            }
                        })
                    }}>
                        <div class="more-row">
                            <button id="share" onclick={on_share} title="A link that reproduces this session exactly">{"Share link"}</button>
                            <button id="embed" onclick={on_embed} title="An iframe snippet that shows this session on another page">{"Embed"}</button>
                            <button id="import" onclick={on_import} title="Build this cluster from a real cluster's kafka-topics --describe output">{"Import"}</button>
                            <button id="new-session" onclick={ask_new} title="Start again with an empty cluster (or type cluster --brokers N in the console)">{"New session"}</button>
                        </div>
                        <div class="more-row">{ menus::add_bar(&m, &run_line) }
                            <button id="theme" onclick={on_theme.clone()} title="Colour theme: auto follows your system (t)" aria-label={format!("Theme: {} (press to change)", theme.name())}>
                                {format!("Theme: {}", theme.name())}
                            </button>
                            <label class="check"><input type="checkbox" id="slow-motion" checked={prefs.slow_motion} onchange={handlers.toggle_slow.reform(|_| ())} />{" slow motion at elections and rebalances"}</label>
                        </div>
                        <div class="more-row">{ crate::export::toolbar(model.clone(), {
                            let (gif_open, more_open) = (gif_open.clone(), more_open.clone());
                            Callback::from(move |_: MouseEvent| {
                                gif_open.set(true);
                                more_open.set(false);
                            })
                        }) }</div>
                        <div class="more-row">{ compare::menu(&act_cb) }</div>
                    </div>
                }
            </div>
        }
    };
    let confirm = if *confirm_new {
        let cancel = {
            let confirm_new = confirm_new.clone();
            Callback::from(move |_: MouseEvent| confirm_new.set(false))
        };
        let start = {
            let (act, confirm_new) = (act.clone(), confirm_new.clone());
            Callback::from(move |_: MouseEvent| {
                let seed = (js_sys::Date::now() as u64) % 1_000_000;
                act(Box::new(move |m| {
                    let brokers = m.session.sim.brokers.len().max(1) as u32;
                    m.new_session(seed, brokers);
                    m.console.push(crate::state::ConsoleEntry {
                        input: "(new session)".into(),
                        lines: vec![format!("Started a new session: {brokers} brokers, seed {seed}, no topics yet. `cluster --brokers N` starts one with N brokers.")],
                        ..Default::default()
                    });
                }));
                confirm_new.set(false);
            })
        };
        html! {
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-h" id="confirm-new">
                <h2 id="confirm-h">{"Start a new session?"}</h2>
                <p>{"An empty cluster with the same number of brokers; this session's timeline is dropped (Share link keeps a copy of it)."}</p>
                <div class="dialog-actions">
                    <button id="confirm-new-yes" onclick={start}>{"Start fresh"}</button>
                    <button id="confirm-new-no" onclick={cancel}>{"Cancel"}</button>
                </div>
            </div>
        }
    } else {
        Html::default()
    };

    let tab_panel = match tab {
        Tab::Tours => tour::panel(&m, &act_cb),
        Tab::Console => html! {
            <>
                { memo_panel(&panel_cache, "console", console_hash, || panels::console(&m, &handlers, &console_ref)) }
                { panels::produce_form(&m, &handlers, &key_ref, &value_ref) }
            </>
        },
        // Its props are read from the model only while it is shown.
        Tab::Configure => html! { <ConfigPanel ..props_for(&m, (*run_line).clone(), (*on_term).clone()) /> },
        Tab::Ledger => memo_panel(&panel_cache, "counters", counters_hash, || panels::counters(&m, hide_counters)),
        Tab::Events => memo_panel(&panel_cache, "narration", narration_hash, || panels::narration(&m, &on_term)),
        Tab::Inspect => html! {
            if inspecting.is_some() {
                { inspect::view(&m, *inspecting, &select_replica, &close_inspect, &on_term, &run_line) }
            } else {
                <p class="muted">{"Click a partition's name or a replica in the picture to inspect it."}</p>
            }
        },
        Tab::Help => html! {
            <>
                { memo_panel(&panel_cache, "legend", legend_hash, || panels::legend(&on_term)) }
                <cluster::Memo hash={1} content={static_panels.0.clone()} />
                <cluster::Memo hash={2} content={static_panels.1.clone()} />
            </>
        },
    };
    let marked_tab = tour::marks_ledger(&m).then_some(Tab::Ledger);
    let drawer_tabs = panels::drawer_tabs(tab, drawer_open, inspecting.is_some(), marked_tab, &set_tab);
    let stage = if comparing {
        html! { <main class="stage comparing" ref={frame_ref.clone()}>{ compare::view(&m, &act_cb, fw, fh) }</main> }
    } else {
        html! {
            <main class="stage" aria-label="The cluster">
                <div class="picture-area">
                    <div class={classes!("picture", "picture-frame", (*zoom > 1.0).then_some("zoomed"))} ref={frame_ref.clone()}
                         id="picture-frame" tabindex="0" aria-label="The cluster picture: arrow keys scroll it, + and − zoom"
                         onpointermove={on_touch_move} onpointerdown={on_touch_down} onpointerup={on_touch_up.clone()} onpointercancel={on_touch_up}
                         onpointerleave={on_pointer_leave} onwheel={on_wheel}>
                        { picture }
                    </div>
                    { tools }
                    { panels::slow_badge(&m) }
                    if !m.session.sim.live_topics().any(|(_, t)| !t.name.starts_with("__")) {
                        <p class="picture-hint" id="no-topics">
                            {"No topics yet: records need a topic to go to. Create one in Configure → Topic, or type "}
                            <code>{"kafka-topics --create --topic orders --partitions 3 --replication-factor 3"}</code>
                            {" in the console."}
                        </p>
                    }
                    { menus::view(&m, menu.as_ref(), &run_line, &close_menu) }
                </div>
                { memo_panel(&panel_cache, "legend-strip", legend_hash, || panels::legend_strip(&m, &handlers, prefs.label_messages)) }
            </main>
        }
    };
    html! {
        <div class={classes!("app", drawer_open.then_some("drawer-open"))} data-tab={tab.id()}>
            { notice_bar }
            { panels::topbar(&m, &handlers, Some(html! { <>{ drawer_tabs }{ more }</> })) }
            if let Some(link) = (*share_link).clone() {
                <div class="share-bar" onkeydown={crate::components::escape_closes(&{
                    let share_link = share_link.clone();
                    Callback::from(move |_| share_link.set(None))
                })}>
                    <label class="share-link">{"Copy this link: "}
                        <input id="share-link" type="text" readonly=true value={link} onfocus={Callback::from(|e: FocusEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            input.select();
                        })} />
                    </label>
                    <button id="share-close" onclick={{
                        let share_link = share_link.clone();
                        Callback::from(move |_: MouseEvent| share_link.set(None))
                    }}>{"Close"}</button>
                </div>
            }
            if let Some(snippets) = (*embed_snippet).clone() {
                <EmbedDialog {snippets} on_close={
                    let embed_snippet = embed_snippet.clone();
                    Callback::from(move |_| embed_snippet.set(None))
                } />
            }
            if *gif_open {
                <GifDialog model={model.clone()} redraw={
                    let redraw = redraw.clone();
                    Callback::from(move |_| redraw.force_update())
                } on_close={
                    let gif_open = gif_open.clone();
                    Callback::from(move |_| {
                        gif_open.set(false);
                        focus("#more");
                    })
                } />
            }
            if *import_open {
                <ImportDialog on_close={
                    let import_open = import_open.clone();
                    Callback::from(move |_| {
                        import_open.set(false);
                        focus("#more");
                    })
                } on_load={
                    let act = act.clone();
                    Callback::from(move |(script, done): (String, Callback<Result<(), String>>)| {
                        act(Box::new(move |m| done.emit(m.import_script(&script))))
                    })
                } />
            }
            <div class="workspace">
                { stage }
                <aside class={classes!("drawer", (!drawer_open).then_some("closed"))} id="drawer" aria-label="Panels" hidden={!drawer_open}>
                    <div class="drawer-head">
                        <h2 class="drawer-title">{ tab.label() }</h2>
                        <button id="drawer-close" onclick={{
                            let prefs = prefs.clone();
                            Callback::from(move |_: MouseEvent| prefs.set(Prefs { drawer_open: Some(false), ..*prefs }))
                        }} aria-label="Close the panel" title="Close (Esc)">{"✕"}</button>
                    </div>
                    <div class="drawer-body" id={format!("panel-{}", tab.id())} role="tabpanel">{ tab_panel }</div>
                </aside>
            </div>
            <footer class="bottombar">
                { panels::timeline(&m, &handlers) }
                { panels::ticker(&m, &on_term) }
            </footer>
            { glossary::popover(*open_term, &close_term) }
            { confirm }
        </div>
    }
}

//! The root component: owns the model, drives virtual time from requestAnimationFrame, and turns
//! clicks and keys into commands.

use crate::components::config::{props_for, ConfigPanel};
use crate::components::embed_dialog::EmbedDialog;
use crate::components::inspect::Inspect;
use crate::components::menus::Target;
use crate::components::{cluster, compare, glossary, inspect, menus, panels, tour};
use crate::embed::{self, Host, Request};
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
    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Whether the user asked the system for less motion.
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// A phone-sized screen: the picture is drawn in one column (`Layout::stacked`). Read every
/// frame, so turning the phone or resizing the window redraws the picture in the other layout.
const NARROW_QUERY: &str = "(max-width: 600px)";

fn narrow_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(NARROW_QUERY).ok().flatten()
}

/// Focuses the first element matching `selector`, if any (HTML or SVG).
fn focus(selector: &str) {
    focus_now(selector);
    // The action may have removed what focus goes back to (a removed consumer, a deleted topic's
    // label): once the page is redrawn, a keyboard user lands on the console, where the command
    // that removed it is shown, rather than on nothing.
    gloo_timers::callback::Timeout::new(0, || {
        let doc = web_sys::window().and_then(|w| w.document());
        let lost =
            doc.as_ref().is_some_and(|d| d.active_element().is_none_or(|a| d.body().is_some_and(|b| a == *b.as_ref())));
        if lost {
            focus_now("#console-input");
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

/// Toggles the `open` attribute of a <details> element.
fn toggle_details(id: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = el {
        if el.has_attribute("open") {
            el.remove_attribute("open").ok();
        } else {
            el.set_attribute("open", "").ok();
            if let Ok(Some(summary)) = el.query_selector("summary") {
                if let Some(h) = summary.dyn_ref::<web_sys::HtmlElement>() {
                    h.focus().ok();
                }
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
    let embed_snippet = use_state(|| None::<String>);
    let share_link = use_state(|| None::<String>);
    let redraw = use_force_update();
    let console_ref = use_node_ref();
    let key_ref = use_node_ref();
    let value_ref = use_node_ref();
    let menu = use_state(|| None::<Target>);
    let inspecting = use_state(|| None::<Inspect>);
    let open_term = use_state(|| None::<&'static str>);
    let theme = use_state(|| Theme::Auto);
    // Zoomed: the picture is drawn 3× wider and pans inside its frame (for small screens).
    let zoomed = use_state(|| false);
    let reduced_motion = use_memo((), |_| prefers_reduced_motion());
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
                redraw.force_update();
            } else if narrow_mql.as_ref().as_ref().is_some_and(|q| q.matches()) != *narrow_drawn.borrow() {
                redraw.force_update();
            }
            host.post_events(&m);
            host.remember(&m, ts, false);
        }));
    }

    // The postMessage API (only with `origin=`), the ready message, and the debug panic hook.
    {
        let (model, redraw, host) = (model.clone(), redraw.clone(), host.clone());
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
        on_partition: {
            let (inspecting, return_focus, model) = (inspecting.clone(), return_focus.clone(), model.clone());
            Callback::from(move |tp: Tp| {
                let topic = model.borrow().session.sim.topic(tp.topic).name.clone();
                *return_focus.borrow_mut() = Some(format!(
                    "svg#cluster g.row-label[data-topic=\"{topic}\"][data-partition=\"{}\"]",
                    tp.partition
                ));
                inspecting.set(Some(Inspect { tp, broker: None }));
            })
        },
        on_replica: {
            let inspecting = inspecting.clone();
            Callback::from(move |(tp, b): (Tp, BrokerId)| inspecting.set(Some(Inspect { tp, broker: Some(b) })))
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
        let (inspecting, return_focus) = (inspecting.clone(), return_focus.clone());
        Callback::from(move |_| {
            inspecting.set(None);
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
    let handlers = panels::Handlers {
        toggle_play: {
            let act = act.clone();
            Callback::from(move |_| act(Box::new(|m| m.playing = !m.playing)))
        },
        step: {
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
    };

    // Space plays/pauses and "." steps, unless the user is typing in a field.
    let onkeydown = {
        let act = act.clone();
        let theme = theme.clone();
        let (close_menu, close_inspect, close_term) = (close_menu.clone(), close_inspect.clone(), close_term.clone());
        let (menu_open, inspect_open, term_open) = (menu.is_some(), inspecting.is_some(), open_term.is_some());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                // The innermost open thing closes first.
                if term_open {
                    close_term.emit(());
                } else if menu_open {
                    close_menu.emit(());
                } else if inspect_open {
                    close_inspect.emit(());
                }
                return;
            }
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"));
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            match e.key().as_str() {
                " " => {
                    if e.target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| el.get_attribute("role").as_deref() == Some("button"))
                    {
                        return; // a focused broker takes Space itself
                    }
                    e.prevent_default();
                    act(Box::new(|m| m.playing = !m.playing));
                }
                "." => act(Box::new(|m| m.step())),
                "," => act(Box::new(|m| m.step_back())),
                "t" => theme.set(theme.next()),
                "?" => toggle_details("shortcuts"),
                _ => {}
            }
        })
    };

    let on_share = {
        let (model, share_link) = (model.clone(), share_link.clone());
        Callback::from(move |_: MouseEvent| {
            let text = model.borrow().share_text();
            share_link.set(Some(share_url(&text)));
        })
    };
    let on_embed = {
        let (model, embed_snippet) = (model.clone(), embed_snippet.clone());
        Callback::from(move |_: MouseEvent| {
            let m = model.borrow();
            embed_snippet.set(Some(embed::iframe_snippet(&embed::page_base(), &m.share_text(), m.speed)));
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
    let on_zoom = {
        let zoomed = zoomed.clone();
        Callback::from(move |_: MouseEvent| zoomed.set(!*zoomed))
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(theme.next()))
    };
    let m = model.borrow();
    let narrow = narrow_mql.as_ref().as_ref().is_some_and(|q| q.matches());
    *narrow_drawn.borrow_mut() = narrow;
    // Zoomed, a phone gets the wide picture (brokers as columns) to pan, three times its width.
    let opts = cluster::Options { reduced_motion: *reduced_motion, stacked: narrow && !*zoomed };
    let config_props = props_for(&m, (*run_line).clone(), (*on_term).clone());
    let console_hash = cluster::fingerprint((m.console.len(), m.console.last().map(|c| (&c.input, &c.lines, c.error))));
    let a = &m.audit;
    let counters_hash = cluster::fingerprint((
        (a.acked, a.failed, a.pending, a.lost.len(), a.duplicated.len()),
        a.groups
            .iter()
            .map(|g| (&g.group, g.once, g.more_than_once.len(), g.skipped.len(), g.pending))
            .collect::<Vec<_>>(),
    ));
    let narration_hash = cluster::fingerprint(m.session.sim.journal.len());
    let legend_hash = cluster::fingerprint(&m.hidden);
    if params.embed {
        // Minimal chrome for an iframe: time controls, the picture and the timeline.
        return html! {
            <div class="app embed" {onkeydown}>
                { notice_bar }
                { panels::topbar(&m, &handlers) }
                <main class="stage">
                    <div class="main-col">
                        <div class="picture">{ cluster::view(&m, &events, opts, &view_cache) }</div>
                        { panels::timeline(&m, &handlers) }
                    </div>
                </main>
            </div>
        };
    }
    html! {
        <div class="app" {onkeydown}>
            { notice_bar }
            { panels::topbar(&m, &handlers) }
            <div class="share-bar">
                <button id="share" onclick={on_share} title="A link that reproduces this session exactly">{"Share link"}</button>
                <button id="embed" onclick={on_embed} title="An iframe snippet that shows this session on another page">{"Embed"}</button>
                { menus::add_bar(&m, &run_line) }
                <button id="zoom" onclick={on_zoom} aria-pressed={zoomed.to_string()}
                        title="Fit the picture to the width (on a phone: one column, brokers stacked), or draw the wide picture three times larger and pan it inside its frame">
                    { if *zoomed { "Picture: zoomed" } else { "Picture: fit" } }
                </button>
                <button id="theme" onclick={on_theme} title="Colour theme: auto follows your system (t)" aria-label={format!("Theme: {} (press to change)", theme.name())}>
                    {format!("Theme: {}", theme.name())}
                </button>
                if let Some(link) = (*share_link).clone() {
                    <label class="share-link">{"Copy this link: "}
                        <input id="share-link" type="text" readonly=true value={link} onfocus={Callback::from(|e: FocusEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            input.select();
                        })} />
                    </label>
                }
                { crate::export::toolbar(model.clone()) }
                { compare::menu(&act_cb) }
            </div>
            if let Some(snippet) = (*embed_snippet).clone() {
                <EmbedDialog {snippet} on_close={
                    let embed_snippet = embed_snippet.clone();
                    Callback::from(move |_| embed_snippet.set(None))
                } />
            }
            if m.compare.is_some() {
                // Compare takes the whole stage: two sessions of its own, not the page's.
                <main class="stage comparing">{ compare::view(&m, &act_cb) }</main>
            } else {
            <main class="stage">
                <div class="main-col">
                    <div class={classes!("picture", zoomed.then_some("zoomed"))}>{ cluster::view(&m, &events, opts, &view_cache) }</div>
                    if !m.session.sim.live_topics().any(|(_, t)| !t.name.starts_with("__")) {
                        <p class="picture-hint" id="no-topics">
                            {"No topics yet: records need a topic to go to. Create one with Configure → Topic below, or type "}
                            <code>{"kafka-topics --create --topic orders --partitions 3 --replication-factor 3"}</code>
                            {" in the console."}
                        </p>
                    }
                    { menus::view(&m, menu.as_ref(), &run_line, &close_menu) }
                    { panels::timeline(&m, &handlers) }
                    { memo_panel(&panel_cache, "console", console_hash, || panels::console(&m, &handlers, &console_ref)) }
                    <ConfigPanel ..config_props />
                </div>
                <aside class="side">
                    { tour::panel(&m, &act_cb) }
                    { inspect::view(&m, *inspecting, &select_replica, &close_inspect, &on_term, &run_line) }
                    { memo_panel(&panel_cache, "counters", counters_hash, || panels::counters(&m)) }
                    { panels::produce_form(&m, &handlers, &key_ref, &value_ref) }
                    { memo_panel(&panel_cache, "narration", narration_hash, || panels::narration(&m, &on_term)) }
                    { memo_panel(&panel_cache, "legend", legend_hash, || panels::legend(&m, &handlers, &on_term)) }
                    <cluster::Memo hash={1} content={static_panels.0.clone()} />
                    <cluster::Memo hash={2} content={static_panels.1.clone()} />
                </aside>
            </main>
            }
            { glossary::popover(*open_term, &close_term) }
            <footer class="note">
                {"A model, not a cluster: the KRaft controller never fails here, records are counted rather than serialized, and every append reaches disk. Type "}
                <code>{"help"}</code>{" in the console for the full list of simplifications."}
            </footer>
        </div>
    }
}

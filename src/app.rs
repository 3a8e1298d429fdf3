//! The root component: owns the model, drives virtual time from requestAnimationFrame, and turns
//! clicks and keys into commands.

use crate::components::{cluster, embed_dialog::EmbedDialog, panels};
use crate::embed::{self, Host, Request};
use crate::state::{speed_from_slider, Model};
use kafkascope_sim::broker::BrokerStatus;
use kafkascope_sim::model::BrokerId;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `frame(timestamp_ms)` on every animation frame while the component is mounted.
#[hook]
fn use_animation_frame(frame: Rc<dyn Fn(f64)>) {
    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a browser window");
        let id = Rc::new(Cell::new(0));
        let slot: Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>> = Rc::new(RefCell::new(None));
        let (slot2, id2, window2) = (slot.clone(), id.clone(), window.clone());
        *slot.borrow_mut() = Some(Closure::wrap(Box::new(move |ts: f64| {
            frame(ts);
            if let Some(cb) = slot2.borrow().as_ref() {
                if let Ok(next) = window2.request_animation_frame(cb.as_ref().unchecked_ref()) {
                    id2.set(next);
                }
            }
        }) as Box<dyn FnMut(f64)>));
        if let Some(cb) = slot.borrow().as_ref() {
            if let Ok(first) = window.request_animation_frame(cb.as_ref().unchecked_ref()) {
                id.set(first);
            }
        }
        move || {
            window.cancel_animation_frame(id.get()).ok();
            slot.borrow_mut().take();
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

    {
        let model = model.clone();
        let redraw = redraw.clone();
        let host = host.clone();
        let last = Cell::new(None::<f64>);
        use_animation_frame(Rc::new(move |ts| {
            let dt = last.get().map_or(0.0, |prev| ts - prev);
            last.set(Some(ts));
            let mut m = model.borrow_mut();
            if m.playing {
                m.tick(dt);
                redraw.force_update();
            }
            host.post_events(&m);
            host.remember(&m, ts, false);
        }));
    }

    // The postMessage API (only with `origin=`), the ready message, and the debug panic hook.
    {
        let (model, redraw, host) = (model.clone(), redraw.clone(), host.clone());
        let debug_panic = params.debug_panic;
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

    let on_broker = {
        let (act, model) = (act.clone(), model.clone());
        Callback::from(move |b: BrokerId| {
            let dead = model
                .borrow()
                .session
                .sim
                .brokers
                .get(&b)
                .is_some_and(|br| matches!(br.status, BrokerStatus::Dead | BrokerStatus::Stopped));
            let cmd = if dead { format!("broker start {b}") } else { format!("broker kill {b}") };
            act(Box::new(move |m| m.run(&cmd)));
        })
    };
    let on_consumer = {
        let (act, model) = (act.clone(), model.clone());
        Callback::from(move |ci: u32| {
            use kafkascope_sim::consumer::ConsumerStatus;
            let m = model.borrow();
            let Some(c) = m.session.sim.consumers.get(ci as usize) else { return };
            let cmd = if matches!(c.status, ConsumerStatus::Dead | ConsumerStatus::Stopped) {
                // Restart with the same settings: the console shows the full command.
                let mut line = format!(
                    "consumer start {} --group {} --topic {}",
                    c.client_id,
                    c.group_name,
                    c.topics.iter().map(|t| m.session.sim.topic(*t).name.clone()).collect::<Vec<_>>().join(",")
                );
                if c.config.processing_ms > 0 {
                    line.push_str(&format!(" --processing {}ms", c.config.processing_ms));
                }
                line
            } else {
                format!("consumer kill {}", c.client_id)
            };
            drop(m);
            act(Box::new(move |m| m.run(&cmd)));
        })
    };
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
        Callback::from(move |e: KeyboardEvent| {
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
    let m = model.borrow();
    if params.embed {
        // Minimal chrome for an iframe: time controls, the picture and the timeline.
        return html! {
            <div class="app embed" {onkeydown}>
                { notice_bar }
                { panels::topbar(&m, &handlers) }
                <main class="stage">
                    <div class="main-col">
                        <div class="picture">{ cluster::view(&m, on_broker, on_consumer) }</div>
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
                if let Some(link) = (*share_link).clone() {
                    <label class="share-link">{"Copy this link: "}
                        <input id="share-link" type="text" readonly=true value={link} onfocus={Callback::from(|e: FocusEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            input.select();
                        })} />
                    </label>
                }
            </div>
            if let Some(snippet) = (*embed_snippet).clone() {
                <EmbedDialog {snippet} on_close={
                    let embed_snippet = embed_snippet.clone();
                    Callback::from(move |_| embed_snippet.set(None))
                } />
            }
            <main class="stage">
                <div class="main-col">
                    <div class="picture">{ cluster::view(&m, on_broker, on_consumer) }</div>
                    { panels::timeline(&m, &handlers) }
                    { panels::console(&m, &handlers, &console_ref) }
                </div>
                <aside class="side">
                    { panels::counters(&m) }
                    { panels::produce_form(&m, &handlers, &key_ref, &value_ref) }
                    { panels::narration(&m) }
                    { panels::legend(&m, &handlers) }
                </aside>
            </main>
            <footer class="note">
                {"A model, not a cluster: the KRaft controller never fails here, records are counted rather than serialized, and every append reaches disk. Type "}
                <code>{"help"}</code>{" in the console for the full list of simplifications."}
            </footer>
        </div>
    }
}

//! The root component: owns the model, drives virtual time from requestAnimationFrame, and turns
//! clicks and keys into commands.

use crate::components::{cluster, compare, panels, tour};
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
    let model = use_mut_ref(|| Model::from_share(share_param().as_deref()));
    let share_link = use_state(|| None::<String>);
    let redraw = use_force_update();
    let console_ref = use_node_ref();
    let key_ref = use_node_ref();
    let value_ref = use_node_ref();

    {
        let model = model.clone();
        let redraw = redraw.clone();
        let last = Cell::new(None::<f64>);
        use_animation_frame(Rc::new(move |ts| {
            let dt = last.get().map_or(0.0, |prev| ts - prev);
            last.set(Some(ts));
            let mut m = model.borrow_mut();
            if m.playing {
                m.tick(dt);
                drop(m);
                redraw.force_update();
            }
        }));
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
            let act = act.clone();
            Callback::from(move |t: f64| act(Box::new(move |m| m.seek(t.max(0.0) as u64))))
        },
        back: {
            let act = act.clone();
            Callback::from(move |_| act(Box::new(|m| m.step_back())))
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
    let m = model.borrow();
    html! {
        <div class="app" {onkeydown}>
            { panels::topbar(&m, &handlers) }
            <div class="share-bar">
                <button id="share" onclick={on_share} title="A link that reproduces this session exactly">{"Share link"}</button>
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
            if m.compare.is_some() {
                // Compare takes the whole stage: two sessions of its own, not the page's.
                <main class="stage comparing">{ compare::view(&m, &act_cb) }</main>
            } else {
            <main class="stage">
                <div class="main-col">
                    <div class="picture">{ cluster::view(&m, on_broker, on_consumer) }</div>
                    { panels::timeline(&m, &handlers) }
                    { panels::console(&m, &handlers, &console_ref) }
                </div>
                <aside class="side">
                    { tour::panel(&m, &act_cb) }
                    { panels::counters(&m) }
                    { panels::produce_form(&m, &handlers, &key_ref, &value_ref) }
                    { panels::narration(&m) }
                    { panels::legend(&m, &handlers) }
                </aside>
            </main>
            }
            <footer class="note">
                {"A model, not a cluster: the KRaft controller never fails here, records are counted rather than serialized, and every append reaches disk. Type "}
                <code>{"help"}</code>{" in the console for the full list of simplifications."}
            </footer>
        </div>
    }
}

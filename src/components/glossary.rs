//! Term links and their explanations: a term is a small button (keyboard focusable) that opens a
//! popover with the glossary entry; the glossary panel lists every term; narration text gets its
//! terms linked. The data is `crate::glossary`.

use crate::glossary::{find, link_terms, TERMS};
use yew::prelude::*;

/// A term link: `label` shown, `id` the glossary entry it opens.
pub fn term(id: &'static str, label: &'static str, on_term: &Callback<&'static str>) -> Html {
    let onclick = on_term.reform(move |_: MouseEvent| id);
    html! {
        <button type="button" class="term" data-term={id} aria-haspopup="dialog" {onclick}
                title={find(id).map(|t| t.text)}>{label}</button>
    }
}

/// Running text with its Kafka terms linked.
pub fn linked_text(text: &str, on_term: &Callback<&'static str>) -> Html {
    html! {
        { for link_terms(text).into_iter().map(|(run, id)| match id {
            Some(id) => {
                let onclick = on_term.reform(move |_: MouseEvent| id);
                html! { <button type="button" class="term" data-term={id} aria-haspopup="dialog" {onclick}>{run.to_string()}</button> }
            }
            None => html! { {run.to_string()} },
        }) }
    }
}

/// The explanation of the open term, as a sheet; Escape or the button closes it.
pub fn popover(open: Option<&'static str>, close: &Callback<()>) -> Html {
    let Some(t) = open.and_then(find) else { return Html::default() };
    let onkeydown = crate::components::escape_closes(close);
    html! {
        <div class="term-pop" id="term-pop" role="dialog" aria-labelledby="term-pop-h" {onkeydown}>
            <h2 id="term-pop-h">{t.term}</h2>
            <p>{t.text}</p>
            <button type="button" id="term-pop-close" onclick={close.reform(|_: MouseEvent| ())}>{"Close (Esc)"}</button>
        </div>
    }
}

/// Every term, collapsed by default.
pub fn panel() -> Html {
    html! {
        <details class="panel glossary" id="glossary">
            <summary><h2>{"Glossary"}</h2><span class="hint">{" every Kafka term on this page"}</span></summary>
            <dl>
                { for TERMS.iter().map(|t| html! {
                    <div data-term={t.id}><dt>{t.term}</dt><dd>{t.text}</dd></div>
                }) }
            </dl>
        </details>
    }
}

/// Keyboard shortcuts, listed where they can be seen.
pub fn shortcuts() -> Html {
    const KEYS: &[(&str, &str)] = &[
        ("Space", "play / pause"),
        (".", "step to the next event"),
        (",", "step back one event"),
        ("Tab", "move between brokers, partitions, consumers and controls"),
        ("Enter", "open the menu of the focused broker, consumer, producer or group; inspect a partition"),
        ("Esc", "close a menu, the inspect panel or an explanation"),
        ("t", "switch theme (auto / light / dark)"),
        ("?", "show or hide this list"),
    ];
    html! {
        <details class="panel shortcuts" id="shortcuts">
            <summary><h2>{"Keyboard shortcuts"}</h2></summary>
            <dl>
                { for KEYS.iter().map(|(k, what)| html! { <div><dt><kbd>{*k}</kbd></dt><dd>{*what}</dd></div> }) }
            </dl>
        </details>
    }
}

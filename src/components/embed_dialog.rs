//! The "Embed" dialog: the iframe snippet for the current session, with a Copy button that falls
//! back to "select and copy" where the clipboard is refused (sandboxed iframes, insecure pages),
//! and the colours the embed takes (the reader's system, light or dark; a host with its own theme
//! switch can also send `kafkascope:theme`).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The snippet with `theme` auto, light and dark.
    pub snippets: [String; 3],
    pub on_close: Callback<()>,
}

#[component]
pub fn EmbedDialog(props: &Props) -> Html {
    let status = use_state(String::new);
    let theme = use_state(|| 0_usize);
    let snippet = props.snippets[*theme].clone();
    let area = use_node_ref();
    let on_theme = {
        let (theme, status) = (theme.clone(), status.clone());
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            theme.set(sel.selected_index().clamp(0, 2) as usize);
            status.set(String::new());
        })
    };
    let on_copy = {
        let (status, area, text) = (status.clone(), area.clone(), snippet.clone());
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let area = area.clone();
            crate::embed::copy_to_clipboard(&text, move |ok| {
                if ok {
                    status.set("Copied.".into());
                } else {
                    if let Some(a) = area.cast::<web_sys::HtmlTextAreaElement>() {
                        a.select();
                    }
                    status.set(
                        "This page may not use the clipboard: the snippet is selected, press Ctrl+C (⌘C) to copy it."
                            .into(),
                    );
                }
            });
        })
    };
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    // Escape closes it, from the snippet too (the page's own Escape only leaves text fields).
    let onkeydown = crate::components::escape_closes(&props.on_close);
    html! {
        <section class="panel embed-dialog" role="dialog" aria-labelledby="embed-h" {onkeydown}>
            <h2 id="embed-h">{"Embed this session"}</h2>
            <p class="hint">{"Paste this into any page: the iframe replays this session exactly. Parameters and the postMessage API: docs/embedding.md."}</p>
            <label class="check">{"Colours: "}
                <select id="embed-theme" onchange={on_theme}>
                    <option value="auto" selected={*theme == 0}>{"the reader's system (light or dark)"}</option>
                    <option value="light" selected={*theme == 1}>{"light"}</option>
                    <option value="dark" selected={*theme == 2}>{"dark"}</option>
                </select>
            </label>
            <textarea id="embed-snippet" ref={area} readonly=true rows="4" value={snippet}
                onfocus={Callback::from(|e: FocusEvent| {
                    let a: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
                    a.select();
                })} />
            <div class="embed-actions">
                <button id="embed-copy" onclick={on_copy}>{"Copy"}</button>
                <button id="embed-close" onclick={on_close}>{"Close"}</button>
                <span id="embed-copy-status" role="status">{(*status).clone()}</span>
            </div>
        </section>
    }
}

//! The "Import" dialog: paste a real cluster's `kafka-topics --describe` output and the session
//! becomes a cluster with the same topics (`kafkascope_sim::session::import`, the same code as
//! `kafkascope import`). What the model cannot reproduce is listed, and the script it ran is shown
//! so it can be copied into a scenario file.

use kafkascope_sim::session::import::{import, Imported};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Runs an imported script as the new session; `Err` says why it could not.
    pub on_load: Callback<(String, Callback<Result<(), String>>)>,
    pub on_close: Callback<()>,
}

#[derive(Clone, PartialEq)]
enum Outcome {
    None,
    Refused(String),
    Loaded(Imported),
}

#[component]
pub fn ImportDialog(props: &Props) -> Html {
    let text = use_node_ref();
    let outcome = use_state(|| Outcome::None);
    let on_import = {
        let (text, outcome, on_load) = (text.clone(), outcome.clone(), props.on_load.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(area) = text.cast::<web_sys::HtmlTextAreaElement>() else { return };
            match import(&area.value()) {
                Err(e) => outcome.set(Outcome::Refused(e)),
                Ok(imported) => {
                    let outcome = outcome.clone();
                    let script = imported.script.clone();
                    on_load.emit((
                        script,
                        Callback::from(move |r: Result<(), String>| match r {
                            Ok(()) => outcome.set(Outcome::Loaded(imported.clone())),
                            Err(e) => outcome.set(Outcome::Refused(e)),
                        }),
                    ));
                }
            }
        })
    };
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let onkeydown = crate::components::escape_closes(&props.on_close);
    let result = match &*outcome {
        Outcome::None => Html::default(),
        Outcome::Refused(e) => html! { <p class="import-error">{ format!("Not imported: {e}") }</p> },
        Outcome::Loaded(i) => {
            let topics = i.script.lines().filter(|l| l.starts_with("kafka-topics --create")).count();
            let brokers =
                i.script.lines().find_map(|l| l.strip_prefix("cluster --brokers ")).unwrap_or("?").to_string();
            html! {
                <>
                    <p>{ format!(
                        "Imported {topics} topic{} on {brokers} broker{}: the picture shows them now. Share link keeps this session.",
                        if topics == 1 { "" } else { "s" },
                        if brokers == "1" { "" } else { "s" },
                    ) }</p>
                    if i.notes.is_empty() {
                        <p>{"Everything in the output is reproduced."}</p>
                    } else {
                        <p>{"Not reproduced:"}</p>
                        <ul class="import-notes">{ for i.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                    }
                    <label class="import-script-label">{"The script it ran (save it as a .ks file for "}<code>{"kafkascope run"}</code>{"):"}
                        <textarea id="import-script" readonly=true rows="5" value={i.script.clone()} />
                    </label>
                </>
            }
        }
    };
    html! {
        <section class="panel embed-dialog import-dialog" role="dialog" aria-labelledby="import-h" {onkeydown}>
            <h2 id="import-h">{"Import a real cluster's topics"}</h2>
            <p class="hint">
                {"Paste the output of "}<code>{"kafka-topics --bootstrap-server … --describe"}</code>
                {" (Kafka 2.8 to 4.x, tabs or spaces), and below it, if you like, "}<code>{"kafka-consumer-groups --describe --group G"}</code>
                {" for each group. Topics, partitions, replica assignments, configs, records up to each log end offset and committed offsets become this session's cluster; the current session is replaced."}
            </p>
            <textarea id="import-text" ref={text} rows="6" spellcheck="false" aria-label="kafka-topics --describe output"
                placeholder={"Topic: orders\tTopicId: …\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2\n\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\t…"} />
            <div class="embed-actions">
                <button id="import-go" onclick={on_import}>{"Import"}</button>
                <button id="import-close" onclick={on_close}>{"Close"}</button>
            </div>
            <div id="import-result" role="status">{ result }</div>
        </section>
    }
}

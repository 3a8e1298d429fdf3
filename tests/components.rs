//! Yew component tests, run in headless Chromium by wasm-bindgen-test (scripts/test.sh, step
//! `wasm`). They mount the real App and act on it as a user would.
#![cfg(target_arch = "wasm32")]

use kafkascope::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, MouseEvent, MouseEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

fn click(el: &Element) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    let ev = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// Shows the console in the drawer (the drawer opens on the tab clicked, unless it is on show).
async fn show_console(root: &Element) {
    if root.query_selector("#console-input").unwrap().is_none() {
        click(&root.query_selector("#drawer-tab-console").unwrap().expect("the console's tab"));
        yew::scheduler::flush().await;
    }
}

fn attr(root: &Element, selector: &str, name: &str) -> Option<String> {
    root.query_selector(selector).unwrap()?.get_attribute(name)
}

#[wasm_bindgen_test]
async fn draws_the_default_cluster() {
    let root = mount();
    yew::scheduler::flush().await;
    let brokers = root.query_selector_all("svg#cluster g.broker").unwrap();
    assert_eq!(brokers.length(), 3, "three brokers");
    let replicas = root.query_selector_all("g.replica[data-topic=\"orders\"]").unwrap();
    assert_eq!(replicas.length(), 9, "orders: 3 partitions x replication factor 3");
    let leaders = root.query_selector_all("g.replica[data-topic=\"orders\"][data-role=\"leader\"]").unwrap();
    assert_eq!(leaders.length(), 3, "one leader per partition");
    assert_eq!(attr(&root, "#play", "aria-pressed").as_deref(), Some("true"), "the app starts playing");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_brokers_menu_kills_and_restarts_it_and_logs_the_command() {
    let root = mount();
    yew::scheduler::flush().await;
    let b2 = root.query_selector("g.broker[data-broker=\"2\"]").unwrap().expect("broker 2 drawn");
    click(&b2);
    yew::scheduler::flush().await;
    assert_eq!(
        attr(&root, "g.broker[data-broker=\"2\"]", "data-state").as_deref(),
        Some("alive"),
        "a click only opens the menu"
    );
    let kill = root.query_selector(".action-menu button[data-action=\"kill\"]").unwrap().expect("the menu offers kill");
    click(&kill);
    yew::scheduler::flush().await;
    assert_eq!(attr(&root, "g.broker[data-broker=\"2\"]", "data-state").as_deref(), Some("dead"));
    assert!(root.query_selector(".action-menu").unwrap().is_none(), "the menu closes after acting");
    show_console(&root).await;
    let log = root.query_selector(".console-log").unwrap().unwrap().text_content().unwrap_or_default();
    assert!(log.contains("> broker kill 2"), "the menu action shows as its command: {log}");
    // The dead broker's menu restarts it.
    click(&root.query_selector("g.broker[data-broker=\"2\"]").unwrap().unwrap());
    yew::scheduler::flush().await;
    let restart =
        root.query_selector(".action-menu button[data-action=\"restart\"]").unwrap().expect("the menu offers restart");
    click(&restart);
    yew::scheduler::flush().await;
    assert_ne!(attr(&root, "g.broker[data-broker=\"2\"]", "data-state").as_deref(), Some("dead"));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_partition_label_opens_the_inspect_panel() {
    let root = mount();
    yew::scheduler::flush().await;
    let label =
        root.query_selector("g.row-label[data-topic=\"orders\"][data-partition=\"1\"]").unwrap().expect("label drawn");
    click(&label);
    yew::scheduler::flush().await;
    let panel = root.query_selector("#inspect").unwrap().expect("the inspect panel opens");
    let text = panel.text_content().unwrap_or_default();
    assert!(text.contains("Partition orders-1") && text.contains("leader-epoch cache"), "{text}");
    assert_eq!(panel.query_selector_all("table.replicas tbody tr").unwrap().length(), 3);
    click(&root.query_selector("#inspect-close").unwrap().unwrap());
    yew::scheduler::flush().await;
    assert!(root.query_selector("#inspect").unwrap().is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn console_rejects_a_bad_command_with_a_message() {
    let root = mount();
    yew::scheduler::flush().await;
    run_line(&root, "kafka-topics --create --topic orders --partitons 3").await;
    let err = root.query_selector(".console .entry.error").unwrap().expect("an error entry");
    let text = err.text_content().unwrap_or_default();
    assert!(text.contains("did you mean `--partitions`"), "{text}");
    assert_eq!(root.query_selector_all("svg#cluster g.broker").unwrap().length(), 3, "the page still works");
    root.remove();
}

/// Runs one console line as a user would (type it, submit the form).
async fn run_line(root: &Element, line: &str) {
    show_console(root).await;
    let input: web_sys::HtmlInputElement = root.query_selector("#console-input").unwrap().unwrap().dyn_into().unwrap();
    input.set_value(line);
    let form = root.query_selector(".console form").unwrap().unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    form.dispatch_event(&web_sys::Event::new_with_event_init_dict("submit", &init).unwrap()).unwrap();
    yew::scheduler::flush().await;
}

/// A compacted topic with small segments: the picture draws its segments (the active one marked),
/// the gap the log cleaner left with what it removed, and the inspect panel lists the segments.
#[wasm_bindgen_test]
async fn a_compacted_log_shows_its_segments_and_the_cleaners_gaps() {
    let root = mount();
    yew::scheduler::flush().await;
    if attr(&root, "#play", "aria-pressed").as_deref() == Some("true") {
        click(&root.query_selector("#play").unwrap().unwrap());
        yew::scheduler::flush().await;
    }
    for line in [
        "kafka-topics --create --topic prices --partitions 1 --replication-factor 3 --config cleanup.policy=compact --config segment.ms=10000 --config min.cleanable.dirty.ratio=0.01",
        "produce --topic prices --key kiwi --value 1",
        "produce --topic prices --key apple --value 2",
        "produce --topic prices --key apple --value 3",
        "advance 11s",
        "produce --topic prices --key apple --value 4",
        "advance 20s",
    ] {
        run_line(&root, line).await;
    }
    let leader = "svg#cluster g.replica[data-topic=\"prices\"][data-role=\"leader\"]";
    let bases: Vec<(String, bool)> = {
        let bars = root.query_selector_all(&format!("{leader} rect.seg-bar")).unwrap();
        (0..bars.length())
            .map(|i| bars.item(i).unwrap().dyn_into::<Element>().unwrap())
            .map(|e| (e.get_attribute("data-base").unwrap_or_default(), e.class_list().contains("active")))
            .collect()
    };
    assert_eq!(bases, vec![("0".to_string(), false), ("3".to_string(), true)], "two segments, the second active");
    let gap = root
        .query_selector(&format!("{leader} g.slot.cleaned[data-offset=\"1\"] > title"))
        .unwrap()
        .expect("apple@1 cleaned: a gap");
    assert_eq!(
        gap.text_content().unwrap_or_default(),
        "offset 1: removed by compaction; key apple's latest value is at offset 3"
    );
    assert!(root.query_selector(&format!("{leader} g.slot.superseded[data-offset=\"2\"]")).unwrap().is_some());
    click(&root.query_selector("g.row-label[data-topic=\"prices\"]").unwrap().expect("label drawn"));
    yew::scheduler::flush().await;
    let rows = root.query_selector_all("#inspect table.segments tbody tr").unwrap();
    assert_eq!(rows.length(), 2);
    let first = rows.item(0).unwrap().text_content().unwrap_or_default();
    assert!(first.starts_with("00000000000000000000.log") && first.contains("closed, cleaned"), "{first}");
    root.remove();
}

/// The legend strip names every kind of message differently (heartbeats and fetches of brokers
/// and of consumers were both "heartbeat" and "fetch").
#[wasm_bindgen_test]
fn the_legend_names_each_message_kind_once() {
    let names: Vec<&str> = kafkascope_sim::cluster::net::MessageKind::ALL
        .iter()
        .map(|&k| kafkascope::components::cluster::kind_legend(k))
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

/// The controller strip draws the KRaft quorum: one cell per controller, the active one marked;
/// its menu kills it and shows its copy of the metadata log; the picture follows the election.
#[wasm_bindgen_test]
async fn the_quorum_strip_shows_the_controllers_and_a_kill_from_its_menu() {
    let root = mount();
    yew::scheduler::flush().await;
    assert_eq!(root.query_selector_all("svg#cluster g.quorum-node").unwrap().length(), 3, "three controllers");
    let active = root.query_selector_all("svg#cluster g.quorum-node.active").unwrap();
    assert_eq!(active.length(), 1, "one active controller");
    assert_eq!(attr(&root, "g.quorum-node.active", "data-controller").as_deref(), Some("100"));
    click(&root.query_selector("g.quorum-node[data-controller=\"100\"]").unwrap().unwrap());
    yew::scheduler::flush().await;
    let menu = root.query_selector(".action-menu").unwrap().expect("the controller's menu opens");
    let text = menu.text_content().unwrap_or_default();
    assert!(text.contains("Controller 100 · leader") && text.contains("RegisterBrokerRecord"), "{text}");
    click(&root.query_selector(".action-menu button[data-action=\"kill\"]").unwrap().expect("kill offered"));
    yew::scheduler::flush().await;
    let cls = attr(&root, "g.quorum-node[data-controller=\"100\"]", "class").unwrap_or_default();
    assert!(cls.contains("dead"), "{cls}");
    assert_eq!(root.query_selector_all("svg#cluster g.quorum-node.active").unwrap().length(), 0, "no leader yet");
    root.remove();
    // The app saved this session (a dead controller); the next test must start fresh.
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
}

/// Racks: the picture orders the brokers by rack and outlines each rack; a broker's menu fails
/// its whole rack at once.
#[wasm_bindgen_test]
async fn brokers_stand_by_rack_and_a_broker_menu_kills_its_rack() {
    let root = mount();
    yew::scheduler::flush().await;
    run_line(&root, "cluster --brokers 4 --racks a,b").await;
    let order: Vec<String> = (0..4)
        .map(|i| {
            root.query_selector_all("svg#cluster g.broker")
                .unwrap()
                .get(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute("data-broker")
                .unwrap()
        })
        .collect();
    assert_eq!(order, ["1", "3", "2", "4"], "rack a (1, 3) then rack b (2, 4)");
    let outlines = root.query_selector_all("svg.cluster rect.rack").unwrap();
    assert_eq!(outlines.length(), 2, "one outline per rack");
    let title = root.query_selector("g.broker[data-broker=\"3\"] text.title").unwrap().unwrap().text_content().unwrap();
    assert!(title.ends_with("· a") || title.contains("rack a"), "the title names the rack: {title}");
    let label = attr(&root, "g.broker[data-broker=\"3\"]", "aria-label").unwrap_or_default();
    assert!(label.starts_with("Broker 3 on rack a,"), "{label}");
    click(&root.query_selector("g.broker[data-broker=\"1\"]").unwrap().unwrap());
    yew::scheduler::flush().await;
    click(&root.query_selector(".action-menu button[data-action=\"kill-rack\"]").unwrap().expect("kill rack offered"));
    yew::scheduler::flush().await;
    for b in ["1", "3"] {
        assert_eq!(
            attr(&root, &format!("g.broker[data-broker=\"{b}\"]"), "data-state").as_deref(),
            Some("dead"),
            "broker {b}"
        );
    }
    assert_ne!(attr(&root, "g.broker[data-broker=\"2\"]", "data-state").as_deref(), Some("dead"), "rack b runs on");
    root.remove();
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
}

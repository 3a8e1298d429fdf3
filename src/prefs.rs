//! The learner's choices about the page itself (not the session): whether the side drawer is open
//! and on which tab, whether messages in flight are labelled, whether the clock slows down around
//! significant events. Kept in `localStorage` under their own key, read once at start; storage that
//! is missing or refuses (a sandboxed iframe) just means the defaults. Nothing here can panic.

/// The `localStorage` key; the value is `key=value` pairs separated by `;`.
pub const KEY: &str = "kafkascope.ui";

/// The side drawer's tabs, in the order they are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Tours,
    Console,
    Configure,
    Ledger,
    Events,
    Inspect,
    Help,
}

impl Tab {
    pub const ALL: [Tab; 7] =
        [Tab::Tours, Tab::Console, Tab::Configure, Tab::Ledger, Tab::Events, Tab::Inspect, Tab::Help];

    pub fn id(self) -> &'static str {
        match self {
            Tab::Tours => "tours",
            Tab::Console => "console",
            Tab::Configure => "configure",
            Tab::Ledger => "ledger",
            Tab::Events => "events",
            Tab::Inspect => "inspect",
            Tab::Help => "help",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Tours => "Tours",
            Tab::Console => "Console",
            Tab::Configure => "Configure",
            Tab::Ledger => "Ledger",
            Tab::Events => "Events",
            Tab::Inspect => "Inspect",
            Tab::Help => "Help",
        }
    }

    pub fn from_id(id: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.id() == id)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prefs {
    /// None: not chosen yet (the drawer then opens on wide screens only).
    pub drawer_open: Option<bool>,
    pub tab: Tab,
    /// Label every message in flight while playing slowly.
    pub label_messages: bool,
    /// Ease into slow motion around significant events.
    pub slow_motion: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs { drawer_open: None, tab: Tab::Tours, label_messages: false, slow_motion: true }
    }
}

impl Prefs {
    pub fn encode(&self) -> String {
        let open = match self.drawer_open {
            Some(true) => "1",
            Some(false) => "0",
            None => "",
        };
        format!(
            "drawer={open};tab={};labels={};slow={}",
            self.tab.id(),
            u8::from(self.label_messages),
            u8::from(self.slow_motion)
        )
    }

    /// Reads stored text; anything it does not understand keeps its default.
    pub fn decode(text: &str) -> Prefs {
        let mut p = Prefs::default();
        for pair in text.split(';') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match (k.trim(), v.trim()) {
                ("drawer", "1") => p.drawer_open = Some(true),
                ("drawer", "0") => p.drawer_open = Some(false),
                ("tab", t) => p.tab = Tab::from_id(t).filter(|&t| t != Tab::Inspect).unwrap_or(p.tab),
                ("labels", v) => p.label_messages = v == "1",
                ("slow", v) => p.slow_motion = v != "0",
                _ => {}
            }
        }
        p
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load() -> Prefs {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).map(|t| Prefs::decode(&t)).unwrap_or_default()
}

pub fn save(p: &Prefs) {
    if let Some(s) = storage() {
        s.set_item(KEY, &p.encode()).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn prefs_round_trip_and_unknown_text_keeps_defaults() {
        let p = Prefs { drawer_open: Some(false), tab: Tab::Ledger, label_messages: true, slow_motion: false };
        assert_eq!(Prefs::decode(&p.encode()), p);
        assert_eq!(Prefs::decode("garbage;;tab=nope;drawer=7"), Prefs::default());
        assert_eq!(Prefs::decode("tab=inspect").tab, Tab::Tours, "the inspect tab needs a partition: not restored");
    }
}

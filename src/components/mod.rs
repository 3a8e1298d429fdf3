//! View functions: `cluster` draws the SVG picture, `panels` the controls, legend, narration and
//! console, `menus` the action menus, `inspect` the partition inspector, `config` the configuration
//! panels, `glossary` term links and explanations, `tour` the guided-tour player, `compare` the
//! side-by-side comparison. Each reads `state::Model`.

pub mod cluster;
pub mod compare;
pub mod config;
pub mod embed_dialog;
pub mod gif_dialog;
pub mod glossary;
pub mod import_dialog;
pub mod inspect;
pub mod menus;
pub mod panels;
pub mod tour;
pub mod txn;

/// A sheet's keydown handler: Escape closes it (and goes no further, so the app's own Escape
/// handling does not close something else too).
pub fn escape_closes(close: &yew::Callback<()>) -> yew::Callback<web_sys::KeyboardEvent> {
    let close = close.clone();
    yew::Callback::from(move |e: web_sys::KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            e.stop_propagation();
            close.emit(());
        }
    })
}

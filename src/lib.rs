//! kafkascope: the Yew app. The cluster model is the `kafkascope-sim` crate; this crate owns
//! wall-clock time, pixels and input (see ARCHITECTURE.md).

pub mod app;
pub mod components;
pub mod embed;
pub mod export;
pub mod geometry;
pub mod gif_export;
pub mod glossary;
pub mod panic;
pub mod params;
#[cfg(test)]
mod parser_properties;
pub mod persist;
pub mod prefs;
pub mod startup;
pub mod state;
pub mod svg_anim;

/// Mounts the app on the page's body, with the panic panel installed first.
pub fn start() {
    panic::install();
    yew::Renderer::<app::App>::new().render();
}

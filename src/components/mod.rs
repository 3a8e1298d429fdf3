//! View functions: `cluster` draws the SVG picture, `panels` the controls, legend, narration and
//! console, `menus` the action menus, `inspect` the partition inspector, `config` the configuration
//! panels, `glossary` term links and explanations. Each reads `state::Model`.

pub mod cluster;
pub mod config;
pub mod embed_dialog;
pub mod glossary;
pub mod inspect;
pub mod menus;
pub mod panels;
pub mod txn;

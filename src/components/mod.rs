//! View functions: `cluster` draws the SVG picture, `panels` the controls, legend, narration and
//! console, `menus` the action menus, `inspect` the partition inspector, `config` the configuration
//! panels, `glossary` term links and explanations, `tour` the guided-tour player, `compare` the
//! side-by-side comparison. Each reads `state::Model`.

pub mod cluster;
pub mod compare;
pub mod config;
pub mod embed_dialog;
pub mod glossary;
pub mod inspect;
pub mod menus;
pub mod panels;
pub mod tour;
pub mod txn;

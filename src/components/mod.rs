//! View functions: `cluster` draws the SVG picture, `panels` the controls, legend, narration and
//! console. Each is a pure function of `state::Model`.

pub mod cluster;
pub mod embed_dialog;
pub mod panels;

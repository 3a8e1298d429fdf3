//! View functions: `cluster` draws the SVG picture, `panels` the controls, legend, narration and
//! console. Each is a pure function of `state::Model`.

pub mod cluster;
pub mod compare;
pub mod panels;
pub mod tour;

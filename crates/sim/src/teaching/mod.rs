//! Teaching: guided tours with probes, side-by-side comparisons, and the read-only views the
//! inspect panel shows.

pub mod compare;
pub mod inspect;
pub mod tour;

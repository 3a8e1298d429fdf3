//! The wasm entry point Trunk builds: everything lives in the library (`src/lib.rs`).

fn main() {
    kafkascope::start();
}

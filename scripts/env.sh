# shellcheck shell=bash
# Common settings for the scripts in this folder. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# It sets ROOT (the repository root), puts the project's tools on PATH and configures Trunk for
# this machine (no internet except package registries: Trunk must never try to download a tool).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# npm's binaryen (tools/node_modules/.bin/wasm-opt) goes first: Debian's binaryen is too old for
# current rustc output. Cargo's bin dir holds trunk and wasm-bindgen(-test-runner).
export PATH="$ROOT/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Trunk looks tools up on PATH. For wasm-opt it accepts any version unless told one; name the one
# we install so a different wasm-opt earlier on PATH fails the build instead of being used quietly.
# (The wasm-bindgen version comes from Cargo.lock.) The env var overrides Trunk.toml's [tools].
binaryen_pkg="$ROOT/tools/node_modules/binaryen/package.json"
if [[ -z "${TRUNK_TOOLS_WASM_OPT:-}" && -f "$binaryen_pkg" ]]; then
    # "version": "132.0.0"  ->  version_132 (what `wasm-opt --version` reports), without starting node.
    binaryen_major="$(sed -n 's/^ *"version": *"\([0-9]*\)\..*/\1/p' "$binaryen_pkg" | head -n 1)"
    if [[ -n "$binaryen_major" ]]; then
        export TRUNK_TOOLS_WASM_OPT="version_$binaryen_major"
    fi
    unset binaryen_major
fi
unset binaryen_pkg

# No update check against the network; every trunk command also gets --offline=true.
export TRUNK_SKIP_VERSION_CHECK=true

# Prints a progress line on stderr.
say() { printf '==> %s\n' "$*" >&2; }

# Runs the release build of the app into $ROOT/dist (the only place that builds the bundle).
trunk_release_build() {
    say "trunk build --release (wasm-opt: ${TRUNK_TOOLS_WASM_OPT:-any})"
    (cd "$ROOT" && trunk build --release --public-url ./ --offline=true --dist "$ROOT/dist")
    # NAME.gz and NAME.br beside each file, for hosts that serve precompressed files.
    (cd "$ROOT" && cargo run -q -p kafkascope-precompress --profile native -- "$ROOT/dist" | tail -1 >&2)
}

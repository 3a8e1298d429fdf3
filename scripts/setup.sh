#!/usr/bin/env bash
# Installs whatever the project needs that is missing on this machine, and nothing else.
# Idempotent and fast (well under a second) when everything is already there.
#
#   scripts/setup.sh               everything: build tools, Chromium + ChromeDriver, e2e test deps
#   scripts/setup.sh --no-browser  build tools only (enough for scripts/serve.sh and scripts/bench.sh)
#
# Meant for the project's machines (Debian 12, rustup, Node 20, run as root). First run on a fresh
# machine takes about 17 minutes, mostly compiling trunk. See /work/shared/toolchain.md for why each
# tool is installed the way it is.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

TRUNK_VERSION=0.21.14
MDBOOK_VERSION=0.4.52
WASM_TARGET=wasm32-unknown-unknown

browser=1
for arg in "$@"; do
    case "$arg" in
        --no-browser) browser=0 ;;
        -h | --help)
            sed -n '2,9p' "$0"
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

# Prints the version of a locked package from Cargo.lock ("" when absent).
locked_version() {
    awk -v want="name = \"$1\"" '
        $0 == want { found = 1; next }
        found && /^version = / { gsub(/^version = "|"$/, ""); print; exit }
    ' "$ROOT/Cargo.lock"
}

# Succeeds when `CMD --version` prints exactly "NAME VERSION" (first line).
has_version() {
    local cmd=$1 want=$2 out
    out="$("$cmd" --version 2>/dev/null | head -n 1)" || return 1
    [[ "$out" == "$cmd $want" ]]
}

# Rust: rustfmt and the wasm target. Checked without rustup's slower listing commands.
command -v cargo >/dev/null || { echo "setup.sh: cargo not found (rustup is expected on this machine)" >&2; exit 1; }
if ! cargo fmt --version >/dev/null 2>&1; then
    say "rustup component add rustfmt"
    rustup component add rustfmt
fi
if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$WASM_TARGET/lib" ]]; then
    say "rustup target add $WASM_TARGET"
    rustup target add "$WASM_TARGET"
fi

# wasm-bindgen CLI (also brings wasm-bindgen-test-runner): exactly the version in Cargo.lock, or
# Trunk and the test runner refuse the build. No --locked: its lock file wants a crate version
# that the registry no longer serves.
if [[ ! -f "$ROOT/Cargo.lock" ]]; then
    say "cargo generate-lockfile (no Cargo.lock yet)"
    (cd "$ROOT" && cargo generate-lockfile)
fi
wbg_version="$(locked_version wasm-bindgen)"
if [[ -z "$wbg_version" ]]; then
    echo "setup.sh: no wasm-bindgen package in Cargo.lock" >&2
    exit 1
fi
if ! has_version wasm-bindgen "$wbg_version" || ! has_version wasm-bindgen-test-runner "$wbg_version"; then
    say "cargo install wasm-bindgen-cli@$wbg_version (about 3 minutes)"
    cargo install --force "wasm-bindgen-cli@$wbg_version"
fi

# Trunk: 0.22 needs a newer rustc than this machine has.
if ! has_version trunk "$TRUNK_VERSION"; then
    say "cargo install --locked trunk@$TRUNK_VERSION (about 10 minutes)"
    cargo install --locked --force "trunk@$TRUNK_VERSION"
fi

# npm dependencies of DIR: (re)installed when node_modules is missing or older than the lock file.
# `npm ci` rewrites node_modules/.package-lock.json, so its mtime marks the last install.
npm_deps() {
    local dir="$ROOT/$1"
    if [[ ! -f "$dir/package-lock.json" ]]; then
        say "npm install in $1 (no lock file yet)"
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    elif [[ ! -f "$dir/node_modules/.package-lock.json" \
        || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" \
        || "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
        say "npm ci in $1"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# wasm-opt for Trunk's release builds (binaryen from npm; Debian's is too old).
npm_deps tools

if ((browser)); then
    # Headless Chromium and its WebDriver, for the wasm tests and the e2e tests.
    if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
        if ((EUID != 0)); then
            echo "setup.sh: Chromium is missing; run as root (or: apt-get install chromium chromium-driver)" >&2
            exit 1
        fi
        say "apt-get install chromium chromium-driver"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # The first install on a fresh machine has failed half-way on a transient dpkg error: retry once.
        if ! apt-get install -y -qq chromium chromium-driver; then
            say "apt-get install failed; retrying once"
            dpkg --configure -a || true
            apt-get install -y -qq chromium chromium-driver
        fi
    fi
    # playwright-core for the e2e tests (it drives /usr/bin/chromium; it never downloads a browser).
    npm_deps tests/e2e
    # mdBook, to build examples/mdbook for its e2e test (without its server: not needed).
    if ! has_version mdbook "v$MDBOOK_VERSION"; then
        say "cargo install --locked mdbook@$MDBOOK_VERSION (about 3 minutes)"
        cargo install --locked --force "mdbook@$MDBOOK_VERSION" --no-default-features --features search
    fi
fi

say "setup: tools ready"

#!/usr/bin/env bash
# The project's test command (README and CI). Installs missing tools, then runs, stopping at the
# first failure:
#   fmt   cargo fmt --all --check
#   sim   native tests of the simulation crate (Cargo profile `native`: optimised, with unwinding)
#   wasm  the Yew component tests, compiled to wasm and run in headless Chromium
#   e2e   a release build (trunk, once) served on 127.0.0.1, driven by Playwright (tests/e2e/)
#
#   scripts/test.sh              all of them, in that order
#   scripts/test.sh sim e2e      only the named steps
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$ROOT"

all_steps=(fmt sim wasm e2e)
steps=("$@")
((${#steps[@]})) || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
    [[ " ${all_steps[*]} " == *" $s "* ]] || { echo "test.sh: unknown step '$s' (steps: ${all_steps[*]})" >&2; exit 2; }
done
wanted() { [[ " ${steps[*]} " == *" $1 "* ]]; }

timings=()
run_step() { # NAME COMMAND...: runs the command and records how long it took
    local name=$1 start=$SECONDS
    shift
    say "[$name] $*"
    "$@"
    timings+=("$(printf '%-5s %4ds' "$name" $((SECONDS - start)))")
}

if wanted fmt; then
    run_step fmt cargo fmt --all --check
fi

if wanted sim; then
    run_step sim cargo test -p kafkascope-sim --profile native
fi

if wanted wasm; then
    # cargo hands each wasm test binary to wasm-bindgen-test-runner, which starts ChromeDriver,
    # which starts Chromium. The runner always adds --headless, --no-sandbox and
    # --disable-dev-shm-usage; scripts/webdriver.json (capabilities, read via the env var below)
    # adds the binary path and the flags for a closed network.
    # `--tests` leaves out doctests: they cannot run in the browser.
    export CHROMEDRIVER=/usr/bin/chromedriver
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
    export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/scripts/webdriver.json"
    # Time limit for one test binary's whole run in the browser (default 20 s is tight on 2 cores).
    export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
    run_step wasm cargo test -p kafkascope --target wasm32-unknown-unknown --tests
fi

if wanted e2e; then
    run_step build trunk_release_build

    # Serve dist/ on a free loopback port; the trap stops the server however this script ends.
    mkdir -p "$ROOT/target"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # Like `python3 -m http.server`, plus Access-Control-Allow-Origin: * for sandboxed iframes.
    # The app is served from a sub-path (/kafkascope/), as it would be on a project page.
    mkdir -p "$ROOT/target/e2e-www"
    ln -sfn "$ROOT/dist" "$ROOT/target/e2e-www/kafkascope"
    python3 "$ROOT/scripts/serve_dist.py" --bind 127.0.0.1 "$port" --directory "$ROOT/target/e2e-www" >"$ROOT/target/e2e-http.log" 2>&1 &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true' EXIT
    for ((i = 0; ; i++)); do # wait up to 10 s for it to answer
        curl -fsS -o /dev/null "http://127.0.0.1:$port/kafkascope/" 2>/dev/null && break
        if ((i >= 100)) || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "test.sh: the http server on port $port did not come up:" >&2
            cat "$ROOT/target/e2e-http.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    export BASE_URL="http://127.0.0.1:$port/kafkascope/"
    run_step e2e node --test tests/e2e/
fi

say "all requested steps passed:"
printf '    %s\n' "${timings[@]}" >&2

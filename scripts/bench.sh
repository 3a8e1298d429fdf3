#!/usr/bin/env bash
# The bench command:
#   scripts/bench.sh           1. the simulation benchmark (native, optimised): the kafkascope-bench
#                                 crate (crates/bench)
#                              2. the release bundle: builds dist/ with trunk and prints each
#                                 .wasm/.js/.css file's size, raw and gzip -9 (what a browser
#                                 downloads from a server that compresses).
#   scripts/bench.sh frames    frame time in headless Chromium: builds dist/, serves it on 127.0.0.1
#                              and plays (a) the default scenario and (b) the big one
#                              (crates/bench/scenarios/big.ks: 12 brokers, 64 partitions RF 3,
#                              6 groups x 8 consumers) for 20 s each (FRAME_SECONDS to change),
#                              at the page's default speed (0.5x), then the big one at 1x,
#                              printing p50/p95/max main-thread time per animation frame
#                              (tests/e2e/bench-frames.mjs says exactly what is timed).
#   scripts/bench.sh seek      seek time in a 30-minute session (default scenario plus a fault
#                              every 90 s), natively (crates/bench/src/seek.rs) and in headless
#                              Chromium against the release build (tests/e2e/seek-bench.mjs).
#                              Budget: one frame, 16 ms.
#   scripts/bench.sh startup   time from navigation to the first picture, median of 5 cold loads
#                              in headless Chromium (tests/e2e/bench-startup.mjs). Budget 500 ms.
#   scripts/bench.sh memory    memory at 2/10/30/60 virtual minutes, played at top speed, for the
#                              default scenario and a busy one (crates/bench/scenarios/busy.ks:
#                              1,000 records/s, 6 partitions RF 3, retention.ms=60000, a group of
#                              two): natively the bytes the session and its snapshots hold
#                              (crates/bench/src/memory.rs), then the wasm heap in headless Chromium
#                              against the release build (tests/e2e/bench-memory.mjs). Targets at
#                              60 min: default <= 64 MB, busy <= 128 MB; +25% at most from 10 to 60.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${1:-}" == frames || "${1:-}" == seek || "${1:-}" == memory || "${1:-}" == startup ]]; then
    "$here/setup.sh"
else
    "$here/setup.sh" --no-browser
fi
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$ROOT"

# Serves dist/ on a free port of 127.0.0.1 (with the CORS header sandboxed iframes need) until this
# script exits; sets $port.
serve_dist() {
    mkdir -p "$ROOT/target"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    python3 "$ROOT/scripts/serve_dist.py" --bind 127.0.0.1 "$port" --directory "$ROOT/dist" >"$ROOT/target/bench-http.log" 2>&1 &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true' EXIT
    for ((i = 0; i < 100; i++)); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
        sleep 0.1
    done
}

if [[ "${1:-}" == seek ]]; then
    mkdir -p "$ROOT/target"
    trace="$ROOT/target/seek-bench-trace.txt"
    say "seek bench (native)"
    SEEK_TRACE_OUT="$trace" cargo run -q -p kafkascope-bench --profile perf -- seek
    trunk_release_build
    serve_dist
    say "seek bench (headless Chromium, release build)"
    BASE_URL="http://127.0.0.1:$port/" node tests/e2e/seek-bench.mjs "$trace"
    exit 0
fi

if [[ "${1:-}" == memory ]]; then
    say "memory (native)"
    cargo run -q -p kafkascope-bench --profile perf -- memory
    say "share link of the busy scenario"
    busy="$(cargo run -q -p kafkascope-sim --profile native --bin kafkascope -- share crates/bench/scenarios/busy.ks)"
    trunk_release_build
    serve_dist
    export BASE_URL="http://127.0.0.1:$port/"
    say "wasm heap in headless Chromium (release build, top speed): default scenario"
    node tests/e2e/bench-memory.mjs default
    say "wasm heap in headless Chromium (release build, top speed): busy scenario"
    node tests/e2e/bench-memory.mjs busy "$busy"
    exit 0
fi

if [[ "${1:-}" == startup ]]; then
    trunk_release_build
    serve_dist
    say "time to the first picture (headless Chromium, release build, cold loads)"
    BASE_URL="http://127.0.0.1:$port/" node tests/e2e/bench-startup.mjs "${STARTUP_RUNS:-5}"
    exit 0
fi

if [[ "${1:-}" == frames ]]; then
    trunk_release_build
    say "share link of the big scenario"
    big="$(cargo run -q -p kafkascope-sim --profile native --bin kafkascope -- share crates/bench/scenarios/big.ks)"
    serve_dist
    export BASE_URL="http://127.0.0.1:$port/"
    say "frame time: default scenario"
    node tests/e2e/bench-frames.mjs default "" "${FRAME_SECONDS:-20}"
    say "frame time: big scenario"
    node tests/e2e/bench-frames.mjs big "$big" "${FRAME_SECONDS:-20}"
    # The page opens at 0.5x; the speed slider at 60.6 plays in real time (1x).
    say "frame time: big scenario at 1x"
    SPEED=60.6 node tests/e2e/bench-frames.mjs big-1x "$big" "${FRAME_SECONDS:-20}"
    exit 0
fi

say "simulation benchmark"
cargo run -q -p kafkascope-bench --profile perf

trunk_release_build

say "release bundle sizes (dist/)"
shopt -s nullglob
files=("$ROOT"/dist/*.wasm "$ROOT"/dist/*.js "$ROOT"/dist/*.css)
if ((${#files[@]} == 0)); then
    echo "bench.sh: no .wasm/.js/.css files in dist/" >&2
    exit 1
fi
total_raw=0
total_gz=0
total_br=0
printf '%-44s %10s %10s %10s\n' file bytes gzip-9 brotli-11
for f in "${files[@]}"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    br=$(wc -c <"$f.br") # written by the release build (crates/precompress)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    total_br=$((total_br + br))
    printf '%-44s %10d %10d %10d\n' "${f#"$ROOT"/}" "$raw" "$gz" "$br"
done
printf '%-44s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"

#!/usr/bin/env bash
# The bench command:
#   1. the simulation benchmark (native, optimised): the kafkascope-bench crate (crates/bench)
#   2. the release bundle: builds dist/ with trunk and prints each .wasm/.js/.css file's size,
#      raw and gzip -9 (what a browser downloads from a server that compresses).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" --no-browser
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$ROOT"

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
printf '%-44s %10s %10s\n' file bytes gzip-9
for f in "${files[@]}"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    printf '%-44s %10d %10d\n' "${f#"$ROOT"/}" "$raw" "$gz"
done
printf '%-44s %10d %10d\n' total "$total_raw" "$total_gz"

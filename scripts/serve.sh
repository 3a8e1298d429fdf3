#!/usr/bin/env bash
# Development server: builds the app (debug) and serves it with live reload on http://127.0.0.1:8080/.
#   scripts/serve.sh                 default address and port
#   PORT=9000 scripts/serve.sh       another port
#   scripts/serve.sh --release       extra arguments go to `trunk serve`
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" --no-browser
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$ROOT"

# --offline=true: Trunk must use the tools on PATH, never try to download one (no internet here).
exec trunk serve --offline=true --address 127.0.0.1 --port "${PORT:-8080}" "$@"

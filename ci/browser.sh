#!/usr/bin/env bash
# The pages a person reads, opened in a real browser: headless Chromium (Debian's `chromium`,
# installed if missing) renders a finding's report page and the Explorer at the link the
# program prints for what the state graph found, runs their scripts, and the DOM it ends with
# must show what a person sees there: the story's cycle drawn in red on the report, and on the
# Explorer the path of labelled steps (`actor: step`), the lists of the selected state and
# where each actor stands. Fails loudly when the browser cannot start.
#
# It reuses the release build of ci/loom.sh and ci/catalogue.sh (same target directory, same
# `--cfg loom`, which no binary code reads).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! chromium --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1; then
    echo "browser test: headless chromium cannot start (chromium --version: $(chromium --version 2>&1))" >&2
    exit 1
fi

cargo build --release -p lifecycle-cli
program="$CARGO_TARGET_DIR/release/lifecycle-check"
work=$(mktemp -d)
explorer=""
cleanup() {
    if [ -n "$explorer" ]; then kill "$explorer" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The DOM of PAGE after its scripts ran (8 s of virtual time).
dom() {
    chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=8000 --dump-dom "$1" 2>/dev/null
}

# Fails naming WHAT unless the DOM in FILE contains TEXT.
shows() {
    local file=$1 text=$2 what=$3
    if ! grep -qF -- "$text" "$file"; then
        mkdir -p target
        cp "$file" target/browser-failure.html
        echo "browser test: $what: the page does not show \`$text\` (its DOM: target/browser-failure.html)" >&2
        exit 1
    fi
    echo "browser test: $what: shows \`$text\`"
}

# A finding's report page: the cycle of the story's bug, drawn in red.
"$program" models/scenarios/socket-lifecycle/buggy.toml -e loom --report "$work/report" >/dev/null || true
dom "file://$work/report/socket-lifecycle-buggy--loom.html" >"$work/report.html"
shows "$work/report.html" 'self-loop" d=' "report page: the self-loop"
shows "$work/report.html" 'stroke="#c0392b"' "report page: drawn in red"
shows "$work/report.html" 'next = itself' "report page: the label of the loop"
shows "$work/report.html" 'looping reader: `reader` holds the registry lock' "report page: the diagnosis"

# The Explorer at the finding's link.
port=$((39000 + RANDOM % 1000))
"$program" --explore socket-lifecycle/buggy --port "$port" >"$work/explorer.out" 2>&1 &
explorer=$!
link=""
for _ in $(seq 1 100); do
    link=$(grep -o "http://127.0.0.1:$port/#/steps[0-9/]*" "$work/explorer.out" || true)
    if [ -n "$link" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$link" ]; then
    echo "browser test: the Explorer printed no link: $(cat "$work/explorer.out")" >&2
    exit 1
fi
dom "$link" >"$work/explorer.html"
shows "$work/explorer.html" '>owner: list_add s registry<' "Explorer: a labelled step in the path"
shows "$work/explorer.html" '>reader: walk registry (its next node)<' "Explorer: the next action, labelled"
shows "$work/explorer.html" 'the lists after step' "Explorer: the lists of the selected state"
shows "$work/explorer.html" 'next = itself' "Explorer: the cycle in the selected state"
shows "$work/explorer.html" 'reader: step 3 of 4, `walk registry`, walking, on slot#0; holds registry' "Explorer: where the reader stands"

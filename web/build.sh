#!/usr/bin/env bash
# Build the citizen's verify page for one consortium:
#   web/build.sh [GENESIS.json] [OUT_DIR]
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli =0.2.130.
set -euo pipefail
cd "$(dirname "$0")/.."
GENESIS=${1:-tests/vectors/genesis.json}
OUT=${2:-target/web}
# No debug info in what phones download.
CARGO_PROFILE_RELEASE_DEBUG=false cargo build -p yinzheng-web --target wasm32-unknown-unknown --release --locked
mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT/pkg" \
    target/wasm32-unknown-unknown/release/yinzheng_web.wasm
cp web/static/verify.js web/static/style.css web/static/sw.js "$OUT/"
python3 - "$GENESIS" web/static/index.html "$OUT/index.html" <<'PY'
import json, sys
genesis = json.dumps(json.load(open(sys.argv[1], encoding="utf-8")), ensure_ascii=False)
page = open(sys.argv[2], encoding="utf-8").read()
# Inside <script>, "</" must not appear literally.
open(sys.argv[3], "w", encoding="utf-8").write(page.replace("__GENESIS__", genesis.replace("</", "<\\/")))
PY
echo "verify page: $OUT/index.html ($(du -sh "$OUT" | cut -f1))"

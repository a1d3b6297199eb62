#!/usr/bin/env bash
# Refreshes the third-party files in static/vendor from the npm registry.
# For maintainers only: building and running Herald needs no Node; the files
# are committed and embedded in the binary. Each package's built file is
# copied as it is published, next to its licence.
#
#   web/vendor.sh            # the pinned versions below
#
# After a version change, update the versions in docs/ui.md and run the
# browser tests (go test ./web/).
set -euo pipefail

ADAPTIVECARDS=3.0.6
MARKED=18.2.1
DOMPURIFY=3.4.18

cd "$(dirname "$0")"
out=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch NAME VERSION: unpack the package into $tmp/NAME
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
  mkdir -p "$tmp/$1"
  tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1" --strip-components=1
}

fetch adaptivecards "$ADAPTIVECARDS"
cp "$tmp/adaptivecards/dist/adaptivecards.min.js" "$out/adaptivecards.min.js"
cp "$tmp/adaptivecards/dist/adaptivecards.min.js.LICENSE.txt" "$out/adaptivecards.min.js.LICENSE.txt"
cp "$tmp/adaptivecards/LICENSE" "$out/adaptivecards.LICENSE"

fetch marked "$MARKED"
cp "$tmp/marked/lib/marked.umd.js" "$out/marked.umd.js"
cp "$tmp/marked/LICENSE" "$out/marked.LICENSE"

fetch dompurify "$DOMPURIFY"
cp "$tmp/dompurify/dist/purify.min.js" "$out/purify.min.js"
cp "$tmp/dompurify/LICENSE" "$out/dompurify.LICENSE"

cat > "$out/VERSIONS" <<END
adaptivecards $ADAPTIVECARDS dist/adaptivecards.min.js (MIT)
marked $MARKED lib/marked.umd.js (MIT)
dompurify $DOMPURIFY dist/purify.min.js (Apache-2.0 or MPL-2.0)
END
echo "vendored into web/$out:"
ls -l "$out"

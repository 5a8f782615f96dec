#!/usr/bin/env bash
# debrief-shot.sh REPORT.html OUT.png [HEIGHT]: the debrief page (vigil report --format html) as a
# projector shows it, 1280 pixels wide and 720 high (or HEIGHT, to see further down the page at
# the same width), taken by headless Chromium: the check that nothing is cut and every label reads.
# Chromium is an optional package (`make setup-optional`); CI does not take screenshots.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 REPORT.html OUT.png [HEIGHT]" >&2
  exit 64
fi
html=$1 out=$2 height=${3:-720}
if ! [[ $height =~ ^[1-9][0-9]{2,4}$ ]]; then
  echo "$0: HEIGHT '$height' is not a number of pixels (100 to 99999)" >&2
  exit 64
fi
if [ ! -r "$html" ]; then
  echo "$0: $html: no such file" >&2
  exit 66
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "$0: no headless Chromium found; install it with 'make setup-optional' (apt-get install -y chromium)" >&2
  exit 69
fi

page="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
target="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
# A throwaway profile: nothing read from or left in the user's own.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$target"
# --no-sandbox: Chromium refuses to start as root otherwise (containers, CI machines); the page
# is our own self-contained file, with no script and nothing fetched.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$profile" \
  --force-device-scale-factor=1 --window-size="1280,$height" --screenshot="$target" "$page" >/dev/null 2>&1 || true
if [ ! -s "$target" ]; then
  echo "$0: $browser wrote no screenshot of $html" >&2
  exit 70
fi
echo "$target: 1280×$height"

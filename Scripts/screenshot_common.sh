# Shared by Scripts/screenshot_map.sh and Scripts/screenshot_report.sh: the packages a
# screenshot needs, a debug atlas to make samples with, and headless Chromium with the network
# blocked (a page atlas writes must not need it).

# needs PACKAGE:FILE... → installs the Debian packages whose file is missing (as root), or says
# which to install.
needs() {
  local missing=() entry
  for entry in "$@"; do
    [ -e "${entry#*:}" ] || command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# debug_atlas ROOT → builds atlas (debug) and prints its path.
debug_atlas() {
  local scratch="${ATLAS_SCRATCH:-$1/.build}"
  swift build --package-path "$1" --scratch-path "$scratch" --product atlas >&2
  echo "$scratch/debug/atlas"
}

# render PAGE PNG WIDTHxHEIGHT → the page's first screen as a PNG; prints the PNG's path.
render() {
  local profile
  profile="$(mktemp -d)"
  chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
    --virtual-time-budget=5000 --window-size="${3/x/,}" --screenshot="$2" "file://$1" 2>/dev/null
  rm -rf "$profile"
  echo "$2"
}

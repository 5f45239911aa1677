#!/usr/bin/env bash
# The test command of README.md: runs every test project of Proxy.sln and ends with one
# line "N passed, N failed" (", N skipped" when any). Exits non-zero when a test fails or
# the run itself fails. Works on a fresh Debian 12 with only the .NET SDK: as root it
# installs what the integration tests need (Dovecot, openssl, python3, curl, and headless
# Chromium with its chromedriver for the dashboard's browser test) with apt-get.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS_DIR="$REPO_DIR/TestResults"
PACKAGES=(dovecot-imapd dovecot-pop3d openssl python3 curl chromium chromium-driver)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en VSLANG=1033

install_packages() {
  local missing=() p sudo=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "run.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run.sh: missing packages ${missing[*]}; install them as root" >&2; return 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# Sums the per-project summary lines of the VSTest console logger:
#   Passed!  - Failed:     0, Passed:    15, Skipped:     0, Total:    15, Duration: ... - X.dll (net10.0)
# A project without tests prints none and counts 0. TRX files are kept in TestResults/ for CI.
totals() {
  sed -n -E 's/.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+), +Skipped: +([0-9]+), +Total: +([0-9]+).*/\2 \3 \4/p' "$1" |
    awk '{ f += $1; p += $2; s += $3 } END { printf "%d %d %d\n", p, f, s }'
}

main() {
  cd "$REPO_DIR" || return 1
  install_packages || { echo "run.sh: could not install the test prerequisites" >&2; echo "0 passed, 0 failed"; return 1; }

  rm -rf "$RESULTS_DIR"
  mkdir -p "$RESULTS_DIR"
  # Files tests keep for people (the dashboard's screenshots); CI keeps TestResults/.
  export PROXY_TEST_ARTIFACTS="$RESULTS_DIR/artifacts"
  local log="$RESULTS_DIR/dotnet-test.log" rc=0
  dotnet restore Proxy.sln || { echo "run.sh: dotnet restore failed" >&2; echo "0 passed, 0 failed"; return 1; }
  dotnet test Proxy.sln --no-restore --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS_DIR" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}

  local passed failed skipped
  read -r passed failed skipped < <(totals "$log")
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "run.sh: dotnet test failed (exit code $rc) without a failed test: see the build or test-host errors above" >&2
  fi
  echo
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
}

main

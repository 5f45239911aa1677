#!/usr/bin/env bash
# The proxy's performance benchmark (issue 6); results and how to read them: docs/performance.md.
#
#   bench/run.sh [--short|--full] [--json FILE] [--scenarios login,bulk,noop,idle]
#                [--systems proxy,nginx,dovecot-proxy,haproxy] [--routes LABEL,...] [--idle-sizes N,...]
#                [--cell-seconds S] [--idle-settle S]
#                [--proxy-env NAME=VALUE]...
#
# Installs what is missing (Dovecot, nginx with its mail module, HAProxy) with apt-get, builds
# the proxy and the load generator (Release), starts on 127.0.0.1 a Dovecot backend with
# generated users and mail and in front of it the proxy, nginx's mail module, Dovecot as a
# proxy and HAProxy (TCP), measures login rate, bulk throughput, NOOP round trip and idle
# sessions through each, and prints one table per scenario with every system's figure and its
# ratio to the direct connection, then the issue's targets as met or missed.
#   --short  (default) under 3 minutes once built: short cells, idle N=1,000 only
#   --full   under 15 minutes: longer cells, cold logins at c=64 too, idle N=1,000 and 9,000
#   --json   also write every figure as JSON (compare runs with it)
#   --scenarios, --systems  measure only these (profiling, A/B runs); direct is always measured
#   --routes     only these rows, by label, e.g. 'proxy plain->plain,proxy TLS->TLS' (direct always)
#   --idle-sizes only these idle session counts, e.g. 9000 (with --full: the full-only rows too)
#   --cell-seconds login and bulk cells measure S seconds each (time to attach dotnet-trace)
#   --idle-settle  idle sessions wait S seconds before the memory sample (time for dotnet-gcdump)
#   --proxy-env  extra environment for the proxy process, e.g. DOTNET_gcServer=0 (try a runtime setting)
# Loopback only; every server it starts is stopped at the end. Needs root (or sudo for
# apt-get; Dovecot then runs as the current user). Not part of tests/run.sh.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
PACKAGES=(dovecot-imapd dovecot-pop3d haproxy)
NGINX_MAIL_MODULE=/usr/lib/nginx/modules/ngx_mail_module.so

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en

say() { printf 'bench: %s\n' "$*" >&2; }

install_packages() {
  local missing=() p sudo=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Any nginx flavour will do, with the mail module (Debian 12: nginx-light + libnginx-mod-mail).
  command -v nginx >/dev/null || missing+=(nginx-light)
  [ -e "$NGINX_MAIL_MODULE" ] || missing+=(libnginx-mod-mail)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian may start their system services; the benchmark uses its own instances)"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "missing packages ${missing[*]}; install them as root"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# The run directory must be reachable by the account Dovecot runs as (proxylab when root);
# one per checkout, kept between runs for the certificates and the PBKDF2 directory file.
run_dir() {
  if [ -n "${BENCH_RUN_DIR:-}" ]; then echo "$BENCH_RUN_DIR"; return; fi
  echo "/var/tmp/proxy-bench-$(printf '%s' "$REPO_DIR" | sha256sum | cut -c1-12)"
}

main() {
  install_packages
  say "building the proxy and the load generator (Release)"
  dotnet build -c Release -v q -nologo "$REPO_DIR/src/Proxy.Host/Proxy.Host.csproj" >&2
  dotnet build -c Release -v q -nologo "$BENCH_DIR/Proxy.Bench/Proxy.Bench.csproj" >&2
  local run
  run="$(run_dir)"
  mkdir -p "$run"
  chmod 755 "$run"
  BENCH_COMMAND="bench/run.sh $*" exec dotnet "$BENCH_DIR/Proxy.Bench/bin/Release/net10.0/Proxy.Bench.dll" \
    --proxy-dll "$REPO_DIR/src/Proxy.Host/bin/Release/net10.0/Proxy.Host.dll" --run-dir "$run" "$@"
}

main "$@"

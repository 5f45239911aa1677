#!/usr/bin/env bash
# The Proxy lab: real Dovecot backends standing for Exchange 2007/2010/2013 servers in
# two sites, and the proxy in front of them, all on 127.0.0.1. See samples/README.md.
#
#   samples/lab/lab.sh up [--no-proxy]   install what is missing, generate, start, wait, print how to connect
#   samples/lab/lab.sh down              stop exactly what 'up' started (pid files)
#   samples/lab/lab.sh status            show what runs
#   samples/lab/lab.sh clean             down, then delete samples/lab/.run (fresh mail, keys, hashes)
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_DIR/../.." && pwd)"
RUN_DIR="$LAB_DIR/.run"
LAB_PY="$LAB_DIR/lab.py"
LAB_USER=proxylab
PROXY_PID="$RUN_DIR/proxy.pid"
PROXY_LOG="$RUN_DIR/proxy.log"
PROXY_TIMEOUT="${LAB_PROXY_TIMEOUT:-300}"
PACKAGES=(dovecot-imapd dovecot-pop3d openssl python3 curl)

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}; install them as root"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# Dovecot refuses uid 0 for mail. As root, every backend runs as the unprivileged
# system user proxylab (setpriv), exactly as it would run for a developer's own account.
ensure_lab_user() {
  id -u "$LAB_USER" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$LAB_USER"
}

run_user() { if is_root; then echo "$LAB_USER"; else id -un; fi; }
run_group() { if is_root; then id -gn "$LAB_USER"; else id -gn; fi; }
as_run_user() {
  if is_root; then setpriv --reuid="$LAB_USER" --regid="$(run_group)" --clear-groups "$@"; else "$@"; fi
}

# The backends' files must be reachable by the run user. A checkout below a private
# home (/root is 0700) is not, so as root they may live in /var/tmp instead, linked from .run.
backends_dir() {
  local link="$RUN_DIR/backends"
  if [ -L "$link" ] || [ -d "$link" ]; then readlink -f "$link"; return; fi
  if ! is_root || as_run_user test -x "$RUN_DIR"; then
    mkdir -p "$link"
  else
    local outside
    outside="/var/tmp/proxy-lab-$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-12)"
    mkdir -p "$outside"
    ln -s "$outside" "$link"
  fi
  readlink -f "$link"
}

pid_matches() { # pid, text its command line must contain
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

backend_pid() { # backend name -> pid of its Dovecot master, when it runs
  local conf="$BACKENDS/$1/dovecot.conf" pid
  pid="$(cat "$BACKENDS/$1/run/master.pid" 2>/dev/null || true)"
  if pid_matches "$pid" "$conf"; then echo "$pid"; fi
}

proxy_pid() {
  local pid
  pid="$(cat "$PROXY_PID" 2>/dev/null || true)"
  if pid_matches "$pid" "dotnet"; then echo "$pid"; fi
}

backend_specs() {
  local name imap imaps pop3 pop3s
  while read -r name imap imaps pop3 pop3s; do
    printf 'imap:%s imaps:%s pop3:%s pop3s:%s ' "$imap" "$imaps" "$pop3" "$pop3s"
  done < <(python3 "$LAB_PY" backends)
}

start_backends() {
  local name rest
  while read -r name rest; do
    if [ -n "$(backend_pid "$name")" ]; then
      say "backend $name already runs"
      continue
    fi
    as_run_user /usr/sbin/dovecot -c "$BACKENDS/$name/dovecot.conf" ||
      die "backend $name did not start; see $BACKENDS/$name/dovecot.log"
    say "backend $name started"
  done < <(python3 "$LAB_PY" backends)
  # shellcheck disable=SC2046
  python3 "$LAB_PY" wait 30 "$RUN_DIR/ca.pem" $(backend_specs) ||
    die "backends did not greet; see $BACKENDS/*/dovecot.log"
}

start_proxy() {
  if [ -n "$(proxy_pid)" ]; then
    say "proxy already runs (pid $(proxy_pid))"
  else
    say "starting the proxy (the first build takes a while); log: $PROXY_LOG"
    cd "$REPO_DIR"
    # setsid: the proxy gets its own process group, which 'down' stops as a whole
    # (dotnet run and the host process it starts).
    setsid dotnet run -c Release --project src/Proxy.Host -- --config "$RUN_DIR/proxy.json" \
      >"$PROXY_LOG" 2>&1 </dev/null &
    echo $! >"$PROXY_PID"
  fi
  python3 "$LAB_PY" wait "$PROXY_TIMEOUT" "$RUN_DIR/ca.pem" --pid-file "$PROXY_PID" \
    imap:1143 imaps:1993 pop3:1110 pop3s:1995 http:http://127.0.0.1:8080/health || {
    tail -n 30 "$PROXY_LOG" >&2 || true
    die "the proxy did not answer; full log: $PROXY_LOG"
  }
}

print_usage_hints() {
  cat <<EOF

The lab is up. Proxy on 127.0.0.1: IMAP 1143 (STARTTLS), 1993 (TLS); POP3 1110 (STLS), 1995 (TLS); HTTP 8080.
Users (password Passw0rd!): alice, bob, carol, dave (other site: refused), administrator (well-known: refused),
erin (password: a "b" \\c d) -- all @contoso.lab. The first message of each INBOX says which database served it.

  openssl s_client -connect 127.0.0.1:1993 -quiet -CAfile $RUN_DIR/ca.pem
  openssl s_client -connect 127.0.0.1:1143 -starttls imap -quiet -CAfile $RUN_DIR/ca.pem
  curl --cacert $RUN_DIR/ca.pem -u 'alice@contoso.lab:Passw0rd!' 'imaps://127.0.0.1:1993/INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)'
  curl --cacert $RUN_DIR/ca.pem -u 'bob@contoso.lab:Passw0rd!' pop3s://127.0.0.1:1995/1
  python3 -c "import imaplib,ssl; m=imaplib.IMAP4_SSL('127.0.0.1',1993,ssl_context=ssl.create_default_context(cafile='$RUN_DIR/ca.pem')); m.login('carol@contoso.lab','Passw0rd!'); m.select(); print(m.fetch('1','(BODY[HEADER.FIELDS (SUBJECT)])')[1][0][1])"
  curl http://127.0.0.1:8080/health

Stop with: samples/lab/lab.sh down
EOF
}

# Stops every "pid:what:kill-target" given (target -PGID for a process group) together:
# TERM, up to 10 s for a clean exit, then KILL.
stop_all() {
  local entry pid what target i pending
  for entry in "$@"; do kill -TERM -- "${entry##*:}" 2>/dev/null || true; done
  for i in $(seq 100); do
    pending=false
    for entry in "$@"; do kill -0 "${entry%%:*}" 2>/dev/null && pending=true; done
    $pending || break
    sleep 0.1
  done
  for entry in "$@"; do
    pid="${entry%%:*}"; target="${entry##*:}"; what="${entry#*:}"; what="${what%:*}"
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "$target" 2>/dev/null || true; say "$what killed"; else say "$what stopped"; fi
  done
}

cmd_up() {
  local no_proxy=false
  [ "${1:-}" = "--no-proxy" ] && no_proxy=true
  install_packages
  is_root && ensure_lab_user
  mkdir -p "$RUN_DIR"
  BACKENDS="$(backends_dir)"
  python3 "$LAB_PY" generate "$RUN_DIR" "$BACKENDS" "$(run_user)" "$(run_group)"
  if is_root; then chown -R "$LAB_USER:$(run_group)" "$BACKENDS"; fi
  start_backends
  if $no_proxy; then
    say "backends are up; start the proxy yourself with: dotnet run --project src/Proxy.Host -- --config $RUN_DIR/proxy.json"
    return 0
  fi
  start_proxy
  print_usage_hints
}

cmd_down() {
  local pid name rest targets=()
  pid="$(proxy_pid)"
  if [ -n "$pid" ]; then targets+=("$pid:proxy:-$pid"); fi
  if [ -e "$RUN_DIR/backends" ]; then
    BACKENDS="$(readlink -f "$RUN_DIR/backends")"
    while read -r name rest; do
      pid="$(backend_pid "$name")"
      if [ -n "$pid" ]; then targets+=("$pid:backend $name:$pid"); fi
    done < <(python3 "$LAB_PY" backends)
  fi
  if [ ${#targets[@]} -gt 0 ]; then stop_all "${targets[@]}"; else say "nothing runs"; fi
  rm -f "$PROXY_PID"
}

describe() { if [ -n "$1" ]; then echo "running (pid $1)"; else echo "stopped"; fi; }

cmd_status() {
  local pid name imap imaps pop3 pop3s
  pid="$(proxy_pid)"
  say "proxy (IMAP 1143/1993, POP3 1110/1995, HTTP 8080): $(describe "$pid")"
  BACKENDS="$(readlink -f "$RUN_DIR/backends" 2>/dev/null || echo "$RUN_DIR/backends")"
  while read -r name imap imaps pop3 pop3s; do
    pid="$(backend_pid "$name")"
    say "backend $name (IMAP $imap/$imaps, POP3 $pop3/$pop3s): $(describe "$pid")"
  done < <(python3 "$LAB_PY" backends)
}

cmd_clean() {
  cmd_down
  local target
  target="$(readlink -f "$RUN_DIR/backends" 2>/dev/null || true)"
  if [ -n "$target" ] && [ -L "$RUN_DIR/backends" ]; then rm -rf "$target"; fi
  rm -rf "$RUN_DIR"
  say "removed $RUN_DIR"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac

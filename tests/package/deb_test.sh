#!/usr/bin/env bash
# The Debian package, tried as a user would: build it (cpack), check what it holds, start the
# systemd unit's own ExecStart from an unpacked copy and ask /healthz; then, as root on a
# machine where it is not installed, `dpkg -i` it for real: the system user and its 0700 state
# folder exist, the unit passes `systemd-analyze verify`, the unit's command run as that user
# answers /healthz and writes its database where /etc/reflect-memory/config.toml says, and
# `reflect-memory connect claude-code --http` gives a client a config that lists the tools, and
# `dpkg --purge` leaves no binary, unit, settings or user behind.
#   deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
server_pid=""
installed_here=0
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ "$installed_here" = 1 ]; then
    dpkg --purge reflect-memory >/dev/null 2>&1 || true
    rm -rf /var/lib/reflect-memory
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits for GET /healthz on PORT to answer {"status":"ok"} (5 s at most).
await_health() {
  for _ in $(seq 50); do
    if body=$(curl -fsS "http://127.0.0.1:$1/healthz" 2>/dev/null) && [[ "$body" == *'"ok"'* ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# 1. Build the package.
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$work"/out/reflect-memory_*.deb)
echo "built $(basename "$deb")"

# 2. What it holds.
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/reflect-memory ./usr/lib/systemd/system/reflect-memory.service \
            ./etc/reflect-memory/config.toml ./usr/share/man/man1/reflect-memory.1.gz; do
  grep -q " $path\$" <<<"$contents" || fail "the package has no $path"
done
[ "$(dpkg-deb -f "$deb" Package)" = reflect-memory ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Version)" = "$("$build/reflect-memory" --version)" ] || fail "package version is not the binary's"
dpkg-deb -f "$deb" Depends | grep -q libsqlite3 || fail "Depends lacks the shared libraries"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/reflect-memory/config.toml || fail "config.toml is not a conffile"

dpkg-deb -x "$deb" "$work/root"
unit="$work/root/usr/lib/systemd/system/reflect-memory.service"
for option in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
              User=reflect-memory ReadWritePaths=/var/lib/reflect-memory; do
  grep -qx "$option" "$unit" || fail "the unit lacks $option"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$exec_start" ] || fail "the unit has no ExecStart"
read -r -a command <<<"$exec_start"
[ "${command[0]}" = /usr/bin/reflect-memory ] || fail "ExecStart runs ${command[0]}"
zcat "$work/root/usr/share/man/man1/reflect-memory.1.gz" | grep -q '^\.TH "\?REFLECT-MEMORY' || fail "man page header"

# 3. The unit's command from the unpacked copy, with its shipped settings file; only the
#    address and the database are moved (environment beats the file) to a free port and a
#    temporary folder.
port=$(free_port)
REFLECT_CONFIG="$work/root/etc/reflect-memory/config.toml" REFLECT_HTTP="127.0.0.1:$port" \
  REFLECT_DB="$work/db/memory.db" HOME="$work" \
  "$work/root${command[0]}" "${command[@]:1}" 2>"$work/unpacked.log" &
server_pid=$!
await_health "$port" || { cat "$work/unpacked.log" >&2; fail "the unpacked unit command did not answer /healthz"; }
stop_server
[ -f "$work/db/memory.db" ] || fail "no database where REFLECT_DB pointed"
echo "ok: the unpacked unit command answered /healthz"

# 4. A real install, where that is safe: root, and neither the package nor its user present.
if [ "$(id -u)" != 0 ] || dpkg -s reflect-memory >/dev/null 2>&1 || getent passwd reflect-memory >/dev/null \
   || [ -e /var/lib/reflect-memory ]; then
  echo "skipped the dpkg -i / --purge half: needs root on a machine without reflect-memory installed"
  exit 0
fi
installed_here=1
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
getent passwd reflect-memory | grep -q ':/var/lib/reflect-memory:/usr/sbin/nologin$' || fail "no system user"
[ "$(stat -c '%U %a' /var/lib/reflect-memory)" = "reflect-memory 700" ] || fail "state folder owner/mode: $(stat -c '%U %a' /var/lib/reflect-memory)"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/reflect-memory.service 2>"$work/verify.log" \
    || { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
fi
port=$(free_port)
# As systemd would start it: the service user, its HOME; settings from /etc (database path
# included); only the port moved.
(cd /var/lib/reflect-memory && exec env -i PATH=/usr/bin:/bin HOME=/var/lib/reflect-memory REFLECT_HTTP="127.0.0.1:$port" \
   setpriv --reuid=reflect-memory --regid=reflect-memory --init-groups "${command[@]}") 2>"$work/installed.log" &
server_pid=$!
await_health "$port" || { cat "$work/installed.log" >&2; fail "the installed unit command did not answer /healthz"; }

# The README's next step: `connect claude-code --http`, run as the service user (whose database
# it is), writes the client's config with a new key; with that config a client lists the tools.
client_home=$(mktemp -d)
mkdir "$client_home/.claude"
chown -R reflect-memory:reflect-memory "$client_home"
env -i PATH=/usr/bin:/bin HOME="$client_home" setpriv --reuid=reflect-memory --regid=reflect-memory --init-groups \
  /usr/bin/reflect-memory connect claude-code --http "http://127.0.0.1:$port/mcp" >"$work/connect.log" 2>&1 \
  || { cat "$work/connect.log" >&2; rm -rf "$client_home"; fail "connect claude-code --http"; }
read -r url authorization < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["mcpServers"]["reflect-memory"]; print(s["url"], s["headers"]["Authorization"])' "$client_home/.claude.json")
rm -rf "$client_home"
mcp_post() {  # BODY [SESSION]: POSTs one message as the configured client would; prints headers and body
  curl -sS -i "$url" -H "Authorization: $authorization" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' ${2:+-H "Mcp-Session-Id: $2"} -d "$1"
}
session=$(mcp_post '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"deb-test","version":"1"}}}' \
          | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
[ -n "$session" ] || fail "initialize with the key connect wrote opened no session"
mcp_post '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$session" >/dev/null
tools=$(mcp_post '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' "$session")
grep -q '"name":"write_memory"' <<<"$tools" || { echo "$tools" >&2; fail "tools/list through the connected config"; }
echo "ok: connect claude-code --http wrote a config whose key lists the tools of the installed service"
stop_server
[ "$(stat -c '%U %a' /var/lib/reflect-memory/memory.db)" = "reflect-memory 600" ] \
  || fail "database owner/mode: $(stat -c '%U %a' /var/lib/reflect-memory/memory.db 2>&1)"
echo "ok: installed, ran as reflect-memory from /etc/reflect-memory/config.toml"

dpkg --purge reflect-memory >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge"; }
for path in /usr/bin/reflect-memory /usr/lib/systemd/system/reflect-memory.service /etc/reflect-memory \
            /usr/share/man/man1/reflect-memory.1.gz; do
  [ ! -e "$path" ] || fail "$path is left after purge"
done
! getent passwd reflect-memory >/dev/null || fail "the system user is left after purge"
grep -q "kept the memories in /var/lib/reflect-memory" "$work/purge.log" || fail "purge did not say it kept the memories"
[ -f /var/lib/reflect-memory/memory.db ] || fail "purge deleted the user's memories"
rm -rf /var/lib/reflect-memory
installed_here=0
echo "ok: purged cleanly (memories kept, with a message)"

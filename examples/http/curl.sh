#!/usr/bin/env bash
# One MCP session by hand with curl: initialize, initialized, tools/list, a tool call, and
# the end of the session. Shows the headers the transport expects on every request.
set -euo pipefail
: "${REFLECT_KEY:?set REFLECT_KEY to a key from 'reflect-memory key create --user EMAIL'}"
url=${REFLECT_URL:-http://127.0.0.1:8765/mcp}
common=(-sS -H "Authorization: Bearer ${REFLECT_KEY}" -H "Content-Type: application/json"
        -H "Accept: application/json, text/event-stream")

# initialize: the response carries the session id in the Mcp-Session-Id header.
session=$(curl "${common[@]}" -D - -o /dev/null "$url" -d '{"jsonrpc":"2.0","id":1,"method":"initialize",
  "params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' |
  tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
echo "session: $session"
with_session=("${common[@]}" -H "Mcp-Session-Id: $session" -H "MCP-Protocol-Version: 2025-11-25")

curl "${with_session[@]}" -o /dev/null -w "initialized: HTTP %{http_code}\n" "$url" \
  -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
curl "${with_session[@]}" "$url" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'; echo
curl "${with_session[@]}" "$url" \
  -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_usage","arguments":{}}}'; echo
curl "${common[@]}" -X DELETE -H "Mcp-Session-Id: $session" -o /dev/null -w "closed: HTTP %{http_code}\n" "$url"

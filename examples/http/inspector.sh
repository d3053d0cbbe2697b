#!/usr/bin/env bash
# Lists the server's tools with the MCP Inspector's command-line mode. Pinned: 2.x needs
# Node >= 22.19 and versions before 0.16 lack --header; 0.16.8 runs on Node 20 (npm warns).
# Other methods: --method resources/templates/list, --method prompts/list,
#   --method tools/call --tool-name search_memories --tool-arg term=coffee
set -euo pipefail
: "${REFLECT_KEY:?set REFLECT_KEY to a key from 'reflect-memory key create --user EMAIL'}"
npx -y @modelcontextprotocol/inspector@0.16.8 --cli http://127.0.0.1:8765/mcp --transport http \
  --header "Authorization: Bearer ${REFLECT_KEY}" --method tools/list

#!/usr/bin/env bash
# Adds Reflect Memory to Claude Code over HTTP with your API key (user scope).
# Start the server first: build/reflect-memory serve --http 127.0.0.1:8765
set -euo pipefail
: "${REFLECT_KEY:?set REFLECT_KEY to a key from 'reflect-memory key create --user EMAIL --vendor claude'}"
claude mcp add --scope user --transport http reflect-memory http://127.0.0.1:8765/mcp \
  --header "Authorization: Bearer ${REFLECT_KEY}"

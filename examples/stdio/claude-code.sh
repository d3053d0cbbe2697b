#!/usr/bin/env bash
# Adds Reflect Memory to Claude Code over stdio (user scope: every project sees it).
# Run from the repository root after scripts/start or scripts/build.
#
# The server's name comes before --env: --env takes one or more KEY=value words,
# and recent Claude Code versions read a name placed after it as one more
# (failing with "Invalid environment variable format: reflect-memory").
set -euo pipefail
claude mcp add --scope user reflect-memory --env REFLECT_VENDOR=claude -- \
  "$(pwd)/build/reflect-memory" serve --stdio

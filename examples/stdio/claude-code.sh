#!/usr/bin/env bash
# Adds Reflect Memory to Claude Code over stdio (user scope: every project sees it).
# Run from the repository root after scripts/start or scripts/build.
set -euo pipefail
claude mcp add --scope user --env REFLECT_VENDOR=claude reflect-memory -- \
  "$(pwd)/build/reflect-memory" serve --stdio

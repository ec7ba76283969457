#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image. The kit is in /autograder/source.
set -euo pipefail
cd /autograder/source

# The kit needs Node.js 20 or newer.
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get update
  apt-get install -y ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
# The grader's sandbox for student code (used where the container allows namespaces).
command -v bwrap >/dev/null || { apt-get update && apt-get install -y bubblewrap; } || true
npm ci --no-audit --no-fund

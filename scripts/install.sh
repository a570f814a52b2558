#!/usr/bin/env bash
# Installs, upgrades or removes a release of the gateway (the tarball `npm pack`
# makes) on a gateway machine:
#
#   scripts/install.sh edge-alarm-gateway-0.1.0.tgz             first install
#   scripts/install.sh --upgrade edge-alarm-gateway-0.2.0.tgz   new release; config and buffer stay
#   scripts/install.sh --uninstall [--purge]                    remove; --purge also deletes config, buffer and user
#
# Options:
#   --root DIR      install into DIR as if it were / (a scratch root, an image being built); default /
#   --prefix DIR    where releases go; default /opt/edge-alarm-gateway
#   --node FILE     the Node.js (24 or later) to bundle; default: `node` on PATH if recent enough
#   --no-enable     install the unit but neither enable nor start it
#
# Layout: PREFIX/releases/VERSION (the package and its dependencies), PREFIX/current
# (the active release), PREFIX/bin/node (a copy of Node.js, so the service does
# not depend on what else is installed), PREFIX/bin/gateway (the command line),
# /etc/systemd/system/edge-alarm-gateway.service, /etc/edge-alarm-gateway/site.yaml
# (never overwritten), /etc/edge-alarm-gateway/credentials (secrets, root only)
# and /var/lib/edge-alarm-gateway (the buffer; kept unless --purge).
set -euo pipefail

NAME=edge-alarm-gateway
SERVICE_USER=edge-alarm-gateway
NODE_MAJOR=24
ROOT=/
PREFIX=/opt/$NAME
NODE_BIN=
MODE=install
PURGE=no
ENABLE=yes
TARBALL=

die() {
  echo "install: $*" >&2
  exit 1
}
say() { echo "install: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
    --node) NODE_BIN=${2:?--node needs a file}; shift 2 ;;
    --upgrade) MODE=upgrade; shift ;;
    --uninstall) MODE=uninstall; shift ;;
    --purge) PURGE=yes; shift ;;
    --no-enable) ENABLE=no; shift ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$TARBALL" ] || die "one tarball only"; TARBALL=$1; shift ;;
  esac
done
[ "$PURGE" = no ] || [ "$MODE" = uninstall ] || die "--purge goes with --uninstall"
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
mkdir -p "$ROOT" || die "cannot create the root $ROOT"
ROOT=$(cd "$ROOT" && pwd)
# Paths as the installed system sees them, and as this script reaches them.
at() { if [ "$ROOT" = / ]; then echo "$1"; else echo "$ROOT$1"; fi; }
UNIT_FILE=/etc/systemd/system/$NAME.service
CONFIG_DIR=/etc/$NAME
STATE_DIR=/var/lib/$NAME

# The machine's own systemd only when installing into the real root of a booted system.
live_systemd() { [ "$ROOT" = / ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }
systemctl_here() {
  if [ "$ROOT" = / ]; then systemctl "$@"; else systemctl --root="$ROOT" "$@"; fi
}

user_tool() {
  # useradd and friends edit ROOT/etc/passwd and group directly with --prefix.
  local tool=$1
  shift
  if [ "$ROOT" = / ]; then "$tool" "$@"; else "$tool" --prefix "$ROOT" "$@"; fi
}

ensure_user() {
  if grep -q "^$SERVICE_USER:" "$(at /etc/passwd)" 2>/dev/null; then return; fi
  say "creating the system user $SERVICE_USER"
  local groups=()
  grep -q '^dialout:' "$(at /etc/group)" 2>/dev/null && groups=(--groups dialout)
  user_tool useradd --system --user-group "${groups[@]}" --home-dir "$STATE_DIR" --no-create-home \
    --shell /usr/sbin/nologin --comment "Edge alarm gateway" "$SERVICE_USER"
}

owner_ids() {
  local uid gid
  uid=$(awk -F: -v u="$SERVICE_USER" '$1 == u { print $3 }' "$(at /etc/passwd)")
  gid=$(awk -F: -v u="$SERVICE_USER" '$1 == u { print $4 }' "$(at /etc/passwd)")
  echo "$uid:$gid"
}

find_node() {
  local candidate=${NODE_BIN:-$(command -v node || true)}
  [ -n "$candidate" ] && [ -x "$candidate" ] || die "no Node.js found: give --node /path/to/node (version $NODE_MAJOR or later)"
  local major
  major=$("$candidate" -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge "$NODE_MAJOR" ] || die "$candidate is Node.js $major; version $NODE_MAJOR or later is needed (--node)"
  readlink -f "$candidate"
}

install_release() {
  [ -n "$TARBALL" ] || die "give the release tarball (npm pack makes it)"
  [ -f "$TARBALL" ] || die "$TARBALL: no such file"
  local node version release npm
  node=$(find_node)
  version=$(tar -xzOf "$TARBALL" package/package.json | "$node" -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).version))') ||
    die "$TARBALL is not a release tarball (no package/package.json)"
  npm=$(dirname "$node")/npm
  [ -x "$npm" ] || npm=$(command -v npm) || die "npm is needed to install the dependencies of the release"
  release=$(at "$PREFIX/releases/$version")
  say "installing release $version into $PREFIX/releases/$version"
  rm -rf "$release.partial"
  mkdir -p "$release.partial"
  # Dependencies come from the registry or npm's cache (--prefer-offline); install scripts
  # stay off, as the native dependencies ship prebuilt binaries.
  PATH="$(dirname "$node"):$PATH" "$npm" install --global --prefix "$release.partial" --omit=dev \
    --no-audit --no-fund --prefer-offline --ignore-scripts "$(readlink -f "$TARBALL")" >&2
  rm -rf "$release"
  mv "$release.partial" "$release"

  mkdir -p "$(at "$PREFIX/bin")"
  install -m 0755 "$node" "$(at "$PREFIX/bin/node.new")"
  mv "$(at "$PREFIX/bin/node.new")" "$(at "$PREFIX/bin/node")"
  ln -sfn "releases/$version/lib/node_modules/$NAME" "$(at "$PREFIX/current.new")"
  mv -T "$(at "$PREFIX/current.new")" "$(at "$PREFIX/current")"
  cat >"$(at "$PREFIX/bin/gateway")" <<EOF
#!/bin/sh
# The gateway's command line, with the Node.js bundled with it.
exec $PREFIX/bin/node $PREFIX/current/dist/cli.js "\$@"
EOF
  chmod 0755 "$(at "$PREFIX/bin/gateway")"
  # Older releases go; the one before stays for a quick way back.
  local keep
  keep=$(ls -1t "$(at "$PREFIX/releases")" | grep -vx "$version" | head -n 1 || true)
  for old in "$(at "$PREFIX/releases")"/*; do
    case "$(basename "$old")" in "$version" | "$keep") ;; *) rm -rf "$old" ;; esac
  done
}

install_unit() {
  mkdir -p "$(at /etc/systemd/system)"
  sed "s#/opt/$NAME#$PREFIX#g" "$(at "$PREFIX/current/systemd/$NAME.service")" >"$(at "$UNIT_FILE")"
  chmod 0644 "$(at "$UNIT_FILE")"
}

install_config() {
  local owner
  owner=$(owner_ids)
  mkdir -p "$(at "$CONFIG_DIR/credentials")" "$(at "$STATE_DIR")"
  chmod 0700 "$(at "$CONFIG_DIR/credentials")"
  chown "root:${owner#*:}" "$(at "$CONFIG_DIR")"
  chmod 0750 "$(at "$CONFIG_DIR")"
  chown "$owner" "$(at "$STATE_DIR")"
  chmod 0750 "$(at "$STATE_DIR")"
  install -m 0640 -o root -g "${owner#*:}" "$(at "$PREFIX/current/devices/plant.yaml")" "$(at "$CONFIG_DIR/site.yaml.example")"
  if [ ! -e "$(at "$CONFIG_DIR/site.yaml")" ]; then
    say "example site file installed as $CONFIG_DIR/site.yaml: describe your devices there"
    cp -p "$(at "$CONFIG_DIR/site.yaml.example")" "$(at "$CONFIG_DIR/site.yaml")"
  fi
}

enable_service() {
  [ "$ENABLE" = yes ] || return 0
  if ! command -v systemctl >/dev/null; then
    say "systemctl not found: the unit is installed but not enabled"
    return 0
  fi
  systemctl_here enable "$NAME.service" >&2
  if live_systemd; then
    systemctl daemon-reload
    if [ "$MODE" = upgrade ]; then systemctl try-restart "$NAME.service"; else systemctl start "$NAME.service"; fi
  fi
}

uninstall() {
  if command -v systemctl >/dev/null && [ -e "$(at "$UNIT_FILE")" ]; then
    if live_systemd; then systemctl disable --now "$NAME.service" >&2 || true; else systemctl_here disable "$NAME.service" >&2 || true; fi
  fi
  rm -f "$(at "$UNIT_FILE")"
  live_systemd && systemctl daemon-reload
  rm -rf "$(at "$PREFIX")"
  if [ "$PURGE" = yes ]; then
    say "purging configuration, credentials, buffer and the user $SERVICE_USER"
    rm -rf "$(at "$CONFIG_DIR")" "$(at "$STATE_DIR")"
    if grep -q "^$SERVICE_USER:" "$(at /etc/passwd)" 2>/dev/null; then user_tool userdel "$SERVICE_USER"; fi
    # userdel keeps the user's group where login.defs says so (or, in a scratch root, is absent).
    if grep -q "^$SERVICE_USER:" "$(at /etc/group)" 2>/dev/null; then user_tool groupdel "$SERVICE_USER"; fi
  else
    say "kept $CONFIG_DIR and the buffer in $STATE_DIR (--purge removes them)"
  fi
}

[ "$(id -u)" -eq 0 ] || die "run as root (it creates a user and writes to /etc and $PREFIX)"
case "$MODE" in
  install)
    [ ! -e "$(at "$PREFIX/current")" ] || die "$PREFIX/current exists: use --upgrade"
    ensure_user
    install_release
    install_config
    install_unit
    enable_service
    ;;
  upgrade)
    [ -e "$(at "$PREFIX/current")" ] || die "nothing installed in $PREFIX: install first"
    ensure_user
    install_release
    install_config
    install_unit
    enable_service
    ;;
  uninstall)
    [ -z "$TARBALL" ] || die "--uninstall takes no tarball"
    uninstall
    ;;
esac
say "$MODE done"

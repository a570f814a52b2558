#!/usr/bin/env bash
# Installs what the project needs on a fresh machine and is a no-op when all of
# it is there: Node.js 24 (scripts/env.sh), the npm dependencies, the Kafka
# jars for the local development broker and the lakehouse jobs (from Maven
# Central, cached outside the repository), the lakehouse reader's virtualenv
# (PyPI) and the Debian packages the tests and the demo use (mosquitto,
# socat, systemd, and chromium for the status page's browser test).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
# The site file's validator compiled ahead of time, so a start does not compile the schema.
node scripts/precompile-validator.ts >&2

if command -v java >/dev/null && command -v mvn >/dev/null; then
  node scripts/kafka-broker.ts fetch >&2
  # Flink, its Kafka connector and Iceberg for the lakehouse jobs, and the
  # pyiceberg reader the lakehouse tests check them with (a virtualenv).
  # Without them the gateway and the plain demo still run; the lakehouse tests then fail.
  if ! node scripts/lakehouse.ts fetch >&2; then
    echo "setup: the lakehouse jars or the pyiceberg reader (python3 -m venv, PyPI) could not be installed: the lakehouse tests will fail and the demo runs without --lakehouse" >&2
  fi
else
  echo "setup: java or mvn not found: no local Kafka broker; set KAFKA_BROKERS to use one" >&2
fi

# Debian packages the tests use: mosquitto (the MQTT tests start their own
# broker; the system service is not used), socat (pseudo-terminal pairs for
# Modbus RTU, and the systemd notification socket in tests) and systemd (for
# systemd-analyze verify of the service unit).
missing=()
[ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x /usr/bin/socat ] || missing+=(socat)
[ -x /usr/bin/systemd-analyze ] || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]} (Debian packages)" >&2
    if ! { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; }; then
      echo "setup: ${missing[*]} could not be installed: the tests that need them will fail or skip; install them" >&2
    fi
  else
    echo "setup: ${missing[*]} missing and apt-get as root not available: install these Debian packages for the tests" >&2
  fi
fi
# The status page test drives a real headless Chromium through playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing chromium (Debian package)" >&2
    if ! { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2; }; then
      echo "setup: chromium could not be installed: the status page test will fail; install the chromium package" >&2
    fi
  else
    echo "setup: /usr/bin/chromium missing and apt-get as root not available: install the chromium package for the status page test" >&2
  fi
fi
# Debian enables the packaged service; the gateway's tests and demo run their own broker.
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
  echo "setup: note: the system mosquitto service is running; tests do not use it" >&2
fi

#!/usr/bin/env bash
# The gateway on a simulated plant, shipping to a local Kafka broker (or the
# one in KAFKA_BROKERS), printing each alarm event as it arrives. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
npm run --silent build
# kafkajs 2.2.4 arms timers with negative delays (harmless); Node 24 would warn on every connection.
exec node --disable-warning=TimeoutNegativeWarning scripts/demo.ts "$@"

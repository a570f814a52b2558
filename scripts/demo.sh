#!/usr/bin/env bash
# The gateway on a simulated plant, shipping to a local Kafka broker (or the
# one in KAFKA_BROKERS), printing each alarm event as it arrives. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
npm run --silent build
exec node scripts/demo.ts "$@"

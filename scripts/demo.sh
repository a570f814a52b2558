#!/usr/bin/env bash
# The gateway on a simulated plant, shipping to a local Kafka broker (or the
# one in KAFKA_BROKERS), printing each alarm event as it arrives. Ctrl-C stops it.
# --lakehouse: a Flink job also lands the events in Iceberg (scripts/demo-lakehouse.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
npm run --silent build
# kafkajs 2.2.4 arms timers with negative delays (harmless); Node 24 would warn on every connection.
# Its own session: Ctrl-C reaches the demo alone, which then stops the gateway, Flink and the
# broker in order, instead of the terminal interrupting them all at once.
setsid node scripts/demo.ts "$@" &
demo=$!
trap 'kill -TERM "$demo" 2>/dev/null || true' INT TERM HUP
status=0
while true; do
  wait "$demo" && status=0 || status=$?
  kill -0 "$demo" 2>/dev/null || break
done
exit "$status"

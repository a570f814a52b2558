/**
 * kafkajs 2.2.4 (checked against that version) re-arms a pending-request
 * check on every connection after each answer even when nothing waits:
 * with no throttle the delay is negative, Node turns it into 1 ms, and each
 * idle connection wakes the event loop about a thousand times a second
 * (Node 24 also warns, TimeoutNegativeWarning). A check is only needed while
 * requests wait: `push` arms one when it queues a request and every answer
 * runs one, so an idle queue need not schedule anything. This replaces the
 * library's private `RequestQueue#scheduleCheckPendingRequests` accordingly;
 * it is the only place that reaches into kafkajs internals.
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);
const CHECKED_VERSION = '2.2.4';
const PATCHED = Symbol.for('edge-alarm-gateway.kafkajs-idle-timer');

function install(): void {
  const { version } = require('kafkajs/package.json') as { version: string };
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueInternals & { [PATCHED]?: true };
  };
  const proto = RequestQueue.prototype;
  const original = proto.scheduleCheckPendingRequests;
  // Another kafkajs than the one this was checked against keeps its own behaviour.
  if (version !== CHECKED_VERSION || typeof original !== 'function' || proto[PATCHED]) return;
  proto.scheduleCheckPendingRequests = function scheduleWhileRequestsWait(this: RequestQueueInternals) {
    if (this.pending.length > 0) original.call(this);
  };
  proto[PATCHED] = true;
}

install();

/**
 * NodeIds as the site file writes them. `nsu=<uri>;` names the namespace by
 * its URI, which is stable, while a server may hand out different indexes
 * after a restart; so a NodeId is resolved against the server's current
 * namespace array on every connect, never once for good.
 */
import { NODE_ID_PATTERN } from '../../config/schema.ts';

export interface ParsedNodeId {
  /** Namespace URI when the text used `nsu=`. */
  readonly namespaceUri?: string;
  /** Namespace index when the text used `ns=` (0 when neither was given). */
  readonly namespaceIndex?: number;
  /** `i=…`, `s=…`, `g=…` or `b=…` as written. */
  readonly identifier: string;
}

const PATTERN = new RegExp(NODE_ID_PATTERN);

export function parseNodeId(text: string): ParsedNodeId {
  if (!PATTERN.test(text)) throw new Error(`not a NodeId: ${JSON.stringify(text)}`);
  if (text.startsWith('nsu=')) {
    const split = text.indexOf(';');
    return { namespaceUri: text.slice(4, split), identifier: text.slice(split + 1) };
  }
  if (text.startsWith('ns=')) {
    const split = text.indexOf(';');
    return { namespaceIndex: Number(text.slice(3, split)), identifier: text.slice(split + 1) };
  }
  return { namespaceIndex: 0, identifier: text };
}

export type Resolution = { ok: true; nodeId: string } | { ok: false; reason: string };

/** `ns=<index>;<identifier>` for the server whose namespace array is given. */
export function resolveNodeId(parsed: ParsedNodeId, namespaces: readonly string[]): Resolution {
  if (parsed.namespaceUri === undefined) {
    return { ok: true, nodeId: `ns=${parsed.namespaceIndex ?? 0};${parsed.identifier}` };
  }
  const index = namespaces.indexOf(parsed.namespaceUri);
  if (index < 0) return { ok: false, reason: `the server has no namespace ${parsed.namespaceUri}` };
  return { ok: true, nodeId: `ns=${index};${parsed.identifier}` };
}

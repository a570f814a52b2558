/**
 * kafkajs wraps the error that matters (a protocol error, a socket's TLS
 * error) in retry and connection errors; this walks the whole chain.
 */
export interface ChainLink {
  type?: unknown;
  code?: unknown;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The first error in the chain (the error itself, its causes, the errors it aggregates) that `wanted` accepts. */
export function findInChain(
  error: unknown,
  wanted: (link: ChainLink) => boolean,
  depth = 0,
): ChainLink | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const link = error as ChainLink;
  if (wanted(link)) return link;
  const nested = [link.cause, link.originalError, ...(Array.isArray(link.errors) ? link.errors : [])];
  for (const inner of nested) {
    const found = findInChain(inner, wanted, depth + 1);
    if (found) return found;
  }
  return undefined;
}

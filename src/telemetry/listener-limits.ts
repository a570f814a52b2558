/**
 * The local listener's limits, in one place: the listener serves a few
 * operators, one or two Prometheus servers and a health probe, so anything
 * far beyond that is a fault or an attack, refused before it costs much.
 */

/** Commands and level changes are tiny; anything larger is not one of them. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Open connections served as usual. A connection opened beyond them gets 503
 * with Retry-After (health probes excepted) and is closed, so a crowd of
 * clients cannot make the gateway's own loop fall behind.
 */
export const MAX_CONNECTIONS = 128;

/** What a client refused for load is told to wait, in seconds. */
export const RETRY_AFTER_S = 1;

/**
 * How long one rendering of /metrics answers further scrapes. Scrapes come
 * every 15 s or more, so a second-old text is current, and a thousand
 * scrapes at once cost one rendering instead of a thousand.
 */
export const SCRAPE_REUSE_MS = 500;

/**
 * The request target of an HTTP/1.1 request line, as the listener serves it.
 * Node's parser lets through targets that are no URL at all (`//[`,
 * `http://x:99999/`), so the target is parsed here, where a failure can be
 * answered 400 instead of escaping the request.
 */
export interface RequestTarget {
  /** Path and query; the host part is a placeholder unless the target named one. */
  url: URL;
  /** The host an absolute-form target names, which counts instead of the Host header. */
  authority: string | undefined;
}

const ABSOLUTE_FORM = /^https?:\/\//i;
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The path (origin form) or http URL (absolute form) of a target; undefined for anything else. */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  const parsed = target.startsWith('/')
    ? originForm(target)
    : ABSOLUTE_FORM.test(target)
      ? absoluteForm(target)
      : // Asterisk form (OPTIONS *) and authority form (CONNECT) ask for nothing the listener serves.
        undefined;
  return parsed && isPlainPath(parsed.url.pathname) ? parsed : undefined;
}

function originForm(target: string): RequestTarget | undefined {
  // Joined, not resolved against a base: `//host/x` stays a path instead of becoming a host.
  const url = URL.parse(`http://listener${target}`);
  return url ? { url, authority: undefined } : undefined;
}

function absoluteForm(target: string): RequestTarget | undefined {
  const url = URL.parse(target);
  return url && url.host !== '' ? { url, authority: url.host } : undefined;
}

/**
 * A path that starts with `//` is never a route here and is what URL
 * resolvers take for a host; a `%` without two hex digits cannot be decoded.
 */
function isPlainPath(path: string): boolean {
  return !path.startsWith('//') && !BROKEN_ESCAPE.test(path);
}

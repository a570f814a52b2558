/**
 * The status page's files (plain HTML, CSS and JavaScript, no build step),
 * read once at start. They sit next to this module in src/ and are copied
 * next to it in dist/ by the build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  contentType: string;
  body: Buffer;
}

const FILES: Record<string, { name: string; contentType: string }> = {
  '/': { name: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/status.css': { name: 'status.css', contentType: 'text/css; charset=utf-8' },
  '/status.js': { name: 'status.js', contentType: 'text/javascript; charset=utf-8' },
};

export function loadStatusPage(): Map<string, StaticFile> {
  const dir = new URL('./status-page/', import.meta.url);
  const files = new Map<string, StaticFile>();
  for (const [path, { name, contentType }] of Object.entries(FILES)) {
    files.set(path, { contentType, body: readFileSync(fileURLToPath(new URL(name, dir))) });
  }
  return files;
}

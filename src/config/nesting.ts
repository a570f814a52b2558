/**
 * How deeply a YAML text nests, measured in one pass over yaml's lexer tokens
 * before anything builds a tree: the parser and everything after it recurse
 * once per level, so a text nested thousands deep must be refused before it
 * reaches them. The scan keeps no more than one number per open level and
 * stops at the first level past the limit.
 *
 * Depth is the number of open brackets plus the number of open block levels.
 * A block level opens at each column where an entry starts further right
 * than its parent: at the start of an indented line, and after `- `, `? ` or
 * `: ` on the same line (`- - - x` opens three). YAML allows a list at the
 * same indentation as its parent key, so the true depth of a block may be up
 * to twice the count; a limit in the tens keeps either far from the stack.
 */
import { CST, Lexer } from 'yaml';

export interface Excess {
  /** Offset in the text of the token that opened the level past the limit. */
  offset: number;
  depth: number;
}

/** Tokens the lexer emits that are not text of the source. */
const MARKERS = new Set<string>([CST.DOCUMENT, CST.SCALAR, CST.FLOW_END]);
const INDICATORS = new Set<string | null>(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);
const BLANK = new Set<string | null>(['space', 'newline', 'comment', 'byte-order-mark']);

/** The first place where the text nests deeper than `limit`; undefined when it never does. */
export function findExcessNesting(text: string, limit: number): Excess | undefined {
  const columns: number[] = [];
  let flow = 0;
  let offset = 0;
  let column = 0;
  let lineStart = true;
  let scalarText = false;

  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) {
      if (token === CST.FLOW_END) flow = 0;
      // The token after a scalar marker is the scalar's text, whatever it looks like.
      scalarText = token === CST.SCALAR;
      continue;
    }
    const type = scalarText ? 'scalar' : CST.tokenType(token);
    scalarText = false;

    if (!BLANK.has(type)) {
      // A sequence entry is block syntax: whatever brackets were left open, the lexer has left the flow.
      if (type === 'seq-item-ind') flow = 0;
      if (flow === 0) openBlockLevel(columns, column, lineStart, INDICATORS.has(type));
      lineStart = false;
      if (type === 'flow-map-start' || type === 'flow-seq-start') flow += 1;
      else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flow > 0) flow -= 1;
      const depth = columns.length + flow;
      if (depth > limit) return { offset, depth };
    }

    offset += token.length;
    const newline = token.lastIndexOf('\n');
    if (newline === -1) {
      column += token.length;
    } else {
      column = token.length - newline - 1;
      lineStart = true;
    }
  }
  return undefined;
}

/** `columns` holds the start column of each open block level, strictly increasing. */
function openBlockLevel(columns: number[], column: number, lineStart: boolean, indicator: boolean): void {
  if (!lineStart && !indicator) return;
  // A line closes the levels that start right of it and continues the one at its own column.
  while (columns.length > 0 && (columns.at(-1) as number) > column) columns.pop();
  if (columns.at(-1) !== column) columns.push(column);
}

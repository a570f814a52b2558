/**
 * The small condition language of suppression by design: point references,
 * numbers, true/false, comparisons, and/or/not and parentheses. Parsed once
 * when the site file loads, so a typo is a configuration error with its
 * position, never a surprise at run time; not arbitrary code.
 *
 * A condition whose points have no usable value is unknown, and an unknown
 * condition does not suppress: an alarm is hidden only on evidence.
 */
export type Operand = number | boolean;

export type Expression =
  | { type: 'const'; value: Operand }
  | { type: 'ref'; key: string }
  | { type: 'not'; item: Expression }
  | { type: 'and' | 'or'; items: Expression[] }
  | { type: 'compare'; op: Comparison; left: Expression; right: Expression };

type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';

export class ExpressionError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} at column ${column + 1}`);
    this.column = column;
  }
}

interface Token {
  text: string;
  at: number;
}

const TOKEN =
  /\s*(==|!=|<=|>=|<|>|\(|\)|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z0-9_./-])|[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*)?)/y;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
const KEYWORDS: readonly string[] = ['and', 'or', 'not', 'true', 'false'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(source.slice(start))) break;
    const match = TOKEN.exec(source);
    if (!match) {
      const at = start + (source.slice(start).length - source.slice(start).trimStart().length);
      throw new ExpressionError(`unexpected "${source[at]}"`, at);
    }
    tokens.push({
      text: match[1] as string,
      at: match.index + match[0].length - (match[1] as string).length,
    });
  }
  return tokens;
}

/**
 * Parses a condition; `resolve` turns a reference as written into a point key
 * (a point of the same device, or device/point).
 */
export function parseExpression(source: string, resolve: (ref: string) => string): Expression {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const end = () => source.length;
  const expect = (what: string): Token => {
    const token = tokens[position];
    if (!token) throw new ExpressionError(`expected ${what} but the condition ends`, end());
    position += 1;
    return token;
  };

  const list = (type: 'and' | 'or', next: () => Expression): Expression => {
    const items = [next()];
    while (peek()?.text === type) {
      position += 1;
      items.push(next());
    }
    return items.length === 1 ? (items[0] as Expression) : { type, items };
  };
  const or = (): Expression => list('or', and);
  const and = (): Expression => list('and', not);
  const not = (): Expression => {
    if (peek()?.text !== 'not') return compare();
    position += 1;
    return { type: 'not', item: not() };
  };
  const compare = (): Expression => {
    const left = operand();
    const op = peek()?.text;
    if (op === undefined || !COMPARISONS.includes(op)) return left;
    position += 1;
    return { type: 'compare', op: op as Comparison, left, right: operand() };
  };
  const operand = (): Expression => {
    const token = expect('a point, a number, true or false');
    if (token.text === '(') {
      const inner = or();
      const close = expect('")"');
      if (close.text !== ')') throw new ExpressionError(`expected ")" but found "${close.text}"`, close.at);
      return inner;
    }
    if (token.text === 'true' || token.text === 'false')
      return { type: 'const', value: token.text === 'true' };
    if (NUMBER.test(token.text)) return { type: 'const', value: Number(token.text) };
    if (KEYWORDS.includes(token.text) || COMPARISONS.includes(token.text) || token.text === ')') {
      throw new ExpressionError(
        `expected a point, a number, true or false but found "${token.text}"`,
        token.at,
      );
    }
    return { type: 'ref', key: resolve(token.text) };
  };

  const expression = or();
  const rest = peek();
  if (rest) throw new ExpressionError(`unexpected "${rest.text}"`, rest.at);
  return expression;
}

/** Every point key the condition reads. */
export function referencesOf(expression: Expression): string[] {
  switch (expression.type) {
    case 'const':
      return [];
    case 'ref':
      return [expression.key];
    case 'not':
      return referencesOf(expression.item);
    case 'compare':
      return [...referencesOf(expression.left), ...referencesOf(expression.right)];
    default:
      return expression.items.flatMap(referencesOf);
  }
}

/** true, false, or undefined when a point it needs has no usable value. */
export function evaluateExpression(
  expression: Expression,
  lookup: (key: string) => Operand | undefined,
): boolean | undefined {
  const value = evaluateOperand(expression, lookup);
  return value === undefined ? undefined : truthy(value);
}

function evaluateOperand(
  expression: Expression,
  lookup: (key: string) => Operand | undefined,
): Operand | undefined {
  switch (expression.type) {
    case 'const':
      return expression.value;
    case 'ref':
      return lookup(expression.key);
    case 'not': {
      const inner = evaluateExpression(expression.item, lookup);
      return inner === undefined ? undefined : !inner;
    }
    case 'and': {
      const values = expression.items.map((item) => evaluateExpression(item, lookup));
      if (values.includes(false)) return false;
      return values.includes(undefined) ? undefined : true;
    }
    case 'or': {
      const values = expression.items.map((item) => evaluateExpression(item, lookup));
      if (values.includes(true)) return true;
      return values.includes(undefined) ? undefined : false;
    }
    case 'compare': {
      const left = evaluateOperand(expression.left, lookup);
      const right = evaluateOperand(expression.right, lookup);
      if (left === undefined || right === undefined) return undefined;
      return compareValues(expression.op, Number(left), Number(right));
    }
  }
}

/** Booleans compare as 1 and 0, so `running == 1` and `running == true` mean the same. */
function compareValues(op: Comparison, left: number, right: number): boolean {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

function truthy(value: Operand): boolean {
  return typeof value === 'boolean' ? value : value !== 0;
}

import type { RequestHandler } from 'express';
import { ApiError } from './errors';

// NUL is refused by PostgreSQL in text and jsonb; an unpaired surrogate has no UTF-8 form and
// would be stored as U+FFFD. Neither is anything a person typed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a character no input may carry (NUL or an unpaired surrogate). */
export const hasUnreadableCharacter = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

type Part = 'params' | 'query' | 'body';

// Enough to show what is wrong without echoing a whole hostile body back.
const MOST_FIELDS_NAMED = 20;

/** The field paths of the keys and values holding such a character (a bad key's path being its object's), in order. */
export function unreadablePaths(parts: Record<Part, unknown>): string[] {
  const found = new Set<string>();
  for (const where of ['params', 'query', 'body'] as const) {
    // Breadth first with a queue, not recursion (a parsed JSON body can be nested deeper than
    // the stack allows); each entry points at its parent, so a path is built only when named.
    const queue: Array<{ value: unknown; key: string; parent: number }> = [{ value: parts[where], key: where, parent: -1 }];
    const pathOf = (index: number): string => {
      const keys: string[] = [];
      for (let at = index; at >= 0; at = queue[at]!.parent) keys.push(queue[at]!.key);
      return keys.reverse().join('.');
    };
    for (let i = 0; i < queue.length && found.size < MOST_FIELDS_NAMED; i += 1) {
      const { value } = queue[i]!;
      if (typeof value === 'string') {
        if (hasUnreadableCharacter(value)) found.add(pathOf(i));
      } else if (typeof value === 'object' && value !== null) {
        for (const [key, inner] of Object.entries(value)) {
          if (hasUnreadableCharacter(key)) found.add(pathOf(i));
          else queue.push({ value: inner, key, parent: i });
        }
      }
    }
  }
  return [...found];
}

/**
 * Refuses a request whose path parameters, query or body carry NUL or an unpaired surrogate,
 * with the project's 400 naming the field, before any handler or query sees it: such input
 * can only ever be a probe, and would otherwise reach PostgreSQL as an error (a 500).
 */
export const refuseUnreadableInput: RequestHandler = (req, _res, next) => {
  // A text body (a CSV file) or a file's bytes are left to their reader, which can say what is wrong with the file.
  const paths = unreadablePaths({ params: req.params, query: req.query, body: typeof req.body === 'string' || Buffer.isBuffer(req.body) ? undefined : req.body });
  if (paths.length === 0) return next();
  const message = 'contains a character that is not allowed (NUL or an unpaired surrogate)';
  next(new ApiError('validation_failed', 'the request has invalid fields', { fields: paths.map((path) => ({ path, message })) }));
};

import type { RequestHandler } from 'express';
import { ApiError } from './errors';

// NUL is refused by PostgreSQL in text and jsonb; an unpaired surrogate has no UTF-8 form and
// would be stored as U+FFFD. Neither is anything a person typed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a character no input may carry (NUL or an unpaired surrogate). */
export const hasUnreadableCharacter = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** The first part of a request (params, query, body) holding such a character in a key or a value, if any. */
export function unreadablePart(parts: Record<'params' | 'query' | 'body', unknown>): 'params' | 'query' | 'body' | undefined {
  for (const where of ['params', 'query', 'body'] as const) {
    // Iterative, since a parsed JSON body can be nested deeper than the stack allows recursion.
    const pending: unknown[] = [parts[where]];
    while (pending.length > 0) {
      const value = pending.pop();
      if (typeof value === 'string') {
        if (hasUnreadableCharacter(value)) return where;
      } else if (typeof value === 'object' && value !== null) {
        for (const [key, inner] of Object.entries(value)) {
          if (hasUnreadableCharacter(key)) return where;
          pending.push(inner);
        }
      }
    }
  }
  return undefined;
}

/**
 * Refuses a request whose path parameters, query or body carry NUL or an unpaired surrogate,
 * with the project's 400, before any handler or query sees it: such input can only ever be
 * a probe, and would otherwise reach PostgreSQL as an error (a 500).
 */
export const refuseUnreadableInput: RequestHandler = (req, _res, next) => {
  // A text body (a CSV file) is left to its reader, which can say what is wrong with the file.
  const where = unreadablePart({ params: req.params, query: req.query, body: typeof req.body === 'string' ? undefined : req.body });
  if (where === undefined) return next();
  next(new ApiError('bad_request', `the request ${where === 'params' ? 'address' : where} contains a character that is not allowed (NUL or an unpaired surrogate)`));
};

import type { z } from 'zod';
import { validationError } from './errors';

/** Parses one part of a request with a zod schema, or throws the project's 400 with field paths. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

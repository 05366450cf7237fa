// `expand[]`: replaces id strings along dotted paths with the objects they name, and fills
// "includable" fields that Stripe only returns on request (checkout line_items, invoice payments...).
import { invalidRequest } from './errors';

export type Includable = (parent: Record<string, unknown>) => unknown;

export interface ExpandContext {
  /** The object named by an id, as the requesting account sees it. */
  resolve: (id: string) => unknown;
  /** Includable fields by object type and field name. */
  includables: Record<string, Record<string, Includable>>;
}

const MAX_DEPTH = 4;

function expandOne(node: unknown, segments: string[], ctx: ExpandContext, full: string): unknown {
  if (Array.isArray(node)) return node.map((n) => expandOne(n, segments, ctx, full));
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Record<string, unknown>;
  const [head, ...rest] = segments as [string, ...string[]];
  let value = obj[head];
  const includable = ctx.includables[String(obj.object)]?.[head];
  if (includable && (value === undefined || value === null)) {
    value = includable(obj);
  } else if (typeof value === 'string') {
    const resolved = ctx.resolve(value);
    if (resolved === undefined) throw invalidRequest(`This property cannot be expanded (${full}).`, undefined, 'expand');
    value = resolved;
  } else if (value === undefined || (rest.length === 0 && (typeof value !== 'object' || value === null))) {
    if (value === null) return obj;
    throw invalidRequest(`This property cannot be expanded (${full}).`, undefined, 'expand');
  }
  // Copied along the path only: the objects it passes through are the store's own.
  return { ...obj, [head]: rest.length > 0 ? expandOne(value, rest, ctx, full) : value };
}

/** A copy of `root` with the paths expanded; `root` and the objects resolved are left as they are. */
export function applyExpand<T>(root: T, paths: string[], ctx: ExpandContext): T {
  let expanded = root;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`, undefined, 'expand');
    }
    expanded = expandOne(expanded, segments, ctx, path) as T;
  }
  return expanded;
}

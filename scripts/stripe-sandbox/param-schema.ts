// Top-level parameter names each endpoint accepts, read from the stripe package's own request
// types (e.g. CustomerCreateParams), so the sandbox rejects what Stripe would reject at this API
// version with `parameter_unknown`.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PAGINATION = ['limit', 'starting_after', 'ending_before'];
const cache = new Map<string, ReadonlySet<string> | null>();

function resourcesDir(): string {
  return path.join(path.dirname(require.resolve('stripe')), 'resources');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parse(file: string, name: string): ReadonlySet<string> | null {
  let text: string;
  try {
    text = readFileSync(path.join(resourcesDir(), `${file}.d.ts`), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const header = new RegExp(`^(\\s*)(?:export )?interface ${escapeRegExp(name)}( extends PaginationParams)? \\{$`);
  for (let i = 0; i < lines.length; i++) {
    const m = header.exec(lines[i] as string);
    if (!m) continue;
    const indent = m[1] as string;
    const names = new Set<string>(m[2] ? PAGINATION : []);
    const field = new RegExp(`^${indent}    ([a-z_0-9]+)\\??:`);
    for (let j = i + 1; j < lines.length && lines[j] !== `${indent}}`; j++) {
      const f = field.exec(lines[j] as string);
      if (f) names.add(f[1] as string);
    }
    names.add('expand');
    return names;
  }
  return null;
}

/**
 * The accepted names for a request type given as 'File#Interface' (file relative to the package's
 * resources, e.g. 'Checkout/Sessions#SessionCreateParams'), or null when it cannot be read, in
 * which case nothing is rejected.
 */
export function acceptedParams(spec: string): ReadonlySet<string> | null {
  if (!cache.has(spec)) {
    const [file, name] = spec.split('#') as [string, string];
    const names = parse(file, name);
    if (!names) console.warn(`stripe-sandbox: no parameter list for ${spec}; its parameters are not checked`);
    cache.set(spec, names);
  }
  return cache.get(spec) ?? null;
}

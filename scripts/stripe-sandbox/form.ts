// Parses application/x-www-form-urlencoded bodies and query strings the way Stripe does:
// nested keys `a[b][c]=v`, indexed arrays `a[0]=x` and appended arrays `a[]=x`.

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

function splitKey(key: string): string[] {
  const first = key.indexOf('[');
  if (first < 0) return [key];
  const parts = [key.slice(0, first)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(first))) !== null) parts.push(m[1] ?? '');
  return parts;
}

const APPEND = '\u0000append';

function assign(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    let seg = path[i] as string;
    const last = i === path.length - 1;
    if (seg === '') {
      // `a[]=x`: append; a following nested key starts a new element only when the last one already has it
      const counter = Number(node[APPEND] ?? 0);
      const next = path[i + 1];
      const prev = node[String(counter - 1)];
      const reuse = !last && next !== undefined && counter > 0 && typeof prev === 'object' && prev !== null && !(next in (prev as object));
      const idx = reuse ? counter - 1 : counter;
      if (!reuse) node[APPEND] = counter + 1;
      seg = String(idx);
    }
    if (last) {
      node[seg] = value;
    } else {
      const child = node[seg];
      if (typeof child !== 'object' || child === null) node[seg] = {};
      node = node[seg] as Record<string, unknown>;
    }
  }
}

function finish(node: unknown): FormValue {
  if (typeof node === 'string') return node;
  const obj = node as Record<string, unknown>;
  delete obj[APPEND];
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => finish(obj[String(k)]));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = finish(obj[k]);
  return out;
}

export function parseForm(body: string): FormObject {
  const root: Record<string, unknown> = {};
  if (!body) return {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    assign(root, splitKey(key), value);
  }
  return finish(root) as FormObject;
}

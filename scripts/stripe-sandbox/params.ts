// Typed, validating access to parsed form params, raising Stripe's parameter errors with the full param path.
import { FormObject, FormValue } from './form';
import { invalidParam, missingParam } from './errors';

export class Params {
  constructor(
    readonly raw: FormObject,
    private readonly prefix = '',
  ) {}

  path(name: string): string {
    return this.prefix ? `${this.prefix}[${name}]` : name;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  /** True when the param was sent as an empty string, Stripe's way of unsetting a field. */
  isEmpty(name: string): boolean {
    return this.raw[name] === '';
  }

  private scalar(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidParam(this.path(name), `Invalid string: ${JSON.stringify(v)}`);
    return v;
  }

  str(name: string): string | undefined {
    return this.scalar(name);
  }

  reqStr(name: string): string {
    const v = this.scalar(name);
    if (v === undefined || v === '') throw missingParam(this.path(name));
    return v;
  }

  int(name: string, opts: { min?: number } = {}): number | undefined {
    const v = this.scalar(name);
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidParam(this.path(name), `Invalid integer: ${v}`, 'parameter_invalid_integer');
    const n = Number(v);
    if (opts.min !== undefined && n < opts.min) {
      throw invalidParam(this.path(name), `This value must be greater than or equal to ${opts.min}.`, 'parameter_invalid_integer');
    }
    return n;
  }

  reqInt(name: string, opts: { min?: number } = {}): number {
    const n = this.int(name, opts);
    if (n === undefined) throw missingParam(this.path(name));
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.scalar(name);
    if (v === undefined || v === '') return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParam(this.path(name), `Invalid boolean: ${v}`);
  }

  enum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.scalar(name);
    if (v === undefined || v === '') return undefined;
    if (!(values as readonly string[]).includes(v)) {
      throw invalidParam(this.path(name), `Invalid ${name}: must be one of ${values.join(', ')}`);
    }
    return v as T;
  }

  obj(name: string): Params | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam(this.path(name), `Invalid object`);
    return new Params(v, this.path(name));
  }

  /** An array of hashes, e.g. line_items[0][price]. */
  arr(name: string): Params[] {
    const v = this.raw[name];
    if (v === undefined || v === '') return [];
    const list: FormValue[] = Array.isArray(v) ? v : [v];
    return list.map((item, i) => {
      if (typeof item !== 'object' || Array.isArray(item)) throw invalidParam(`${this.path(name)}[${i}]`, 'Invalid object');
      return new Params(item, `${this.path(name)}[${i}]`);
    });
  }

  strArr(name: string): string[] | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (v === '') return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((item, i) => {
      if (typeof item !== 'string') throw invalidParam(`${this.path(name)}[${i}]`, 'Invalid string');
      return item;
    });
  }

  /** Applies metadata[k]=v updates to `current`; '' unsets a key, metadata='' clears all. */
  metadata(current: Record<string, string> = {}, name = 'metadata'): Record<string, string> {
    const v = this.raw[name];
    if (v === undefined) return current;
    if (v === '') return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam(this.path(name), 'Invalid hash');
    const out = { ...current };
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') throw invalidParam(`${this.path(name)}[${k}]`, 'Invalid string');
      if (val === '') delete out[k];
      else out[k] = val;
    }
    return out;
  }

  /** created[gte]=... style range filters, or an exact created=... */
  range(name: string): ((value: number) => boolean) | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'string') {
      const exact = this.reqInt(name);
      return (x) => x === exact;
    }
    const p = this.obj(name) as Params;
    const gt = p.int('gt');
    const gte = p.int('gte');
    const lt = p.int('lt');
    const lte = p.int('lte');
    return (x) =>
      (gt === undefined || x > gt) && (gte === undefined || x >= gte) && (lt === undefined || x < lt) && (lte === undefined || x <= lte);
  }
}

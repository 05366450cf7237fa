/**
 * What a process remembers of a database, per database handle (each app context has its
 * own, so tests and the benchmark's apps never share), by key: the least recently used
 * forgotten first once the weights of what is remembered pass `capacity` (a count, unless
 * `weigh` says otherwise). Reading with `get` does not count as use; `remember` does.
 */
export class RememberedPerHandle<V> {
  private readonly byHandle = new WeakMap<object, Map<string, V>>();

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(db: object, key: string): V | undefined {
    return this.byHandle.get(db)?.get(key);
  }

  /** Remembers `value` as the most recently used, then forgets the least recently used others past the capacity. */
  remember(db: object, key: string, value: V): void {
    let memory = this.byHandle.get(db);
    if (!memory) this.byHandle.set(db, (memory = new Map()));
    memory.delete(key);
    memory.set(key, value);
    let weight = 0;
    for (const remembered of memory.values()) weight += this.weigh(remembered);
    for (const [oldest, remembered] of memory) {
      if (weight <= this.capacity || oldest === key) break;
      memory.delete(oldest);
      weight -= this.weigh(remembered);
    }
  }

  forget(db: object, key: string): void {
    this.byHandle.get(db)?.delete(key);
  }
}

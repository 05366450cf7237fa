import { Agent, request } from 'node:http';

// Timing probes, as an attacker would send them: the same request with different email
// addresses, one at a time over a kept-alive connection, timed from send to last byte.
// Shared by the privacy benchmark and the timing tests.

export interface Probe {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  ms: number;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function prober(target: string): { send(probe: Probe): Promise<Answer>; close(): void } {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: (probe) =>
      new Promise<Answer>((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = request({ host: url.hostname, port: url.port, method: probe.method, path: probe.path, headers: probe.headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end(probe.body);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * Sends each class's probe `rounds` times, the classes in a new random order every round,
 * so that whatever else the machine is doing falls on every class alike. The first
 * `warmUp` rounds are not counted. Each probe must answer `expectStatus`.
 */
export async function timeClasses(
  target: string,
  classes: Record<string, (round: number) => Probe>,
  options: { rounds: number; warmUp?: number; expectStatus?: number },
): Promise<Record<string, number[]>> {
  const client = prober(target);
  const names = Object.keys(classes);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const warmUp = options.warmUp ?? 20;
  try {
    for (let round = 0; round < warmUp + options.rounds; round += 1) {
      for (const name of shuffled(names)) {
        const answer = await client.send(classes[name]!(round));
        if (options.expectStatus !== undefined && answer.status !== options.expectStatus) throw new Error(`${name} probe answered ${answer.status}, not ${options.expectStatus}: ${answer.body.slice(0, 200)}`);
        if (round >= warmUp) times[name]!.push(answer.ms);
      }
    }
  } finally {
    client.close();
  }
  return times;
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * How well one probe's time tells the two classes apart: the accuracy of the best single
 * threshold (either way round) on these samples, 0.5 being a coin toss. With equal
 * numbers of each, the best threshold on the very samples it is judged on scores a little
 * above 0.5 even when the classes cannot be told apart.
 */
export function thresholdAccuracy(a: number[], b: number[]): number {
  const all = [...a.map((ms) => ({ ms, isA: true })), ...b.map((ms) => ({ ms, isA: false }))].sort((x, y) => x.ms - y.ms);
  // Sweep the threshold upwards: "at or below is A" gets right the A's below and the B's above.
  let aBelow = 0;
  let bBelow = 0;
  let best = Math.max(b.length, a.length);
  for (let i = 0; i < all.length; i += 1) {
    if (all[i]!.isA) aBelow += 1;
    else bBelow += 1;
    if (i + 1 < all.length && all[i + 1]!.ms === all[i]!.ms) continue;
    const aLow = aBelow + (b.length - bBelow);
    const bLow = bBelow + (a.length - aBelow);
    best = Math.max(best, aLow, bLow);
  }
  return best / all.length;
}

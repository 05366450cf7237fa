// Shared helpers for the sandbox's own tests: a sandbox, an official stripe client pointed at it,
// and a tiny webhook receiver on 127.0.0.1.
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeSandbox, StripeSandbox, StripeSandboxOptions } from '../../scripts/stripe-sandbox/server';

export const DAY = 86_400;

export interface Harness {
  sandbox: StripeSandbox;
  stripe: Stripe;
  close(): Promise<void>;
}

export async function startHarness(options: StripeSandboxOptions = {}): Promise<Harness> {
  const sandbox = await startStripeSandbox(options);
  const stripe = new Stripe('sk_test_sandbox', sandbox.stripeClientOptions());
  return { sandbox, stripe, close: () => sandbox.close() };
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  event: Stripe.Event;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** The next this-many deliveries are answered 500, to exercise retries. */
  failNext: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: Receiver = { url: '', received, failNext: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ body, signature: String(req.headers['stripe-signature'] ?? ''), event: JSON.parse(body) as Stripe.Event });
      res.statusCode = receiver.failNext > 0 ? 500 : 200;
      if (receiver.failNext > 0) receiver.failNext -= 1;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Advances a clock through the API and polls until it is ready, as a service would. */
export async function advance(stripe: Stripe, clockId: string, frozenTime: number): Promise<Stripe.TestHelpers.TestClock> {
  await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  for (let i = 0; i < 500; i++) {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    if (clock.status === 'ready') return clock;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`clock ${clockId} did not become ready`);
}

/** Collects every page of a list through auto-pagination. */
export async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

export function expectStripeError(err: unknown): Stripe.errors.StripeError {
  if (!(err instanceof Stripe.errors.StripeError)) throw new Error(`expected a StripeError, got ${String(err)}`);
  return err;
}

/** Runs `fn`, expecting it to reject with a StripeError, and returns that error. */
export async function stripeError(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (err) {
    return expectStripeError(err);
  }
  throw new Error('expected the call to fail');
}

/** 2026-01-01T00:00:00Z, a fixed start for test clocks. */
export const JAN_1_2026 = Date.UTC(2026, 0, 1) / 1000;

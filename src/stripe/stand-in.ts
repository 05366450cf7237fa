/**
 * The seam between the service and an in-process stand-in for Stripe. A development start
 * (`npm start`, scripts/start.ts) passes the offline sandbox through it; the production entry
 * (src/main.ts) passes nothing, so a production build neither imports nor carries the sandbox.
 */
export interface StripeStandIn {
  /** The base URL the Stripe client is pointed at. */
  url: string;
  close(): Promise<void>;
}

export type StartStripeStandIn = () => Promise<StripeStandIn>;

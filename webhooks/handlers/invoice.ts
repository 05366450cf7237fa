import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { applyPaidInvoice, describeFailedPayment, syncInvoice } from '../reconcile/invoice';

const invoiceIdOf = (event: Stripe.Event): string => (event.data.object as Stripe.Invoice).id;

/** invoice.paid: the mirror and the ledger, from the invoice as Stripe has it now (the standing follows when the batch ends). */
export const handleInvoicePaid: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  if (state.invoice.status !== 'paid') return { organizationId: state.organization.id, outcome: `invoice ${state.invoice.id} is ${state.invoice.status} now` };
  return { organizationId: state.organization.id, outcome: await applyPaidInvoice(h, state) };
};

/** invoice.payment_failed: the invoice mirrored as Stripe has it now (open and attempted, unless paid since). */
export const handleInvoicePaymentFailed: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  return { organizationId: state.organization.id, outcome: describeFailedPayment(state) };
};

/** invoice.payment_action_required, .voided, .marked_uncollectible: keep the mirror current; standing follows payments, not these. */
export const handleInvoiceStatus: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  return { organizationId: state.organization.id, outcome: `invoice ${state.invoice.id} is ${state.invoice.status} (${h.event.type})` };
};

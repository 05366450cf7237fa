import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { applyFailedPayment, applyPaidInvoice, syncInvoice } from '../reconcile/invoice';

const invoiceIdOf = (event: Stripe.Event): string => (event.data.object as Stripe.Invoice).id;

/** invoice.paid: paid-through, standing and the ledger, from the invoice as Stripe has it now. */
export const handleInvoicePaid: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  if (state.invoice.status !== 'paid') return { organizationId: state.organization.id, outcome: `invoice ${state.invoice.id} is ${state.invoice.status} now` };
  return { organizationId: state.organization.id, outcome: await applyPaidInvoice(h, state) };
};

/** invoice.payment_failed: past due, unless the invoice has been paid since. */
export const handleInvoicePaymentFailed: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  return { organizationId: state.organization.id, outcome: await applyFailedPayment(h, state) };
};

/** invoice.payment_action_required, .voided, .marked_uncollectible: keep the mirror current; standing follows payments, not these. */
export const handleInvoiceStatus: EventHandler = async (h) => {
  const state = await syncInvoice(h, invoiceIdOf(h.event));
  return { organizationId: state.organization.id, outcome: `invoice ${state.invoice.id} is ${state.invoice.status} (${h.event.type})` };
};

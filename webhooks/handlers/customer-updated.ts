import type Stripe from 'stripe';
import { requestOptions } from '../../src/stripe/client';
import type { EventHandler } from '../handler';
import { linkToMember, updateLinkedMember } from '../linking';

/**
 * customer.updated: a member who changed their email or phone in the billing portal gets
 * it changed here too, unless another member of the organization already has that email.
 */
export const handleCustomerUpdated: EventHandler = async (h) => {
  const customerId = (h.event.data.object as Stripe.Customer).id;
  const customer = await h.stripe.customers.retrieve(customerId, {}, requestOptions({ stripe_account_id: h.event.account ?? null }));
  if (customer.deleted) return { organizationId: null, outcome: `customer ${customerId} was deleted` };
  const { organization, member } = await linkToMember(h.trx, h.stripe, h.event, { metadata: customer.metadata, customerId }, h.now);
  const changes: { email?: string; phone?: string | null } = {};
  const notes: string[] = [];
  if (customer.email && customer.email.toLowerCase() !== member.email.toLowerCase()) {
    const taken = await h.trx
      .selectFrom('members')
      .select('id')
      .where('organization_id', '=', organization.id)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', customer.email!.toLowerCase()))
      .where('id', '!=', member.id)
      .executeTakeFirst();
    if (taken) notes.push(`email ${customer.email} kept out: another member has it`);
    else changes.email = customer.email;
  }
  if (customer.phone !== undefined && customer.phone !== member.phone && customer.phone) changes.phone = customer.phone;
  if (Object.keys(changes).length > 0) {
    await updateLinkedMember(h.trx, member, { ...changes, updated_at: h.now });
    notes.unshift(`updated ${Object.keys(changes).join(' and ')}`);
  }
  return { organizationId: organization.id, outcome: `customer ${customerId}: ${notes.join('; ') || 'nothing to change'}` };
};

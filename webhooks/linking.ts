import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database, Member, Organization } from '../db/database';
import { idsFromMetadata, type OurIds } from '../src/stripe/metadata';
import type { StripeClient } from '../src/stripe/client';
import { requestOptions } from '../src/stripe/client';
import { NotOurs, RetryLater } from './errors';

export interface Linked {
  organization: Organization;
  member: Member;
}

// A webhook batch links many events to the same few organizations in one transaction:
// each lookup (by id, by connected account, the platform's) is read once per transaction.
const organizationsReadIn = new WeakMap<Kysely<Database>, Map<string, Promise<Organization[]>>>();

function organizationsOnce(trx: Kysely<Database>, lookup: string, read: () => Promise<Organization[]>): Promise<Organization[]> {
  let known = organizationsReadIn.get(trx);
  if (!known) organizationsReadIn.set(trx, (known = new Map()));
  let found = known.get(lookup);
  if (!found) known.set(lookup, (found = read()));
  return found;
}

// A batch's members are read and locked with one statement when it starts (see
// lockMembersNamedBy), in id order. Each row is handed out once: a second event of the
// batch for the same member reads it anew, and so sees what the first one changed.
const membersLockedIn = new WeakMap<Kysely<Database>, Member[]>();

const UUID = /^[0-9a-f-]{36}$/i;

function takeLockedMember(trx: Kysely<Database>, matches: (member: Member) => boolean): Member | undefined {
  const locked = membersLockedIn.get(trx);
  const index = locked?.findIndex(matches) ?? -1;
  return index < 0 ? undefined : locked!.splice(index, 1)[0];
}

/**
 * Reads and locks, in one statement, the members a batch's events name in what they carry
 * (our metadata, or the customer), so that linking each event to its member costs no
 * statement of its own. Events that name none are linked as before.
 */
export async function lockMembersNamedBy(trx: Kysely<Database>, events: Stripe.Event[]): Promise<void> {
  const memberIds = new Set<string>();
  const customerIds = new Set<string>();
  for (const event of events) {
    const object = event.data.object as { object?: string; id?: string; customer?: unknown; metadata?: Record<string, string> | null; parent?: { subscription_details?: { metadata?: Record<string, string> | null } | null } | null };
    const memberId = idsFromMetadata(object.metadata ?? object.parent?.subscription_details?.metadata)?.memberId;
    if (memberId && UUID.test(memberId)) memberIds.add(memberId);
    if (typeof object.customer === 'string') customerIds.add(object.customer);
    else if (object.object === 'customer' && object.id) customerIds.add(object.id);
  }
  if (memberIds.size === 0 && customerIds.size === 0) return;
  const members = await trx
    .selectFrom('members')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', eb.fn.any(eb.val([...memberIds]))), eb('stripe_customer_id', '=', eb.fn.any(eb.val([...customerIds])))]))
    .orderBy('id')
    .forUpdate()
    .execute();
  membersLockedIn.set(trx, members);
}

async function organizationById(trx: Kysely<Database>, id: string): Promise<Organization | undefined> {
  // Metadata is text anyone with the account's key can write: an id that is not a uuid is simply not ours.
  if (!UUID.test(id)) return undefined;
  const [organization] = await organizationsOnce(trx, `id:${id}`, () => trx.selectFrom('organizations').selectAll().where('id', '=', id).execute());
  return organization;
}

/** The organization an event's account belongs to: a connected account routes by itself; the platform account by what the object says. */
export async function organizationForAccount(trx: Kysely<Database>, account: string | null | undefined): Promise<Organization | undefined> {
  if (!account) return undefined;
  const [organization] = await organizationsOnce(trx, `account:${account}`, () => trx.selectFrom('organizations').selectAll().where('stripe_account_id', '=', account).execute());
  if (!organization) throw new NotOurs(`no organization uses the connected account ${account}`);
  return organization;
}

/**
 * Links an object to our organization and member: first by the metadata we set (on the
 * object, or on the customer), then by the customer id already stored on a member. A
 * customer whose metadata is not ours is another platform's: NotOurs. Our ids naming a
 * member we cannot find yet: RetryLater.
 */
export async function linkToMember(
  trx: Kysely<Database>,
  stripe: StripeClient,
  event: Stripe.Event,
  hints: { metadata?: Record<string, string> | null | undefined; customerId: string | null | undefined },
): Promise<Linked & { planId: string | undefined }> {
  const accountOrganization = await organizationForAccount(trx, event.account);

  let ids: OurIds | undefined = idsFromMetadata(hints.metadata);
  // Found by its customer id, the member is read and locked at once (or was, with the batch's).
  let lockedMember: Member | undefined;
  if (!ids && hints.customerId) {
    const customerId = hints.customerId;
    lockedMember =
      takeLockedMember(trx, (m) => m.stripe_customer_id === customerId && (accountOrganization === undefined || m.organization_id === accountOrganization.id)) ??
      (await trx
        .selectFrom('members')
        .selectAll()
        .where('stripe_customer_id', '=', customerId)
        .$if(accountOrganization !== undefined, (q) => q.where('organization_id', '=', accountOrganization!.id))
        .forUpdate()
        .executeTakeFirst());
    if (lockedMember) ids = { organizationId: lockedMember.organization_id, memberId: lockedMember.id, planId: undefined };
  }
  if (!ids && hints.customerId) {
    const customer = await stripe.customers.retrieve(hints.customerId, {}, requestOptions({ stripe_account_id: event.account ?? null }));
    ids = customer.deleted ? undefined : idsFromMetadata(customer.metadata);
  }
  if (!ids) throw new NotOurs(`object of customer ${hints.customerId ?? '(none)'} carries none of our metadata`);

  const organization = await organizationById(trx, ids.organizationId);
  if (!organization) throw new NotOurs(`metadata names organization ${ids.organizationId}, which does not exist here`);
  if (accountOrganization && accountOrganization.id !== organization.id) throw new NotOurs('metadata names another organization than the account it came from');
  if (!ids.memberId) throw new RetryLater(`no member linked yet to customer ${hints.customerId ?? '(none)'}`, organization.id);
  const memberId = ids.memberId;
  const member =
    lockedMember ??
    takeLockedMember(trx, (m) => m.id === memberId && m.organization_id === organization.id) ??
    (await trx.selectFrom('members').selectAll().where('organization_id', '=', organization.id).where('id', '=', ids.memberId).forUpdate().executeTakeFirst());
  if (!member) throw new RetryLater(`member ${ids.memberId} not found (yet) in ${organization.slug}`, organization.id);
  if (hints.customerId && member.stripe_customer_id !== hints.customerId) {
    await trx.updateTable('members').set({ stripe_customer_id: hints.customerId, updated_at: new Date() }).where('organization_id', '=', organization.id).where('id', '=', member.id).execute();
    member.stripe_customer_id = hints.customerId;
  }
  return { organization, member, planId: ids.planId ?? member.plan_id ?? undefined };
}

/**
 * Objects with no customer (payouts) belong to the connected account's organization; on
 * the platform account, to the one organization that has no connected account of its own.
 */
export async function organizationForBalance(trx: Kysely<Database>, event: Stripe.Event): Promise<Organization> {
  const byAccount = await organizationForAccount(trx, event.account);
  if (byAccount) return byAccount;
  const platform = await organizationsOnce(trx, 'platform', () => trx.selectFrom('organizations').selectAll().where('stripe_account_id', 'is', null).limit(2).execute());
  if (platform.length !== 1) throw new NotOurs(`a platform-account ${event.type} cannot be routed: ${platform.length} organizations have no connected account`);
  return platform[0]!;
}

export const idOf = (value: string | { id: string } | null | undefined): string | undefined => (typeof value === 'string' ? value : value?.id);

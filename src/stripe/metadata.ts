/**
 * The metadata we put on every Stripe object we create for a member (customer, checkout
 * session, subscription). Prefixed, so another platform's metadata on a shared account is
 * never taken for ours.
 */
export const METADATA = {
  organizationId: 'gs_organization_id',
  memberId: 'gs_member_id',
  planId: 'gs_plan_id',
} as const;

export function memberMetadata(ids: { organizationId: string; memberId: string; planId?: string | null }): Record<string, string> {
  return {
    [METADATA.organizationId]: ids.organizationId,
    [METADATA.memberId]: ids.memberId,
    ...(ids.planId ? { [METADATA.planId]: ids.planId } : {}),
  };
}

export interface OurIds {
  organizationId: string;
  memberId: string | undefined;
  planId: string | undefined;
}

/** Our ids from an object's metadata, or undefined when the object is not one of ours. */
export function idsFromMetadata(metadata: Record<string, string> | null | undefined): OurIds | undefined {
  const organizationId = metadata?.[METADATA.organizationId];
  if (!organizationId) return undefined;
  return { organizationId, memberId: metadata[METADATA.memberId] || undefined, planId: metadata[METADATA.planId] || undefined };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Metadata is text anyone with the account's key can write: an id that is not a uuid is simply not ours (and must not reach a uuid column). */
export const isOurIdShape = (value: string): boolean => UUID.test(value);

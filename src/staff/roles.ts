import type { StaffRole } from '../../db/database';

/** Why a change of roles may not happen: the organization keeps an admin, and no admin demotes themself. */
export type RoleRefusal = 'no_roles' | 'own_admin' | 'last_admin';

/**
 * The guard on a change of someone's roles (`after` empty: removed from the staff). Pure:
 * `otherAdmins` counts the admins other than this person, read under a lock.
 */
export function roleChangeRefusal(change: { before: readonly StaffRole[]; after: readonly StaffRole[]; self: boolean; otherAdmins: number; removing: boolean }): RoleRefusal | undefined {
  if (!change.removing && change.after.length === 0) return 'no_roles';
  const losesAdmin = change.before.includes('admin') && !change.after.includes('admin');
  if (!losesAdmin) return undefined;
  if (change.otherAdmins === 0) return 'last_admin';
  if (change.self) return 'own_admin';
  return undefined;
}

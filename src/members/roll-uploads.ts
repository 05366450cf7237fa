import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { RollMode } from './roll-import';

// Rolls checked in the console and waiting for their confirmation.

const KEPT_FOR_MS = 24 * 3_600_000;

/** Keeps a checked roll for its confirmation; rolls older than a day are deleted on the way. */
export async function storeRollUpload(db: Kysely<Database>, upload: { organizationId: string; staffUserId: string; mode: RollMode; fileName: string; text: string }, at: Date): Promise<string> {
  await db.deleteFrom('roll_uploads').where('organization_id', '=', upload.organizationId).where('created_at', '<', new Date(at.getTime() - KEPT_FOR_MS)).execute();
  const row = await db
    .insertInto('roll_uploads')
    .values({ organization_id: upload.organizationId, staff_user_id: upload.staffUserId, mode: upload.mode, file_name: upload.fileName, file_text: upload.text, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A roll of this organization still waiting for its confirmation (not imported, under a day old), locked for it. */
export async function pendingRollUpload(db: Kysely<Database>, organizationId: string, uploadId: string, at: Date) {
  return db
    .selectFrom('roll_uploads')
    .select(['id', 'mode', 'file_name', 'file_text'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', uploadId)
    .where('imported_at', 'is', null)
    .where('created_at', '>=', new Date(at.getTime() - KEPT_FOR_MS))
    .forUpdate()
    .executeTakeFirst();
}

/** The roll is imported: its text (people's details) is not kept. */
export async function markRollImported(db: Kysely<Database>, uploadId: string, at: Date): Promise<void> {
  await db.updateTable('roll_uploads').set({ imported_at: at, file_text: '' }).where('id', '=', uploadId).execute();
}

import type { ColumnType, Generated } from 'kysely';

/** A roll checked in the console, waiting for its confirmation (migration 0026). */
export interface RollUploadsTable {
  id: Generated<string>;
  organization_id: string;
  staff_user_id: string;
  mode: 'add' | 'update';
  file_name: string;
  /** The CSV as uploaded; emptied once imported. */
  file_text: string;
  created_at: ColumnType<Date, Date, never>;
  imported_at: ColumnType<Date | null, undefined, Date>;
}

declare module './database' {
  interface Database {
    roll_uploads: RollUploadsTable;
  }
}

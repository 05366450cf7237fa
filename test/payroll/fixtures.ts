import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../src/context';
import { findOrganizationById } from '../../src/organizations/queries';
import { insertEmployer, setDeduction } from '../../src/payroll/queries';
import { postRemittance, uploadRemittance } from '../../src/payroll/remittances';

export const ACME_MAPPING = { employeeNumber: 'Employee ID', name: 'Employee Name', amount: 'Union Dues', wages: 'Gross Wages', hours: 'Hours' };

/**
 * An employer with members on deduction and a remittance awaiting review (Acme's layout,
 * with a line that matches no one, one that cannot be read and a total other than the
 * money received), for the console's pages.
 */
export async function seedPayroll(ctx: AppContext, organizationId: string, members: Array<{ id: string; number: string | null }>): Promise<{ employerId: string; remittanceId: string }> {
  const now = ctx.now();
  const organization = (await findOrganizationById(ctx.db, organizationId))!;
  const employer = await insertEmployer(ctx.db, organizationId, { name: 'Acme Hospital', contactName: 'Payroll office', contactEmail: 'payroll@acme.example', contactPhone: null, payFrequency: 'biweekly', worksites: [], columnMapping: ACME_MAPPING }, now);
  for (const member of members) await setDeduction(ctx.db, organizationId, member.id, employer.id, member.number, now);
  const bytes = readFileSync(join(__dirname, 'files', 'acme-hospital.csv'));
  const { remittance } = await ctx.db.transaction().execute((trx) =>
    uploadRemittance(trx, { organization, employer, periodStart: '2026-11-01', periodEnd: '2026-11-30', payDate: null, receivedOn: '2026-11-20', amountReceivedCents: 16500, fileName: 'acme.csv', bytes, mapping: undefined, staffUserId: null, at: now }),
  );
  return { employerId: employer.id, remittanceId: remittance.id };
}

/** The same file for October, posted: $165 received for the lines it matches, the rest in payroll suspense to be explained. */
export async function seedPostedRemittance(ctx: AppContext, organizationId: string, employerId: string, staffUserId: string): Promise<string> {
  const organization = (await findOrganizationById(ctx.db, organizationId))!;
  const employer = await ctx.db.selectFrom('employers').selectAll().where('organization_id', '=', organizationId).where('id', '=', employerId).executeTakeFirstOrThrow();
  const bytes = readFileSync(join(__dirname, 'files', 'acme-hospital.csv'));
  return ctx.db.transaction().execute(async (trx) => {
    const { remittance } = await uploadRemittance(trx, { organization, employer, periodStart: '2026-10-01', periodEnd: '2026-10-31', payDate: null, receivedOn: '2026-10-20', amountReceivedCents: 16500, fileName: 'acme-october.csv', bytes, mapping: undefined, staffUserId: null, at: ctx.now() });
    await postRemittance(trx, organization, remittance.id, staffUserId, ctx.now());
    return remittance.id;
  });
}

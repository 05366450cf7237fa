import type { Request } from 'express';
import { auditActor, recordAudit, recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import type { RouteDefinition } from '../http/routes';
import { previewScan } from '../retention/preview';
import { loadPolicy, savePolicy } from '../retention/queries';
import { nextScanDay } from '../retention/scan';
import type { RetentionPolicy } from '../retention/policy';
import { POLICY_FIELDS } from './i18n/policy';
import type { ConsoleFormKit } from './bank';
import { PolicyPage } from './pages/policy';
import { policyFromForm, policyToForm, type PolicyForm } from './policy-form';
import type { ConsoleSession } from './session';

/** How many of the changed members the preview lists (all of them are counted). */
export const PREVIEW_ROWS = 200;

const FORM_KEYS = [...POLICY_FIELDS, 'arrangementKeepsGoodStanding', 'partialRefundUnpaysPeriod', 'immediateFailureAlert', 'noticePaymentFailed', 'noticeCardExpiring', 'noticeBeforeSuspension'] as const;

/** The form's own fields from a posted body: strings only, anything else dropped. */
function formOf(body: unknown): PolicyForm {
  const fields = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(FORM_KEYS.flatMap((key) => (typeof fields[key] === 'string' ? [[key, fields[key].slice(0, 5000)]] : []))) as PolicyForm;
}

/** The good-standing rules in the console (admins, as in the API): edit, preview the next scan under them, save. */
export function policyConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  async function previews(session: ConsoleSession, proposed: RetentionPolicy) {
    const organization = await kit.organizationOf(session);
    const on = await nextScanDay(ctx.db, organization, ctx.now());
    return {
      proposed: await previewScan(ctx.db, organization.id, proposed, on, PREVIEW_ROWS),
      inForce: await previewScan(ctx.db, organization.id, await loadPolicy(ctx.db, organization.id), on, 0),
    };
  }
  const audit = (db: AppContext['db'], req: Request, organizationId: string, fields: string[]) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action: 'retention.policy_changed', subjectType: 'organization', subjectId: organizationId, details: { via: 'console', fields } });

  return [
    kit.page('/console/policy', ['admin'], 'The good-standing rules: edit them and preview what the next scan would do', async (_req, _res, frame) => {
      const policy = await loadPolicy(ctx.db, frame.session.organization.id);
      return <PolicyPage frame={frame} form={policyToForm(policy)} errors={{}} />;
    }),
    kit.action('/console/policy', ['admin'], 'Preview the next scan under the typed rules, or save them', async (req, res, session) => {
      const form = formOf(req.body);
      const read = policyFromForm(form);
      const frame = kit.frameFor(req, res, session);
      if (!read.ok) {
        kit.sendPage(res, 400, <PolicyPage frame={frame} form={form} errors={read.errors} />);
        return;
      }
      if ((req.body as Record<string, unknown>).intent !== 'save') {
        const shown = await previews(session, read.policy);
        // The preview names members: a bulk read, recorded as the lists are.
        await recordBulkRead(ctx.db, req, { action: 'retention.policy_previewed', rows: shown.proposed.changes.length, filters: { on: shown.proposed.on, via: 'console' }, at: ctx.now() });
        kit.sendPage(res, 200, <PolicyPage frame={frame} form={form} errors={{}} previews={shown} />);
        return;
      }
      const before = await loadPolicy(ctx.db, session.organization.id);
      const changed = (Object.keys(read.policy) as Array<keyof RetentionPolicy>).filter((key) => JSON.stringify(read.policy[key]) !== JSON.stringify(before[key]));
      await ctx.db.transaction().execute(async (trx) => {
        await savePolicy(trx, session.organization.id, read.policy, session.staffUserId, ctx.now());
        await audit(trx, req, session.organization.id, changed);
      });
      kit.redirectWithFlash(res, '/console/policy', { kind: 'policySaved' });
    }),
  ];
}

import { z } from 'zod';
import { EMPLOYER_PAY_FREQUENCIES } from '../../db/database-payroll';
import { instant } from '../http/response-schemas';
import type { RemittanceException } from './exceptions';
import { columnMappingSchema } from './mapping';
import type { Employer, PayrollDeduction, Remittance } from './queries';
import type { RemittanceReview } from './remittances';

/** The shapes payroll deduction answers with, and how rows become them. */

export const employerResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    contactName: z.string().nullable(),
    contactEmail: z.string().nullable(),
    contactPhone: z.string().nullable(),
    payFrequency: z.enum(EMPLOYER_PAY_FREQUENCIES as [string, ...string[]]),
    worksites: z.array(z.string()),
    columnMapping: columnMappingSchema.nullable(),
    members: z.number().int().optional(),
  })
  .strict();
export const employerListResponse = z.object({ employers: z.array(employerResponse) }).strict();

export const presentEmployer = (employer: Employer & { members?: number }) => ({
  id: employer.id,
  name: employer.name,
  contactName: employer.contact_name,
  contactEmail: employer.contact_email,
  contactPhone: employer.contact_phone,
  payFrequency: employer.pay_frequency,
  worksites: employer.worksites,
  columnMapping: employer.column_mapping,
  ...(employer.members !== undefined && { members: employer.members }),
});

export const deductionResponse = z.object({ memberId: z.string(), employerId: z.string(), employeeNumber: z.string().nullable() }).strict();
export const presentDeduction = (d: PayrollDeduction) => ({ memberId: d.member_id, employerId: d.employer_id, employeeNumber: d.employee_number });

const remittanceFields = {
  id: z.string(),
  employerId: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  payDate: z.string().nullable(),
  receivedOn: z.string(),
  amountReceivedCents: z.number().int(),
  currency: z.string(),
  fileName: z.string().nullable(),
  status: z.enum(['draft', 'replaced', 'posted', 'reversed']),
  correctsRemittanceId: z.string().nullable(),
  createdAt: instant,
  postedAt: instant.nullable(),
  reversedAt: instant.nullable(),
  /** How a treasurer explained a posted remittance's payroll suspense, once they have. */
  suspenseExplanation: z.object({ resolution: z.enum(['dues_income', 'employer']), note: z.string(), explainedAt: instant }).strict().nullable(),
};
export const remittanceResponse = z.object(remittanceFields).strict();
export const presentRemittance = (r: Remittance) => ({
  id: r.id,
  employerId: r.employer_id,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  payDate: r.pay_date,
  receivedOn: r.received_on,
  amountReceivedCents: r.amount_received_cents,
  currency: r.currency,
  fileName: r.file_name,
  status: r.status,
  correctsRemittanceId: r.corrects_remittance_id,
  createdAt: r.created_at.toISOString(),
  postedAt: r.posted_at?.toISOString() ?? null,
  reversedAt: r.reversed_at?.toISOString() ?? null,
  suspenseExplanation: r.suspense_resolution && r.suspense_note && r.suspense_explained_at ? { resolution: r.suspense_resolution, note: r.suspense_note, explainedAt: r.suspense_explained_at.toISOString() } : null,
});
export const remittanceListResponse = z.object({ remittances: z.array(remittanceResponse.extend({ employerName: z.string(), linesTotalCents: z.number().int(), lines: z.number().int() }).strict()) }).strict();

const exception = z
  .object({
    kind: z.enum(['bad_line', 'unmatched', 'proposed', 'amount_differs', 'dues_unknown', 'member_twice', 'missing_member', 'total_differs']),
    row: z.number().int().optional(),
    rows: z.array(z.number().int()).optional(),
    message: z.string().optional(),
    name: z.string().nullable().optional(),
    employeeNumber: z.string().nullable().optional(),
    amountCents: z.number().int().nullable().optional(),
    candidates: z.array(z.object({ memberId: z.string(), name: z.string() }).strict()).optional(),
    reason: z.string().optional(),
    memberId: z.string().optional(),
    memberName: z.string().optional(),
    expectedCents: z.number().int().optional(),
    fileTotalCents: z.number().int().optional(),
    receivedCents: z.number().int().optional(),
  })
  .strict();

const line = z
  .object({
    row: z.number().int(),
    employeeNumber: z.string().nullable(),
    name: z.string().nullable(),
    amountCents: z.number().int().nullable(),
    hoursHundredths: z.number().int().nullable(),
    wagesCents: z.number().int().nullable(),
    period: z.string().nullable(),
    problem: z.string().nullable(),
    memberId: z.string().nullable(),
    matchedBy: z.enum(['employee_number', 'name', 'treasurer']).nullable(),
  })
  .strict();

export const remittanceReviewResponse = z
  .object({
    remittance: remittanceResponse,
    employerName: z.string(),
    summary: z.object({ lines: z.number().int(), fileTotalCents: z.number().int(), matchedCents: z.number().int(), suspenseCents: z.number().int(), amountReceivedCents: z.number().int() }).strict(),
    exceptions: z.array(exception),
    lines: z.array(line),
  })
  .strict();

export function presentException(e: RemittanceException, names: ReadonlyMap<string, string>): z.infer<typeof exception> {
  const named = (memberId: string) => ({ memberId, memberName: names.get(memberId) ?? '' });
  switch (e.kind) {
    case 'proposed':
      return { ...e, candidates: e.candidates.map((id) => ({ memberId: id, name: names.get(id) ?? '' })) };
    case 'amount_differs':
    case 'dues_unknown':
    case 'member_twice':
    case 'missing_member':
      return { ...e, ...named(e.memberId) };
    default:
      return e;
  }
}

/** Member ids a review names, so their names can be read in one query. */
export const namedInReview = (review: RemittanceReview) =>
  review.summary.exceptions.flatMap((e) => (e.kind === 'proposed' ? e.candidates : 'memberId' in e ? [e.memberId] : []));

export function presentReview(review: RemittanceReview, names: ReadonlyMap<string, string>) {
  return {
    remittance: presentRemittance(review.remittance),
    employerName: review.employer.name,
    summary: {
      lines: review.summary.lines,
      fileTotalCents: review.summary.fileTotalCents,
      matchedCents: review.summary.matchedCents,
      suspenseCents: review.summary.suspenseCents,
      amountReceivedCents: review.remittance.amount_received_cents,
    },
    exceptions: review.summary.exceptions.map((e) => presentException(e, names)),
    lines: review.lines.map((row) => ({
      row: row.row_number,
      employeeNumber: row.employee_number,
      name: row.name,
      amountCents: row.amount_cents,
      hoursHundredths: row.hours_hundredths,
      wagesCents: row.wages_cents,
      period: row.period_text,
      problem: row.problem,
      memberId: row.member_id,
      matchedBy: row.matched_by,
    })),
  };
}

export const employerReportResponse = z
  .object({
    rows: z.array(
      z
        .object({
          remittanceId: z.string(),
          periodStart: z.string(),
          periodEnd: z.string(),
          status: z.enum(['draft', 'posted']),
          expectedCents: z.number().int(),
          expectedUnknown: z.number().int(),
          remittedCents: z.number().int(),
          receivedCents: z.number().int(),
          payDate: z.string().nullable(),
          receivedOn: z.string(),
          daysToReceipt: z.number().int().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

export const uploadResponse = z.object({ outcome: z.enum(['created', 'same_file_draft', 'already_posted']), replaced: z.string().nullable(), message: z.string(), review: remittanceReviewResponse }).strict();
export const postResponse = z
  .object({
    posted: z.boolean(),
    alreadyPosted: z.boolean(),
    message: z.string(),
    members: z.number().int().optional(),
    duesCents: z.number().int().optional(),
    suspenseCents: z.number().int().optional(),
    reversedRemittanceId: z.string().nullable().optional(),
  })
  .strict();
export const explainResponse = z.object({ explained: z.boolean(), alreadyExplained: z.boolean(), message: z.string(), clearedCents: z.number().int().optional() }).strict();
export const newMemberResponse = z.object({ memberId: z.uuid(), review: remittanceReviewResponse }).strict();

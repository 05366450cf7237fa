import { z } from 'zod';
import type { Organization } from '../../../db/database';
import { ACCOUNT_CODES, CHART_OF_ACCOUNTS, type AccountCode } from '../../ledger/accounts';

/** Where our account goes in the organization's chart of accounts: the name QuickBooks matches, the code Xero matches. */
export interface MappedAccount {
  name: string;
  number: string;
}

export interface AccountMapping {
  accounts: Record<AccountCode, MappedAccount>;
  /** The tax rate Xero's import requires on every line, by its name in the organization's Xero. */
  xeroTaxRate: string;
}

/** Dues are not taxable sales: Xero's own name for the rate of untaxed lines in the US. */
export const DEFAULT_XERO_TAX_RATE = 'Tax Exempt';

// Printable text without tabs or line breaks: the IIF format has no quoting.
const text = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\t\r\n]*$/, 'no tabs or line breaks');

const mappedAccount = z.object({ name: text(159), number: text(10).optional() }).strict();

/** What the treasurer's settings say: only the accounts they mapped. */
export const accountMappingInput = z
  .object({
    accounts: z.partialRecord(z.enum(ACCOUNT_CODES as [AccountCode, ...AccountCode[]]), mappedAccount),
    xeroTaxRate: text(100).optional(),
  })
  .strict();
export type AccountMappingInput = z.output<typeof accountMappingInput>;

/** The organization's settings key the mapping is kept under. */
export const MAPPING_SETTING = 'accountMapping';

/** The stored mapping (empty where never set or unreadable). */
export function storedMapping(organization: Pick<Organization, 'settings'>): AccountMappingInput {
  const parsed = accountMappingInput.safeParse((organization.settings as Record<string, unknown>)[MAPPING_SETTING]);
  return parsed.success ? parsed.data : { accounts: {} };
}

/** The mapping in force: each unmapped account under our name, with our code as its number. */
export function mappingInForce(stored: AccountMappingInput): AccountMapping {
  const accounts = Object.fromEntries(
    CHART_OF_ACCOUNTS.map((account) => {
      const mapped = stored.accounts[account.code];
      return [account.code, { name: mapped?.name ?? account.name, number: mapped?.number ?? account.code }];
    }),
  ) as Record<AccountCode, MappedAccount>;
  return { accounts, xeroTaxRate: stored.xeroTaxRate ?? DEFAULT_XERO_TAX_RATE };
}

/** The mapping as the API answers it: every account, ours beside theirs, and whether it was mapped. */
export function mappingView(stored: AccountMappingInput) {
  const inForce = mappingInForce(stored);
  return {
    accounts: CHART_OF_ACCOUNTS.map((account) => ({ code: account.code, ourName: account.name, ...inForce.accounts[account.code], mapped: stored.accounts[account.code] !== undefined })),
    xeroTaxRate: inForce.xeroTaxRate,
  };
}

export const accountMappingResponse = z.object({
  accounts: z.array(z.object({ code: z.enum(ACCOUNT_CODES as [AccountCode, ...AccountCode[]]), ourName: z.string(), name: z.string(), number: z.string(), mapped: z.boolean() })),
  xeroTaxRate: z.string(),
});

/**
 * The chart of accounts every organization's ledger uses, one set per currency.
 *
 * Amounts are signed integer minor units: a debit is positive, a credit negative. Asset
 * and expense accounts normally carry debit (positive) balances; income accounts carry
 * credit (negative) balances, and their contra accounts (refunds) debit balances.
 *
 * Dispute fees have an account of their own, apart from dispute losses: the disputed
 * amount is revenue that may come back when the dispute is won, while the fee is a
 * bank charge the treasurer reports with processing costs, and Stripe rarely returns it.
 */
export type AccountCode =
  | 'stripe_balance'
  | 'bank'
  | 'cash_on_hand'
  | 'dues_income'
  | 'initiation_fees'
  | 'refunds'
  | 'processing_fees'
  | 'dispute_losses'
  | 'dispute_fees'
  | 'payroll_suspense'
  | 'due_to_employers'
  | 'per_capita_payable'
  | 'per_capita_expense';

export type AccountType = 'asset' | 'liability' | 'income' | 'contra_income' | 'expense';

export interface AccountDefinition {
  code: AccountCode;
  name: string;
  type: AccountType;
}

/** In the order a treasurer reads them: assets, income, then what reduces it. */
export const CHART_OF_ACCOUNTS: readonly AccountDefinition[] = [
  { code: 'stripe_balance', name: 'Stripe balance', type: 'asset' },
  { code: 'bank', name: 'Bank', type: 'asset' },
  { code: 'cash_on_hand', name: 'Cash on hand', type: 'asset' },
  { code: 'dues_income', name: 'Dues income', type: 'income' },
  { code: 'initiation_fees', name: 'Initiation fees', type: 'income' },
  { code: 'refunds', name: 'Refunds', type: 'contra_income' },
  { code: 'processing_fees', name: 'Processing fees', type: 'expense' },
  { code: 'dispute_losses', name: 'Dispute losses', type: 'expense' },
  { code: 'dispute_fees', name: 'Dispute fees', type: 'expense' },
  // Money an employer remitted that no member's line accounts for (or lines the money does not cover): cleared before a month closes.
  { code: 'payroll_suspense', name: 'Payroll suspense', type: 'liability' },
  // Suspense a treasurer said is owed between the union and an employer: a refund owed to it (credit) or a shortfall it still owes (debit).
  { code: 'due_to_employers', name: 'Due to or from employers', type: 'liability' },
  // Per-capita tax owed to affiliates (accrued for a month when it is paid), less what was paid: what is outstanding.
  { code: 'per_capita_payable', name: 'Per-capita tax payable', type: 'liability' },
  { code: 'per_capita_expense', name: 'Per-capita tax', type: 'expense' },
];

export const ACCOUNT_CODES: readonly AccountCode[] = CHART_OF_ACCOUNTS.map((account) => account.code);

// Stripe's test payment method tokens. Using one (attach, checkout) creates a new pm_ object that
// remembers the token's behaviour, as Stripe does.

export type PaymentBehaviour =
  | { kind: 'succeed' }
  | { kind: 'dispute' }
  /** Needs 3D Secure on every payment made without the customer present (renewals). */
  | { kind: 'requires_action' }
  /** Attaching fails (and so does any charge). */
  | { kind: 'decline_on_attach'; declineCode: string; message: string }
  /** Attaching succeeds; every charge fails. */
  | { kind: 'decline_on_charge'; declineCode: string; message: string }
  | { kind: 'ach_succeed' }
  | { kind: 'ach_fail'; failureCode: string; message: string };

export interface TestPaymentMethod {
  token: string;
  type: 'card' | 'us_bank_account';
  label: string;
  brand?: string;
  last4: string;
  behaviour: PaymentBehaviour;
}

const GENERIC_DECLINE = { declineCode: 'generic_decline', message: 'Your card was declined.' };

export const TEST_PAYMENT_METHODS: readonly TestPaymentMethod[] = [
  { token: 'pm_card_visa', type: 'card', label: 'Visa 4242 (succeeds)', brand: 'visa', last4: '4242', behaviour: { kind: 'succeed' } },
  { token: 'pm_card_mastercard', type: 'card', label: 'Mastercard 4444 (succeeds)', brand: 'mastercard', last4: '4444', behaviour: { kind: 'succeed' } },
  {
    token: 'pm_card_chargeCustomerFail',
    type: 'card',
    label: 'Visa 0341 (attaches, later charges fail)',
    brand: 'visa',
    last4: '0341',
    behaviour: { kind: 'decline_on_charge', ...GENERIC_DECLINE },
  },
  {
    token: 'pm_card_authenticationRequired',
    type: 'card',
    label: 'Visa 3184 (3D Secure at checkout; renewals need the customer to authenticate)',
    brand: 'visa',
    last4: '3184',
    behaviour: { kind: 'requires_action' },
  },
  { token: 'pm_card_createDispute', type: 'card', label: 'Visa 0259 (succeeds, then disputed)', brand: 'visa', last4: '0259', behaviour: { kind: 'dispute' } },
  {
    token: 'pm_card_visa_chargeDeclined',
    type: 'card',
    label: 'Visa 0002 (declined)',
    brand: 'visa',
    last4: '0002',
    behaviour: { kind: 'decline_on_attach', ...GENERIC_DECLINE },
  },
  {
    token: 'pm_card_visa_chargeDeclinedInsufficientFunds',
    type: 'card',
    label: 'Visa 9995 (declined, insufficient funds)',
    brand: 'visa',
    last4: '9995',
    behaviour: { kind: 'decline_on_attach', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
  { token: 'pm_usBankAccount_success', type: 'us_bank_account', label: 'Bank account 6789 (succeeds after processing)', last4: '6789', behaviour: { kind: 'ach_succeed' } },
  {
    token: 'pm_usBankAccount_accountClosed',
    type: 'us_bank_account',
    label: 'Bank account 1113 (fails after processing: account closed)',
    last4: '1113',
    behaviour: { kind: 'ach_fail', failureCode: 'account_closed', message: "The customer's bank account has been closed." },
  },
  {
    token: 'pm_usBankAccount_insufficientFunds',
    type: 'us_bank_account',
    label: 'Bank account 2227 (fails after processing: insufficient funds)',
    last4: '2227',
    behaviour: { kind: 'ach_fail', failureCode: 'insufficient_funds', message: "The customer's account has insufficient funds to cover this payment." },
  },
];

/** Sandbox aliases for readability in tests. */
const ALIASES: Record<string, string> = {
  pm_usBankAccount: 'pm_usBankAccount_success',
  pm_usBankAccount_failure: 'pm_usBankAccount_accountClosed',
};

export function testPaymentMethod(token: string): TestPaymentMethod | undefined {
  const name = ALIASES[token] ?? token;
  return TEST_PAYMENT_METHODS.find((t) => t.token === name);
}

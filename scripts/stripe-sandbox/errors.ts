// Stripe's error envelope: {"error": {type, code, message, param, decline_code, ...}} with Stripe's HTTP statuses.

export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  charge?: string;
  payment_intent?: unknown;
  doc_url?: string;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    param,
    message: `Missing required param: ${param}.`,
    doc_url: docUrl('parameter_missing'),
  });
}

export function invalidParam(param: string, message: string, code?: string): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', param, message };
  if (code) {
    body.code = code;
    body.doc_url = docUrl(code);
  }
  return new StripeApiError(400, body);
}

export function invalidRequest(message: string, code?: string, param?: string): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) body.code = code;
  if (param) body.param = param;
  return new StripeApiError(400, body);
}

/** Unknown id. `param` is 'id' for path ids, or the name of the parameter that carried the id. */
export function resourceMissing(noun: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${noun}: '${id}'`,
    doc_url: docUrl('resource_missing'),
  });
}

export function cardError(opts: {
  code: string;
  declineCode?: string;
  message: string;
  charge?: string;
  paymentIntent?: unknown;
}): StripeApiError {
  const body: StripeErrorBody = { type: 'card_error', code: opts.code, message: opts.message, doc_url: docUrl(opts.code) };
  if (opts.declineCode) body.decline_code = opts.declineCode;
  if (opts.charge) body.charge = opts.charge;
  if (opts.paymentIntent) body.payment_intent = opts.paymentIntent;
  return new StripeApiError(402, body);
}

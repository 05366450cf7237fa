import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'unavailable';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
};

/** An error meant for the client: its code, message and details are sent as they are. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS_BY_CODE[code];
  }
}

export const notFound = (what = 'resource'): ApiError => new ApiError('not_found', `${what} not found`);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
}

/** Field paths and messages from zod, in the shape every 400 carries. */
export function validationError(error: ZodError, where: 'body' | 'query' | 'params' = 'body'): ApiError {
  const fields = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new ApiError('validation_failed', 'the request has invalid fields', { fields });
}

// Errors from body parsers and other middleware carry an HTTP status and a `type`.
function fromMiddleware(error: { status?: number; statusCode?: number; type?: string; expose?: boolean }): ApiError | undefined {
  const status = error.status ?? error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return new ApiError('payload_too_large', 'the request body is too large');
  if (status === 415) return new ApiError('unsupported_media_type', 'the request body has an unsupported content type');
  if (error.type === 'entity.parse.failed') return new ApiError('bad_request', 'the request body is not valid JSON');
  if (status === 404) return new ApiError('not_found', 'not found');
  return new ApiError('bad_request', 'the request could not be read');
}

export const handleNotFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('not_found', `no route for ${req.method} ${req.path}`));
};

/** What an error thrown anywhere means to the client; undefined for a failure of ours (a 500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return validationError(error);
  return typeof error === 'object' && error !== null ? fromMiddleware(error) : undefined;
}

export const handleErrors: ErrorRequestHandler = (error, req, res, _next) => {
  const apiError = toApiError(error);
  if (apiError) {
    if (apiError.status >= 500) req.log?.error({ err: error }, apiError.message);
    res.status(apiError.status).json(errorBody(apiError));
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  res.status(500).json(errorBody(new ApiError('internal_error', 'something went wrong on our side; the request id identifies it in our logs')));
};

import express, { type RequestHandler } from 'express';
import { ApiError } from './errors';

// A console form that carries a file (a bank statement) comes as multipart/form-data; the
// same form without a file (or a test's) as url-encoded. Both end as string fields in
// req.body, the file's text under its field's name and its name under `<field>:name`.

/** A file's bytes as text: UTF-8, or Latin-1/Windows-1252 (what many banks' exports still are) when they are not UTF-8. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const readMultipart: RequestHandler = (req, _res, next) => {
  if (!req.is('multipart/form-data')) return next();
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw)) {
    req.body = {};
    return next();
  }
  // The platform's own multipart parser (the fetch API's FormData): no dependency of ours.
  new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: new Uint8Array(raw) })
    .formData()
    .then(async (form) => {
      const fields: Record<string, string> = {};
      const entries: Array<[string, FormDataEntryValue]> = [];
      form.forEach((value, key) => entries.push([key, value]));
      for (const [key, value] of entries) {
        if (typeof value === 'string') fields[key] = value;
        else {
          fields[key] = decodeText(new Uint8Array(await value.arrayBuffer()));
          fields[`${key}:name`] = value.name;
        }
      }
      req.body = fields;
      next();
    })
    .catch(() => next(new ApiError('bad_request', 'the form could not be read')));
};

export function uploadBodyReaders(limit: string): RequestHandler[] {
  const refuseOthers: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('multipart/form-data') && !req.is('application/x-www-form-urlencoded')) return next(new ApiError('unsupported_media_type', 'send the form as multipart/form-data'));
    next();
  };
  return [refuseOthers, express.raw({ type: 'multipart/form-data', limit }), readMultipart, express.urlencoded({ extended: false, limit: '20kb' })];
}

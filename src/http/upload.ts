import express, { type Request, type RequestHandler } from 'express';
import { ApiError } from './errors';

// Console forms that carry a file (a bank statement, a roll, a remittance, a logo) come as
// multipart/form-data; the same forms without a file (a step that carries text on, or a
// test's) as url-encoded. Either way their text fields end in req.body, so the CSRF check
// and each form's schema read them as any form's; the files are kept aside as bytes.

/** A file sent with a form. */
export interface UploadedFile {
  name: string;
  type: string;
  bytes: Buffer;
}

const filesOf = new WeakMap<Request, Map<string, UploadedFile>>();

/** The file a form sent under `field`, when it sent one with any bytes. */
export function uploadedFile(req: Request, field: string): UploadedFile | undefined {
  const file = filesOf.get(req)?.get(field);
  return file && file.bytes.length > 0 ? file : undefined;
}

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
      const files = new Map<string, UploadedFile>();
      const entries: Array<[string, FormDataEntryValue]> = [];
      form.forEach((value, key) => entries.push([key, value]));
      for (const [key, value] of entries) {
        if (typeof value === 'string') fields[key] = value;
        else files.set(key, { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
      req.body = fields;
      filesOf.set(req, files);
      next();
    })
    .catch(() => next(new ApiError('bad_request', 'the form could not be read')));
};

/** The body readers of a route whose form carries a file (`body: 'upload'` in the route table). */
export function uploadBodyReaders(limit: string): RequestHandler[] {
  const refuseOthers: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('multipart/form-data') && !req.is('application/x-www-form-urlencoded')) return next(new ApiError('unsupported_media_type', 'send the form as multipart/form-data'));
    next();
  };
  return [refuseOthers, express.raw({ type: 'multipart/form-data', limit }), readMultipart, express.urlencoded({ extended: false, limit: '20kb' })];
}

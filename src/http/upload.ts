import busboy from 'busboy';
import type { Request, RequestHandler } from 'express';
import { ApiError } from './errors';

/** A file sent with a form (multipart/form-data). */
export interface UploadedFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

const uploads = new WeakMap<Request, Map<string, UploadedFile>>();

/** The file a form sent under `field`, if it sent one with any bytes. */
export function uploadedFile(req: Request, field: string): UploadedFile | undefined {
  const file = uploads.get(req)?.get(field);
  return file && file.data.length > 0 ? file : undefined;
}

/**
 * Reads a multipart form: its text fields into req.body (so the CSRF check and the form's
 * own schema read them as they read an url-encoded form), its one file kept aside for
 * uploadedFile(). A body over the limits is refused whole (413), nothing half-read.
 */
export function readUpload(limits: { fileBytes: number }): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('multipart/form-data')) {
      req.body = {};
      return next();
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limits.fileBytes, fields: 50, fieldSize: 20 * 1024, parts: 52 } });
    } catch {
      return next(new ApiError('bad_request', 'the form could not be read'));
    }
    const fields: Record<string, string> = {};
    const files = new Map<string, UploadedFile>();
    let refused: ApiError | undefined;
    const refuse = (error: ApiError) => (refused ??= error);
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) refuse(new ApiError('payload_too_large', `the field ${name} is too long`));
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => refuse(new ApiError('payload_too_large', `the file is larger than ${Math.round(limits.fileBytes / 1024 / 1024)} MB`)));
      stream.on('close', () => files.set(name, { filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('filesLimit', () => refuse(new ApiError('bad_request', 'send one file')));
    parser.on('fieldsLimit', () => refuse(new ApiError('bad_request', 'the form has too many fields')));
    parser.on('error', () => refuse(new ApiError('bad_request', 'the form could not be read')));
    parser.on('close', () => {
      if (refused) return next(refused);
      req.body = fields;
      uploads.set(req, files);
      next();
    });
    req.pipe(parser);
  };
}

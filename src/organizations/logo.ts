// An organization's logo: a PNG or JPEG of at most 200 KB, known by its first bytes (never
// by the name or type the browser claims), stored in the database and served from our origin.

export const LOGO_MAX_BYTES = 200 * 1024;
export type LogoType = 'image/png' | 'image/jpeg';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** The image type the bytes begin with; undefined for anything but PNG and JPEG (SVG can carry script: refused). */
export function logoType(bytes: Buffer): LogoType | undefined {
  if (bytes.length > PNG.length && bytes.subarray(0, PNG.length).equals(PNG)) return 'image/png';
  if (bytes.length > JPEG.length && bytes.subarray(0, JPEG.length).equals(JPEG)) return 'image/jpeg';
  return undefined;
}

export type LogoCheck = { ok: true; type: LogoType } | { ok: false; problem: 'missing' | 'too_large' | 'not_an_image' };

export function checkLogo(bytes: Buffer | undefined): LogoCheck {
  if (!bytes || bytes.length === 0) return { ok: false, problem: 'missing' };
  if (bytes.length > LOGO_MAX_BYTES) return { ok: false, problem: 'too_large' };
  const type = logoType(bytes);
  return type ? { ok: true, type } : { ok: false, problem: 'not_an_image' };
}

export interface UploadedForm {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A multipart/form-data body (RFC 7578) as its text fields and files; undefined when it is
 * not one. A url-encoded body (a form sent without its file) gives its fields and no files.
 */
export function readUpload(body: Buffer, contentType: string | undefined): UploadedForm | undefined {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return { fields: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), files: {} };
  if (!type.startsWith('multipart/form-data')) return undefined;
  const boundary = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  // The first delimiter has no line break before it: read the body as if it had.
  const data = Buffer.concat([Buffer.from('\r\n'), body]);
  const form: UploadedForm = { fields: {}, files: {} };
  let at = data.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    const start = at + delimiter.length;
    if (data.subarray(start, start + 2).toString() === '--') return form;
    const next = data.indexOf(delimiter, start);
    if (next < 0) return undefined;
    const part = data.subarray(start + 2, next);
    const headerEnd = part.indexOf(HEADER_END);
    if (headerEnd < 0) return undefined;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + HEADER_END.length);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    if (/(?:^|;)\s*filename="/i.test(disposition)) form.files[name] = content;
    else form.fields[name] = content.toString('utf8');
    at = next;
  }
}

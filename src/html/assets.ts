import { createHash } from 'node:crypto';
import type { RouteDefinition } from '../http/routes';

/** A stylesheet served by our own origin, named by its content so it can be cached for a year. */
export interface Stylesheet {
  /** Where pages link it: the route's path with the content's version. */
  href: string;
  route: RouteDefinition;
}

export function stylesheet(path: string, css: string, summary: string): Stylesheet {
  const etag = `"${createHash('sha256').update(css).digest('base64url').slice(0, 16)}"`;
  return {
    href: `${path}?v=${etag.slice(1, 9)}`,
    route: {
      method: 'get',
      path,
      access: 'public',
      summary,
      handler: (req, res) => {
        res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', ETag: etag });
        if (req.headers['if-none-match'] === etag) res.status(304).end();
        else res.type('css').send(css);
      },
    },
  };
}

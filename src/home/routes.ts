import type { AppContext } from '../context';
import type { RouteDefinition } from '../http/routes';
import { escapeHtml } from '../email/templates';
import { faviconRoute } from './favicon';

// A plain landing page until the staff console arrives: where to sign in and what the API offers.
export function homeRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    faviconRoute,
    {
      method: 'get',
      path: '/',
      access: 'public',
      summary: 'Landing page with links',
      handler: (_req, res) => {
        res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Good Standing</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><main><h1>Good Standing</h1><p>Dues and membership for unions, worker centers and community organizations.</p>
<ul><li><a href="/login">Staff sign-in</a></li><li><a href="/api/me">Who am I signed in as</a> (JSON)</li>
<li><a href="/readyz">Service readiness</a></li></ul>
<p>Service address: ${escapeHtml(ctx.publicUrl)}</p></main></body></html>`);
      },
    },
  ];
}

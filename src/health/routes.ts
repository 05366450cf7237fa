import { sql } from 'kysely';
import type { AppContext } from '../context';
import { pendingMigrations } from '../../db/migrate';
import type { RouteDefinition } from '../http/routes';

export function healthRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      access: 'public',
      summary: 'The process is up',
      handler: (_req, res) => {
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/readyz',
      access: 'public',
      summary: 'The database is reachable and every migration is applied',
      handler: async (_req, res) => {
        try {
          await sql`SELECT 1`.execute(ctx.db);
          const pending = await pendingMigrations(ctx.db);
          if (pending.length > 0) {
            res.status(503).json({ status: 'not_ready', reason: 'migrations pending', pending });
            return;
          }
          res.json({ status: 'ready' });
        } catch (error) {
          ctx.logger.warn({ err: error }, 'readiness check failed');
          res.status(503).json({ status: 'not_ready', reason: 'database unreachable' });
        }
      },
    },
  ];
}

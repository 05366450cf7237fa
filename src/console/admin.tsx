import type { AppContext } from '../context';
import type { RouteDefinition } from '../http/routes';
import { auditConsoleRoutes } from './admin/audit';
import { eventConsoleRoutes } from './admin/events';
import { organizationConsoleRoutes } from './admin/organization';
import { planConsoleRoutes } from './admin/plans';
import { staffConsoleRoutes } from './admin/staff';
import type { ConsoleRouteKit } from './months';

/** The admin's settings in the console: plans, the organization, staff, the audit log, Stripe events. */
export function adminConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  return [...planConsoleRoutes(ctx, kit), ...organizationConsoleRoutes(ctx, kit), ...staffConsoleRoutes(ctx, kit), ...auditConsoleRoutes(ctx, kit), ...eventConsoleRoutes(ctx, kit)];
}

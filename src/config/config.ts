import { z } from 'zod';

const DEV_JWT_SECRET = 'dev-only-jwt-secret-not-for-production-use-0000';
const DEV_WEBHOOK_SECRET = 'whsec_dev_only_not_for_production';
const DEV_STRIPE_KEY = 'sk_test_good_standing_sandbox';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optionalText.pipe(z.url().optional()),
  DATABASE_URL: optionalText,
  JWT_SECRET: optionalText,
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,
  STRIPE_API_BASE: optionalText.pipe(z.url().optional()),
  SMTP_URL: optionalText,
  MAIL_FROM: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: optionalText,
  WEBHOOK_PROCESSORS: z.coerce.number().int().min(1).max(64).default(4),
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'use at least 16 random characters').optional()),
  METRICS_ALLOW_FROM: optionalText,
});

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  /** Where people reach the service; links in emails start with it. Unset in development until the port is known. */
  publicUrl: string | undefined;
  /** Unset means: boot the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /** Webhook processors each instance runs side by side (each holds a database connection while busy). */
  webhookProcessors: number;
  jwtSecret: string;
  stripeSecretKey: string;
  /** Several secrets, comma-separated, are all accepted while an endpoint's secret rotates. */
  stripeWebhookSecrets: string[];
  /** The offline sandbox's URL; unset means real Stripe, unless `startStripeSandbox`. */
  stripeApiBase: string | undefined;
  /** Outside production with no Stripe key and no API base, the service runs the offline sandbox itself. */
  startStripeSandbox: boolean;
  /** Unset means: write each message as an .eml file under the data directory. */
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  dataDir: string;
  /** `/metrics` answers a request carrying this bearer token... */
  metricsToken: string | undefined;
  /** ...or one from these addresses (loopback unless METRICS_ALLOW_FROM says otherwise). */
  metricsAllowFrom: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function weakSecret(secret: string): boolean {
  return secret.length < 32 || new Set(secret).size < 10 || /change[-_ ]?me|secret|password|dev-only/i.test(secret);
}

/** Reads the environment once. In production every secret must be present and strong; elsewhere each has a working default. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  if (production) {
    const problems: string[] = [];
    const required = {
      DATABASE_URL: env.DATABASE_URL,
      JWT_SECRET: env.JWT_SECRET,
      STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET,
      SMTP_URL: env.SMTP_URL,
      PUBLIC_URL: env.PUBLIC_URL,
    };
    for (const [name, value] of Object.entries(required)) {
      if (value === undefined) problems.push(`${name} is required in production`);
    }
    if (env.JWT_SECRET !== undefined && weakSecret(env.JWT_SECRET)) {
      problems.push('JWT_SECRET is too weak: use at least 32 random characters (for example `openssl rand -base64 48`)');
    }
    if (env.STRIPE_SECRET_KEY !== undefined && !/^(sk|rk)_(test|live)_[A-Za-z0-9]{16,}$/.test(env.STRIPE_SECRET_KEY)) {
      problems.push('STRIPE_SECRET_KEY does not look like a Stripe secret key (sk_live_... or sk_test_...)');
    }
    if (env.STRIPE_WEBHOOK_SECRET !== undefined && env.STRIPE_WEBHOOK_SECRET.split(',').some((s) => !/^whsec_\S{16,}$/.test(s.trim()))) {
      problems.push('STRIPE_WEBHOOK_SECRET must be one or more whsec_... signing secrets, comma-separated');
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }

  const dataDir = env.DATA_DIR ?? '.data';
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL,
    webhookProcessors: env.WEBHOOK_PROCESSORS,
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    stripeSecretKey: env.STRIPE_SECRET_KEY ?? DEV_STRIPE_KEY,
    stripeWebhookSecrets: (env.STRIPE_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET).split(',').map((s) => s.trim()).filter(Boolean),
    stripeApiBase: env.STRIPE_API_BASE,
    startStripeSandbox: !production && env.STRIPE_SECRET_KEY === undefined && env.STRIPE_API_BASE === undefined,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM ?? 'Good Standing <no-reply@goodstanding.local>',
    logLevel: env.LOG_LEVEL,
    dataDir,
    metricsToken: env.METRICS_TOKEN,
    metricsAllowFrom: (env.METRICS_ALLOW_FROM ?? '127.0.0.1,::1').split(',').map((address) => address.trim()).filter(Boolean),
  };
}

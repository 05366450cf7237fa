import { ConfigError, loadConfig } from '../src/config/config';

const STRONG = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal:5432/good_standing',
  JWT_SECRET: 'q7Z2vN9xL4pR8sT1wK6yB3mC5dF0hJ2gA9eU7iO4',
  STRIPE_SECRET_KEY: 'sk_live_51AbCdEfGhIjKlMnOpQrStUv',
  STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdefghijklmnop',
  SMTP_URL: 'smtps://user:pass@smtp.example.org:465',
  PUBLIC_URL: 'https://dues.example.org/',
};

function problemsOf(environment: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  test('outside production every setting has a working default', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.stripeWebhookSecrets).toHaveLength(1);
    expect(config.webhookProcessors).toBe(4);
  });

  test('in production, every missing secret is named in one error', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SMTP_URL', 'PUBLIC_URL']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(problems).toHaveLength(6);
  });

  test.each([
    ['JWT_SECRET', 'changeme', /JWT_SECRET is too weak/],
    ['JWT_SECRET', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /JWT_SECRET is too weak/],
    ['STRIPE_SECRET_KEY', 'pk_live_123', /STRIPE_SECRET_KEY/],
    ['STRIPE_WEBHOOK_SECRET', 'whsec_0123456789abcdefghij, nope', /STRIPE_WEBHOOK_SECRET/],
  ])('in production, a weak or malformed %s is refused', (name, value, expected) => {
    const problems = problemsOf({ ...STRONG, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  test('a complete production configuration loads, with several webhook secrets for rotation', () => {
    const config = loadConfig({ ...STRONG, STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdefghij,whsec_klmnopqrstuvwxyz0123' });
    expect(config.env).toBe('production');
    expect(config.publicUrl).toBe('https://dues.example.org');
    expect(config.stripeWebhookSecrets).toEqual(['whsec_0123456789abcdefghij', 'whsec_klmnopqrstuvwxyz0123']);
  });

  test('malformed values are named even outside production', () => {
    expect(problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', WEBHOOK_PROCESSORS: '0' }).map((p) => p.split(':')[0])).toEqual(['PORT', 'LOG_LEVEL', 'WEBHOOK_PROCESSORS']);
  });
});

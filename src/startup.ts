/**
 * A start-up failure a person can act on: its message is one plain sentence with the
 * cause and what to do, printed as it is and followed by a non-zero exit.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Why a database URL could not be used, in words: unreachable, refused our login, or missing its database. */
export function databaseFailure(databaseUrl: string, error: unknown): StartupError | undefined {
  const url = new URL(databaseUrl);
  const where = `${url.hostname}:${url.port || '5432'}`;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)';
  switch (codeOf(error)) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new StartupError(`the database cannot be reached at ${where} (${codeOf(error)}): start PostgreSQL there, or set DATABASE_URL to one that runs`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`the database host ${url.hostname} is not known (${codeOf(error)}): check the host in DATABASE_URL`, { cause: error });
    case '28P01':
    case '28000':
      return new StartupError(`the database at ${where} refused the login of user "${decodeURIComponent(url.username)}": check the user and password in DATABASE_URL`, { cause: error });
    case '3D000':
      return new StartupError(`the database "${database}" does not exist at ${where}: create it (createdb ${database}) or name another in DATABASE_URL`, { cause: error });
    default:
      return undefined;
  }
}

/** Why the HTTP port could not be taken. */
export function listenFailure(port: number, error: unknown): StartupError | undefined {
  switch (codeOf(error)) {
    case 'EADDRINUSE':
      return new StartupError(`port ${port} is already in use by another program: stop it, or set PORT to a free port`, { cause: error });
    case 'EACCES':
      return new StartupError(`port ${port} needs privileges this user does not have: set PORT to a port above 1023`, { cause: error });
    default:
      return undefined;
  }
}

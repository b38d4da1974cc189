/** Small helpers for PostgreSQL connection strings. */

export interface ConnectionParts {
  user: string;
  password: string;
  port: number;
  database: string;
  host?: string;
}

export function connectionStringFor({ user, password, port, database, host = '127.0.0.1' }: ConnectionParts): string {
  const auth = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(database)}`;
}

/** The same server and credentials, another database. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The database named in a connection string. */
export function databaseName(connectionString: string): string {
  const name = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ''));
  if (!name) throw new Error('The connection string names no database');
  return name;
}

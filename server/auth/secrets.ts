/**
 * Secrets the server needs but a developer should not have to invent: the JWT
 * signing key and the `app_authenticator` password. Configured values win;
 * otherwise (development only for the JWT key) a random value is generated
 * once and kept in the git-ignored `.data/` folder, so tokens and the GraphQL
 * pool keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../../kernel/config.ts';

export const SECRETS_DIR = path.join(PROJECT_ROOT, '.data');

function isNodeError(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/** The value in `<dir>/<name>`, created (random, owner-readable only) if missing. */
export async function persistedSecret(name: string, dir = SECRETS_DIR): Promise<string> {
  const file = path.join(dir, name);
  const read = async (): Promise<string | undefined> => {
    try {
      return (await readFile(file, 'utf8')).trim() || undefined;
    } catch (error) {
      if (isNodeError(error, 'ENOENT')) return undefined;
      throw error;
    }
  };
  const existing = await read();
  if (existing) return existing;
  await mkdir(dir, { recursive: true });
  const value = randomBytes(32).toString('base64url');
  try {
    // 'wx': if another process created it meanwhile, use theirs.
    await writeFile(file, `${value}\n`, { flag: 'wx', mode: 0o600 });
    return value;
  } catch (error) {
    if (!isNodeError(error, 'EEXIST')) throw error;
    const theirs = await read();
    if (!theirs) throw new Error(`${file} exists but is empty`);
    return theirs;
  }
}

/** JWT_SECRET, required in production; in development a persisted random key. */
export async function resolveJwtSecret(config: Pick<Config, 'jwtSecret' | 'production'>, dir = SECRETS_DIR): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.production) throw new Error('JWT_SECRET must be set (at least 32 characters) when NODE_ENV=production');
  return persistedSecret('jwt-secret', dir);
}

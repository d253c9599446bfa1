import type { Db } from './db.js';
import { sql } from './statements.js';

export function insertToken(db: Db, row: { tokenSha256: string; domainId: number; createdAt: number; expiresAt: number }): void {
  sql(db, 'INSERT INTO auth_token (token_sha256, domain_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    row.tokenSha256,
    row.domainId,
    row.createdAt,
    row.expiresAt,
  );
}

export function findToken(db: Db, tokenSha256: string): { domainId: number; expiresAt: number } | undefined {
  return sql(db, 'SELECT domain_id AS domainId, expires_at AS expiresAt FROM auth_token WHERE token_sha256 = ?').get(
    tokenSha256,
  ) as { domainId: number; expiresAt: number } | undefined;
}

/** Expired tokens are useless; dropping them keeps the table small. Cheap with the expiry index. */
export function deleteExpiredTokens(db: Db, now: number): void {
  sql(db, 'DELETE FROM auth_token WHERE expires_at <= ?').run(now);
}

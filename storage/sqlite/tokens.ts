import type { TokenRecord, TokenWrites } from '../ports.js';
import { sql, type Db } from './connection.js';

export function sqliteTokens(db: Db): TokenWrites {
  return {
    find: async (tokenSha256) =>
      sql(db, 'SELECT domain_id AS domainId, expires_at AS expiresAt FROM auth_token WHERE token_sha256 = ?').get(
        tokenSha256,
      ) as TokenRecord | undefined,
    add: async (t) => {
      sql(db, 'INSERT INTO auth_token (token_sha256, domain_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
        t.tokenSha256,
        t.domainId,
        t.createdAt,
        t.expiresAt,
      );
    },
    // Expired tokens are useless; dropping them keeps the table small. Cheap with the expiry index.
    deleteExpired: async (now) => {
      sql(db, 'DELETE FROM auth_token WHERE expires_at <= ?').run(now);
    },
  };
}

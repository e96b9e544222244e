import { SqlDurableObject } from './sql-object';
import type { EstAnswer, EstKind, EstRequestRow, EstStatus, EstTokenSync } from './est-api';

/*
 * EST's state at the edge (RFC 7030 enrollment through this Worker, see est.ts and docs/est.md):
 *
 * - tokens: one-time enrollment tokens, by SHA-256 of the secret only (certfleet shows the secret once and
 *   pushes the hash here); each has a device, an expiry and a use count.
 * - requests: one row per EST request, keyed by what makes it the same request when a device sends it again
 *   after a 202 (kind + credential + CSR digest), so a retry finds its row instead of making a second one.
 *
 * One object holds both, so "check the token, spend one use, store the request" is one synchronous SQL step
 * (a Durable Object runs one method at a time and `sql.exec` never yields): two devices racing with one token
 * cannot both be accepted. Renewals of a whole fleet are spread over weeks, far below one object's throughput;
 * certfleet drains `pending` in pages.
 */

export interface NewEstRequest {
  kind: EstKind;
  clientFingerprint: string;
  clientSerial: string;
  csrPem: string;
  csrSha256: string;
  /** simpleenroll only: hash of the token secret and the Basic user name. */
  tokenHash?: string;
  username?: string;
}

export type SubmitResult = { ok: true; request: EstRequestRow; created: boolean } | { ok: false; status: number; error: string };

type Row = {
  id: string;
  kind: EstKind;
  status: EstStatus;
  device_id: string | null;
  device_name: string | null;
  token_hash: string | null;
  client_fingerprint: string;
  client_serial: string;
  csr_pem: string;
  csr_sha256: string;
  certificate_pem: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
};

type TokenRow = { hash: string; device_id: string; device_name: string; expires_at: number; uses_left: number; revoked: number };

export class EstStore extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, `
      CREATE TABLE IF NOT EXISTS tokens (
        hash TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        device_name TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        uses_left INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS requests (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        device_id TEXT,
        device_name TEXT,
        token_hash TEXT,
        client_fingerprint TEXT NOT NULL,
        client_serial TEXT NOT NULL,
        csr_pem TEXT NOT NULL,
        csr_sha256 TEXT NOT NULL,
        certificate_pem TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS requests_by_status ON requests (status, created_at);
      CREATE INDEX IF NOT EXISTS requests_by_client ON requests (client_fingerprint, status);
    `);
  }

  /** certfleet's token list: new tokens, and revocations (upsert by hash; a use already spent stays spent). */
  syncTokens(tokens: EstTokenSync[]): number {
    this.ctx.storage.transactionSync(() => {
      for (const t of tokens) {
        this.sql.exec(
          `INSERT INTO tokens (hash, device_id, device_name, expires_at, uses_left, revoked) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (hash) DO UPDATE SET expires_at = excluded.expires_at, revoked = max(revoked, excluded.revoked),
             uses_left = min(uses_left, excluded.uses_left)`,
          t.hash,
          t.deviceId,
          t.deviceName,
          t.expiresAtMs,
          t.usesLeft,
          t.revoked ? 1 : 0,
        );
      }
    });
    return tokens.length;
  }

  /**
   * Stores a request, or finds the one this is a retry of. For simpleenroll the token is checked and one use
   * spent in the same step; a refused request stores nothing.
   */
  submit(input: NewEstRequest, id: string, nowMs: number): SubmitResult {
    const existing = this.sql.exec<Row>('SELECT * FROM requests WHERE id = ?', id).toArray()[0];
    if (existing) return { ok: true, request: toRequest(existing), created: false };

    let deviceId: string | null = null;
    let deviceName: string | null = null;
    if (input.kind === 'enroll') {
      const token = this.sql.exec<TokenRow>('SELECT * FROM tokens WHERE hash = ?', input.tokenHash ?? '').toArray()[0];
      // One message for unknown and wrong-user tokens: a guesser learns nothing about which part was wrong.
      if (!token || token.device_name !== input.username) {
        return { ok: false, status: 401, error: 'the enrollment token is not valid for this user name' };
      }
      if (token.revoked) return { ok: false, status: 401, error: 'the enrollment token has been revoked' };
      if (token.expires_at <= nowMs) return { ok: false, status: 401, error: 'the enrollment token has expired' };
      if (token.uses_left <= 0) return { ok: false, status: 401, error: 'the enrollment token has already been used' };
      this.sql.exec('UPDATE tokens SET uses_left = uses_left - 1 WHERE hash = ?', token.hash);
      deviceId = token.device_id;
      deviceName = token.device_name;
    } else {
      const other = this.sql
        .exec<{ id: string }>(
          "SELECT id FROM requests WHERE client_fingerprint = ? AND kind = 'reenroll' AND status = 'pending' LIMIT 1",
          input.clientFingerprint,
        )
        .toArray()[0];
      if (other) {
        return { ok: false, status: 409, error: 'a re-enrollment with another CSR is already pending for this certificate; send that CSR again' };
      }
    }
    this.sql.exec(
      `INSERT INTO requests (id, kind, status, device_id, device_name, token_hash, client_fingerprint, client_serial, csr_pem,
         csr_sha256, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.kind,
      deviceId,
      deviceName,
      input.kind === 'enroll' ? (input.tokenHash ?? null) : null,
      input.clientFingerprint,
      input.clientSerial,
      input.csrPem,
      input.csrSha256,
      nowMs,
      nowMs,
    );
    const row = this.sql.exec<Row>('SELECT * FROM requests WHERE id = ?', id).one();
    return { ok: true, request: toRequest(row), created: true };
  }

  /** Requests in `status`, oldest first, after the (created_at, id) cursor. */
  list(status: EstStatus, after: string, limit: number): EstRequestRow[] {
    const [ms, id] = after ? [Number(after.split('/')[0]), after.split('/')[1] ?? ''] : [0, ''];
    return this.sql
      .exec<Row>(
        `SELECT * FROM requests WHERE status = ? AND (created_at > ? OR (created_at = ? AND id > ?))
         ORDER BY created_at, id LIMIT ?`,
        status,
        ms,
        ms,
        id,
        limit,
      )
      .toArray()
      .map(toRequest);
  }

  get(id: string): EstRequestRow | null {
    const row = this.sql.exec<Row>('SELECT * FROM requests WHERE id = ?', id).toArray()[0];
    return row ? toRequest(row) : null;
  }

  /**
   * certfleet's answer: the certificate, or why it refused. Idempotent (the same answer again changes nothing);
   * a different answer to a settled request is refused, so a confused retry cannot swap a device's certificate.
   */
  resolve(id: string, answer: EstAnswer, nowMs: number): { ok: true; request: EstRequestRow } | { ok: false; status: number; error: string } {
    const row = this.sql.exec<Row>('SELECT * FROM requests WHERE id = ?', id).toArray()[0];
    if (!row) return { ok: false, status: 404, error: `no EST request ${id}` };
    const status: EstStatus = 'certificatePem' in answer ? 'issued' : 'rejected';
    const value = 'certificatePem' in answer ? answer.certificatePem : answer.error;
    if (row.status !== 'pending') {
      const same = row.status === status && (status === 'issued' ? row.certificate_pem === value : row.error === value);
      return same ? { ok: true, request: toRequest(row) } : { ok: false, status: 409, error: `EST request ${id} is already ${row.status}` };
    }
    this.sql.exec(
      'UPDATE requests SET status = ?, certificate_pem = ?, error = ?, updated_at = ? WHERE id = ?',
      status,
      status === 'issued' ? value : null,
      status === 'rejected' ? value : null,
      nowMs,
      id,
    );
    return { ok: true, request: toRequest(this.sql.exec<Row>('SELECT * FROM requests WHERE id = ?', id).one()) };
  }
}

function toRequest(r: Row): EstRequestRow {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    deviceId: r.device_id,
    deviceName: r.device_name,
    tokenHash: r.token_hash,
    clientFingerprint: r.client_fingerprint,
    clientSerial: r.client_serial,
    csrPem: r.csr_pem,
    csrSha256: r.csr_sha256,
    certificatePem: r.certificate_pem,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

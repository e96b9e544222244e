import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { readStack } from './stack';

/*
 * Shared by the inventory specs (support-revokes, manager-views, expiry): reads of the e2e stack's
 * database and the local Cloudflare, so a spec checks what the browser shows against the source.
 */

export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: readStack().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface SeededCertificate {
  deviceId: string;
  deviceName: string;
  certificateId: string;
  cloudflareId: string;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  certPem: string;
  keyPem: string;
}

/**
 * A seeded demo device by name whose only certificate is active and whose key the simulator keeps
 * (`<dataDir>/devices/<fingerprint>.key.pem`), i.e. one whose revocation can be proved at the edge.
 */
export async function seededDevice(name: string): Promise<SeededCertificate> {
  const rows = await sql<{ deviceId: string; certificateId: string; cloudflareId: string; serialNumber: string; ski: string; fingerprintSha256: string; status: string }>(
    `SELECT d.id AS "deviceId", c.id AS "certificateId", c."cloudflareId", c."serialNumber", c.ski, c."fingerprintSha256", c.status
       FROM "Device" d JOIN "Certificate" c ON c."deviceId" = d.id WHERE d.name = $1`,
    [name],
  );
  if (rows.length !== 1 || rows[0]!.status !== 'ACTIVE') throw new Error(`${name} should have exactly one active certificate (has ${JSON.stringify(rows)})`);
  const row = rows[0]!;
  const keys = join(readStack().dataDir, 'devices');
  const keyFile = join(keys, `${row.fingerprintSha256}.key.pem`);
  if (!existsSync(keyFile)) throw new Error(`the simulator keeps no key for ${name}`);
  return {
    ...row,
    deviceName: name,
    certPem: readFileSync(join(keys, `${row.fingerprintSha256}.cert.pem`), 'utf8'),
    keyPem: readFileSync(keyFile, 'utf8'),
  };
}

/** GET /client_certificates/:id from the local Cloudflare: its status, the truth certfleet follows. */
export async function cloudflareStatus(cloudflareId: string): Promise<string> {
  const { cloudflare } = readStack();
  const response = await fetch(`${cloudflare.apiBaseUrl}/zones/${cloudflare.zoneId}/client_certificates/${cloudflareId}`, {
    headers: { authorization: `Bearer ${cloudflare.apiToken}` },
  });
  const body = (await response.json()) as { result: { status: string } };
  return body.result.status;
}

/** Changes the local Cloudflare's configuration (POST /emulator/config) and returns the previous values of those keys. */
export async function configureCloudflare(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { cloudflare } = readStack();
  const headers = { authorization: `Bearer ${cloudflare.apiToken}`, 'content-type': 'application/json' };
  const before = ((await (await fetch(`${cloudflare.origin}/emulator/config`, { headers })).json()) as { result: Record<string, unknown> }).result;
  const response = await fetch(`${cloudflare.origin}/emulator/config`, { method: 'POST', headers, body: JSON.stringify(patch) });
  if (!response.ok) throw new Error(`emulator config: ${response.status} ${await response.text()}`);
  return Object.fromEntries(Object.keys(patch).map((key) => [key, before[key]]));
}

/** The local Cloudflare completes every pending revocation and reactivation now (POST /emulator/settle). */
export async function settleCloudflare(): Promise<void> {
  const { cloudflare } = readStack();
  const response = await fetch(`${cloudflare.origin}/emulator/settle`, { method: 'POST', headers: { authorization: `Bearer ${cloudflare.apiToken}` } });
  if (!response.ok) throw new Error(`emulator settle: ${response.status} ${await response.text()}`);
}

/** "AB:CD:…" as openssl prints identifiers. */
export function colons(hex: string): string {
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

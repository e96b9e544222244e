// Loading device credentials from disk for the simulator CLI (`npm run device -- --fleet …`).

import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceCredentials } from './simulator';

/**
 * Devices from a directory or a JSON list.
 * - Directory: every `NAME.pem` / `NAME.crt` / `NAME.cert.pem` with a key beside it named `NAME-key.pem`
 *   (cfssljson's naming, as in seed 001: sensor.pem + sensor-key.pem), `NAME.key` or `NAME.key.pem` (the naming
 *   `npm start` uses for the demo fleet under `.data/devices/`).
 * - JSON: `[{ "cert": "a.pem", "key": "a-key.pem", "name"?: "a" }, …]`, paths relative to the JSON file, or
 *   `certPem`/`keyPem` holding the PEM text itself.
 */
export async function loadFleet(source: string): Promise<DeviceCredentials[]> {
  const info = await stat(source);
  const devices = info.isDirectory() ? await loadDirectory(source) : await loadList(source);
  if (devices.length === 0) throw new Error(`${source}: no devices found (expected NAME.pem with NAME-key.pem)`);
  return devices;
}

async function loadDirectory(dir: string): Promise<DeviceCredentials[]> {
  const files = new Set(await readdir(dir));
  const devices: DeviceCredentials[] = [];
  for (const file of [...files].sort()) {
    const m = /^(.*?)(\.cert)?\.(pem|crt)$/.exec(file);
    if (!m || /-key$|\.key$/.test(m[1]!)) continue;
    const name = m[1]!;
    const keyFile = [`${name}-key.pem`, `${name}.key`, `${name}.key.pem`].find((k) => files.has(k));
    if (!keyFile) continue; // a CA certificate or a certificate without its key
    devices.push({
      name,
      certPem: await readFile(path.join(dir, file), 'utf8'),
      keyPem: await readFile(path.join(dir, keyFile), 'utf8'),
    });
  }
  return devices;
}

async function loadList(file: string): Promise<DeviceCredentials[]> {
  const list: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array of {cert, key}`);
  const base = path.dirname(file);
  return Promise.all(
    list.map(async (entry: Record<string, string>, i): Promise<DeviceCredentials> => {
      const certPem = entry.certPem ?? (entry.cert ? await readFile(path.resolve(base, entry.cert), 'utf8') : undefined);
      const keyPem = entry.keyPem ?? (entry.key ? await readFile(path.resolve(base, entry.key), 'utf8') : undefined);
      if (!certPem || !keyPem) throw new Error(`${file}[${i}]: needs "cert" and "key" (paths) or "certPem" and "keyPem"`);
      return { name: entry.name ?? (entry.cert ? path.basename(entry.cert).replace(/\.(pem|crt)$/, '') : `device-${i}`), certPem, keyPem };
    }),
  );
}

/** "60s", "500ms", "5m", "1h", or a bare number of seconds → milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a duration (try 60s, 500ms, 5m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

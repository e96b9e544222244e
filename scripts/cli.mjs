#!/usr/bin/env node
// certfleet's command line: the common jobs over the REST API (/api/v1) with a personal API token.
// Plain Node (18+), no dependencies, so it runs anywhere the fleet's scripts do:
//   npm run cli -- <command> …       (from this checkout)
//   certfleet <command> …            (after `npm link` or a global install of this package)
// Configuration: CERTFLEET_URL and CERTFLEET_TOKEN, or a JSON file { "url", "token" } at
// $CERTFLEET_CONFIG or ~/.config/certfleet/config.json. Exits 0 on success, 1 with the API's message on
// failure, 2 on a usage mistake.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
/* global fetch, URLSearchParams, crypto */

const HELP = `certfleet <command> [options]

  enroll   --name N --group G --csr FILE [--validity-days D] [--out CERT.pem] [--idempotency-key K]
           Enroll a device from its CSR and write its certificate (stdout without --out).
  revoke   --serial S --reason R [--note TEXT]
           Revoke the certificate with this serial. Reasons: KEY_COMPROMISE, DEVICE_LOST,
           SUPERSEDED, DECOMMISSIONED, OTHER (needs --note).
  undo     --serial S        Undo a revocation that is still pending.
  renew    --serial S --csr FILE [--validity-days D] [--revoke-old when-seen|now] [--out CERT.pem] [--idempotency-key K]
           Renew the certificate with this serial from the device's new CSR and write the new one
           (stdout without --out). The old one is revoked once the device posts with the new one
           (when-seen, the default) or at once (now).
  expiring --days N [--json] Live certificates expiring within N days (a table, or JSON).
  readings [--device ID]… [--group G] [--range 24h|7d|30d|90d | --from ISO --to ISO] [--out FILE.csv]
           Export raw readings as CSV.

Config: CERTFLEET_URL, CERTFLEET_TOKEN (or $CERTFLEET_CONFIG / ~/.config/certfleet/config.json).`;

class CliError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function config() {
  let file = {};
  const path = process.env.CERTFLEET_CONFIG ?? join(homedir(), '.config', 'certfleet', 'config.json');
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (process.env.CERTFLEET_CONFIG || error.code !== 'ENOENT') throw new CliError(`Cannot read the config file ${path}: ${error.message}`);
  }
  const url = process.env.CERTFLEET_URL ?? file.url;
  const token = process.env.CERTFLEET_TOKEN ?? file.token;
  if (!url) throw new CliError('Set CERTFLEET_URL (e.g. http://localhost:3000) or "url" in the config file.', 2);
  if (!token) throw new CliError('Set CERTFLEET_TOKEN to an API token (Settings → API tokens) or "token" in the config file.', 2);
  return { url: url.replace(/\/+$/, ''), token };
}

async function api(method, path, { body, headers = {}, raw = false } = {}) {
  const { url, token } = config();
  let response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    throw new CliError(`Cannot reach certfleet at ${url}: ${error.cause?.message ?? error.message}`);
  }
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      const parsed = JSON.parse(text);
      const fields = Object.entries(parsed.error.fields ?? {}).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
      const detail = fields.length > 1 ? ` (${fields.join('; ')})` : '';
      message = `${parsed.error.message}${detail} [${parsed.error.code}, HTTP ${response.status}]`;
    } catch {
      message = `HTTP ${response.status}: ${text.slice(0, 200)}`;
    }
    throw new CliError(message);
  }
  return raw ? response : response.json();
}

async function findBySerial(serial) {
  const wanted = serial.replace(/[\s:-]/g, '').toUpperCase();
  const page = await api('GET', `/api/v1/certificates?${new URLSearchParams({ q: serial, limit: '10' })}`);
  const match = page.items.find((c) => c.serialNumber === wanted);
  if (!match) throw new CliError(`No certificate has the serial ${serial}.`);
  return match;
}

const need = (values, ...names) => {
  for (const name of names) if (!values[name]) throw new CliError(`--${name} is required.\n\n${HELP}`, 2);
};

const commands = {
  async enroll(args) {
    const { values } = parseArgs({ args, options: { name: { type: 'string' }, group: { type: 'string' }, csr: { type: 'string' }, 'validity-days': { type: 'string' }, out: { type: 'string' }, 'idempotency-key': { type: 'string' } } });
    need(values, 'name', 'group', 'csr');
    const csrPem = readFileSync(values.csr, 'utf8');
    const body = { name: values.name, group: values.group, csrPem, ...(values['validity-days'] ? { validityDays: Number(values['validity-days']) } : {}) };
    const answer = await api('POST', '/api/v1/devices', { body, headers: { 'idempotency-key': values['idempotency-key'] ?? `cli-enroll-${crypto.randomUUID()}` } });
    if (values.out) {
      writeFileSync(values.out, answer.certificate.pem);
      console.error(`${answer.outcome === 'issued' ? 'Issued' : 'Already issued'}: ${values.name}, serial ${answer.certificate.serialNumber}, written to ${values.out}`);
    } else process.stdout.write(answer.certificate.pem);
  },
  async revoke(args) {
    const { values } = parseArgs({ args, options: { serial: { type: 'string' }, reason: { type: 'string' }, note: { type: 'string' } } });
    need(values, 'serial', 'reason');
    const cert = await findBySerial(values.serial);
    const result = await api('POST', `/api/v1/certificates/${cert.id}/revoke`, { body: { reason: values.reason, note: values.note ?? '' }, headers: { 'idempotency-key': `cli-revoke-${cert.id}-${values.reason}` } });
    console.log(`${result.label}: ${result.message}`);
  },
  async undo(args) {
    const { values } = parseArgs({ args, options: { serial: { type: 'string' } } });
    need(values, 'serial');
    const cert = await findBySerial(values.serial);
    const result = await api('POST', `/api/v1/certificates/${cert.id}/undo`);
    console.log(`${result.label}: ${result.message}`);
  },
  async renew(args) {
    const { values } = parseArgs({ args, options: { serial: { type: 'string' }, csr: { type: 'string' }, 'validity-days': { type: 'string' }, 'revoke-old': { type: 'string' }, out: { type: 'string' }, 'idempotency-key': { type: 'string' } } });
    need(values, 'serial', 'csr');
    const csrPem = readFileSync(values.csr, 'utf8');
    const cert = await findBySerial(values.serial);
    const body = { csrPem, ...(values['validity-days'] ? { validityDays: Number(values['validity-days']) } : {}), ...(values['revoke-old'] ? { revokeOld: values['revoke-old'] } : {}) };
    const answer = await api('POST', `/api/v1/certificates/${cert.id}/renew`, { body, headers: { 'idempotency-key': values['idempotency-key'] ?? `cli-renew-${crypto.randomUUID()}` } });
    const said = `${answer.outcome === 'issued' ? 'Renewed' : 'Already renewed'}: ${cert.device?.name ?? cert.commonName}, new serial ${answer.certificate.serialNumber}. ${answer.replaced.message}`;
    if (values.out) {
      writeFileSync(values.out, answer.certificate.pem);
      console.error(`${said} Written to ${values.out}`);
    } else {
      console.error(said);
      process.stdout.write(answer.certificate.pem);
    }
  },
  async expiring(args) {
    const { values } = parseArgs({ args, options: { days: { type: 'string' }, json: { type: 'boolean' } } });
    need(values, 'days');
    const rows = [];
    let cursor;
    do {
      const page = await api('GET', `/api/v1/certificates?${new URLSearchParams({ expiringWithinDays: values.days, limit: '500', ...(cursor ? { cursor } : {}) })}`);
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    rows.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn));
    if (values.json) return console.log(JSON.stringify(rows, null, 2));
    if (!rows.length) return console.log(`No live certificate expires within ${values.days} days.`);
    const table = rows.map((c) => [c.device?.name ?? '—', c.serialNumber, c.expiresOn.slice(0, 10), String(Math.ceil((Date.parse(c.expiresOn) - Date.now()) / 86_400_000))]);
    const head = ['DEVICE', 'SERIAL', 'EXPIRES', 'DAYS'];
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    for (const row of [head, ...table]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  },
  async readings(args) {
    const { values } = parseArgs({ args, options: { device: { type: 'string', multiple: true }, group: { type: 'string' }, range: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } });
    const query = new URLSearchParams();
    for (const d of values.device ?? []) query.append('device', d);
    for (const key of ['group', 'range', 'from', 'to']) if (values[key]) query.set(key, values[key]);
    const response = await api('GET', `/api/v1/readings/export?${query}`, { raw: true });
    const csv = await response.text();
    if (values.out) {
      writeFileSync(values.out, csv);
      console.error(`${csv.split('\n').filter(Boolean).length - 1} readings written to ${values.out}`);
    } else process.stdout.write(csv);
  },
};

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help') return console.log(HELP);
  const run = commands[command];
  if (!run) throw new CliError(`Unknown command “${command}”.\n\n${HELP}`, 2);
  try {
    await run(args);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error.code?.startsWith?.('ERR_PARSE_ARGS')) throw new CliError(`${error.message}\n\n${HELP}`, 2);
    throw error;
  }
}

main().catch((error) => {
  console.error(`certfleet: ${error.message}`);
  process.exit(error.exitCode ?? 1);
});

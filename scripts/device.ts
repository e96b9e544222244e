// The seed's IoT sensor script (seed 001, step 4) in TypeScript, plus a fleet mode.
//
//   npm run device -- --url https://127.0.0.1:8443/temps --cert sensor.pem --key sensor-key.pem [--ca ca.pem]
//                     [--every 60s] [--count N] [--temperature 36.5] [--insecure]
//   npm run device -- --url https://127.0.0.1:8443/temps --fleet <dir | list.json> [--every 60s] [--count N]
//
//   npm run device -- --est --url https://127.0.0.1:8443 --dir ./sensor-001 [--name sensor-001 --token <token>
//                     --bootstrap-cert bootstrap.pem --bootstrap-key bootstrap-key.pem] [--renew-now] [--renew-days 30] [--every 60s]
//
// --est: the device looks after its own certificate (docs/est.md): with no <dir>/device.pem it enrolls through
// EST with the bootstrap certificate and the token; with one in its renewal window (last 30 % of its lifetime)
// it renews with simplereenroll; then, with --every, it posts readings with it and renews when the time comes.
//
// Without --every it posts once, like the Python script. --ca defaults to $CERTFLEET_EDGE_CA_FILE (set by
// `npm start` for the local edge). Exit status: 0 when every post got a 2xx.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadFleet, parseDuration } from '@/lib/devices/files';
import { certFile, ensureCertificate, keyFile } from '@/lib/est/device';
import {
  createDeviceAgent,
  postReading,
  sampleTemperature,
  simulateFleet,
  utcSeconds,
  type DeviceCredentials,
} from '@/lib/devices/simulator';

const USAGE = `usage:
  npm run device -- --url https://127.0.0.1:8443/temps --cert sensor.pem --key sensor-key.pem [--ca ca.pem]
                    [--every 60s] [--count N] [--temperature 36.5] [--insecure]
  npm run device -- --url https://127.0.0.1:8443/temps --fleet <dir | list.json> [--every 60s] [--count N]
  npm run device -- --est --url https://127.0.0.1:8443 --dir <dir> [--name <device> --token <token>
                    --bootstrap-cert bootstrap.pem --bootstrap-key bootstrap-key.pem] [--renew-now] [--renew-days 30] [--every 60s] [--count N]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      every: { type: 'string' },
      count: { type: 'string' },
      temperature: { type: 'string' },
      fleet: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      est: { type: 'boolean', default: false },
      dir: { type: 'string' },
      name: { type: 'string' },
      token: { type: 'string' },
      'bootstrap-cert': { type: 'string' },
      'bootstrap-key': { type: 'string' },
      'renew-now': { type: 'boolean', default: false },
      'renew-days': { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.est) return estMain(values);
  if (!values.url || (!values.fleet && (!values.cert || !values.key))) {
    console.error(USAGE);
    return 2;
  }
  const everyMs = values.every ? parseDuration(values.every) : undefined;
  const count = values.count ? Number(values.count) : everyMs === undefined ? 1 : undefined;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new Error('--count must be a positive integer');
  const caFile = values.ca ?? process.env.CERTFLEET_EDGE_CA_FILE;
  const tls = { caPem: caFile ? await readFile(caFile, 'utf8') : undefined, insecure: values.insecure };

  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());

  if (values.fleet) {
    const devices = await loadFleet(values.fleet);
    console.log(`Fleet of ${devices.length} devices → ${values.url} (every ${values.every ?? '60s'}${count ? `, ${count} each` : ''})`);
    let failures = 0;
    const stats = await simulateFleet({
      url: values.url,
      devices,
      everyMs: everyMs ?? 60_000,
      count,
      ...tls,
      signal: controller.signal,
      onResult(device, index, result) {
        const ok = result.status >= 200 && result.status < 300;
        if (!ok) failures++;
        const detail = ok ? '' : ` ${result.error ?? result.body.trim().slice(0, 200)}`;
        console.log(`${device.name ?? index}: ${result.requestBody} → ${result.status || 'no response'}${detail}`);
      },
    });
    const summary = Object.entries(stats.byStatus).map(([s, n]) => `${s === '0' ? 'no response' : s}×${n}`).join(', ');
    console.log(`Sent ${stats.sent} readings in ${(stats.durationMs / 1000).toFixed(1)} s: ${summary || 'none'}`);
    return failures ? 1 : 0;
  }

  const device: DeviceCredentials = {
    certPem: await readFile(values.cert!, 'utf8'),
    keyPem: await readFile(values.key!, 'utf8'),
  };
  const agent = createDeviceAgent(device, tls);
  console.log('Cloudflare API Shield [IoT device demonstration]');
  let failures = 0;
  try {
    for (let n = 0; count === undefined || n < count; n++) {
      if (n > 0 && !(await wait(everyMs ?? 0, controller.signal))) break;
      const temperature = values.temperature ?? String(sampleTemperature(0));
      const result = await postReading({ url: values.url, agent, reading: { temperature, time: utcSeconds() } });
      console.log('Request body: ', result.requestBody);
      if (result.status) {
        console.log('Response status code: %d', result.status);
      } else {
        console.log(`Request failed: ${result.error}`);
      }
      if (result.status < 200 || result.status >= 300) failures++;
      if (controller.signal.aborted) break;
    }
  } finally {
    agent.destroy();
  }
  return failures ? 1 : 0;
}

interface EstArgs {
  url?: string;
  dir?: string;
  name?: string;
  token?: string;
  'bootstrap-cert'?: string;
  'bootstrap-key'?: string;
  'renew-now'?: boolean;
  'renew-days'?: string;
  ca?: string;
  insecure?: boolean;
  every?: string;
  count?: string;
  host?: string;
}

/** --est: enroll or renew through EST, then (with --every/--count) post readings, renewing when due. */
async function estMain(values: EstArgs): Promise<number> {
  if (!values.url || !values.dir) {
    console.error(USAGE);
    return 2;
  }
  const caFile = values.ca ?? process.env.CERTFLEET_EDGE_CA_FILE;
  const base = values.url.replace(/\/temps\/?$/, '').replace(/\/+$/, '');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const renewDays = values['renew-days'] === undefined ? undefined : Number(values['renew-days']);
  if (renewDays !== undefined && !(Number.isInteger(renewDays) && renewDays > 0)) {
    console.error(`--renew-days takes a whole number of days before expiry, not "${values['renew-days']}"`);
    return 2;
  }
  const opts = {
    baseUrl: base,
    renewWithinDays: renewDays,
    dir: values.dir,
    caPem: caFile ? await readFile(caFile, 'utf8') : undefined,
    insecure: values.insecure,
    headers: values.host ? { host: values.host } : undefined,
    deviceName: values.name,
    token: values.token ?? process.env.CERTFLEET_EST_TOKEN,
    bootstrap:
      values['bootstrap-cert'] && values['bootstrap-key']
        ? { certPem: await readFile(values['bootstrap-cert'], 'utf8'), keyPem: await readFile(values['bootstrap-key'], 'utf8') }
        : undefined,
    log: (line: string) => console.log(`EST: ${line}`),
    signal: controller.signal,
  };
  const first = await ensureCertificate({ ...opts, forceRenew: values['renew-now'] });
  if (first === 'current') console.log(`EST: ${certFile(values.dir)} is current (not yet in its renewal window)`);
  const everyMs = values.every ? parseDuration(values.every) : undefined;
  const count = values.count ? Number(values.count) : everyMs === undefined ? 0 : undefined;
  let failures = 0;
  for (let n = 0; count === undefined || n < count; n++) {
    if (n > 0 && !(await wait(everyMs ?? 0, controller.signal))) break;
    await ensureCertificate(opts); // renews when the certificate has entered its window
    const device = { certPem: await readFile(certFile(values.dir), 'utf8'), keyPem: await readFile(keyFile(values.dir), 'utf8') };
    const result = await postReading({
      url: `${base}/temps`,
      device,
      caPem: opts.caPem,
      insecure: values.insecure,
      headers: opts.headers,
      reading: { temperature: String(sampleTemperature(0)), time: utcSeconds() },
    });
    console.log(`Request body: ${result.requestBody} → ${result.status || `failed: ${result.error}`}`);
    if (result.status < 200 || result.status >= 300) failures++;
    if (controller.signal.aborted) break;
  }
  return failures ? 1 : 0;
}

function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(true), ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve(false)), { once: true });
  });
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);

/**
 * A device that looks after its own certificate with EST, with nothing but its files (docs/est.md):
 *
 *   <dir>/device.pem, device-key.pem   its certificate and key, once it has them
 *   bootstrap certificate + key, token  only for the first enrollment
 *
 *   <dir>/renew-after                    when certfleet said this certificate's window opens (see below)
 *
 * `ensureCertificate` enrolls when there is no certificate, renews (simplereenroll, same subject, new key) when
 * the certificate has entered its renewal window, and otherwise does nothing. New files are written to a
 * temporary name and renamed, so a device cut off mid-write keeps its old certificate and key.
 *
 * The window is the group's EST policy, which the device does not know: it guesses the last 30 % of the
 * lifetime. When its group renews later than that and refuses early renewals, the refusal (an EST error,
 * RFC 7030 §4.2.3) names the moment the window opens; the device keeps it in renew-after and asks again
 * only then, instead of being refused (and alerted on) at every run.
 */
import { rename, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { x509 } from '../pki/crypto';
import { encodePem } from '../pki/pem';
import { exportPrivateKeyPem, generateKeyPair, signingAlgorithmFor } from '../pki/keys';
import { certificatesOf, estRequest, estUntilAnswered, retryAfterMs, type EstClientOptions, type EstResponse } from './client';

/** Renew in the last 30 % of the certificate's lifetime (the default window of docs/est.md). */
export const DEFAULT_RENEW_FRACTION = 0.3;

export interface DeviceEstOptions {
  /** https://edge:port */
  baseUrl: string;
  dir: string;
  caPem?: string;
  insecure?: boolean;
  headers?: Record<string, string>;
  /** First enrollment only. */
  bootstrap?: { certPem: string; keyPem: string };
  deviceName?: string;
  token?: string;
  /** Subject CN of the first CSR (default: the device name). */
  commonName?: string;
  renewFraction?: number;
  /** Also renew once no more than this many days are left (a device configured like a "N days before expiry" policy). */
  renewWithinDays?: number;
  /** Renew now whatever the window says. */
  forceRenew?: boolean;
  /** How long to keep asking after 202s (default 1 hour). */
  maxWaitMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** `deferred`: certfleet refused a renewal before the window and said when it opens (kept in renew-after). */
export type EnsureOutcome = 'enrolled' | 'renewed' | 'current' | 'deferred';

export const certFile = (dir: string) => path.join(dir, 'device.pem');
export const keyFile = (dir: string) => path.join(dir, 'device-key.pem');
export const renewAfterFile = (dir: string) => path.join(dir, 'renew-after');

/** The moment an early-renewal refusal names ("… window opens on 2027-01-24 00:00 UTC"), if it names one. */
export function windowOpensFromRefusal(body: string): Date | undefined {
  const m = /window opens on (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC/.exec(body);
  if (!m) return undefined;
  const at = new Date(`${m[1]}T${m[2]}:00Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Waits `ms`, or less when `signal` aborts (a device being stopped does not sit out a Retry-After). */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/**
 * Whether a certificate is in its renewal window at `now`: the last `fraction` of its lifetime, or, with
 * `withinDays`, the last that many days, whichever opens first.
 */
export function inRenewalWindow(certPem: string, fraction = DEFAULT_RENEW_FRACTION, now = Date.now(), withinDays?: number): boolean {
  const cert = new x509.X509Certificate(certPem);
  const start = cert.notBefore.getTime();
  const end = cert.notAfter.getTime();
  const opens = Math.min(end - (end - start) * fraction, withinDays === undefined ? Infinity : end - withinDays * 86_400_000);
  return now >= opens;
}

export async function ensureCertificate(opts: DeviceEstOptions): Promise<EnsureOutcome> {
  const log = opts.log ?? (() => {});
  const current = await readOptional(certFile(opts.dir));
  const currentKey = await readOptional(keyFile(opts.dir));
  const tls: Omit<EstClientOptions, 'certPem' | 'keyPem'> = { baseUrl: opts.baseUrl, caPem: opts.caPem, insecure: opts.insecure, headers: opts.headers };

  let kind: 'simpleenroll' | 'simplereenroll';
  let client: EstClientOptions;
  let name: x509.Name | x509.JsonName;
  if (current && currentKey) {
    // What certfleet said wins over the device's own guess.
    const told = Date.parse((await readOptional(renewAfterFile(opts.dir)))?.trim() ?? '');
    const due = Number.isNaN(told) ? inRenewalWindow(current, opts.renewFraction, Date.now(), opts.renewWithinDays) : Date.now() >= told;
    if (!opts.forceRenew && !due) return 'current';
    kind = 'simplereenroll';
    client = { ...tls, certPem: current, keyPem: currentKey };
    // RFC 7030 §4.2.2: the same subject, byte for byte.
    name = new x509.Name(new x509.X509Certificate(current).subjectName.toArrayBuffer());
    log(`certificate is in its renewal window: renewing through ${opts.baseUrl}/.well-known/est/simplereenroll`);
  } else {
    if (!opts.bootstrap || !opts.deviceName || !opts.token) {
      throw new Error('no device certificate yet: first enrollment needs the bootstrap certificate and key, the device name and an enrollment token');
    }
    kind = 'simpleenroll';
    client = { ...tls, ...opts.bootstrap };
    name = [{ CN: [opts.commonName ?? opts.deviceName] }];
    log(`enrolling ${opts.deviceName} through ${opts.baseUrl}/.well-known/est/simpleenroll`);
  }

  const keys = await generateKeyPair({ algorithm: 'EC' });
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: signingAlgorithmFor(keys.privateKey) });
  const csrPem = encodePem(csr.rawData, 'CERTIFICATE REQUEST');
  const basic = kind === 'simpleenroll' ? { user: opts.deviceName!, password: opts.token! } : undefined;
  const deadline = Date.now() + (opts.maxWaitMs ?? 3_600_000);

  const res: EstResponse = await estUntilAnswered(() => estRequest(client, kind, { csrPem, basic }), {
    signal: opts.signal,
    onPending: async (pending) => {
      const wait = retryAfterMs(pending);
      if (Date.now() + wait > deadline) throw new Error(`still pending after ${Math.round((opts.maxWaitMs ?? 3_600_000) / 1000)} s: try again later`);
      log(`202: certfleet has not issued yet; asking again in ${wait / 1000} s`);
      await abortableSleep(wait, opts.signal);
    },
  });
  const opens = kind === 'simplereenroll' && res.status === 403 ? windowOpensFromRefusal(res.body) : undefined;
  if (opens) {
    await writeAtomically(renewAfterFile(opts.dir), `${opens.toISOString()}\n`, 0o644);
    log(`renewal refused until the window opens: certfleet says ${opens.toISOString()}; asking again then`);
    return 'deferred';
  }
  if (res.status !== 200) throw new Error(`${kind} refused: ${res.status} ${res.body.trim()}`);
  const [certPem] = certificatesOf(res);
  if (!certPem) throw new Error(`${kind}: the answer holds no certificate`);
  // Key first: a certificate without its key would be unusable, a key without its certificate is harmless.
  await writeAtomically(keyFile(opts.dir), await exportPrivateKeyPem(keys.privateKey), 0o600);
  await writeAtomically(certFile(opts.dir), certPem, 0o644);
  // A new certificate has a window of its own.
  await unlink(renewAfterFile(opts.dir)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  log(`${kind === 'simpleenroll' ? 'enrolled' : 'renewed'}: ${certFile(opts.dir)}`);
  return kind === 'simpleenroll' ? 'enrolled' : 'renewed';
}

#!/usr/bin/env node
// Proves the Worker deploys as is, without an account: type-check, `wrangler deploy --dry-run` (wrangler's own
// config validation and bundling), then the bundle wrangler wrote is started in workerd and asked two questions.
//
//   node worker/scripts/check.mjs            (proposed as `npm run worker:check`)
//
// wrangler ≥ 4 refuses Node < 22 in its launcher (bin/wrangler.js). With a Node ≥ 22 (this one, $WRANGLER_NODE,
// or `node22` on PATH) the launcher runs as documented. Otherwise its CLI bundle is run directly on this Node,
// which wrangler 4.153 does with a warning; the result is then marked as "unsupported Node".

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(WORKER, '..');
const WRANGLER = path.join(ROOT, 'node_modules/wrangler');

function major(nodeBin) {
  try {
    return Number(execFileSync(nodeBin, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
  } catch {
    return 0;
  }
}

function findNode22() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  for (const candidate of [process.env.WRANGLER_NODE, 'node22', 'node-22'].filter(Boolean)) {
    if (major(candidate) >= 22) return candidate;
  }
  return undefined;
}

function step(title) {
  console.log(`\n── ${title}`);
}

let failed = false;
const outdir = mkdtempSync(path.join(tmpdir(), 'certfleet-worker-dry-run-'));
try {
  step('type-check (tsc -p worker)');
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', WORKER], { stdio: 'inherit' });
  if (tsc.status !== 0) failed = true;
  else console.log('ok');

  const node22 = findNode22();
  step(`wrangler deploy --dry-run${node22 ? '' : ` (unsupported Node ${process.versions.node}: no Node ≥ 22 found)`}`);
  const args = node22
    ? [path.join(WRANGLER, 'bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir]
    : [path.join(WRANGLER, 'wrangler-dist/cli.js'), 'deploy', '--dry-run', '--outdir', outdir];
  const dry = spawnSync(node22 ?? process.execPath, args, {
    cwd: WORKER,
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
  });
  const bundle = path.join(outdir, 'index.js');
  if (dry.status !== 0 || !existsSync(bundle)) {
    failed = true;
    console.error('wrangler deploy --dry-run failed');
  } else {
    step("wrangler's bundle in workerd");
    const { Miniflare } = await import('miniflare');
    const toml = readFileSync(path.join(WORKER, 'wrangler.toml'), 'utf8');
    const mf = new Miniflare({
      modules: true,
      script: readFileSync(bundle, 'utf8'),
      compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)[1],
      cf: false,
      durableObjects: {
        READINGS: { className: 'DeviceReadings', useSQLite: true },
        REGISTRY: { className: 'CertificateRegistry', useSQLite: true },
        EST: { className: 'EstStore', useSQLite: true },
      },
      bindings: { EXPORT_TOKEN: 'check' },
      handleRuntimeStdio: (out, err) => (out.resume(), err.resume()),
    });
    try {
      const anonymous = await mf.dispatchFetch('https://check.local/temps', { method: 'POST', body: '{}' });
      const cf = {
        tlsClientAuth: { certPresented: '1', certVerified: 'SUCCESS', certRevoked: '0', certFingerprintSHA256: 'ab'.repeat(32), certSerial: '01', certSKI: '' },
      };
      const sensor = await mf.dispatchFetch('https://check.local/temps', {
        method: 'POST',
        body: '{"temperature": "36.5", "time": "2020-09-28T15:56:45Z"}',
        cf,
      });
      console.log(`POST /temps without a certificate → ${anonymous.status}, with one → ${sensor.status}`);
      if (anonymous.status !== 403 || sensor.status !== 201) failed = true;
    } finally {
      await mf.dispose();
    }
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
  // wrangler keeps a cache folder next to wrangler.toml.
  rmSync(path.join(WORKER, '.wrangler'), { recursive: true, force: true });
}
console.log(failed ? '\nworker:check FAILED' : '\nworker:check passed');
process.exit(failed ? 1 : 0);

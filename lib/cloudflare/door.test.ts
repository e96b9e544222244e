import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { budgetShape, CLOUDFLARE_API_POLICY, estimatePacedSeconds } from './budget';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', '.next', '.data', '.test-data', 'generated', '.git', 'worker']);

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) yield full;
  }
}

// `import … from 'cloudflare'`, `import('cloudflare')`, `require('cloudflare')`, and subpaths.
const SDK_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]cloudflare(?:\/[^'"]*)?['"]/;

describe('one door to Cloudflare', () => {
  it('no file outside lib/cloudflare imports the cloudflare SDK (tests of the emulator use it as a client of the emulator)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(root)) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      if (rel.startsWith('lib/cloudflare/')) continue;
      // The emulator *is* the local Cloudflare; its own tests and harness check it with the official SDK.
      if (rel.startsWith('emulator/') && (rel.endsWith('.test.ts') || rel.startsWith('emulator/testing/'))) continue;
      if (SDK_IMPORT.test(readFileSync(file, 'utf8'))) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });

  it('the check itself recognises an SDK import', () => {
    expect(SDK_IMPORT.test(`import Cloudflare from 'cloudflare';`)).toBe(true);
    expect(SDK_IMPORT.test(`import { APIError } from "cloudflare/error";`)).toBe(true);
    expect(SDK_IMPORT.test(`const m = await import('cloudflare');`)).toBe(true);
    expect(SDK_IMPORT.test(`import { x } from '@/lib/cloudflare';`)).toBe(false);
  });

  it('every lib/cloudflare module that can reach the token is server-only', () => {
    const dir = path.join(root, 'lib/cloudflare');
    const missing = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      // errors.ts and config.ts are read by client-side error display / settings; they hold no token
      // (config.ts reads it from the environment, which a browser bundle does not have).
      .filter((f) => !['errors.ts', 'config.ts'].includes(f))
      .filter((f) => !/^import 'server-only';$/m.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(missing).toEqual([]);
  });
});

describe('the budget shape', () => {
  it('never lets more than the limit through in any window plus the pad, and keeps headroom for people', () => {
    for (const policy of [CLOUDFLARE_API_POLICY, { limit: 60, windowMs: 6_000 }, { limit: 8, windowMs: 2_000 }]) {
      const s = budgetShape(policy);
      // Token bucket: at most capacity + rate·T grants in any interval T.
      expect(s.capacity + s.ratePerSecond * ((policy.windowMs + s.padMs) / 1000)).toBeLessThan(policy.limit);
      expect(s.reserve.interactive).toBe(0);
      expect(s.reserve.background).toBeGreaterThan(0);
      expect(s.reserve.background).toBeGreaterThanOrEqual(s.reserve.bulk);
      expect(s.reserve.background).toBeLessThan(s.capacity);
    }
  });

  it('reconciles 100,000 certificates (2,000 pages) within 1.05 × the limit’s minimum', () => {
    const minimum = (2000 / CLOUDFLARE_API_POLICY.limit) * (CLOUDFLARE_API_POLICY.windowMs / 1000); // 500 s
    const seconds = estimatePacedSeconds(2000, CLOUDFLARE_API_POLICY, 'background');
    expect(seconds).toBeGreaterThan(minimum);
    expect(seconds / minimum).toBeLessThanOrEqual(1.05);
  });
});

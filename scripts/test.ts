/**
 * `npm test`: lint, typecheck, the Worker's wrangler build, vitest (unit and integration against real PostgreSQL, the local
 * Cloudflare and workerd), `next build`, then the Playwright specs in Debian's Chromium.
 * Passes with DATABASE_URL unset (PGlite) and set to a PostgreSQL server; never touches `.data/`.
 *
 *   npm test                 everything
 *   npm test -- --only=unit  one stage (lint, typecheck, worker, unit, build, e2e), comma-separated
 */
import { spawn } from 'node:child_process';
import { CHROMIUM_HINT, chromiumPath } from './lib/chromium';
import { NEXT_BIN } from './lib/processes';

interface Stage {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
}

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const STAGES: Stage[] = [
  { name: 'lint', cmd: [bin('eslint'), '.', '--max-warnings=0'] },
  { name: 'typecheck', cmd: [bin('tsc'), '--noEmit', '-p', 'tsconfig.json'] },
  // Type-checks worker/, runs `wrangler deploy --dry-run` and starts wrangler's bundle in workerd.
  { name: 'worker', cmd: [process.execPath, 'worker/scripts/check.mjs'] },
  { name: 'unit', cmd: [bin('vitest'), 'run'] },
  { name: 'build', cmd: [process.execPath, NEXT_BIN, 'build'], env: { NEXT_TELEMETRY_DISABLED: '1' } },
  { name: 'e2e', cmd: [bin('playwright'), 'test'] },
];

function runStage(stage: Stage): Promise<number> {
  return new Promise((resolve) => {
    const [cmd, ...args] = stage.cmd;
    const child = spawn(cmd!, args, { stdio: 'inherit', env: { ...process.env, ...stage.env } });
    child.on('error', (error) => {
      console.error(`[test] ${stage.name}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const stages = only ? STAGES.filter((s) => only.some((o) => s.name.startsWith(o))) : STAGES;

  if (stages.some((s) => s.name === 'e2e') && !chromiumPath()) {
    console.error(CHROMIUM_HINT);
    process.exit(1);
  }
  console.log(`[test] database: ${process.env.DATABASE_URL ? 'PostgreSQL server from DATABASE_URL (fresh databases per run)' : 'embedded PGlite (in memory)'}`);

  const results: { name: string; ok: boolean; seconds: number }[] = [];
  for (const stage of stages) {
    console.log(`\n[test] ── ${stage.name} ──`);
    const started = Date.now();
    const code = await runStage(stage);
    results.push({ name: stage.name, ok: code === 0, seconds: (Date.now() - started) / 1000 });
    if (code !== 0) break; // later stages build on earlier ones; stop at the first red one
  }

  console.log('\n[test] summary');
  for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(18)} ${r.seconds.toFixed(1)} s`);
  const failed = results.filter((r) => !r.ok).length;
  const skipped = stages.length - results.length;
  console.log(`stages: ${results.length - failed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed ? 1 : 0);
}

void main();

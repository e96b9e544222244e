import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Static guard for issue 12 (≤ 200 kB of first-load JavaScript per route): zod is ~32 kB of it, so a client
 * component reaches the schemas only through `await import()` on submit, and imports what it shows (lists,
 * labels, limits) from the zod-free modules (lib/validation/*-constants.ts and the like). Type-only imports
 * and `'use server'` modules (the browser gets a reference, not their code) do not count. The pages below
 * still send zod with their first load and are under the budget with it; one more in this list is a
 * regression `npm run bench -- --only first-load` would show.
 */
const STILL_SEND_ZOD = [
  'app/(auth)/signin/sign-in-form.tsx',
  'app/(dashboard)/doctor/_components/certificate-doctor.tsx',
];

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

type Sources = Map<string, string>;

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' || entry.name.startsWith('.') ? [] : filesUnder(file);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

/** The file a local specifier names (relative to the root), the package name of a bare one. */
function resolve(sources: Sources, from: string, specifier: string): string {
  if (!specifier.startsWith('@/') && !specifier.startsWith('.')) return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  const base = specifier.startsWith('@/') ? specifier.slice(2) : path.join(path.dirname(from), specifier);
  return ['', '.ts', '.tsx', '/index.ts', '/index.tsx'].map((ext) => base + ext).find((f) => sources.has(f)) ?? base;
}

/** What a module's code imports: not `import type`, not `{ type A }` alone, not `await import()`. */
function codeImports(sources: Sources, file: string): string[] {
  const text = sources.get(file) ?? '';
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:([^;'"]*?)\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    const names = match[1]?.trim();
    if (names?.startsWith('{') && names.slice(1, -1).split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '))) continue;
    found.push(resolve(sources, file, match[2]!));
  }
  return found;
}

const isDirective = (text: string | undefined, directive: string) => new RegExp(`^\\s*['"]${directive}['"]`).test(text ?? '');

/** The client components whose code reaches `pkg`. */
function clientsReaching(sources: Sources, pkg: string): string[] {
  return [...sources.keys()]
    .filter((file) => isDirective(sources.get(file), 'use client'))
    .filter((client) => {
      const seen = new Set<string>();
      const reaches = (file: string): boolean => {
        if (file === pkg) return true;
        if (seen.has(file) || !sources.has(file)) return false;
        seen.add(file);
        if (file !== client && isDirective(sources.get(file), 'use server')) return false;
        return codeImports(sources, file).some(reaches);
      };
      return reaches(client);
    })
    .sort();
}

describe('client imports (issue 12)', () => {
  it('only the pages under the budget with it send zod on their first load', () => {
    const files = ['app', 'components', 'lib'].flatMap(filesUnder);
    const sources: Sources = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
    expect(clientsReaching(sources, 'zod')).toEqual([...STILL_SEND_ZOD].sort());
  });

  it('the guard follows code imports and skips type-only, lazy and server-action imports', () => {
    const sources: Sources = new Map([
      ['components/a.tsx', "'use client';\nimport { LABELS } from '@/lib/labels';\nimport { thing } from './b';"],
      ['components/b.ts', "import { z } from 'zod';\nexport const thing = z.string();"],
      ['components/c.tsx', "'use client';\nimport type { Input } from '@/lib/schema';\nimport { type Field } from '@/lib/schema';\nconst s = () => import('@/lib/schema');"],
      ['components/d.tsx', "'use client';\nimport { saveAction } from './actions';"],
      ['components/actions.ts', "'use server';\nimport { Schema } from '@/lib/schema';"],
      ['lib/labels.ts', 'export const LABELS = {};'],
      ['lib/schema.ts', "import { z } from 'zod';\nexport const Schema = z.object({});"],
    ]);
    expect(clientsReaching(sources, 'zod')).toEqual(['components/a.tsx']);
  });
});

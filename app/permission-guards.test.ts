import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '@/lib/auth/permissions';

/*
 * Static guards for the rule "every server action and route handler checks permission on the
 * server, first". They read the source: every route handler must be made with route() and every
 * server action with action() (lib/server), each naming a permission of the role map; the wrappers
 * check it before reading anything (lib/server/wrappers.test.ts proves that at run time). A handler
 * added later without a wrapper fails here before review.
 */

const appDir = path.dirname(new URL(import.meta.url).pathname);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const sources = filesUnder(appDir).map((file) => ({ file: path.relative(appDir, file), text: readFileSync(file, 'utf8') }));
// Server actions may sit beside the components that use them (components/<domain>/actions.ts): look everywhere.
const rootDir = path.dirname(appDir);
const actionSources = ['app', 'components', 'lib']
  .flatMap((dir) => filesUnder(path.join(rootDir, dir)))
  .map((file) => ({ file: path.relative(rootDir, file), text: readFileSync(file, 'utf8') }));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// Next's route segment config may sit beside the methods (`export const maxDuration = 60`).
const SEGMENT_CONFIG = ['dynamic', 'dynamicParams', 'revalidate', 'fetchCache', 'runtime', 'preferredRegion', 'maxDuration'];
// next-auth's own handler is how a visitor signs in; it cannot require a session.
// The API's OpenAPI document describes the API and holds no data, like any published API description.
const PUBLIC_ROUTES = new Set([path.join('api', 'auth', '[...nextauth]', 'route.ts'), path.join('api', 'v1', 'openapi.json', 'route.ts')]);

/** The permission named by `export const NAME = wrapper({ permission: '…'`, or null when the export is not made that way. */
function wrappedPermission(text: string, name: string, wrapper: 'route' | 'action'): string | null {
  const match = text.match(new RegExp(`export\\s+const\\s+${name}\\s*=\\s*${wrapper}\\(\\s*\\{\\s*permission:\\s*'([^']+)'`));
  return match ? match[1]! : null;
}

/** Exports that are not `export const` / `export type` / `export interface`: functions, re-exports, defaults. */
function otherExports(text: string): string[] {
  return [...text.matchAll(/export\s+(?:default\b|async\s+function\s+\w+|function\s+\w+|\{[^}]*\}|\*)/g)].map((m) => m[0]);
}

describe('route handlers', () => {
  it('of /api/v1 check the permission their OpenAPI operation documents', async () => {
    const { OPERATIONS } = await import('@/lib/api/v1/operations');
    const v1 = sources.filter((s) => s.file.startsWith(path.join('api', 'v1')) && path.basename(s.file) === 'route.ts' && !PUBLIC_ROUTES.has(s.file));
    expect(v1.length).toBeGreaterThan(0);
    for (const { file, text } of v1) {
      for (const [, variable, operation] of text.matchAll(/const (\w+) = OPERATIONS\.(\w+);/g)) {
        const used = text.match(new RegExp(`route\\(\\{\\s*permission:\\s*'([^']+)'[^}]*\\b${variable}\\.`))?.[1];
        expect(used, `${file}: ${operation}`).toBe(OPERATIONS[operation as keyof typeof OPERATIONS].permission);
      }
    }
  });

  const routes = sources.filter((s) => path.basename(s.file) === 'route.ts' && !PUBLIC_ROUTES.has(s.file));

  it('exist (this guard is looking in the right place)', () => {
    expect(routes.map((r) => r.file)).toContain(path.join('api', 'me', 'route.ts'));
  });

  it.each(routes.map((r) => [r.file, r.text]))('%s makes every method with route({ permission })', (_file, text) => {
    const exported = [...text.matchAll(/export\s+const\s+(\w+)\b/g)].map((m) => m[1]!).filter((name) => !SEGMENT_CONFIG.includes(name));
    expect(exported.filter((name) => METHODS.includes(name)).length).toBeGreaterThan(0);
    for (const name of exported) {
      const permission = wrappedPermission(text, name, 'route');
      expect(permission, `${name} must be \`export const ${name} = route({ permission: '…' }, …)\``).not.toBeNull();
      expect(Object.keys(PERMISSIONS), `${name} names an unknown permission`).toContain(permission);
    }
    expect(otherExports(text), 'a route file exports its methods only as `export const METHOD = route(…)`').toEqual([]);
  });
});

describe('server actions', () => {
  const actionFiles = actionSources.filter((s) => /^\s*['"]use server['"]/.test(s.text));

  it('exist (this guard is looking in the right places)', () => {
    expect(actionFiles.map((a) => a.file)).toContain(path.join('app', '(dashboard)', 'users', 'actions.ts'));
    expect(actionFiles.map((a) => a.file)).toContain(path.join('components', 'certificates', 'actions.ts'));
  });

  const actions = actionFiles.flatMap(({ file, text }) => [...text.matchAll(/export\s+const\s+(\w+)\b/g)].map((m) => [`${file} ${m[1]}`, text, m[1]!] as const));

  it.each(actions)('%s is made with action({ permission })', (_name, text, name) => {
    const permission = wrappedPermission(text, name, 'action');
    expect(permission, `${name} must be \`export const ${name} = action({ permission: '…' }, …)\``).not.toBeNull();
    expect(Object.keys(PERMISSIONS)).toContain(permission);
  });

  it.each(actionFiles.map((a) => [a.file, a.text]))('%s exports no action around the wrapper', (_file, text) => {
    expect(otherExports(text), "a 'use server' file exports its actions only as `export const xAction = action(…)`").toEqual([]);
  });
});

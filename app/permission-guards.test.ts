import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Static guards for the rule "every server action and route handler checks permission on the
 * server". They read the source, so a handler added later without a check fails here before review.
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
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// next-auth's own handler is how a visitor signs in; it cannot require a session.
const PUBLIC_ROUTES = new Set([path.join('api', 'auth', '[...nextauth]', 'route.ts')]);

describe('route handlers', () => {
  const routes = sources.filter((s) => path.basename(s.file) === 'route.ts' && !PUBLIC_ROUTES.has(s.file));

  it('exist (this guard is looking in the right place)', () => {
    expect(routes.map((r) => r.file)).toContain(path.join('api', 'me', 'route.ts'));
  });

  it.each(routes.map((r) => [r.file, r.text]))('%s wraps every method in withPermission', (_file, text) => {
    const exported = [...text.matchAll(/export\s+(?:async\s+)?(?:const|function)\s+([A-Z]+)\b/g)].map((m) => m[1]).filter((name) => METHODS.includes(name));
    expect(exported.length).toBeGreaterThan(0);
    for (const method of exported) {
      expect(text, `${method} must be \`export const ${method} = withPermission(…)\``).toMatch(new RegExp(`export\\s+const\\s+${method}\\s*=\\s*withPermission(?:<[^>]*>)?\\(`));
    }
    expect(text).not.toMatch(/export\s*\{[^}]*\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/);
  });
});

describe('server actions', () => {
  const actionFiles = sources.filter((s) => /^\s*['"]use server['"]/.test(s.text));

  it('exist (this guard is looking in the right place)', () => {
    expect(actionFiles.length).toBeGreaterThan(0);
  });

  const actions = actionFiles.flatMap(({ file, text }) =>
    [...text.matchAll(/export\s+async\s+function\s+(\w+)\s*\(/g)].map((match) => {
      const body = text.slice(match.index);
      const firstAwait = body.match(/await\s+([\w.]+)\(/);
      return [`${file} ${match[1]}`, firstAwait?.[1] ?? '(none)'] as const;
    }),
  );

  it.each(actions)('%s awaits requirePermission() before anything else', (_name, firstAwaited) => {
    expect(firstAwaited).toBe('requirePermission');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Static guard for the rule "a route's `_components` belong to that route": a component used by
 * more than one route lives in components/. A file may import `_components` only from its own
 * route folder (the folder that holds the `_components` folder) or below it.
 */

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : filesUnder(full);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The module a specifier names, relative to the repository root, or null for a package. */
function resolveSpecifier(file: string, specifier: string): string | null {
  if (specifier.startsWith('@/')) return specifier.slice(2);
  if (specifier.startsWith('.')) return path.relative(root, path.resolve(path.dirname(file), specifier));
  return null;
}

/** Imports of another route's `_components`: "importer -> module". */
function foreignComponentImports(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    const importer = path.relative(root, file);
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const target = resolveSpecifier(file, match[1]!);
      if (!target) continue;
      const at = target.split(path.sep).indexOf('_components');
      if (at < 0) continue;
      const owner = target.split(path.sep).slice(0, at).join(path.sep);
      if (importer !== owner && !importer.startsWith(owner + path.sep)) found.push(`${importer} -> ${target}`);
    }
  }
  return found;
}

const sources = ['app', 'components', 'lib', 'e2e'].flatMap((dir) => filesUnder(path.join(root, dir))).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe('rooms', () => {
  it('no file imports another route’s _components (shared ones live in components/)', () => {
    expect(foreignComponentImports(sources)).toEqual([]);
  });

  it('the guard sees an import of another route’s _components, and allows a route its own', () => {
    const devicesTable = path.join(root, 'app', '(dashboard)', 'devices', '_components', 'devices-table.tsx');
    const certificatesPage = path.join(root, 'app', '(dashboard)', 'certificates', 'page.tsx');
    const detailPage = path.join(root, 'app', '(detail)', 'devices', '[id]', 'page.tsx');
    expect(
      foreignComponentImports([
        { file: certificatesPage, text: "import { CertificatesTable } from './_components/certificates-table';" },
        { file: devicesTable, text: "import { DevicesColumns } from './devices-columns';" },
        { file: devicesTable, text: "import { RevokeDialog } from '../../certificates/_components/revoke-dialog';" },
        { file: detailPage, text: "import { X } from '@/app/(dashboard)/devices/_components/devices-table';" },
      ]),
    ).toEqual([
      `${path.join('app', '(dashboard)', 'devices', '_components', 'devices-table.tsx')} -> ${path.join('app', '(dashboard)', 'certificates', '_components', 'revoke-dialog')}`,
      `${path.join('app', '(detail)', 'devices', '[id]', 'page.tsx')} -> ${path.join('app', '(dashboard)', 'devices', '_components', 'devices-table')}`,
    ]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_API_DIR, VENDORED_API_DIR, specErrors } from './openapi';

describe('the committed copies of the shared Cloudflare API docs', () => {
  for (const name of ['openapi-excerpt.json', 'custom-csrs.json']) {
    it.skipIf(!existsSync(path.join(SHARED_API_DIR, name)))(`${name} equals ../shared/cloudflare-api/${name}`, () => {
      expect(readFileSync(path.join(VENDORED_API_DIR, name), 'utf8')).toBe(readFileSync(path.join(SHARED_API_DIR, name), 'utf8'));
    });
  }

  it('rejects a body that breaks the schema (the validator is live)', () => {
    expect(specErrors('/zones/{zone_id}/client_certificates', 'post', 200, { success: true, errors: [], messages: [], result: { status: 'weird' } })).not.toEqual([]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorDataDir, storedZoneId } from './data-dir';
import { EmulatorStore } from './store';

const base = mkdtempSync(path.join(tmpdir(), 'certfleet-zones-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const ZONE_A = 'a'.repeat(32);
const ZONE_B = 'b'.repeat(32);

describe('emulatorDataDir', () => {
  it('gives another zone its own directory, so the running zone’s state.json is never rewritten', async () => {
    const dirA = emulatorDataDir(base, ZONE_A);
    expect(dirA).toBe(path.join(base, 'emulator'));
    const a = await EmulatorStore.open(dirA, { zoneId: ZONE_A });
    expect(a.zoneId).toBe(ZONE_A);
    const stateA = readFileSync(path.join(dirA, 'state.json'), 'utf8');

    const dirB = emulatorDataDir(base, ZONE_B);
    expect(dirB).toBe(path.join(base, 'emulator-zones', ZONE_B));
    const b = await EmulatorStore.open(dirB, { zoneId: ZONE_B });
    expect(b.zoneId).toBe(ZONE_B);

    // The first stack's files are untouched, and each directory still answers for its own zone.
    expect(readFileSync(path.join(dirA, 'state.json'), 'utf8')).toBe(stateA);
    expect(storedZoneId(dirA)).toBe(ZONE_A);
    expect(storedZoneId(dirB)).toBe(ZONE_B);
    expect(emulatorDataDir(base, ZONE_A)).toBe(dirA);
    expect(emulatorDataDir(base, ZONE_B)).toBe(dirB);
    // No zone asked for: the shared directory, whatever it holds (npm start without CLOUDFLARE_ZONE_ID).
    expect(emulatorDataDir(base)).toBe(dirA);
  });

  it('refuses a zone id that could name another path', () => {
    expect(() => emulatorDataDir(base, '../../etc')).toThrow(/is not a zone id/);
  });
});

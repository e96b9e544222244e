/**
 * Where a local Cloudflare keeps its state. One directory holds one zone: `<base>/emulator` for the
 * zone stored there (or when no zone is asked for), `<base>/emulator-zones/<zoneId>` for any other zone.
 * Before this, `npm run emulator` with another CLOUDFLARE_ZONE_ID, run from the same checkout, opened the
 * running stack's directory and rewrote its state.json with the other zone (issue 13).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ZONE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function emulatorDataDir(base: string, zoneId?: string): string {
  const shared = path.join(base, 'emulator');
  if (!zoneId) return shared;
  if (!ZONE_ID.test(zoneId)) throw new Error(`CLOUDFLARE_ZONE_ID ${JSON.stringify(zoneId.slice(0, 80))} is not a zone id (letters, digits, - and _, at most 64)`);
  const stored = storedZoneId(shared);
  return !stored || stored === zoneId ? shared : path.join(base, 'emulator-zones', zoneId);
}

/** The zone an emulator directory holds (its snapshot, then any identity change journaled since), or undefined when empty. */
export function storedZoneId(dir: string): string | undefined {
  let zone: string | undefined;
  const snapshot = path.join(dir, 'state.json');
  if (existsSync(snapshot)) zone = (JSON.parse(readFileSync(snapshot, 'utf8')) as { identity?: { zoneId?: string } }).identity?.zoneId;
  const journal = path.join(dir, 'journal.jsonl');
  if (existsSync(journal)) {
    for (const line of readFileSync(journal, 'utf8').split('\n')) {
      if (!line.includes('"identity"')) continue;
      try {
        const op = JSON.parse(line) as { t?: string; v?: { zoneId?: string } };
        if (op.t === 'identity' && op.v?.zoneId) zone = op.v.zoneId;
      } catch {
        break; // a line cut short by a crash: what came before stands
      }
    }
  }
  return zone;
}

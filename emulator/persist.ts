/**
 * State on disk: a JSON snapshot written atomically (temp file, fsync, rename) plus an append-only
 * journal of changes since. Each change appends one line before the API answers, so a response the
 * client saw is never lost on restart, and issuing thousands of certificates (benchmarks) does not
 * rewrite a growing snapshot per request. Opening replays the journal and compacts it.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export function atomicWriteFileSync(file: string, data: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export class Journal<Snapshot, Op> {
  private readonly snapshotFile: string;
  private readonly journalFile: string;
  private lines = 0;

  constructor(
    dir: string,
    /** Compact once the journal holds this many changes. */
    private readonly compactAfter = 5000,
  ) {
    mkdirSync(dir, { recursive: true });
    this.snapshotFile = path.join(dir, 'state.json');
    this.journalFile = path.join(dir, 'journal.jsonl');
  }

  load(): { snapshot: Snapshot | undefined; ops: Op[] } {
    const snapshot = existsSync(this.snapshotFile)
      ? (JSON.parse(readFileSync(this.snapshotFile, 'utf8')) as Snapshot)
      : undefined;
    const ops: Op[] = [];
    if (existsSync(this.journalFile)) {
      for (const line of readFileSync(this.journalFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          ops.push(JSON.parse(line) as Op);
        } catch {
          // A line cut short by a crash mid-append: everything before it is intact.
          break;
        }
      }
    }
    return { snapshot, ops };
  }

  append(op: Op): boolean {
    appendFileSync(this.journalFile, `${JSON.stringify(op)}\n`, { mode: 0o600 });
    this.lines++;
    return this.lines >= this.compactAfter;
  }

  compact(snapshot: Snapshot): void {
    atomicWriteFileSync(this.snapshotFile, JSON.stringify(snapshot));
    rmSync(this.journalFile, { force: true });
    this.lines = 0;
  }
}

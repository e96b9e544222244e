/**
 * The zone's records in memory and on disk. Every change is one `Op`: applied to the maps, then appended to
 * the journal before the API answers (../persist.ts); opening replays snapshot + journal and compacts.
 */
import { Journal } from '../persist';
import type { ClientCertRecord, CustomCsrRecord, CustomHostnameRecord, Identity } from './records';

interface Snapshot {
  version: 1;
  seq: number;
  identity: Identity;
  certificates: ClientCertRecord[];
  customCsrs: CustomCsrRecord[];
  customHostnames: CustomHostnameRecord[];
  hostnameAssociations: string[];
}

export type Op =
  | { t: 'identity'; v: Identity }
  | { t: 'cert'; v: ClientCertRecord }
  | { t: 'csr'; v: CustomCsrRecord }
  | { t: 'csr-del'; id: string }
  | { t: 'host'; v: CustomHostnameRecord }
  | { t: 'host-del'; id: string }
  | { t: 'assoc'; v: string[] }
  | { t: 'reset' };

export class ZoneState {
  identity!: Identity;
  private seq = 0;
  readonly certs = new Map<string, ClientCertRecord>();
  /** Serial (normalised uppercase hex) → certificate id. */
  readonly bySerial = new Map<string, string>();
  readonly csrs = new Map<string, CustomCsrRecord>();
  readonly hosts = new Map<string, CustomHostnameRecord>();
  associations: string[] = [];
  private readonly journal: Journal<Snapshot, Op>;

  constructor(dataDir: string) {
    this.journal = new Journal<Snapshot, Op>(dataDir);
  }

  /** Replays the snapshot and the journal; `identity` stays unset when there was none. */
  load(): void {
    const { snapshot, ops } = this.journal.load();
    if (snapshot) this.applySnapshot(snapshot);
    for (const op of ops) this.apply(op);
  }

  private applySnapshot(s: Snapshot): void {
    this.identity = s.identity;
    this.seq = s.seq;
    for (const c of s.certificates) this.putCert(c);
    for (const c of s.customCsrs) this.put(this.csrs, c);
    for (const h of s.customHostnames) this.put(this.hosts, h);
    this.associations = s.hostnameAssociations;
  }

  private apply(op: Op): void {
    switch (op.t) {
      case 'identity':
        this.identity = op.v;
        break;
      case 'cert':
        this.putCert(op.v);
        break;
      case 'csr':
        this.put(this.csrs, op.v);
        break;
      case 'csr-del':
        this.csrs.delete(op.id);
        break;
      case 'host':
        this.put(this.hosts, op.v);
        break;
      case 'host-del':
        this.hosts.delete(op.id);
        break;
      case 'assoc':
        this.associations = op.v;
        break;
      case 'reset':
        this.certs.clear();
        this.bySerial.clear();
        this.csrs.clear();
        this.hosts.clear();
        this.associations = [];
        break;
    }
  }

  /** Keeps a record, and its seq as the highest seen, so that records made after it sort after it. */
  private put<T extends { id: string; seq: number }>(records: Map<string, T>, record: T): void {
    records.set(record.id, record);
    this.seq = Math.max(this.seq, record.seq);
  }

  private putCert(c: ClientCertRecord): void {
    this.put(this.certs, c);
    this.bySerial.set(c.serialUpper, c.id);
  }

  /** Applies a change and appends it to the journal (compacting when the journal is long). */
  record(op: Op): void {
    this.apply(op);
    if (this.journal.append(op)) this.compact();
  }

  nextSeq(): number {
    return ++this.seq;
  }

  private snapshot(): Snapshot {
    return {
      version: 1,
      seq: this.seq,
      identity: this.identity,
      certificates: [...this.certs.values()],
      customCsrs: [...this.csrs.values()],
      customHostnames: [...this.hosts.values()],
      hostnameAssociations: this.associations,
    };
  }

  /** Writes the snapshot and empties the journal (also done on open and stop). */
  compact(): void {
    this.journal.compact(this.snapshot());
  }
}

import { DEFAULT_VALIDITY_DAYS } from './enrollment-constants';

/*
 * Bulk enrollment's CSV (`name,group,csr`): read by the server's dry run and jobs, written by the browser's
 * and the bundle's reports. No zod: the rows' fields are checked with enrollment.ts's schemas on the server.
 */

export const BULK_MAX_ROWS = 5000;
export const BULK_MAX_BYTES = 10 * 1024 * 1024;
export const BULK_COLUMNS = ['name', 'group', 'csr'] as const;

export interface CsvParseResult {
  header: string[];
  /** Each record with the 1-based line where it starts, for messages people can find in their editor. */
  records: { line: number; fields: string[] }[];
  error?: string;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, a quoted field may hold commas,
 * line breaks (a CSR PEM) and doubled quotes. CRLF or LF. Empty lines are skipped.
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */
export function parseCsv(text: string): CsvParseResult {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const input = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      fieldStarted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r' && input[i + 1] === '\n') {
      continue;
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return { header: [], records: [], error: `A quoted field that starts on line ${recordLine} is never closed: check its double quotes.` };
  }
  if (field !== '' || fields.length || fieldStarted) endRecord();
  const [head, ...rest] = records;
  return { header: (head?.fields ?? []).map((h) => h.trim().toLowerCase()), records: rest };
}

export interface BulkCsvRow {
  /** 1-based data row number (the header is row 0). */
  row: number;
  line: number;
  name: string;
  group: string;
  csr: string;
}

/**
 * The rows of a bulk enrollment CSV (header `name,group,csr`, any column order). Problems with the
 * file as a whole come back as `error`; problems of single rows are the dry run's business.
 */
export function readBulkCsv(text: string): { rows: BulkCsvRow[]; error?: string } {
  if (text.length > BULK_MAX_BYTES) return { rows: [], error: `The file is larger than ${BULK_MAX_BYTES / 1024 / 1024} MB; split it.` };
  const parsed = parseCsv(text);
  if (parsed.error) return { rows: [], error: parsed.error };
  const missing = BULK_COLUMNS.filter((c) => !parsed.header.includes(c));
  if (missing.length) {
    return {
      rows: [],
      error: `The first line must name the columns name, group and csr (missing: ${missing.join(', ')}). Found: ${parsed.header.join(', ') || 'nothing'}.`,
    };
  }
  if (parsed.records.length === 0) return { rows: [], error: 'The file has a header but no rows.' };
  if (parsed.records.length > BULK_MAX_ROWS) return { rows: [], error: `At most ${BULK_MAX_ROWS} rows per file; this one has ${parsed.records.length}.` };
  const at = Object.fromEntries(BULK_COLUMNS.map((c) => [c, parsed.header.indexOf(c)])) as Record<(typeof BULK_COLUMNS)[number], number>;
  return {
    rows: parsed.records.map((r, i) => ({
      row: i + 1,
      line: r.line,
      name: (r.fields[at.name] ?? '').trim(),
      group: (r.fields[at.group] ?? '').trim(),
      csr: (r.fields[at.csr] ?? '').trim(),
    })),
  };
}

/** Quotes one CSV field when it needs it (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Bulk-enrolled certificates are valid this long (the CSV has no column for it). */
export const BULK_VALIDITY_DAYS = DEFAULT_VALIDITY_DAYS;

/** A bulk upload's JSON body: the CSV (≤ BULK_MAX_BYTES) with JSON's escaping (a quote or newline takes 2 bytes). */
export const BULK_MAX_BODY_BYTES = 2 * BULK_MAX_BYTES + 4096;

import 'server-only';
import { db } from '@/lib/db/client';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

/*
 * Counts for paged lists that never scan 100,000 rows on a page view. Up to EXACT_COUNT_CAP matches are
 * counted exactly (a bounded scan: it stops at the cap); beyond that the total is the planner's estimate
 * of the same query (EXPLAIN, no execution), and the caller says so ("about 100,000").
 */

/** Lists count matches exactly up to this many. */
export const EXACT_COUNT_CAP = 5_000;

export interface ListTotal {
  total: number;
  /** True when `total` is the planner's estimate (more than EXACT_COUNT_CAP matches). */
  totalIsEstimate: boolean;
}

interface PlanRow {
  'QUERY PLAN': unknown;
}

function planRows(plan: unknown): number {
  const parsed = typeof plan === 'string' ? (JSON.parse(plan) as unknown) : plan;
  const top = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: number } }) : undefined;
  return Number(top?.Plan?.['Plan Rows'] ?? 0);
}

/** `fromWhere` is the query's `FROM … WHERE …` (no ORDER BY / LIMIT). */
export async function boundedCount(fromWhere: Prisma.Sql, prisma: PrismaClient | Prisma.TransactionClient = db(), cap = EXACT_COUNT_CAP): Promise<ListTotal> {
  // Side by side: the estimate costs a plan, no rows, and is thrown away when the count stays under the cap.
  const [[counted], [plan]] = await Promise.all([
    prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM (SELECT 1 ${fromWhere} LIMIT ${cap + 1}) AS s`,
    prisma.$queryRaw<PlanRow[]>`EXPLAIN (FORMAT JSON) SELECT 1 ${fromWhere}`,
  ]);
  const n = counted?.n ?? 0;
  if (n <= cap) return { total: n, totalIsEstimate: false };
  return { total: Math.max(cap + 1, Math.round(planRows(plan?.['QUERY PLAN']))), totalIsEstimate: true };
}

/** `LIKE` pattern for a substring, with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The word of a search text the trigram index should be asked for, or null to ask for the whole text.
 * pg_trgm answers `ILIKE '%text%'` by intersecting the index entries of every trigram of the text; in a
 * fleet named "sensor-000001" … "sensor-100000", "sensor-01232" holds trigrams every row has, and walking
 * those entries takes tens of milliseconds to find ten rows, where "01232" alone takes a tenth of one.
 * Names tell devices apart by their numbers, so: the longest word with a digit, else the longest word
 * (words as pg_trgm splits them: runs of letters and digits; three characters at least), when the text
 * has more than one.
 */
export function distinctiveWord(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length < 2) return null;
  // Shorter words make too few trigrams to narrow anything down.
  const score = (w: string) => (/\p{N}/u.test(w) ? 1000 : 0) + w.length;
  return words.filter((w) => w.length >= 3).sort((a, b) => score(b) - score(a))[0] ?? null;
}

/**
 * Ids of `table` whose `column` contains `text` (case-insensitive), through the column's trigram GIN
 * index: the index is asked for the text's most distinctive word only (distinctiveWord) and the whole
 * text is checked on the rows it gives, so the answer is exactly `column ILIKE '%text%'`.
 */
export function containsIdsSql(table: string, column: string, text: string): Prisma.Sql {
  const t = Prisma.raw(`"${table}"`);
  const c = Prisma.raw(`"${column}"`);
  const word = distinctiveWord(text);
  if (!word) return Prisma.sql`SELECT id FROM ${t} WHERE ${c} ILIKE ${containsPattern(text)}`;
  // OFFSET 0 keeps the planner from folding the whole pattern back into the index scan.
  return Prisma.sql`SELECT w.id FROM (SELECT id, ${c} AS v FROM ${t} WHERE ${c} ILIKE ${containsPattern(word)} OFFSET 0) AS w
                     WHERE w.v ILIKE ${containsPattern(text)}`;
}

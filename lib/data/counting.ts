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

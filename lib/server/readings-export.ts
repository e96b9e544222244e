import 'server-only';
import { exportReadingsCsv } from '@/lib/data/readings';
import { csvFileName } from '@/lib/readings/csv';
import type { ChartRange } from '@/lib/readings/ranges';
import type { FleetSelection } from '@/lib/readings/selection';

/**
 * The readings CSV download as a Response: the one answer of `GET /api/readings/export` (the pages' button)
 * and `GET /api/v1/readings/export` (scripts), streamed page by page (lib/readings/csv.ts).
 */
export async function readingsCsvResponse({ range, selection }: { range: ChartRange; selection: FleetSelection }): Promise<Response> {
  const { stream, label } = await exportReadingsCsv({ from: range.from, to: range.to, deviceIds: selection.deviceIds, group: selection.group });
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${csvFileName(label, range.from, range.to)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

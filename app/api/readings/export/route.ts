import { withPermission } from '@/lib/auth/session';
import { exportReadingsCsv } from '@/lib/data/readings';
import { csvFileName } from '@/lib/readings/csv';
import { parseFleetSelection } from '@/lib/readings/selection';
import { rangeOrError, readingsErrorResponse } from '../_responses';

/**
 * GET /api/readings/export?device=<id>[&device=…] | group=<name> | (nothing: every reading) & range=7d | from=…&to=…
 * Raw readings at full resolution as CSV, streamed page by page (lib/readings/csv.ts).
 */
export const GET = withPermission('readings:view', async (request) => {
  const params = request.nextUrl.searchParams;
  const parsed = rangeOrError(params);
  if ('response' in parsed) return parsed.response;
  const { range } = parsed;
  const selection = parseFleetSelection(params);
  try {
    const { stream, label } = await exportReadingsCsv({ from: range.from, to: range.to, deviceIds: selection.deviceIds, group: selection.group });
    return new Response(stream, {
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${csvFileName(label, range.from, range.to)}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (error) {
    return readingsErrorResponse(error);
  }
});

import { ReadingsQuerySchema } from '@/lib/readings/ranges';
import { readingsCsvResponse } from '@/lib/server/readings-export';
import { route } from '@/lib/server/route';

/**
 * GET /api/readings/export?device=<id>[&device=…] | group=<name> | (nothing: every reading) & range=7d | from=…&to=…
 * Raw readings at full resolution as CSV, streamed page by page (lib/readings/csv.ts).
 */
export const GET = route({ permission: 'readings:view', query: ReadingsQuerySchema }, ({ query }) => readingsCsvResponse(query));

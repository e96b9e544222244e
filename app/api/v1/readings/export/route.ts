import { OPERATIONS } from '@/lib/api/v1/operations';
import { readingsCsvResponse } from '@/lib/server/readings-export';
import { route } from '@/lib/server/route';

const op = OPERATIONS.exportReadings;
export const GET = route({ permission: 'readings:view', query: op.query }, ({ query }) => readingsCsvResponse(query));

import { OPERATIONS } from '@/lib/api/v1/operations';
import { getFleetReadings } from '@/lib/data/readings';
import { route } from '@/lib/server/route';

const op = OPERATIONS.getFleetSeries;
export const GET = route({ permission: 'readings:view', query: op.query }, ({ query }) =>
  getFleetReadings(query.selection, query.range, new Date(), { widthSeconds: query.widthSeconds, table: query.table }),
);

import { pullReadingsNow } from '@/lib/data/readings-changes';
import { route } from '@/lib/server/route';

/** POST /api/readings/pull — pulls new readings from the Worker now; answers with what was stored. */
export const POST = route({ permission: 'readings:pull' }, () => pullReadingsNow());

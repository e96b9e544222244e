import { listAlertRules } from '@/lib/api/v1/data';
import { route } from '@/lib/server/route';

export const GET = route({ permission: 'alerts:configure' }, ({ user }) => listAlertRules(user));

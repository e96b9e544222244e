import { findDevices } from '@/lib/data/devices';
import { route } from '@/lib/server/route';
import { parseDeviceListSearch } from '@/lib/validation/inventory';
import { searchParamsOf } from '@/lib/validation/table-search-params';

/** The Devices table as JSON, with the same query parameters as the page. */
export const GET = route({ permission: 'device:view', query: searchParamsOf(parseDeviceListSearch) }, ({ user, query }) => findDevices(user, query));

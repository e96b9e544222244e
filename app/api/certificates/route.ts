import { findCertificates } from '@/lib/data/certificates';
import { route } from '@/lib/server/route';
import { parseCertificateListSearch } from '@/lib/validation/inventory';
import { searchParamsOf } from '@/lib/validation/table-search-params';

/** The Certificates table as JSON, with the same query parameters (q, status, band, group, lastSeen, sort, dir, page, perPage). */
export const GET = route({ permission: 'certificate:view', query: searchParamsOf(parseCertificateListSearch) }, ({ user, query }) => findCertificates(user, query));

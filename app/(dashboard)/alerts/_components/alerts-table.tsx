'use client';

import { use, useMemo } from 'react';
import { PagedDataTable } from '@/components/data-table/paged-data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { ALERT_CONDITIONS, CONDITION_LABELS } from '@/lib/alerts/condition-labels';
import type { AlertRow } from '@/lib/data/alerts';
import type { AlertListSearch } from '@/lib/validation/alerts';
import { ALERT_SEVERITIES } from '@/lib/validation/alerts-constants';
import { getAlertColumns } from './alerts-columns';

const conditionOptions = ALERT_CONDITIONS.map((c) => ({ value: c, label: CONDITION_LABELS[c] }));
const severityOptions = ALERT_SEVERITIES.map((s) => ({ value: s, label: s.charAt(0) + s.slice(1).toLowerCase() }));

export function AlertsTable({
  alerts,
  groups,
  search,
  canAcknowledge,
}: {
  alerts: Promise<{ rows: AlertRow[]; total: number }>;
  groups: string[];
  search: AlertListSearch;
  canAcknowledge: boolean;
}) {
  const columns = useMemo(() => getAlertColumns({ canAcknowledge }), [canAcknowledge]);
  return (
    <PagedDataTable
      page={use(alerts)}
      columns={columns}
      search={search}
      label="Alerts"
      empty={{ filtered: 'No alerts match these filters.', none: search.state === 'active' ? 'Nothing needs attention.' : 'No alerts here.' }}
      keep={['state']}
      toolbar={
        <DataTableToolbar>
          <DataTableSearch placeholder="Search subject or summary" />
          <DataTableSelectFilter param="condition" label="Condition" options={conditionOptions} allLabel="All conditions" />
          <DataTableSelectFilter param="severity" label="Severity" options={severityOptions} allLabel="Any severity" />
          <DataTableSelectFilter param="group" label="Group" options={groups.map((g) => ({ value: g, label: g }))} allLabel="All groups" />
        </DataTableToolbar>
      }
    />
  );
}

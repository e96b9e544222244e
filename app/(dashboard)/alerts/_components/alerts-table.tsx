'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use, useMemo } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import { ALERT_CONDITIONS, CONDITIONS } from '@/lib/alerts/conditions';
import type { AlertRow } from '@/lib/data/alerts';
import { ALERT_SEVERITIES, type AlertListSearch } from '@/lib/validation/alerts';
import { getAlertColumns } from './alerts-columns';

const conditionOptions = ALERT_CONDITIONS.map((c) => ({ value: c, label: CONDITIONS[c].label }));
const severityOptions = ALERT_SEVERITIES.map((s) => ({ value: s, label: s.charAt(0) + s.slice(1).toLowerCase() }));
const getRowId = (row: AlertRow) => row.id;

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
  const { rows, total } = use(alerts);
  const columns = useMemo(() => getAlertColumns({ canAcknowledge }), [canAcknowledge]);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  const filtered = !!search.q || !!search.condition || !!search.severity || !!search.group;
  return (
    <DataTable
      table={table}
      isPending={isPending}
      label="Alerts"
      emptyMessage={filtered ? <FilteredEmpty message="No alerts match these filters." keep={['state']} /> : search.state === 'active' ? 'Nothing needs attention.' : 'No alerts here.'}
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

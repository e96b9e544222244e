'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import type { AuditRow } from '@/lib/data/audit';
import type { AuditListSearch } from '@/lib/validation/inventory';
import { getAuditColumns } from './audit-columns';
import { DateRangeFilter } from './audit-filters';

const columns = getAuditColumns();
const getRowId = (row: AuditRow) => row.id;

/** The audit log, read-only: it offers no edit or delete, because the log is append-only. */
export function AuditTable({ events, search, actions }: { events: Promise<{ rows: AuditRow[]; total: number }>; search: AuditListSearch; actions: string[] }) {
  const { rows, total } = use(events);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  const filtered = !!(search.q || search.action || search.actor || search.target || search.from || search.to);
  return (
    <DataTable
      table={table}
      isPending={isPending}
      label="Audit log"
      emptyMessage={filtered ? <FilteredEmpty message="No events match these filters." /> : 'Nothing recorded yet.'}
      toolbar={
        <DataTableToolbar>
          <DataTableSelectFilter param="action" label="Action" options={actions.map((a) => ({ value: a, label: a }))} allLabel="All actions" />
          <DataTableSearch param="actor" placeholder="Actor (email)" />
          <DataTableSearch param="target" placeholder="Target (name, serial or id)" />
          <DateRangeFilter />
        </DataTableToolbar>
      }
    />
  );
}

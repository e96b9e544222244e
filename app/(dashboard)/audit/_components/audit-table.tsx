'use client';

import { use } from 'react';
import { PagedDataTable } from '@/components/data-table/paged-data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import type { AuditRow } from '@/lib/data/audit';
import type { AuditListSearch } from '@/lib/validation/inventory';
import { getAuditColumns } from './audit-columns';
import { DateRangeFilter } from './audit-filters';

const columns = getAuditColumns();

/** The audit log, read-only: it offers no edit or delete, because the log is append-only. */
export function AuditTable({ events, search, actions }: { events: Promise<{ rows: AuditRow[]; total: number }>; search: AuditListSearch; actions: string[] }) {
  return (
    <PagedDataTable
      page={use(events)}
      columns={columns}
      search={search}
      label="Audit log"
      empty={{ filtered: 'No events match these filters.', none: 'Nothing recorded yet.' }}
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

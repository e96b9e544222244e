'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import type { CustomCsrRow } from '@/lib/data/custom-csrs';
import { CUSTOM_CSR_KEY_TYPES, type CustomCsrListSearch, KEY_TYPE_LABELS } from '@/lib/validation/custom-csr';
import { getCustomCsrColumns } from './custom-csrs-columns';

const columns = getCustomCsrColumns();
const keyTypeOptions = CUSTOM_CSR_KEY_TYPES.map((k) => ({ value: k, label: KEY_TYPE_LABELS[k] }));
const inUseOptions = [
  { value: 'yes', label: 'In use' },
  { value: 'no', label: 'Not in use' },
];
const getRowId = (row: CustomCsrRow) => row.id;

export function CustomCsrsTable({ data, search }: { data: Promise<{ rows: CustomCsrRow[]; total: number }>; search: CustomCsrListSearch }) {
  const { rows, total } = use(data);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  const filtered = !!search.q || !!search.keyType || search.inUse !== null;

  return (
    <DataTable
      table={table}
      isPending={isPending}
      label="Custom CSRs"
      emptyMessage={filtered ? <FilteredEmpty message="No custom CSRs match these filters." /> : 'No custom CSRs yet. An admin can create one with “New custom CSR”.'}
      toolbar={
        <DataTableToolbar>
          <DataTableSearch placeholder="Search common name, organization, SAN" />
          <DataTableSelectFilter param="keyType" label="Key" options={keyTypeOptions} allLabel="All keys" />
          <DataTableSelectFilter param="inUse" label="Use" options={inUseOptions} allLabel="Any" />
        </DataTableToolbar>
      }
    />
  );
}

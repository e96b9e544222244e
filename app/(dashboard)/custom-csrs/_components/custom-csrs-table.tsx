'use client';

import { use } from 'react';
import { PagedDataTable } from '@/components/data-table/paged-data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import type { CustomCsrRow } from '@/lib/data/custom-csrs';
import type { CustomCsrListSearch } from '@/lib/validation/custom-csr';
import { CUSTOM_CSR_KEY_TYPES, KEY_TYPE_LABELS } from '@/lib/validation/custom-csr-constants';
import { getCustomCsrColumns } from './custom-csrs-columns';

const columns = getCustomCsrColumns();
const keyTypeOptions = CUSTOM_CSR_KEY_TYPES.map((k) => ({ value: k, label: KEY_TYPE_LABELS[k] }));
const inUseOptions = [
  { value: 'yes', label: 'In use' },
  { value: 'no', label: 'Not in use' },
];

export function CustomCsrsTable({ data, search }: { data: Promise<{ rows: CustomCsrRow[]; total: number }>; search: CustomCsrListSearch }) {
  return (
    <PagedDataTable
      page={use(data)}
      columns={columns}
      search={search}
      label="Custom CSRs"
      empty={{ filtered: 'No custom CSRs match these filters.', none: 'No custom CSRs yet. An admin can create one with “New custom CSR”.' }}
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

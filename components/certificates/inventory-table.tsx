'use client';

import type { ReactNode } from 'react';
import { DataTableSearch, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { PagedDataTable, type PagedDataTableProps } from '@/components/data-table/paged-data-table';
import type { CertificateListSearch, DeviceListSearch } from '@/lib/validation/inventory';
import { InventoryFilters } from './inventory-filters';
import { RevokeDialog } from './revoke-dialog';
import { RowSelectionProvider, useRowSelection } from './row-selection';

/** What revoking the selected rows would revoke. */
export interface BulkRevocation {
  /** How many selected rows it covers (the trigger says "Revoke N selected"). */
  count: number;
  certificateIds: string[];
  deviceCount: number;
}

/**
 * The table both inventories (certificates, devices) share: the same search, the same four filters,
 * and row selection feeding one bulk revoke. Each inventory supplies its rows, columns, which rows
 * can be selected and what revoking a selection means.
 */
export function InventoryTable<TRow extends { id: string }>({
  page,
  columns,
  search,
  label,
  noun,
  statusOptions,
  thresholds,
  groups,
  selectableIds,
  revocationOf,
}: Pick<PagedDataTableProps<TRow>, 'page' | 'columns' | 'label'> & {
  search: CertificateListSearch | DeviceListSearch;
  /** Plural, for the empty states: "No devices yet." */
  noun: string;
  statusOptions: readonly { value: string; label: string }[];
  thresholds: readonly number[];
  groups: readonly string[];
  /** Row ids that have something to revoke. */
  selectableIds: readonly string[];
  /** Set when the user may revoke: what the selected rows come to. */
  revocationOf: ((selected: TRow[]) => BulkRevocation) | null;
}) {
  return (
    <RowSelectionProvider rows={page.rows} selectableIds={selectableIds}>
      <PagedDataTable
        page={page}
        columns={columns}
        search={search}
        label={label}
        empty={{ filtered: `No ${noun} match these filters.`, none: `No ${noun} yet.` }}
        toolbar={
          <DataTableToolbar actions={revocationOf ? <BulkRevoke rows={page.rows} revocationOf={revocationOf} /> : null}>
            <DataTableSearch placeholder="Name, CN, serial, SKI or fingerprint" />
            <InventoryFilters statusOptions={statusOptions} thresholds={thresholds} groups={groups} />
          </DataTableToolbar>
        }
      />
    </RowSelectionProvider>
  );
}

function BulkRevoke<TRow extends { id: string }>({ rows, revocationOf }: { rows: TRow[]; revocationOf: (selected: TRow[]) => BulkRevocation }): ReactNode {
  const { selected, clear } = useRowSelection();
  const { count, certificateIds, deviceCount } = revocationOf(rows.filter((r) => selected.has(r.id)));
  // Always mounted: the dialog keeps showing its results after the revalidated page clears the selection.
  return (
    <RevokeDialog
      certificateIds={certificateIds}
      deviceCount={deviceCount}
      triggerLabel={count ? `Revoke ${count} selected` : 'Revoke selected'}
      size="sm"
      onDone={clear}
    />
  );
}

'use client';

import { type ReactNode, use, useMemo } from 'react';
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

/** One inventory (certificates or devices): what differs between the two tables. Module-level, so it stays the same object across renders. */
export interface Inventory<TRow extends { id: string }> {
  /** Names the table for screen readers; lower-cased, the noun of the empty states ("No devices yet."). */
  label: string;
  statusOptions: readonly { value: string; label: string }[];
  /** The inventory's `get…Columns()`; a selection column when the user may revoke. */
  getColumns: (options: { thresholds: readonly number[]; selectable: boolean }) => PagedDataTableProps<TRow>['columns'];
  /** Whether a row has something to revoke, so it can be selected. */
  canSelect: (row: TRow) => boolean;
  /** What revoking the selected rows comes to. */
  revocationOf: (selected: TRow[]) => BulkRevocation;
}

/** What an inventory page hands its table: the page of rows still loading, and what the server read for the filters. */
export interface InventoryTableProps<TRow, TSearch extends CertificateListSearch | DeviceListSearch> {
  rows: Promise<{ rows: TRow[]; total: number }>;
  search: TSearch;
  thresholds: number[];
  groups: string[];
  canRevoke: boolean;
}

/**
 * The table both inventories (certificates, devices) share: the same search, the same four filters,
 * and row selection feeding one bulk revoke. Each inventory supplies its columns, which rows can be
 * selected and what revoking a selection means.
 */
export function InventoryTable<TRow extends { id: string }, TSearch extends CertificateListSearch | DeviceListSearch>({
  inventory,
  rows,
  search,
  thresholds,
  groups,
  canRevoke,
}: InventoryTableProps<TRow, TSearch> & { inventory: Inventory<TRow> }) {
  const page = use(rows);
  const { label, getColumns, canSelect, revocationOf } = inventory;
  const columns = useMemo(() => getColumns({ thresholds, selectable: canRevoke }), [getColumns, thresholds, canRevoke]);
  const selectableIds = useMemo(() => page.rows.filter(canSelect).map((r) => r.id), [page.rows, canSelect]);
  const noun = label.toLowerCase();
  return (
    <RowSelectionProvider rows={page.rows} selectableIds={selectableIds}>
      <PagedDataTable
        page={page}
        columns={columns}
        search={search}
        label={label}
        empty={{ filtered: `No ${noun} match these filters.`, none: `No ${noun} yet.` }}
        toolbar={
          <DataTableToolbar actions={canRevoke ? <BulkRevoke rows={page.rows} revocationOf={revocationOf} /> : null}>
            <DataTableSearch placeholder="Name, CN, serial, SKI or fingerprint" />
            <InventoryFilters statusOptions={inventory.statusOptions} thresholds={thresholds} groups={groups} />
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

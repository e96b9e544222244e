'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use, useMemo } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import type { DeviceRow } from '@/lib/data/devices';
import { CERTIFICATE_STATUS_LABELS, DEVICE_CERTIFICATE_FILTERS, type DeviceListSearch } from '@/lib/validation/inventory';
import { InventoryFilters } from '@/components/certificates/inventory-filters';
import { RevokeDialog } from '@/components/certificates/revoke-dialog';
import { RowSelectionProvider, useRowSelection } from '@/components/certificates/row-selection';
import { getDeviceColumns } from './devices-columns';

const statusOptions = DEVICE_CERTIFICATE_FILTERS.map((s) => ({ value: s, label: s === 'NONE' ? 'No certificate' : CERTIFICATE_STATUS_LABELS[s] }));
const getRowId = (row: DeviceRow) => row.id;

export function DevicesTable({
  devices,
  search,
  thresholds,
  groups,
  canRevoke,
}: {
  devices: Promise<{ rows: DeviceRow[]; total: number }>;
  search: DeviceListSearch;
  thresholds: number[];
  groups: string[];
  canRevoke: boolean;
}) {
  const { rows, total } = use(devices);
  const columns = useMemo(() => getDeviceColumns({ thresholds, selectable: canRevoke }), [thresholds, canRevoke]);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  // A device can be selected when it has something to revoke.
  const selectable = useMemo(() => rows.filter((r) => r.liveCertificateIds.length > 0).map((r) => r.id), [rows]);
  const filtered = !!(search.q || search.status || search.band || search.group || search.lastSeen);

  return (
    <RowSelectionProvider rows={rows} selectableIds={selectable}>
      <DataTable
        table={table}
        isPending={isPending}
        label="Devices"
        emptyMessage={filtered ? <FilteredEmpty message="No devices match these filters." /> : 'No devices yet.'}
        toolbar={
          <DataTableToolbar actions={canRevoke ? <BulkRevoke rows={rows} /> : null}>
            <DataTableSearch placeholder="Name, CN, serial, SKI or fingerprint" />
            <InventoryFilters statusOptions={statusOptions} thresholds={thresholds} groups={groups} />
          </DataTableToolbar>
        }
      />
    </RowSelectionProvider>
  );
}

/** Revokes every live certificate of the selected devices. */
function BulkRevoke({ rows }: { rows: DeviceRow[] }) {
  const { selected, clear } = useRowSelection();
  const chosen = rows.filter((r) => selected.has(r.id) && r.liveCertificateIds.length > 0);
  return (
    <RevokeDialog
      certificateIds={chosen.flatMap((r) => r.liveCertificateIds)}
      deviceCount={chosen.length}
      triggerLabel={chosen.length ? `Revoke ${chosen.length} selected` : 'Revoke selected'}
      size="sm"
      onDone={clear}
    />
  );
}

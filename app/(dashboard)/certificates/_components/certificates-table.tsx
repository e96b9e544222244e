'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use, useMemo } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import type { CertificateRow } from '@/lib/data/certificates';
import { CERTIFICATE_STATUS_LABELS, CERTIFICATE_STATUSES, type CertificateListSearch } from '@/lib/validation/inventory';
import { isLiveStatus } from '@/components/certificates/certificate-badges';
import { getCertificateColumns } from './certificates-columns';
import { InventoryFilters } from '@/components/certificates/inventory-filters';
import { RevokeDialog } from '@/components/certificates/revoke-dialog';
import { RowSelectionProvider, useRowSelection } from '@/components/certificates/row-selection';

const statusOptions = CERTIFICATE_STATUSES.map((s) => ({ value: s, label: CERTIFICATE_STATUS_LABELS[s] }));
const getRowId = (row: CertificateRow) => row.id;

export function CertificatesTable({
  certificates,
  search,
  thresholds,
  groups,
  canRevoke,
}: {
  certificates: Promise<{ rows: CertificateRow[]; total: number }>;
  search: CertificateListSearch;
  thresholds: number[];
  groups: string[];
  canRevoke: boolean;
}) {
  const { rows, total } = use(certificates);
  const columns = useMemo(() => getCertificateColumns({ thresholds, selectable: canRevoke }), [thresholds, canRevoke]);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  const selectable = useMemo(() => rows.filter((r) => isLiveStatus(r.status)).map((r) => r.id), [rows]);
  const filtered = !!(search.q || search.status || search.band || search.group || search.lastSeen);

  return (
    <RowSelectionProvider rows={rows} selectableIds={selectable}>
      <DataTable
        table={table}
        isPending={isPending}
        label="Certificates"
        emptyMessage={filtered ? <FilteredEmpty message="No certificates match these filters." /> : 'No certificates yet.'}
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

function BulkRevoke({ rows }: { rows: CertificateRow[] }) {
  const { selected, clear } = useRowSelection();
  const chosen = rows.filter((r) => selected.has(r.id));
  const devices = new Set(chosen.flatMap((r) => (r.device ? [r.device.id] : []))).size;
  // Always mounted: the dialog keeps showing its results after the revalidated page clears the selection.
  return (
    <RevokeDialog
      certificateIds={chosen.map((r) => r.id)}
      deviceCount={devices}
      triggerLabel={chosen.length ? `Revoke ${chosen.length} selected` : 'Revoke selected'}
      size="sm"
      onDone={clear}
    />
  );
}

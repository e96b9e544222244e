'use client';

import { use, useMemo } from 'react';
import { type BulkRevocation, InventoryTable } from '@/components/certificates/inventory-table';
import type { DeviceRow } from '@/lib/data/devices';
import type { DeviceListSearch } from '@/lib/validation/inventory';
import { CERTIFICATE_STATUS_LABELS, DEVICE_CERTIFICATE_FILTERS } from '@/lib/validation/inventory-constants';
import { getDeviceColumns } from './devices-columns';

const statusOptions = DEVICE_CERTIFICATE_FILTERS.map((s) => ({ value: s, label: s === 'NONE' ? 'No certificate' : CERTIFICATE_STATUS_LABELS[s] }));

/** Revokes every live certificate of the selected devices. */
function revocationOf(selected: DeviceRow[]): BulkRevocation {
  const chosen = selected.filter((r) => r.liveCertificateIds.length > 0);
  return { count: chosen.length, certificateIds: chosen.flatMap((r) => r.liveCertificateIds), deviceCount: chosen.length };
}

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
  const page = use(devices);
  const columns = useMemo(() => getDeviceColumns({ thresholds, selectable: canRevoke }), [thresholds, canRevoke]);
  // A device can be selected when it has something to revoke.
  const selectable = useMemo(() => page.rows.filter((r) => r.liveCertificateIds.length > 0).map((r) => r.id), [page.rows]);
  return (
    <InventoryTable
      page={page}
      columns={columns}
      search={search}
      label="Devices"
      noun="devices"
      statusOptions={statusOptions}
      thresholds={thresholds}
      groups={groups}
      selectableIds={selectable}
      revocationOf={canRevoke ? revocationOf : null}
    />
  );
}

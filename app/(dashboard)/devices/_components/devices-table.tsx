'use client';

import { type Inventory, InventoryTable, type InventoryTableProps } from '@/components/certificates/inventory-table';
import type { DeviceRow } from '@/lib/data/devices';
import type { DeviceListSearch } from '@/lib/validation/inventory';
import { CERTIFICATE_STATUS_LABELS, DEVICE_CERTIFICATE_FILTERS } from '@/lib/validation/inventory-constants';
import { getDeviceColumns } from './devices-columns';

const devices: Inventory<DeviceRow> = {
  label: 'Devices',
  statusOptions: DEVICE_CERTIFICATE_FILTERS.map((s) => ({ value: s, label: s === 'NONE' ? 'No certificate' : CERTIFICATE_STATUS_LABELS[s] })),
  getColumns: getDeviceColumns,
  // A device can be selected when it has something to revoke; revoking it revokes every live certificate it has.
  canSelect: (row) => row.liveCertificateIds.length > 0,
  revocationOf(selected) {
    const chosen = selected.filter((r) => r.liveCertificateIds.length > 0);
    return { count: chosen.length, certificateIds: chosen.flatMap((r) => r.liveCertificateIds), deviceCount: chosen.length };
  },
};

export function DevicesTable(props: InventoryTableProps<DeviceRow, DeviceListSearch>) {
  return <InventoryTable inventory={devices} {...props} />;
}

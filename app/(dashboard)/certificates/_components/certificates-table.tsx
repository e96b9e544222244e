'use client';

import { isLiveStatus } from '@/components/certificates/certificate-badges';
import { type Inventory, InventoryTable, type InventoryTableProps } from '@/components/certificates/inventory-table';
import type { CertificateRow } from '@/lib/data/certificates';
import type { CertificateListSearch } from '@/lib/validation/inventory';
import { CERTIFICATE_STATUS_LABELS, CERTIFICATE_STATUSES } from '@/lib/validation/inventory-constants';
import { getCertificateColumns } from './certificates-columns';

const certificates: Inventory<CertificateRow> = {
  label: 'Certificates',
  statusOptions: CERTIFICATE_STATUSES.map((s) => ({ value: s, label: CERTIFICATE_STATUS_LABELS[s] })),
  getColumns: getCertificateColumns,
  canSelect: (row) => isLiveStatus(row.status),
  revocationOf(chosen) {
    const devices = new Set(chosen.flatMap((r) => (r.device ? [r.device.id] : [])));
    return { count: chosen.length, certificateIds: chosen.map((r) => r.id), deviceCount: devices.size };
  },
};

export function CertificatesTable(props: InventoryTableProps<CertificateRow, CertificateListSearch>) {
  return <InventoryTable inventory={certificates} {...props} />;
}

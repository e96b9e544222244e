'use client';

import { use, useMemo } from 'react';
import { isLiveStatus } from '@/components/certificates/certificate-badges';
import { type BulkRevocation, InventoryTable } from '@/components/certificates/inventory-table';
import type { CertificateRow } from '@/lib/data/certificates';
import type { CertificateListSearch } from '@/lib/validation/inventory';
import { CERTIFICATE_STATUS_LABELS, CERTIFICATE_STATUSES } from '@/lib/validation/inventory-constants';
import { getCertificateColumns } from './certificates-columns';

const statusOptions = CERTIFICATE_STATUSES.map((s) => ({ value: s, label: CERTIFICATE_STATUS_LABELS[s] }));

function revocationOf(chosen: CertificateRow[]): BulkRevocation {
  const devices = new Set(chosen.flatMap((r) => (r.device ? [r.device.id] : [])));
  return { count: chosen.length, certificateIds: chosen.map((r) => r.id), deviceCount: devices.size };
}

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
  const page = use(certificates);
  const columns = useMemo(() => getCertificateColumns({ thresholds, selectable: canRevoke }), [thresholds, canRevoke]);
  const selectable = useMemo(() => page.rows.filter((r) => isLiveStatus(r.status)).map((r) => r.id), [page.rows]);
  return (
    <InventoryTable
      page={page}
      columns={columns}
      search={search}
      label="Certificates"
      noun="certificates"
      statusOptions={statusOptions}
      thresholds={thresholds}
      groups={groups}
      selectableIds={selectable}
      revocationOf={canRevoke ? revocationOf : null}
    />
  );
}

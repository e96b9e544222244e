'use client';

import { DataTableSelectFilter } from '@/components/data-table/data-table-toolbar';
import { expiryBands } from '@/lib/expiry/bands';
import { LAST_SEEN_FILTERS, LAST_SEEN_LABELS } from '@/lib/validation/inventory-constants';

/** The filters both inventory tables share: status, expiry band, group and last seen, each a URL parameter. */
export function InventoryFilters({
  statusOptions,
  thresholds,
  groups,
}: {
  statusOptions: readonly { value: string; label: string }[];
  thresholds: readonly number[];
  groups: readonly string[];
}) {
  return (
    <>
      <DataTableSelectFilter param="status" label="Status" options={statusOptions} allLabel="Any status" />
      <DataTableSelectFilter param="band" label="Expiry" options={expiryBands(thresholds).map((b) => ({ value: b.key, label: b.label }))} allLabel="Any expiry" />
      <DataTableSelectFilter param="group" label="Group" options={groups.map((g) => ({ value: g, label: g }))} allLabel="All groups" />
      <DataTableSelectFilter param="lastSeen" label="Last seen" options={LAST_SEEN_FILTERS.map((v) => ({ value: v, label: LAST_SEEN_LABELS[v] }))} allLabel="Any time" />
    </>
  );
}

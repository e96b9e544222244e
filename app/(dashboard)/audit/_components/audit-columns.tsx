'use client';

import Link from 'next/link';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import type { AuditRow } from '@/lib/data/audit';
import { formatDateTimeSeconds } from '@/components/certificates/format';

const column = createDataTableColumnHelper<AuditRow>();

/** Where a target has a page of its own. */
function targetHref(row: AuditRow): string | null {
  if (!row.targetId) return null;
  if (row.targetType === 'certificate') return `/certificates/${row.targetId}`;
  if (row.targetType === 'device') return `/devices/${row.targetId}`;
  return null;
}

export function getAuditColumns() {
  return column.columns([
    column.accessor('at', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="When" />,
      cell: ({ getValue }) => (
        <time dateTime={getValue().toISOString()} className="whitespace-nowrap">
          {formatDateTimeSeconds(getValue())}
        </time>
      ),
      sortDescFirst: true,
    }),
    column.accessor('actorEmail', {
      header: 'Actor',
      enableSorting: false,
    }),
    column.accessor('action', {
      header: 'Action',
      enableSorting: false,
      cell: ({ getValue }) => <span className="font-mono text-xs">{getValue()}</span>,
    }),
    column.accessor((row) => row.targetLabel ?? row.targetId ?? '', {
      id: 'target',
      header: 'Target',
      enableSorting: false,
      cell: ({ row }) => {
        const href = targetHref(row.original);
        const text = row.original.targetLabel ?? row.original.targetId ?? '—';
        return (
          <span className="flex flex-col">
            <span className="text-xs text-muted-foreground">{row.original.targetType}</span>
            {href ? (
              <Link href={href} className="text-primary hover:underline">
                {text}
              </Link>
            ) : (
              <span>{text}</span>
            )}
          </span>
        );
      },
    }),
    column.accessor('reason', {
      header: 'Reason',
      enableSorting: false,
      cell: ({ getValue }) => getValue() ?? <span className="text-muted-foreground">—</span>,
    }),
    column.accessor('details', {
      header: 'Details',
      enableSorting: false,
      meta: { className: 'min-w-56 max-w-md' },
      cell: ({ getValue }) => <AuditDetails details={getValue()} />,
    }),
  ]);
}

/** A name for a details key: "elapsedMs" → "elapsed ms", "from_status" → "from status". */
function words(key: string): string {
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(', ');
  return JSON.stringify(value);
}

/** The event's details as labelled fields that wrap, not one line of JSON cut off at the column's edge. */
export function AuditDetails({ details }: { details: string | null }) {
  if (!details) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    parsed = details;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return <span className="text-xs break-words text-muted-foreground">{valueText(parsed)}</span>;
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.length) return null;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs" data-testid="audit-details">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-muted-foreground">{words(key)}</dt>
          <dd className="font-mono [overflow-wrap:anywhere]">{valueText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

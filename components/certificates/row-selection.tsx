'use client';

import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { createDataTableColumnHelper } from '@/components/data-table/features';

/*
 * Row selection for bulk revocation, kept beside the table rather than in it: the shared data-table
 * features (components/data-table/features.ts) register sorting and paging only. Selection belongs
 * to the page of rows on screen and is cleared when another page, sort or filter arrives.
 */

interface Selection {
  selected: ReadonlySet<string>;
  /** Row ids on this page that can be selected. */
  selectable: readonly string[];
  toggle(id: string, on: boolean): void;
  toggleAll(on: boolean): void;
  clear(): void;
}

const SelectionContext = createContext<Selection | null>(null);

export function RowSelectionProvider<TRow>({ rows, selectableIds, children }: { rows: TRow[]; selectableIds: readonly string[]; children: ReactNode }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [forRows, setForRows] = useState(rows);
  if (forRows !== rows) {
    setForRows(rows);
    setSelected(new Set());
  }
  const value = useMemo<Selection>(
    () => ({
      selected,
      selectable: selectableIds,
      toggle: (id, on) =>
        setSelected((current) => {
          const next = new Set(current);
          if (on) next.add(id);
          else next.delete(id);
          return next;
        }),
      toggleAll: (on) => setSelected(on ? new Set(selectableIds) : new Set()),
      clear: () => setSelected(new Set()),
    }),
    [selected, selectableIds],
  );
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useRowSelection(): Selection {
  const selection = useContext(SelectionContext);
  if (!selection) throw new Error('useRowSelection outside RowSelectionProvider');
  return selection;
}

const boxClasses = 'size-4 cursor-pointer accent-primary disabled:cursor-not-allowed disabled:opacity-40';

export function SelectRowCheckbox({ id, label }: { id: string; label: string }) {
  const { selected, selectable, toggle } = useRowSelection();
  const enabled = selectable.includes(id);
  return (
    <input
      type="checkbox"
      className={boxClasses}
      aria-label={`Select ${label}`}
      disabled={!enabled}
      title={enabled ? undefined : 'Nothing to revoke'}
      checked={selected.has(id)}
      onChange={(event) => toggle(id, event.target.checked)}
    />
  );
}

export function SelectAllCheckbox() {
  const { selected, selectable, toggleAll } = useRowSelection();
  const all = selectable.length > 0 && selectable.every((id) => selected.has(id));
  const some = !all && selectable.some((id) => selected.has(id));
  return (
    <input
      type="checkbox"
      className={boxClasses}
      aria-label="Select all on this page"
      disabled={selectable.length === 0}
      checked={all}
      ref={(el) => {
        if (el) el.indeterminate = some;
      }}
      onChange={(event) => toggleAll(event.target.checked)}
    />
  );
}

/**
 * The checkbox column of a selectable inventory table, or nothing when the user may not revoke.
 * `label` names a row for its checkbox ("Select <label>").
 */
export function selectionColumns<TRow extends { id: string }>(selectable: boolean, label: (row: TRow) => string) {
  if (!selectable) return [];
  return [
    createDataTableColumnHelper<TRow>().display({
      id: 'select',
      header: () => <SelectAllCheckbox />,
      cell: ({ row }) => <SelectRowCheckbox id={row.original.id} label={label(row.original)} />,
      meta: { className: 'w-8' },
    }),
  ];
}

import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight } from 'lucide-react';
import Link from 'next/link';
import { formatTemperature } from '@/components/charts/format';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { Select, SelectOptions } from '@/components/ui/select';
import { TableHeadings } from '@/components/ui/simple-table';
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table';
import type { FleetDeviceRow, FleetReadingsView } from '@/lib/data/readings';
import { HEALTH_STATES } from '@/lib/readings/health';
import type { EffectiveLimits, Limits } from '@/lib/readings/thresholds';
import { HealthBadge, healthLabel } from './health-badge';
import { DeviceLimitsDialog } from './limits-dialogs';
import { LocalTime } from './local-time';

// The readings page's device table at fleet size: one page of 50 (group, then name), filtered by health and a
// name fragment, every control a plain GET link or form so the state lives in the URL. Ticking devices and
// "Draw ticked devices" draws them on the chart (`device=` in the URL); the devices picked on other pages
// ride along as hidden fields, so paging never drops them.

const number = new Intl.NumberFormat('en');
const PICK_FORM = 'fleet-pick';

/** A page's search params (Next's object of strings and string arrays) as URLSearchParams, arrays repeated. */
export function toSearchParams(search: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) for (const one of [value ?? []].flat()) params.append(key, one);
  return params;
}

/** The page's URL with `changes` applied (null removes a key); every other parameter (range, selection) kept. */
export function readingsHref(search: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  const query = next.toString();
  return query ? `/readings?${query}` : '/readings';
}

export function limitsText(limits: EffectiveLimits): string {
  const one = (v: number | null, source: EffectiveLimits['minSource']) => (v === null ? '—' : `${v}${source === 'group' ? '*' : ''}`);
  return limits.min === null && limits.max === null ? 'none' : `${one(limits.min, limits.minSource)} – ${one(limits.max, limits.maxSource)} °C`;
}

export function FleetDevicesTable({
  view,
  search,
  canEdit,
}: {
  view: Pick<FleetReadingsView, 'devices' | 'devicesPage' | 'groups' | 'selection'>;
  search: URLSearchParams;
  canEdit: boolean;
}) {
  const { page, pageSize, total, health, q } = view.devicesPage;
  const groupLimits: Record<string, Limits | null> = Object.fromEntries(view.groups.map((g) => [g.name, g.limits]));
  const picked = new Set(view.selection.group === null ? view.selection.deviceIds : []);
  const shown = new Set(view.devices.map((d) => d.id));
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total ? (page - 1) * pageSize + 1 : 0;
  const last = Math.min(page * pageSize, total);
  const filterKeep = [...search.entries()].filter(([key]) => !['health', 'q', 'page'].includes(key));
  const pickKeep = [...search.entries()].filter(([key]) => !['device', 'group'].includes(key));

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        {/* Keyed by the filter: a link (a health card) changes it without a reload, and the fields show what they start with. */}
        <form key={`${health}|${q}`} method="get" className="flex flex-wrap items-end gap-2" aria-label="Filter devices">
          {filterKeep.map(([key, value], i) => (
            <input key={`${key}-${i}`} type="hidden" name={key} value={value} />
          ))}
          <div className="flex flex-col gap-1">
            <Label htmlFor="fleet-health">Health</Label>
            <Select id="fleet-health" name="health" defaultValue={health ?? ''} className="h-8 w-32">
              <option value="">Any</option>
              <SelectOptions values={HEALTH_STATES} label={healthLabel} />
            </Select>
          </div>
          <div className="flex flex-col gap-1">
            <Label htmlFor="fleet-q">Name contains</Label>
            <Input id="fleet-q" name="q" defaultValue={q} maxLength={100} className="h-8 w-48" type="search" />
          </div>
          <button type="submit" className={buttonClasses({ variant: 'outline', size: 'sm' })}>
            Filter
          </button>
        </form>
        <form method="get" id={PICK_FORM} className="flex items-center gap-2" aria-label="Draw ticked devices">
          {pickKeep.map(([key, value], i) => (
            <input key={`${key}-${i}`} type="hidden" name={key} value={value} />
          ))}
          {[...picked]
            .filter((id) => !shown.has(id))
            .map((id) => (
              <input key={id} type="hidden" name="device" value={id} />
            ))}
          <button type="submit" className={buttonClasses({ size: 'sm' })}>
            Draw ticked devices
          </button>
        </form>
      </div>

      <Table data-testid="fleet-devices" aria-label="Devices">
        <TableHeadings
          columns={[
            { label: 'Draw', srOnly: true },
            'Device',
            'Group',
            'Health',
            'Last seen',
            { label: 'Latest', align: 'end' },
            { label: 'Limits', align: 'end' },
            { label: 'Interval', align: 'end' },
            ...(canEdit ? [{ label: 'Change', align: 'end' } as const] : []),
          ]}
        />
        <TableBody>
          {view.devices.map((d) => (
            <DeviceRow key={`${d.id}|${picked.has(d.id)}`} device={d} picked={picked.has(d.id)} canEdit={canEdit} groupLimits={groupLimits[d.group] ?? null} />
          ))}
          {view.devices.length ? null : (
            <TableRow>
              <TableCell colSpan={canEdit ? 9 : 8} className="py-8 text-center text-muted-foreground">
                No device{health ? ` is ${healthLabel(health).toLowerCase()}` : ''}
                {q ? ` with “${q}” in its name` : ''}.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>

      <nav aria-label="Device pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <p className="text-muted-foreground" data-testid="fleet-devices-range">
          {total ? `${number.format(first)}–${number.format(last)} of ${number.format(total)}` : 'No devices'}
        </p>
        <div className="flex items-center gap-1">
          <span className="mr-2 whitespace-nowrap">
            Page {number.format(page)} of {number.format(pages)}
          </span>
          {[
            { label: 'First page', Icon: ChevronsLeft, to: 1, can: page > 1 },
            { label: 'Previous page', Icon: ChevronLeft, to: page - 1, can: page > 1 },
            { label: 'Next page', Icon: ChevronRight, to: page + 1, can: page < pages },
            { label: 'Last page', Icon: ChevronsRight, to: pages, can: page < pages },
          ].map(({ label, Icon, to, can }) =>
            can ? (
              <Link key={label} href={readingsHref(search, { page: to === 1 ? null : String(to) })} aria-label={label} className={buttonClasses({ variant: 'outline', size: 'icon-sm' })}>
                <Icon aria-hidden />
              </Link>
            ) : (
              <span key={label} aria-hidden className={`${buttonClasses({ variant: 'outline', size: 'icon-sm' })} pointer-events-none opacity-50`}>
                <Icon />
              </span>
            ),
          )}
        </div>
      </nav>
    </div>
  );
}

function DeviceRow({ device: d, picked, canEdit, groupLimits }: { device: FleetDeviceRow; picked: boolean; canEdit: boolean; groupLimits: Limits | null }) {
  return (
    <TableRow data-device={d.name}>
      <TableCell className="w-8">
        <input type="checkbox" form={PICK_FORM} name="device" value={d.id} defaultChecked={picked} aria-label={`Draw ${d.name}`} />
      </TableCell>
      <TableCell className="font-medium">
        <Link href={`/readings/${d.id}`} className="underline-offset-2 hover:underline">
          {d.name}
        </Link>
        {d.status !== 'ACTIVE' ? (
          <Badge className="ml-2" tone="neutral">
            {d.status.toLowerCase()}
          </Badge>
        ) : null}
      </TableCell>
      <TableCell>{d.group}</TableCell>
      <TableCell>
        <HealthBadge health={d.health} />
      </TableCell>
      <TableCell className="text-muted-foreground">
        <LocalTime iso={d.lastSeenAt} relative />
      </TableCell>
      <TableCell className={`text-right tabular-nums ${d.latest && d.latest.state !== 'within' ? 'font-semibold text-destructive' : ''}`}>
        {formatTemperature(d.latest?.temperature)}
      </TableCell>
      <TableCell className="text-right tabular-nums text-muted-foreground" title="* the group's default">
        {limitsText(d.limits)}
      </TableCell>
      <TableCell className="text-right tabular-nums">{d.reportIntervalSec} s</TableCell>
      {canEdit ? (
        <TableCell className="text-right">
          <DeviceLimitsDialog
            compact
            deviceId={d.id}
            deviceName={d.name}
            minTemperature={d.minTemperature}
            maxTemperature={d.maxTemperature}
            reportIntervalSec={d.reportIntervalSec}
            groupLimits={groupLimits}
          />
        </TableCell>
      ) : null}
    </TableRow>
  );
}

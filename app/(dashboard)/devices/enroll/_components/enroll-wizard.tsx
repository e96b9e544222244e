'use client';

import { Cpu, Plus } from 'lucide-react';
import Link from 'next/link';
import { useId, useState } from 'react';
import { IssuedOutcome } from '@/components/enrollment/issued-outcome';
import { confirmLeave } from '@/components/shell/leave-guard';
import { initialKeyChoice, type KeyChoice, keyChoiceErrors, KeySourceFields } from '@/components/enrollment/key-source-fields';
import { IssueSubmit } from '@/components/enrollment/issue-submit';
import { useIssueAttempt } from '@/components/enrollment/use-issue-attempt';
import { ValidityDaysField } from '@/components/enrollment/validity-days-field';
import { Button, buttonClasses } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { ConnectInfo, IssueActionResult } from '@/lib/validation/enrollment';
import { commonNameFromName, DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from '@/lib/validation/enrollment-constants';
import { enrollDeviceAction } from '../actions';

const NEW_GROUP = '__new__';

type Errors = Partial<Record<string, string[]>>;

type Issued = Extract<IssueActionResult, { ok: true }> & { privateKeyPem: string | null };

export function EnrollWizard({ groups, connect }: { groups: string[]; connect: ConnectInfo }) {
  const id = useId();
  const [name, setName] = useState('');
  const [group, setGroup] = useState(groups[0] ?? NEW_GROUP);
  const [newGroup, setNewGroup] = useState('');
  const [commonName, setCommonName] = useState('');
  const [commonNameEdited, setCommonNameEdited] = useState(false);
  const [validityDays, setValidityDays] = useState(String(DEFAULT_VALIDITY_DAYS));
  const [keyChoice, setKeyChoice] = useState<KeyChoice>(initialKeyChoice);
  const [errors, setErrors] = useState<Errors>({});
  const { issue, submitOnce, busy, message, setMessage } = useIssueAttempt();
  const [issued, setIssued] = useState<Issued | null>(null);

  const fromCsr = keyChoice.keySource === 'csr';
  // With the device's own CSR the certificate says what the CSR says.
  const effectiveCommonName = fromCsr ? (keyChoice.csrCheck?.commonName ?? '') : commonNameEdited ? commonName : commonNameFromName(name);

  async function enroll() {
    setMessage(null);
    const details = {
      name,
      group: group === NEW_GROUP ? newGroup : group,
      commonName: effectiveCommonName,
      validityDays,
    };
    // The action's schema, loaded on the first submit rather than with the page.
    const { EnrollmentDetailsSchema } = await import('@/lib/validation/enrollment');
    const parsed = EnrollmentDetailsSchema.safeParse(details);
    const found: Errors = { ...keyChoiceErrors(keyChoice) };
    if (!parsed.success) {
      for (const problem of parsed.error.issues) {
        const key = String(problem.path[0]);
        // With the device's CSR the common name is the CSR's: its problems are told at the CSR, once.
        if (key === 'commonName' && fromCsr) {
          if (!found.csrPem) found.csrPem = [problem.message.replace(/^Enter a common name\.?$/, 'The CSR has no common name.')];
          continue;
        }
        (found[key] ??= []).push(problem.message);
      }
    }
    setErrors(found);
    if (!parsed.success || Object.keys(found).length) {
      setMessage('Check the highlighted fields.');
      return;
    }
    const entered = parsed.data;
    await issue({
      formKey: JSON.stringify([entered, keyChoice.keySource, keyChoice.keyType, fromCsr ? keyChoice.csrCheck?.pem : '']),
      keyChoice,
      commonName: entered.commonName,
      makingKey: 'Making the key pair in this browser…',
      failed: 'Enrollment failed.',
      send: (a) =>
        enrollDeviceAction(null, {
          requestId: a.requestId,
          ...entered,
          keySource: keyChoice.keySource,
          keyType: fromCsr ? undefined : keyChoice.keyType,
          csrPem: a.csrPem,
        }),
      onIssued: (answer, privateKeyPem) => setIssued({ ...answer, privateKeyPem }),
      onRefused: setErrors,
    });
  }

  if (issued) {
    const deviceName = issued.device?.name ?? name;
    return (
      <IssuedOutcome
        message={issued.message}
        bannerClassName="flex flex-wrap items-center justify-between gap-3"
        deviceName={deviceName}
        certificate={issued.certificate}
        privateKeyPem={issued.privateKeyPem}
        connect={connect}
      >
        <div className="flex gap-2">
          {issued.device ? (
            <Link href={`/devices/${issued.device.id}`} className={buttonClasses({ variant: 'outline', size: 'sm' })}>
              <Cpu aria-hidden /> View device
            </Link>
          ) : null}
          <Button
            variant="outline"
            size="sm"
            onClick={() => {
              if (!confirmLeave()) return;
              setIssued(null);
              setName('');
              setCommonName('');
              setCommonNameEdited(false);
              setKeyChoice(initialKeyChoice);
            }}
          >
            <Plus aria-hidden /> Enroll another
          </Button>
        </div>
      </IssuedOutcome>
    );
  }

  const field = (key: string) => ({
    'aria-invalid': !!errors[key] || undefined,
    'aria-describedby': errors[key] ? `${id}-${key}-error` : undefined,
  });

  return (
    <Card>
      <CardContent className="pt-5">
        <form onSubmit={(e) => void submitOnce(e, enroll)} noValidate className="flex max-w-2xl flex-col gap-6">
          <fieldset className="grid gap-4 sm:grid-cols-2">
            <legend className="mb-2 text-sm font-medium">Device</legend>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-name`}>Name</Label>
              <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" {...field('name')} aria-describedby={`${id}-name-hint${errors.name ? ` ${id}-name-error` : ''}`} />
              <p id={`${id}-name-hint`} className="text-xs text-muted-foreground">
                {fromCsr ? "Filled from the CSR's common name; change it if you like." : 'For example cold-storage-11.'}
              </p>
              <FieldError id={`${id}-name-error`} errors={errors.name} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-group`}>Group</Label>
              <Select id={`${id}-group`} value={group} onChange={(e) => setGroup(e.target.value)} {...field('group')}>
                {groups.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
                <option value={NEW_GROUP}>New group…</option>
              </Select>
              {group === NEW_GROUP ? (
                <Input aria-label="New group name" value={newGroup} onChange={(e) => setNewGroup(e.target.value)} placeholder="e.g. freezer-hall" {...field('group')} />
              ) : null}
              <FieldError id={`${id}-group-error`} errors={errors.group} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-cn`}>Common name (CN)</Label>
              <Input
                id={`${id}-cn`}
                value={effectiveCommonName}
                readOnly={fromCsr}
                onChange={(e) => {
                  setCommonName(e.target.value);
                  setCommonNameEdited(true);
                }}
                autoComplete="off"
                {...field('commonName')}
              />
              <p className="text-xs text-muted-foreground">
                {fromCsr
                  ? keyChoice.csrCheck?.commonName
                    ? "Taken from the CSR: the certificate carries the CSR's subject."
                    : 'Taken from the CSR once one is pasted or uploaded below.'
                  : 'Defaults to the name. At most 64 characters.'}
              </p>
              <FieldError id={`${id}-commonName-error`} errors={errors.commonName} />
            </div>
            <ValidityDaysField
              idPrefix={id}
              value={validityDays}
              onChange={setValidityDays}
              errors={errors.validityDays}
              hint={`${MIN_VALIDITY_DAYS}–${MAX_VALIDITY_DAYS} days; Cloudflare's example is ${DEFAULT_VALIDITY_DAYS} (10 years).`}
            />
          </fieldset>

          <KeySourceFields
            value={keyChoice}
            setValue={setKeyChoice}
            errors={errors}
            onCsrRead={(check) => {
              // The device's name usually is its CN: offer it, never overwrite what was typed.
              if (check.commonName) setName((current) => (current.trim() ? current : check.commonName!));
            }}
          />

          <IssueSubmit message={message} busy={busy} label="Enroll device" busyLabel="Enrolling…" />
        </form>
      </CardContent>
    </Card>
  );
}

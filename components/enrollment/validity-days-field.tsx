import type { ReactNode } from 'react';
import { describedBy } from '@/components/ui/form-field';
import { FieldError, Input, Label } from '@/components/ui/input';
import { MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from '@/lib/validation/enrollment-constants';

/** The enroll and renew wizards' "Validity (days)" field; its control's id is `${idPrefix}-validity`. */
export function ValidityDaysField({
  idPrefix,
  value,
  onChange,
  errors,
  hint,
}: {
  idPrefix: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: ReactNode;
}) {
  const id = `${idPrefix}-validity`;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>Validity (days)</Label>
      <Input id={id} type="number" inputMode="numeric" min={MIN_VALIDITY_DAYS} max={MAX_VALIDITY_DAYS} value={value} onChange={(e) => onChange(e.target.value)} {...describedBy(id, errors)} />
      {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      <FieldError id={`${id}-error`} errors={errors} />
    </div>
  );
}

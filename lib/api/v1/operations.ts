import type { z } from 'zod';
import type { Permission } from '@/lib/auth/permissions';
import * as S from './schemas';

/**
 * Every operation of /api/v1: the route files validate with these schemas (through lib/server/route.ts)
 * and lib/api/v1/openapi.ts describes them, so the document is the code. Add an operation here first.
 */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template, `{id}` for a segment. */
  path: string;
  operationId: string;
  summary: string;
  permission: Permission;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The 2xx answer: status → schema (or a media type other than JSON). */
  responses: Record<number, z.ZodType | { mediaType: string; description: string }>;
  /** Accepts an Idempotency-Key header. */
  idempotent?: boolean;
}

export const OPERATIONS = {
  listCertificates: {
    method: 'get',
    path: '/api/v1/certificates',
    operationId: 'listCertificates',
    summary: 'List or search certificates (serial, SKI, fingerprint, name; status; expiring within N days), cursor-paged.',
    permission: 'certificate:view',
    query: S.CertificateListQuery,
    responses: { 200: S.CertificatePage },
  },
  getCertificate: {
    method: 'get',
    path: '/api/v1/certificates/{id}',
    operationId: 'getCertificate',
    summary: 'One certificate, with its PEM.',
    permission: 'certificate:view',
    params: S.IdPath,
    responses: { 200: S.CertificateWithPem },
  },
  revokeCertificate: {
    method: 'post',
    path: '/api/v1/certificates/{id}/revoke',
    operationId: 'revokeCertificate',
    summary: 'Revoke a certificate at Cloudflare with a reason (pending until Cloudflare completes it).',
    permission: 'certificate:revoke',
    params: S.IdPath,
    body: S.RevokeBody,
    responses: { 200: S.CertificateActionResult },
    idempotent: true,
  },
  undoRevocation: {
    method: 'post',
    path: '/api/v1/certificates/{id}/undo',
    operationId: 'undoRevocation',
    summary: 'Undo a revocation that is still pending.',
    permission: 'certificate:reactivate',
    params: S.IdPath,
    responses: { 200: S.CertificateActionResult },
    idempotent: true,
  },
  listDevices: {
    method: 'get',
    path: '/api/v1/devices',
    operationId: 'listDevices',
    summary: 'List or search devices, cursor-paged.',
    permission: 'device:view',
    query: S.DeviceListQuery,
    responses: { 200: S.DevicePage },
  },
  enrollDevice: {
    method: 'post',
    path: '/api/v1/devices',
    operationId: 'enrollDevice',
    summary: 'Enroll a device from its CSR: Cloudflare issues the certificate. Send an Idempotency-Key so a retry never issues twice.',
    permission: 'device:enroll',
    body: S.EnrollBody,
    responses: { 201: S.Enrolled, 200: S.Enrolled },
    idempotent: true,
  },
  exportReadings: {
    method: 'get',
    path: '/api/v1/readings/export',
    operationId: 'exportReadings',
    summary: 'Raw readings as CSV: device=<id> (repeatable) or group=<name> or all; range=1h|24h|7d|30d|90d or from=…&to=… (ISO 8601).',
    permission: 'readings:view',
    query: S.ReadingsExportQuery,
    responses: { 200: { mediaType: 'text/csv', description: 'time,device_id,device_name,certificate_fingerprint,temperature,worker_seq,received_at rows, streamed.' } },
  },
  renewCertificate: {
    method: 'post',
    path: '/api/v1/certificates/{id}/renew',
    operationId: 'renewCertificate',
    summary: 'Renew a device’s certificate from the device’s new CSR: Cloudflare issues the replacement, the old one is revoked now or once the device posts with the new one. Send an Idempotency-Key so a retry never issues twice.',
    permission: 'certificate:issue',
    params: S.IdPath,
    body: S.RenewBody,
    responses: { 201: S.Renewed, 200: S.Renewed },
    idempotent: true,
  },
  getDevice: {
    method: 'get',
    path: '/api/v1/devices/{id}',
    operationId: 'getDevice',
    summary: 'One device with its current certificate and all the others.',
    permission: 'device:view',
    params: S.IdPath,
    responses: { 200: S.DeviceDetail },
  },
  getDeviceSeries: {
    method: 'get',
    path: '/api/v1/devices/{id}/readings',
    operationId: 'getDeviceSeries',
    summary: 'A device’s temperature series (the chart’s JSON): buckets over the range, its summary, limits, certificate markers, latest reading.',
    permission: 'readings:view',
    params: S.IdPath,
    query: S.DeviceSeriesQuery,
    responses: { 200: S.DeviceSeries },
  },
  getFleetSeries: {
    method: 'get',
    path: '/api/v1/readings',
    operationId: 'getFleetSeries',
    summary: 'The fleet series (the fleet chart’s JSON): one line per chosen device (at most 12 drawn), their average, the fleet’s health counts, one page of its devices with their latest readings (page, health, q), those outside their limits (the first 100, and how many). device=<id> (repeatable) or group=<name> (default: the first group).',
    permission: 'readings:view',
    query: S.FleetSeriesQuery,
    responses: { 200: S.FleetSeries },
  },
  listCustomCsrs: {
    method: 'get',
    path: '/api/v1/custom-csrs',
    operationId: 'listCustomCsrs',
    summary: 'List or search custom CSRs (keys made and kept at Cloudflare), cursor-paged.',
    permission: 'customcsr:view',
    query: S.CustomCsrListQuery,
    responses: { 200: S.CustomCsrPage },
  },
  createCustomCsr: {
    method: 'post',
    path: '/api/v1/custom-csrs',
    operationId: 'createCustomCsr',
    summary: 'Have Cloudflare make a key and a CSR for it (the key never leaves Cloudflare); the common name joins the SANs. Send an Idempotency-Key so a retried POST is answered, not run again.',
    permission: 'customcsr:manage',
    body: S.CustomCsrBody,
    responses: { 201: S.CustomCsr },
    idempotent: true,
  },
  getCustomCsr: {
    method: 'get',
    path: '/api/v1/custom-csrs/{id}',
    operationId: 'getCustomCsr',
    summary: 'One custom CSR: its fields, PEM, the PEM read back (subject, SANs, key) and the custom hostnames using its key.',
    permission: 'customcsr:view',
    params: S.IdPath,
    responses: { 200: S.CustomCsrDetail },
  },
  downloadCustomCsr: {
    method: 'get',
    path: '/api/v1/custom-csrs/{id}/csr',
    operationId: 'downloadCustomCsr',
    summary: 'The CSR as a .csr file (PEM) for a CA.',
    permission: 'customcsr:view',
    params: S.IdPath,
    responses: { 200: { mediaType: 'application/pkcs10', description: 'The CSR, PEM with real newlines.' } },
  },
  deleteCustomCsr: {
    method: 'delete',
    path: '/api/v1/custom-csrs/{id}',
    operationId: 'deleteCustomCsr',
    summary: 'Delete a custom CSR and its key at Cloudflare, then in certfleet; 409 KEY_IN_USE (details.hostname) while a custom hostname uses the key.',
    permission: 'customcsr:manage',
    params: S.IdPath,
    responses: { 200: S.CustomCsrDeleted },
  },
  listAlerts: {
    method: 'get',
    path: '/api/v1/alerts',
    operationId: 'listAlerts',
    summary: 'Alerts raised by the alert rules (active ones by default), cursor-paged.',
    permission: 'alerts:view',
    query: S.AlertListQuery,
    responses: { 200: S.AlertPage },
  },
  listAlertRules: {
    method: 'get',
    path: '/api/v1/alert-rules',
    operationId: 'listAlertRules',
    summary: 'The alert rules with their channels and how many alerts each has open.',
    permission: 'alerts:configure',
    responses: { 200: S.AlertRuleList },
  },
  listAudit: {
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    summary: 'The audit log, newest first, cursor-paged.',
    permission: 'audit:view',
    query: S.AuditListQuery,
    responses: { 200: S.AuditPage },
  },
} as const satisfies Record<string, Operation>;

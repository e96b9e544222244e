-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'SUPPORT', 'MANAGER');

-- CreateEnum
CREATE TYPE "DeviceStatus" AS ENUM ('ACTIVE', 'INACTIVE', 'DECOMMISSIONED');

-- CreateEnum
CREATE TYPE "CertificateStatus" AS ENUM ('ACTIVE', 'PENDING_REVOCATION', 'REVOKED', 'PENDING_REACTIVATION');

-- CreateEnum
CREATE TYPE "RevocationReason" AS ENUM ('KEY_COMPROMISE', 'DEVICE_LOST', 'SUPERSEDED', 'DECOMMISSIONED', 'OTHER');

-- CreateEnum
CREATE TYPE "CertificateSource" AS ENUM ('ENROLLED', 'BULK', 'RENEWAL', 'SEED', 'RECONCILED', 'CANARY');

-- CreateEnum
CREATE TYPE "IntentStatus" AS ENUM ('PENDING', 'ISSUED', 'FAILED');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastFailure" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "commonName" TEXT NOT NULL,
    "status" "DeviceStatus" NOT NULL DEFAULT 'ACTIVE',
    "reportIntervalSec" INTEGER NOT NULL DEFAULT 60,
    "lastSeenAt" TIMESTAMP(3),
    "lastSeenFingerprint" TEXT,
    "minTemperature" DOUBLE PRECISION,
    "maxTemperature" DOUBLE PRECISION,
    "isCanary" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL,
    "cloudflareId" TEXT NOT NULL,
    "deviceId" TEXT,
    "serialNumber" TEXT NOT NULL,
    "ski" TEXT NOT NULL,
    "fingerprintSha256" TEXT NOT NULL,
    "commonName" TEXT NOT NULL,
    "organization" TEXT,
    "organizationalUnit" TEXT,
    "country" TEXT,
    "state" TEXT,
    "locality" TEXT,
    "keyType" TEXT NOT NULL,
    "keySize" INTEGER NOT NULL,
    "issuedOn" TIMESTAMP(3) NOT NULL,
    "expiresOn" TIMESTAMP(3) NOT NULL,
    "validityDays" INTEGER NOT NULL,
    "status" "CertificateStatus" NOT NULL DEFAULT 'ACTIVE',
    "source" "CertificateSource" NOT NULL DEFAULT 'ENROLLED',
    "pem" TEXT NOT NULL,
    "csr" TEXT NOT NULL,
    "revocationReason" "RevocationReason",
    "revocationNote" TEXT,
    "revokedById" TEXT,
    "revokedByEmail" TEXT,
    "revokedAt" TIMESTAMP(3),
    "supersededById" TEXT,
    "supersededAt" TIMESTAMP(3),
    "missingAtCloudflareAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IssuanceIntent" (
    "id" TEXT NOT NULL,
    "deviceId" TEXT,
    "csrSha256" TEXT NOT NULL,
    "csr" TEXT NOT NULL,
    "validityDays" INTEGER NOT NULL,
    "status" "IntentStatus" NOT NULL DEFAULT 'PENDING',
    "cloudflareId" TEXT,
    "error" TEXT,
    "actorEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IssuanceIntent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BulkJob" (
    "id" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BulkJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BulkJobRow" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "rowIndex" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "csr" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "certificateId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BulkJobRow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomCsr" (
    "id" TEXT NOT NULL,
    "cloudflareId" TEXT NOT NULL,
    "commonName" TEXT NOT NULL,
    "sans" TEXT[],
    "country" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "locality" TEXT NOT NULL,
    "organization" TEXT NOT NULL,
    "organizationalUnit" TEXT,
    "keyType" TEXT NOT NULL,
    "csr" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomCsr_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomHostname" (
    "id" TEXT NOT NULL,
    "cloudflareId" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "customCsrId" TEXT,
    "sslStatus" TEXT NOT NULL,
    "issuer" TEXT,
    "expiresOn" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomHostname_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reading" (
    "id" BIGSERIAL NOT NULL,
    "deviceId" TEXT,
    "certificateFingerprint" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "temperature" DOUBLE PRECISION NOT NULL,
    "workerSeq" BIGINT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reading_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PullCursor" (
    "fingerprint" TEXT NOT NULL,
    "cursor" BIGINT NOT NULL DEFAULT 0,
    "lastSeenAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PullCursor_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorEmail" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "targetLabel" TEXT,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "EnforcementCheck" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "enforced" BOOLEAN NOT NULL,
    "noCertStatus" INTEGER,
    "revokedStatus" INTEGER,
    "detail" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnforcementCheck_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Device_name_key" ON "Device"("name");

-- CreateIndex
CREATE INDEX "Device_group_idx" ON "Device"("group");

-- CreateIndex
CREATE INDEX "Device_status_idx" ON "Device"("status");

-- CreateIndex
CREATE INDEX "Device_lastSeenAt_idx" ON "Device"("lastSeenAt");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_cloudflareId_key" ON "Certificate"("cloudflareId");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_serialNumber_key" ON "Certificate"("serialNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_ski_key" ON "Certificate"("ski");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_fingerprintSha256_key" ON "Certificate"("fingerprintSha256");

-- CreateIndex
CREATE INDEX "Certificate_expiresOn_idx" ON "Certificate"("expiresOn");

-- CreateIndex
CREATE INDEX "Certificate_status_idx" ON "Certificate"("status");

-- CreateIndex
CREATE INDEX "Certificate_deviceId_idx" ON "Certificate"("deviceId");

-- CreateIndex
CREATE INDEX "Certificate_status_expiresOn_idx" ON "Certificate"("status", "expiresOn");

-- CreateIndex
CREATE INDEX "IssuanceIntent_status_idx" ON "IssuanceIntent"("status");

-- CreateIndex
CREATE INDEX "IssuanceIntent_csrSha256_idx" ON "IssuanceIntent"("csrSha256");

-- CreateIndex
CREATE UNIQUE INDEX "BulkJobRow_jobId_rowIndex_key" ON "BulkJobRow"("jobId", "rowIndex");

-- CreateIndex
CREATE UNIQUE INDEX "CustomCsr_cloudflareId_key" ON "CustomCsr"("cloudflareId");

-- CreateIndex
CREATE INDEX "CustomCsr_commonName_idx" ON "CustomCsr"("commonName");

-- CreateIndex
CREATE INDEX "CustomCsr_createdAt_idx" ON "CustomCsr"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CustomHostname_cloudflareId_key" ON "CustomHostname"("cloudflareId");

-- CreateIndex
CREATE INDEX "CustomHostname_expiresOn_idx" ON "CustomHostname"("expiresOn");

-- CreateIndex
CREATE INDEX "Reading_deviceId_time_idx" ON "Reading"("deviceId", "time");

-- CreateIndex
CREATE INDEX "Reading_time_idx" ON "Reading"("time");

-- CreateIndex
CREATE UNIQUE INDEX "Reading_certificateFingerprint_workerSeq_key" ON "Reading"("certificateFingerprint", "workerSeq");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_idx" ON "AuditEvent"("action");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "EnforcementCheck_hostname_checkedAt_idx" ON "EnforcementCheck"("hostname", "checkedAt");

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BulkJobRow" ADD CONSTRAINT "BulkJobRow_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "BulkJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomHostname" ADD CONSTRAINT "CustomHostname_customCsrId_fkey" FOREIGN KEY ("customCsrId") REFERENCES "CustomCsr"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reading" ADD CONSTRAINT "Reading_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AuditEvent is append-only (hand-written: Prisma's schema language has no triggers). The audit trail is
-- evidence, so neither the app nor a mistaken script may rewrite or erase it; TRUNCATE would bypass
-- row triggers, hence the statement-level one.
CREATE FUNCTION "AuditEvent_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only: % is not allowed', TG_OP
    USING HINT = 'Record a new audit event instead of changing or removing one.';
END;
$$;

CREATE TRIGGER "AuditEvent_no_update_delete" BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "AuditEvent_refuse_change"();

CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvent_refuse_change"();

-- Per-group EST policy (docs/est.md): renewal window, accepted keys, validity, enrollment tokens, rate per device.
-- A group without a row follows the defaults (the values that were fixed in code before).

-- AlterEnum
ALTER TYPE "AlertCondition" ADD VALUE 'EST_REFUSED';

-- CreateEnum
CREATE TYPE "RenewalWindowMode" AS ENUM ('PERCENT', 'DAYS');

-- CreateTable
CREATE TABLE "EstPolicy" (
    "group" TEXT NOT NULL,
    "windowMode" "RenewalWindowMode" NOT NULL DEFAULT 'PERCENT',
    "windowPercent" INTEGER NOT NULL DEFAULT 30,
    "windowDays" INTEGER NOT NULL DEFAULT 30,
    "refuseEarlyRenewal" BOOLEAN NOT NULL DEFAULT false,
    "keyTypes" TEXT[] DEFAULT ARRAY['RSA', 'P-256', 'P-384']::TEXT[],
    "minRsaBits" INTEGER NOT NULL DEFAULT 2048,
    "validityDays" INTEGER,
    "tokenHours" INTEGER NOT NULL DEFAULT 72,
    "tokenUses" INTEGER NOT NULL DEFAULT 1,
    "maxRequestsPerDay" INTEGER,
    "updatedByEmail" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EstPolicy_pkey" PRIMARY KEY ("group")
);

-- AlterTable: why a refusal happened, for the alert and the rate count (policy refusals only).
ALTER TABLE "EstRequest" ADD COLUMN "rejectedAt" TIMESTAMP(3);
ALTER TABLE "EstRequest" ADD COLUMN "policyRule" TEXT;

-- CreateIndex
CREATE INDEX "EstRequest_rejectedAt_idx" ON "EstRequest"("rejectedAt");
CREATE INDEX "EstRequest_deviceId_requestedAt_idx" ON "EstRequest"("deviceId", "requestedAt");

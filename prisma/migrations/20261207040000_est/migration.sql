-- EST (RFC 7030) enrollment through the Worker: enrollment tokens (hashed) and the requests certfleet handled.

-- CreateEnum
CREATE TYPE "EstKind" AS ENUM ('ENROLL', 'REENROLL');

-- CreateEnum
CREATE TYPE "EstRequestStatus" AS ENUM ('PENDING', 'ISSUED', 'REJECTED');

-- CreateTable
CREATE TABLE "EnrollmentToken" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 1,
    "createdByEmail" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3),

    CONSTRAINT "EnrollmentToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EstRequest" (
    "id" TEXT NOT NULL,
    "kind" "EstKind" NOT NULL,
    "status" "EstRequestStatus" NOT NULL DEFAULT 'PENDING',
    "deviceId" TEXT,
    "clientFingerprint" TEXT NOT NULL,
    "csrSha256" TEXT NOT NULL,
    "tokenHash" TEXT,
    "certificateId" TEXT,
    "error" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "answeredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EstRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentToken_tokenHash_key" ON "EnrollmentToken"("tokenHash");

-- CreateIndex
CREATE INDEX "EnrollmentToken_deviceId_idx" ON "EnrollmentToken"("deviceId");

-- CreateIndex
CREATE INDEX "EnrollmentToken_syncedAt_idx" ON "EnrollmentToken"("syncedAt");

-- CreateIndex
CREATE INDEX "EstRequest_status_idx" ON "EstRequest"("status");

-- CreateIndex
CREATE INDEX "EstRequest_deviceId_idx" ON "EstRequest"("deviceId");

-- CreateIndex
CREATE INDEX "EstRequest_requestedAt_idx" ON "EstRequest"("requestedAt");

-- CreateIndex
CREATE INDEX "EstRequest_tokenHash_idx" ON "EstRequest"("tokenHash");

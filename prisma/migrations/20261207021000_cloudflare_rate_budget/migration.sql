-- CreateTable
CREATE TABLE "CloudflareRateBudget" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "refilledAt" TIMESTAMP(3) NOT NULL,
    "lockedUntil" TIMESTAMP(3),
    "lastGranted" BOOLEAN NOT NULL DEFAULT false,
    "granted" BIGINT NOT NULL DEFAULT 0,
    "lockouts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CloudflareRateBudget_pkey" PRIMARY KEY ("key")
);

-- The reconcile page's two lists at fleet size (issue 12, bench/browse.ts): certificates missing at Cloudflare,
-- newest first, and untracked ones (recorded by reconcile, no device). Both read every certificate before
-- (250,000 at fleet size); now each is an index range.

-- CreateIndex
CREATE INDEX "Certificate_missingAtCloudflareAt_idx" ON "Certificate"("missingAtCloudflareAt");

-- CreateIndex
CREATE INDEX "Certificate_source_deviceId_issuedOn_idx" ON "Certificate"("source", "deviceId", "issuedOn");

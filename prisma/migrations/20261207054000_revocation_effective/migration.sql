-- When a revocation took effect: the moment certfleet first recorded the certificate REVOKED (Cloudflare
-- settled it), as opposed to "revokedAt", when it was asked for. Between the two the edge still accepts
-- the certificate (PENDING_REVOCATION), so readings it received then are the device's, not "after
-- revoked" (issue 14). Kept by a trigger, so every writer (a person's revoke, the refresh, reconcile,
-- renewal, EST) gets it without remembering to.
ALTER TABLE "Certificate" ADD COLUMN "revocationEffectiveAt" TIMESTAMP(3);

CREATE FUNCTION certificate_revocation_effective() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'REVOKED' THEN
    NEW."revocationEffectiveAt" := NULL;
  ELSIF TG_OP = 'INSERT' THEN
    NEW."revocationEffectiveAt" := COALESCE(NEW."revocationEffectiveAt", NEW."revokedAt", (statement_timestamp() AT TIME ZONE 'UTC')::timestamp(3));
  ELSIF OLD.status = 'REVOKED' THEN
    -- Still revoked: keep when it took effect unless a writer sets it on purpose.
    NEW."revocationEffectiveAt" := COALESCE(NEW."revocationEffectiveAt", OLD."revocationEffectiveAt", NEW."revokedAt");
  ELSIF NEW."revocationEffectiveAt" IS NULL OR NEW."revocationEffectiveAt" IS NOT DISTINCT FROM OLD."revocationEffectiveAt" THEN
    -- Becoming revoked now.
    NEW."revocationEffectiveAt" := (statement_timestamp() AT TIME ZONE 'UTC')::timestamp(3);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "Certificate_revocation_effective" BEFORE INSERT OR UPDATE OF status, "revocationEffectiveAt" ON "Certificate"
  FOR EACH ROW EXECUTE FUNCTION certificate_revocation_effective();

-- Revocations already settled: when certfleet recorded the completion, else when it was asked for.
UPDATE "Certificate" c SET "revocationEffectiveAt" = COALESCE(
  (SELECT min(a."at") FROM "AuditEvent" a
    WHERE a."targetType" = 'certificate' AND a."targetId" = c.id AND a."at" >= c."revokedAt"
      AND a.action IN ('certificate.revocation.complete', 'certificate.status.sync')),
  c."revokedAt", c."updatedAt")
 WHERE c.status = 'REVOKED';

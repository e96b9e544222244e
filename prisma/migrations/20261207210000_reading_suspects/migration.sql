-- The certificates that can have a flag at all (issue 12, lib/readings/flags.ts), kept by triggers so the flags
-- start from them instead of from every (certificate, device) pair of the range: at 100,000 reporting devices that
-- is 100,000 "ReadingSource" rows joined with "Certificate" on each view (~175 ms), for the few that matter.
--
-- A fingerprint is a suspect when, over all time: no certificate has it (unknown), or its readings are linked to
-- more than one device or to a device other than the certificate's owner (shared), or it posted at or after its
-- revocation took effect (revoked). Each condition over all time is implied by the same condition over a range,
-- so the suspects are a superset of every range's candidates and the flags stay exactly what they were; the range
-- still decides. Rechecked, in the writing transaction, for the fingerprints a statement touches on
-- "ReadingSource" (every pull batch, through the rollup triggers) and on "Certificate" (issue, record, revoke,
-- move, delete).

-- CreateTable
CREATE TABLE "ReadingSuspect" (
    "fingerprint" TEXT NOT NULL,

    CONSTRAINT "ReadingSuspect_pkey" PRIMARY KEY ("fingerprint")
);

-- Hand-written from here: Prisma's schema language has no triggers.

CREATE FUNCTION "ReadingSuspect_recheck"(fps TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ReadingSuspect" AS x USING (SELECT DISTINCT unnest(fps) AS fp) AS t WHERE x."fingerprint" = t.fp;
  INSERT INTO "ReadingSuspect" ("fingerprint")
  SELECT s."fingerprint"
    FROM (SELECT DISTINCT unnest(fps) AS fp) AS t
    JOIN "ReadingSource" s ON s."fingerprint" = t.fp
    LEFT JOIN "Certificate" c ON c."fingerprintSha256" = s."fingerprint"
   GROUP BY s."fingerprint", c."id", c."deviceId", c."status", c."revocationEffectiveAt"
  HAVING c."id" IS NULL
      OR count(*) FILTER (WHERE s."deviceId" <> '') > 1
      OR bool_or(s."deviceId" <> '' AND c."deviceId" IS NOT NULL AND s."deviceId" <> c."deviceId")
      OR (c."status" = 'REVOKED' AND c."revocationEffectiveAt" IS NOT NULL AND max(s."lastReceivedAt") >= c."revocationEffectiveAt")
   ORDER BY 1
  ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION "ReadingSource_suspects"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fps TEXT[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."fingerprint") INTO fps FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."fingerprint") INTO fps FROM old_rows o;
  ELSE
    SELECT array_agg(DISTINCT t.fp) INTO fps
      FROM (SELECT o."fingerprint" AS fp FROM old_rows o UNION ALL SELECT n."fingerprint" FROM new_rows n) t;
  END IF;
  IF fps IS NOT NULL THEN PERFORM "ReadingSuspect_recheck"(fps); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "ReadingSource_suspects_insert" AFTER INSERT ON "ReadingSource"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "ReadingSource_suspects"();
CREATE TRIGGER "ReadingSource_suspects_update" AFTER UPDATE ON "ReadingSource"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "ReadingSource_suspects"();
CREATE TRIGGER "ReadingSource_suspects_delete" AFTER DELETE ON "ReadingSource"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "ReadingSource_suspects"();

-- Certificates: only the fingerprints that have readings can change a suspect; an update counts only when it moves
-- what the conditions read (fingerprint, owner, status, when the revocation took effect).
CREATE FUNCTION "Certificate_suspects"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fps TEXT[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."fingerprintSha256") INTO fps FROM new_rows n
     WHERE EXISTS (SELECT 1 FROM "ReadingSource" s WHERE s."fingerprint" = n."fingerprintSha256");
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."fingerprintSha256") INTO fps FROM old_rows o
     WHERE EXISTS (SELECT 1 FROM "ReadingSource" s WHERE s."fingerprint" = o."fingerprintSha256");
  ELSE
    SELECT array_agg(DISTINCT t.fp) INTO fps
      FROM (SELECT o."fingerprintSha256" AS fp FROM old_rows o JOIN new_rows n ON n."id" = o."id"
             WHERE (o."fingerprintSha256", o."deviceId", o."status", o."revocationEffectiveAt")
                   IS DISTINCT FROM (n."fingerprintSha256", n."deviceId", n."status", n."revocationEffectiveAt")
            UNION ALL
            SELECT n."fingerprintSha256" FROM old_rows o JOIN new_rows n ON n."id" = o."id"
             WHERE (o."fingerprintSha256", o."deviceId", o."status", o."revocationEffectiveAt")
                   IS DISTINCT FROM (n."fingerprintSha256", n."deviceId", n."status", n."revocationEffectiveAt")) t
     WHERE EXISTS (SELECT 1 FROM "ReadingSource" s WHERE s."fingerprint" = t.fp);
  END IF;
  IF fps IS NOT NULL THEN PERFORM "ReadingSuspect_recheck"(fps); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Certificate_suspects_insert" AFTER INSERT ON "Certificate"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_suspects"();
CREATE TRIGGER "Certificate_suspects_update" AFTER UPDATE ON "Certificate"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_suspects"();
CREATE TRIGGER "Certificate_suspects_delete" AFTER DELETE ON "Certificate"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_suspects"();

-- Backfill: every fingerprint that has readings, judged once.
SELECT "ReadingSuspect_recheck"(array_agg(DISTINCT "fingerprint")) FROM "ReadingSource";

-- "ReadingFlagHour" summed per UTC day (issue 12): the flags of a 90-day range read ~90 day rows per certificate
-- and device instead of ~2,160 hour rows, and hours only beside the range's whole days (lib/readings/flags.ts).
-- Kept by triggers on "Reading" in the same statement as the hours, from the hours: the days of the readings
-- inserted, updated or deleted are set to the sum of their hours, which the triggers of migration
-- reading_flag_rollups have just brought up to date, so a day cannot drift from its hours.

-- CreateTable
CREATE TABLE "ReadingFlagDay" (
    "fingerprint" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "first" TIMESTAMPTZ(3) NOT NULL,
    "last" TIMESTAMPTZ(3) NOT NULL,
    "firstReceivedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastReceivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReadingFlagDay_pkey" PRIMARY KEY ("fingerprint","day","deviceId")
);

-- Hand-written from here: Prisma's schema language has no triggers.

-- Sets the given (fingerprint, device, day) cells to the sum of their (at most 24) hours each, in key order so
-- concurrent pulls lock days in one order, and drops those left without an hour. The same for inserts, updates
-- and deletes: a pull's batch touches a day or two per certificate, so this reads a few dozen hour rows.
CREATE FUNCTION "ReadingFlagDay_recompute"(fingerprints TEXT[], devices TEXT[], days TIMESTAMPTZ[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ReadingFlagDay" AS d ("fingerprint", "deviceId", "day", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
  SELECT h."fingerprint", h."deviceId", t.day, sum(h."count")::int, min(h."first"), max(h."last"), min(h."firstReceivedAt"), max(h."lastReceivedAt")
    FROM (SELECT DISTINCT * FROM unnest(fingerprints, devices, days)) AS t(fp, device_id, day)
    JOIN "ReadingFlagHour" AS h ON h."fingerprint" = t.fp AND h."deviceId" = t.device_id AND h."hour" >= t.day AND h."hour" < t.day + interval '1 day'
   GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
  ON CONFLICT ("fingerprint", "day", "deviceId") DO UPDATE
     SET ("count", "first", "last", "firstReceivedAt", "lastReceivedAt")
       = (EXCLUDED."count", EXCLUDED."first", EXCLUDED."last", EXCLUDED."firstReceivedAt", EXCLUDED."lastReceivedAt");
  DELETE FROM "ReadingFlagDay" AS d USING unnest(fingerprints, devices, days) AS t(fp, device_id, day)
   WHERE d."fingerprint" = t.fp AND d."deviceId" = t.device_id AND d."day" = t.day
     AND NOT EXISTS (SELECT FROM "ReadingFlagHour" AS h
                      WHERE h."fingerprint" = t.fp AND h."deviceId" = t.device_id AND h."hour" >= t.day AND h."hour" < t.day + interval '1 day');
END $$;

-- The days of the readings inserted, updated (before and after) or deleted, recomputed from their hours.
CREATE FUNCTION "Reading_flag_days"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fingerprints TEXT[];
  devices TEXT[];
  days TIMESTAMPTZ[];
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT array_agg(t.f), array_agg(t.d), array_agg(t.day) INTO fingerprints, devices, days
      FROM (SELECT DISTINCT o."certificateFingerprint" AS f, coalesce(o."deviceId", '') AS d, date_bin('1 day', o."time", TIMESTAMPTZ 'epoch') AS day
              FROM old_rows AS o WHERE o."certificateFingerprint" <> '') AS t;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT fingerprints || array_agg(t.f), devices || array_agg(t.d), days || array_agg(t.day) INTO fingerprints, devices, days
      FROM (SELECT DISTINCT n."certificateFingerprint" AS f, coalesce(n."deviceId", '') AS d, date_bin('1 day', n."time", TIMESTAMPTZ 'epoch') AS day
              FROM new_rows AS n WHERE n."certificateFingerprint" <> '') AS t;
  END IF;
  IF fingerprints IS NOT NULL THEN PERFORM "ReadingFlagDay_recompute"(fingerprints, devices, days); END IF;
  RETURN NULL;
END $$;

-- Each after the trigger of migration reading_flag_rollups that brings the hours up to date for the same event:
-- triggers on one event fire in name order, and "Reading_flags_insert" sorts before "Reading_flags_insert_days"
-- (update, delete alike). @see https://www.postgresql.org/docs/current/trigger-definition.html
CREATE TRIGGER "Reading_flags_insert_days" AFTER INSERT ON "Reading"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flag_days"();
CREATE TRIGGER "Reading_flags_update_days" AFTER UPDATE ON "Reading"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flag_days"();
CREATE TRIGGER "Reading_flags_delete_days" AFTER DELETE ON "Reading"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flag_days"();

-- Backfill: the days of the hours already there.
INSERT INTO "ReadingFlagDay" ("fingerprint", "deviceId", "day", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
SELECT "fingerprint", "deviceId", date_bin('1 day', "hour", TIMESTAMPTZ 'epoch'),
       sum("count")::int, min("first"), max("last"), min("firstReceivedAt"), max("lastReceivedAt")
  FROM "ReadingFlagHour" GROUP BY 1, 2, 3;

-- "ReadingFlagHour" summed per UTC day (issue 12): the flags of a 90-day range read ~90 day rows per certificate
-- and device instead of ~2,160 hour rows, and hours only at the range's ends (lib/readings/flags.ts). Kept by the
-- same triggers on "Reading", in the same statement as the hours: inserted readings are added to their days as
-- to their hours; for updated or deleted readings the days are recomputed from the hours just recomputed, so a
-- day is always the sum of its hours. Same facts, same keys as "ReadingFlagHour" (migration reading_flag_rollups).

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

-- Hand-written from here: Prisma's schema language has no triggers. Both functions are those of migration
-- reading_flag_rollups with the days added (the triggers call them by name, so replacing them is enough).

CREATE OR REPLACE FUNCTION "ReadingFlag_recompute"(fingerprints TEXT[], devices TEXT[], hours TIMESTAMPTZ[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ReadingFlagHour" AS h USING unnest(fingerprints, devices, hours) AS t(fp, device_id, hour)
   WHERE h."fingerprint" = t.fp AND h."deviceId" = t.device_id AND h."hour" = t.hour;
  INSERT INTO "ReadingFlagHour" ("fingerprint", "deviceId", "hour", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
  SELECT r."certificateFingerprint", coalesce(r."deviceId", ''), t.hour, count(*)::int, min(r."time"), max(r."time"), min(r."receivedAt"), max(r."receivedAt")
    FROM (SELECT DISTINCT u.hour FROM unnest(hours) AS u(hour)) AS t
    JOIN "Reading" AS r ON r."time" >= t.hour AND r."time" < t.hour + interval '1 hour'
   WHERE (r."certificateFingerprint", coalesce(r."deviceId", ''), t.hour) IN (SELECT * FROM unnest(fingerprints, devices, hours))
   GROUP BY 1, 2, 3 ORDER BY 1, 3, 2;
  -- The days of those hours, from their (at most 24) hours each.
  DELETE FROM "ReadingFlagDay" AS d USING unnest(fingerprints, devices, hours) AS t(fp, device_id, hour)
   WHERE d."fingerprint" = t.fp AND d."deviceId" = t.device_id AND d."day" = date_bin('1 day', t.hour, TIMESTAMPTZ 'epoch');
  INSERT INTO "ReadingFlagDay" ("fingerprint", "deviceId", "day", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
  SELECT h."fingerprint", h."deviceId", t.day, sum(h."count")::int, min(h."first"), max(h."last"), min(h."firstReceivedAt"), max(h."lastReceivedAt")
    FROM (SELECT DISTINCT u.fp, u.device_id, date_bin('1 day', u.hour, TIMESTAMPTZ 'epoch') AS day FROM unnest(fingerprints, devices, hours) AS u(fp, device_id, hour)) AS t
    JOIN "ReadingFlagHour" AS h ON h."fingerprint" = t.fp AND h."deviceId" = t.device_id AND h."hour" >= t.day AND h."hour" < t.day + interval '1 day'
   GROUP BY 1, 2, 3 ORDER BY 1, 3, 2;
  DELETE FROM "ReadingSource" AS s USING unnest(fingerprints, devices) AS t(fp, device_id)
   WHERE s."fingerprint" = t.fp AND s."deviceId" = t.device_id;
  INSERT INTO "ReadingSource" ("fingerprint", "deviceId", "count", "first", "last", "lastReceivedAt")
  SELECT d."fingerprint", d."deviceId", sum(d."count")::int, min(d."first"), max(d."last"), max(d."lastReceivedAt")
    FROM "ReadingFlagDay" AS d
   WHERE (d."fingerprint", d."deviceId") IN (SELECT DISTINCT * FROM unnest(fingerprints, devices))
   GROUP BY 1, 2 ORDER BY 1, 2;
END $$;

CREATE OR REPLACE FUNCTION "Reading_flags"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fingerprints TEXT[];
  devices TEXT[];
  hours TIMESTAMPTZ[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- Inserted readings are added to their cells, in key order so concurrent pulls lock cells in one order.
    INSERT INTO "ReadingFlagHour" AS h ("fingerprint", "deviceId", "hour", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
    SELECT n."certificateFingerprint", coalesce(n."deviceId", ''), date_bin('1 hour', n."time", TIMESTAMPTZ 'epoch'),
           count(*)::int, min(n."time"), max(n."time"), min(n."receivedAt"), max(n."receivedAt")
      FROM new_rows AS n WHERE n."certificateFingerprint" <> ''
     GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
    ON CONFLICT ("fingerprint", "hour", "deviceId") DO UPDATE
       SET "count" = h."count" + EXCLUDED."count", "first" = least(h."first", EXCLUDED."first"), "last" = greatest(h."last", EXCLUDED."last"),
           "firstReceivedAt" = least(h."firstReceivedAt", EXCLUDED."firstReceivedAt"),
           "lastReceivedAt" = greatest(h."lastReceivedAt", EXCLUDED."lastReceivedAt");
    INSERT INTO "ReadingFlagDay" AS d ("fingerprint", "deviceId", "day", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
    SELECT n."certificateFingerprint", coalesce(n."deviceId", ''), date_bin('1 day', n."time", TIMESTAMPTZ 'epoch'),
           count(*)::int, min(n."time"), max(n."time"), min(n."receivedAt"), max(n."receivedAt")
      FROM new_rows AS n WHERE n."certificateFingerprint" <> ''
     GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
    ON CONFLICT ("fingerprint", "day", "deviceId") DO UPDATE
       SET "count" = d."count" + EXCLUDED."count", "first" = least(d."first", EXCLUDED."first"), "last" = greatest(d."last", EXCLUDED."last"),
           "firstReceivedAt" = least(d."firstReceivedAt", EXCLUDED."firstReceivedAt"),
           "lastReceivedAt" = greatest(d."lastReceivedAt", EXCLUDED."lastReceivedAt");
    INSERT INTO "ReadingSource" AS s ("fingerprint", "deviceId", "count", "first", "last", "lastReceivedAt")
    SELECT n."certificateFingerprint", coalesce(n."deviceId", ''), count(*)::int, min(n."time"), max(n."time"), max(n."receivedAt")
      FROM new_rows AS n WHERE n."certificateFingerprint" <> ''
     GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("fingerprint", "deviceId") DO UPDATE
       SET "count" = s."count" + EXCLUDED."count", "first" = least(s."first", EXCLUDED."first"), "last" = greatest(s."last", EXCLUDED."last"),
           "lastReceivedAt" = greatest(s."lastReceivedAt", EXCLUDED."lastReceivedAt");
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(t.f), array_agg(t.d), array_agg(t.h) INTO fingerprints, devices, hours
      FROM (SELECT DISTINCT o."certificateFingerprint" AS f, coalesce(o."deviceId", '') AS d, date_bin('1 hour', o."time", TIMESTAMPTZ 'epoch') AS h
              FROM old_rows AS o WHERE o."certificateFingerprint" <> '' ORDER BY 1, 3, 2) AS t;
    IF fingerprints IS NOT NULL THEN PERFORM "ReadingFlag_recompute"(fingerprints, devices, hours); END IF;
  ELSE
    SELECT array_agg(t.f), array_agg(t.d), array_agg(t.h) INTO fingerprints, devices, hours
      FROM (SELECT o."certificateFingerprint" AS f, coalesce(o."deviceId", '') AS d, date_bin('1 hour', o."time", TIMESTAMPTZ 'epoch') AS h
              FROM old_rows AS o WHERE o."certificateFingerprint" <> ''
            UNION
            SELECT n."certificateFingerprint", coalesce(n."deviceId", ''), date_bin('1 hour', n."time", TIMESTAMPTZ 'epoch')
              FROM new_rows AS n WHERE n."certificateFingerprint" <> ''
            ORDER BY 1, 3, 2) AS t;
    IF fingerprints IS NOT NULL THEN PERFORM "ReadingFlag_recompute"(fingerprints, devices, hours); END IF;
  END IF;
  RETURN NULL;
END $$;

-- Backfill: the days of the hours already there (kept true from here on by the functions above).
INSERT INTO "ReadingFlagDay" ("fingerprint", "deviceId", "day", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
SELECT "fingerprint", "deviceId", date_bin('1 day', "hour", TIMESTAMPTZ 'epoch'),
       sum("count")::int, min("first"), max("last"), min("firstReceivedAt"), max("lastReceivedAt")
  FROM "ReadingFlagHour" GROUP BY 1, 2, 3;

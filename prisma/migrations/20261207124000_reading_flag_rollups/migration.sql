-- Facts about readings for "readings that should not exist" (issue 12, lib/readings/flags.ts), kept by
-- triggers on "Reading" in the inserting transaction (the pull's), so the flags read a few rows per
-- certificate instead of scanning every reading of the range. They hold facts about readings only (which
-- certificate, which device, when, when received); whether a certificate is known, whose it is and when its
-- revocation took effect are joined at read time, so a certificate recorded, moved or revoked later is
-- right at once. Readings without a certificate (fingerprint '', seeded history) are never flagged: left out.
-- "deviceId" is '' for readings linked to no device (a key cannot hold NULL).

-- CreateTable
CREATE TABLE "ReadingFlagHour" (
    "fingerprint" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "first" TIMESTAMPTZ(3) NOT NULL,
    "last" TIMESTAMPTZ(3) NOT NULL,
    "firstReceivedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastReceivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReadingFlagHour_pkey" PRIMARY KEY ("fingerprint","hour","deviceId")
);

-- CreateTable
CREATE TABLE "ReadingSource" (
    "fingerprint" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "first" TIMESTAMPTZ(3) NOT NULL,
    "last" TIMESTAMPTZ(3) NOT NULL,
    "lastReceivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReadingSource_pkey" PRIMARY KEY ("fingerprint","deviceId")
);

-- CreateIndex
CREATE INDEX "ReadingSource_deviceId_idx" ON "ReadingSource"("deviceId");

-- Hand-written from here: Prisma's schema language has no triggers.

-- Recomputes the given (fingerprint, device, hour) cells from the raw rows, then their (fingerprint, device)
-- totals from the hours. For updates and deletes (a first or last time cannot be taken back by subtraction).
-- The raw rows are found through the "time" index, one pass per distinct hour.
CREATE FUNCTION "ReadingFlag_recompute"(fingerprints TEXT[], devices TEXT[], hours TIMESTAMPTZ[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ReadingFlagHour" AS h USING unnest(fingerprints, devices, hours) AS t(fp, device_id, hour)
   WHERE h."fingerprint" = t.fp AND h."deviceId" = t.device_id AND h."hour" = t.hour;
  INSERT INTO "ReadingFlagHour" ("fingerprint", "deviceId", "hour", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
  SELECT r."certificateFingerprint", coalesce(r."deviceId", ''), t.hour, count(*)::int, min(r."time"), max(r."time"), min(r."receivedAt"), max(r."receivedAt")
    FROM (SELECT DISTINCT u.hour FROM unnest(hours) AS u(hour)) AS t
    JOIN "Reading" AS r ON r."time" >= t.hour AND r."time" < t.hour + interval '1 hour'
   WHERE (r."certificateFingerprint", coalesce(r."deviceId", ''), t.hour) IN (SELECT * FROM unnest(fingerprints, devices, hours))
   GROUP BY 1, 2, 3 ORDER BY 1, 3, 2;
  DELETE FROM "ReadingSource" AS s USING unnest(fingerprints, devices) AS t(fp, device_id)
   WHERE s."fingerprint" = t.fp AND s."deviceId" = t.device_id;
  INSERT INTO "ReadingSource" ("fingerprint", "deviceId", "count", "first", "last", "lastReceivedAt")
  SELECT h."fingerprint", h."deviceId", sum(h."count")::int, min(h."first"), max(h."last"), max(h."lastReceivedAt")
    FROM "ReadingFlagHour" AS h
   WHERE (h."fingerprint", h."deviceId") IN (SELECT DISTINCT * FROM unnest(fingerprints, devices))
   GROUP BY 1, 2 ORDER BY 1, 2;
END $$;

CREATE FUNCTION "Reading_flags"() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER "Reading_flags_insert" AFTER INSERT ON "Reading"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flags"();
CREATE TRIGGER "Reading_flags_update" AFTER UPDATE ON "Reading"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flags"();
CREATE TRIGGER "Reading_flags_delete" AFTER DELETE ON "Reading"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_flags"();

-- Backfill: the readings already there (a database that holds readings gets its cells here, once).
INSERT INTO "ReadingFlagHour" ("fingerprint", "deviceId", "hour", "count", "first", "last", "firstReceivedAt", "lastReceivedAt")
SELECT "certificateFingerprint", coalesce("deviceId", ''), date_bin('1 hour', "time", TIMESTAMPTZ 'epoch'),
       count(*)::int, min("time"), max("time"), min("receivedAt"), max("receivedAt")
  FROM "Reading" WHERE "certificateFingerprint" <> '' GROUP BY 1, 2, 3;
INSERT INTO "ReadingSource" ("fingerprint", "deviceId", "count", "first", "last", "lastReceivedAt")
SELECT "fingerprint", "deviceId", sum("count")::int, min("first"), max("last"), max("lastReceivedAt")
  FROM "ReadingFlagHour" GROUP BY 1, 2;

-- Readings rolled up per device and hour as they arrive (issue 12): min, max, sum and count of every
-- UTC hour (epoch-aligned, as the charts' buckets are), kept by triggers on "Reading" in the inserting
-- transaction (the pull's), so a 90-day chart reads ~2,000 hourly rows instead of ~130,000 readings and
-- still shows the true extremes. Raw readings stay for the CSV and for the cut hours at a range's ends.

-- CreateTable
CREATE TABLE "ReadingHour" (
    "deviceId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "min" DOUBLE PRECISION NOT NULL,
    "max" DOUBLE PRECISION NOT NULL,
    "sum" DOUBLE PRECISION NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ReadingHour_pkey" PRIMARY KEY ("deviceId","hour")
);

-- Hand-written from here: Prisma's schema language has no triggers.

-- Inserted readings are added to their hours (an upsert per device and hour of the batch, in key order so
-- concurrent pulls lock hours in one order). Updated or deleted readings: their hours are recomputed from
-- the raw rows (a minimum cannot be taken back).
CREATE FUNCTION "ReadingHour_recompute"(devices TEXT[], hours TIMESTAMPTZ[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ReadingHour" AS h USING unnest(devices, hours) AS t(device_id, hour)
   WHERE h."deviceId" = t.device_id AND h."hour" = t.hour;
  INSERT INTO "ReadingHour" ("deviceId", "hour", "min", "max", "sum", "count")
  SELECT t.device_id, t.hour, min(r.temperature), max(r.temperature), sum(r.temperature), count(*)::int
    FROM (SELECT DISTINCT * FROM unnest(devices, hours)) AS t(device_id, hour)
    JOIN "Reading" AS r ON r."deviceId" = t.device_id AND r."time" >= t.hour AND r."time" < t.hour + interval '1 hour'
   GROUP BY 1, 2 ORDER BY 1, 2;
END $$;

CREATE FUNCTION "Reading_hours"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  devices TEXT[];
  hours TIMESTAMPTZ[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "ReadingHour" AS h ("deviceId", "hour", "min", "max", "sum", "count")
    SELECT n."deviceId", date_bin('1 hour', n."time", TIMESTAMPTZ 'epoch'),
           min(n.temperature), max(n.temperature), sum(n.temperature), count(*)::int
      FROM new_rows AS n WHERE n."deviceId" IS NOT NULL
     GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("deviceId", "hour") DO UPDATE
       SET "min" = least(h."min", EXCLUDED."min"), "max" = greatest(h."max", EXCLUDED."max"),
           "sum" = h."sum" + EXCLUDED."sum", "count" = h."count" + EXCLUDED."count";
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(t.d), array_agg(t.h) INTO devices, hours
      FROM (SELECT DISTINCT o."deviceId" AS d, date_bin('1 hour', o."time", TIMESTAMPTZ 'epoch') AS h
              FROM old_rows AS o WHERE o."deviceId" IS NOT NULL ORDER BY 1, 2) AS t;
    IF devices IS NOT NULL THEN PERFORM "ReadingHour_recompute"(devices, hours); END IF;
  ELSE
    SELECT array_agg(t.d), array_agg(t.h) INTO devices, hours
      FROM (SELECT o."deviceId" AS d, date_bin('1 hour', o."time", TIMESTAMPTZ 'epoch') AS h FROM old_rows AS o WHERE o."deviceId" IS NOT NULL
            UNION
            SELECT n."deviceId", date_bin('1 hour', n."time", TIMESTAMPTZ 'epoch') FROM new_rows AS n WHERE n."deviceId" IS NOT NULL
            ORDER BY 1, 2) AS t;
    IF devices IS NOT NULL THEN PERFORM "ReadingHour_recompute"(devices, hours); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Reading_hours_insert" AFTER INSERT ON "Reading"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_hours"();
CREATE TRIGGER "Reading_hours_update" AFTER UPDATE ON "Reading"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_hours"();
CREATE TRIGGER "Reading_hours_delete" AFTER DELETE ON "Reading"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_hours"();

-- Backfill: the readings already there (a database that holds readings gets its hours here, once).
INSERT INTO "ReadingHour" ("deviceId", "hour", "min", "max", "sum", "count")
SELECT "deviceId", date_bin('1 hour', "time", TIMESTAMPTZ 'epoch'), min(temperature), max(temperature), sum(temperature), count(*)::int
  FROM "Reading" WHERE "deviceId" IS NOT NULL GROUP BY 1, 2;

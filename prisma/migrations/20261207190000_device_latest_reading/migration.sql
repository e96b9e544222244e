-- Each device's newest reading (issue 12), kept by triggers on "Reading" in the inserting transaction (the
-- pull's), so the readings page shows a page of the fleet table with each device's latest temperature without
-- one index probe per device (100,000 at fleet size). "Newest" is the greatest ("time", "id"): the reading a
-- query ordered by time, then id, picks first. A statement trigger per kind of write, as ReadingHour's.
--
-- "outside" says whether that reading is outside the device's limits (its own bound, else its group's, bound by
-- bound: lib/readings/thresholds.ts), so "outside their limits now" reads the few devices flagged through an
-- index instead of comparing the whole fleet. It is set with the reading, and again for the devices concerned
-- when a device's limits or group change ("Device" trigger) or a group's defaults do ("Setting" trigger), each
-- in the transaction of that change.

-- CreateTable
CREATE TABLE "DeviceLatestReading" (
    "deviceId" TEXT NOT NULL,
    "readingId" BIGINT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "temperature" DOUBLE PRECISION NOT NULL,
    "outside" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "DeviceLatestReading_pkey" PRIMARY KEY ("deviceId")
);

-- AlterTable
ALTER TABLE "Device" ADD COLUMN "liveUntil" TIMESTAMP(3),
ADD COLUMN "lateUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "DeviceLatestReading_outside_idx" ON "DeviceLatestReading"("outside");

-- CreateIndex
CREATE INDEX "Device_isCanary_group_name_idx" ON "Device"("isCanary", "group", "name");

-- Hand-written from here: Prisma's schema language has no triggers.

-- When a device stops being live and stops being late (lib/readings/health.ts: 2 and 10 of its own intervals after
-- its last report), kept on every write of its last report or interval, so counting the fleet's health compares two
-- timestamps per device with the clock instead of computing an age and its intervals (~3 × faster over 100,000).
CREATE FUNCTION "Device_health_edges"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."liveUntil" := NEW."lastSeenAt" + greatest(1, NEW."reportIntervalSec") * interval '2 seconds';
  NEW."lateUntil" := NEW."lastSeenAt" + greatest(1, NEW."reportIntervalSec") * interval '10 seconds';
  RETURN NEW;
END $$;

CREATE TRIGGER "Device_health_edges" BEFORE INSERT OR UPDATE OF "lastSeenAt", "reportIntervalSec", "liveUntil", "lateUntil" ON "Device"
  FOR EACH ROW EXECUTE FUNCTION "Device_health_edges"();
UPDATE "Device" SET "liveUntil" = NULL;

-- A group's default bound from the stored group defaults (Setting 'readings.groupThresholds': {"group": {"min":
-- 2, "max": 8}}), read as defensively as parseGroupLimits: anything but a number is no bound.
CREATE FUNCTION "group_limit"(defaults JSONB, grp TEXT, bound TEXT) RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(defaults -> grp -> bound) = 'number' THEN (defaults -> grp ->> bound)::float8 END
$$;

-- Whether `temperature` is outside a device's limits: its own bound, else its group's, bound by bound.
CREATE FUNCTION "outside_limits"(temperature DOUBLE PRECISION, own_min DOUBLE PRECISION, own_max DOUBLE PRECISION, defaults JSONB, grp TEXT)
RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(temperature < COALESCE(own_min, "group_limit"(defaults, grp, 'min')), false)
      OR COALESCE(temperature > COALESCE(own_max, "group_limit"(defaults, grp, 'max')), false)
$$;

-- Sets "outside" again for the given devices' newest readings (all of them when `devices` is null).
CREATE FUNCTION "DeviceLatestReading_judge"(devices TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "DeviceLatestReading" AS l
     SET "outside" = "outside_limits"(l.temperature, d."minTemperature", d."maxTemperature",
                                      (SELECT s.value FROM "Setting" s WHERE s.key = 'readings.groupThresholds'), d."group")
    FROM "Device" AS d
   WHERE d.id = l."deviceId" AND (devices IS NULL OR l."deviceId" = ANY(devices))
     AND l."outside" IS DISTINCT FROM "outside_limits"(l.temperature, d."minTemperature", d."maxTemperature",
                                      (SELECT s.value FROM "Setting" s WHERE s.key = 'readings.groupThresholds'), d."group");
END $$;

-- Reads the given devices' newest readings again from the raw rows (a newest reading that was updated or
-- deleted cannot be taken back otherwise). One index probe per device on ("deviceId", "time").
CREATE FUNCTION "DeviceLatestReading_recompute"(devices TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "DeviceLatestReading" WHERE "deviceId" = ANY(devices);
  INSERT INTO "DeviceLatestReading" ("deviceId", "readingId", "time", "temperature")
  SELECT d.id, l.id, l."time", l.temperature
    FROM (SELECT DISTINCT unnest(devices) AS id ORDER BY 1) AS d
    JOIN LATERAL (SELECT r.id, r."time", r.temperature FROM "Reading" r
                   WHERE r."deviceId" = d.id ORDER BY r."time" DESC, r.id DESC LIMIT 1) AS l ON true;
  PERFORM "DeviceLatestReading_judge"(devices);
END $$;

CREATE FUNCTION "Reading_latest"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  devices TEXT[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The batch's newest per device replaces the stored one only if it is newer (readings arrive out of order).
    INSERT INTO "DeviceLatestReading" AS l ("deviceId", "readingId", "time", "temperature", "outside")
    SELECT n."deviceId", n.id, n."time", n.temperature,
           "outside_limits"(n.temperature, d."minTemperature", d."maxTemperature",
                            (SELECT s.value FROM "Setting" s WHERE s.key = 'readings.groupThresholds'), d."group")
      FROM (SELECT DISTINCT ON (r."deviceId") r."deviceId", r.id, r."time", r.temperature
              FROM new_rows AS r WHERE r."deviceId" IS NOT NULL
             ORDER BY r."deviceId", r."time" DESC, r.id DESC) AS n
      JOIN "Device" AS d ON d.id = n."deviceId"
     ORDER BY n."deviceId"
    ON CONFLICT ("deviceId") DO UPDATE
       SET "readingId" = EXCLUDED."readingId", "time" = EXCLUDED."time", "temperature" = EXCLUDED."temperature", "outside" = EXCLUDED."outside"
     WHERE (EXCLUDED."time", EXCLUDED."readingId") > (l."time", l."readingId");
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."deviceId") INTO devices FROM old_rows AS o WHERE o."deviceId" IS NOT NULL;
    IF devices IS NOT NULL THEN PERFORM "DeviceLatestReading_recompute"(devices); END IF;
  ELSE
    SELECT array_agg(DISTINCT t.d) INTO devices
      FROM (SELECT o."deviceId" AS d FROM old_rows AS o UNION ALL SELECT n."deviceId" FROM new_rows AS n) AS t
     WHERE t.d IS NOT NULL;
    IF devices IS NOT NULL THEN PERFORM "DeviceLatestReading_recompute"(devices); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Reading_latest_insert" AFTER INSERT ON "Reading"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_latest"();
CREATE TRIGGER "Reading_latest_update" AFTER UPDATE ON "Reading"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_latest"();
CREATE TRIGGER "Reading_latest_delete" AFTER DELETE ON "Reading"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Reading_latest"();

-- A device's limits or group changed: judge its newest reading again.
CREATE FUNCTION "Device_latest_limits"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "DeviceLatestReading_judge"(ARRAY[NEW.id]);
  RETURN NULL;
END $$;

CREATE TRIGGER "Device_latest_limits" AFTER UPDATE OF "minTemperature", "maxTemperature", "group" ON "Device"
  FOR EACH ROW WHEN ((OLD."minTemperature", OLD."maxTemperature", OLD."group") IS DISTINCT FROM (NEW."minTemperature", NEW."maxTemperature", NEW."group"))
  EXECUTE FUNCTION "Device_latest_limits"();

-- A group's defaults changed: judge again the newest readings of the groups whose defaults differ.
CREATE FUNCTION "Setting_group_limits"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before JSONB := '{}';
  after JSONB := '{}';
  devices TEXT[];
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.key <> 'readings.groupThresholds' AND TG_OP = 'DELETE' THEN RETURN NULL; END IF;
    IF OLD.key = 'readings.groupThresholds' AND jsonb_typeof(OLD.value) = 'object' THEN before := OLD.value; END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.key <> 'readings.groupThresholds' AND TG_OP = 'INSERT' THEN RETURN NULL; END IF;
    IF NEW.key = 'readings.groupThresholds' AND jsonb_typeof(NEW.value) = 'object' THEN after := NEW.value; END IF;
  END IF;
  SELECT array_agg(l."deviceId" ORDER BY l."deviceId") INTO devices FROM "DeviceLatestReading" l JOIN "Device" d ON d.id = l."deviceId"
   WHERE d."group" IN (SELECT k.g FROM (SELECT jsonb_object_keys(before) AS g UNION SELECT jsonb_object_keys(after)) AS k
                        WHERE before -> k.g IS DISTINCT FROM after -> k.g);
  IF devices IS NOT NULL THEN PERFORM "DeviceLatestReading_judge"(devices); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Setting_group_limits" AFTER INSERT OR UPDATE OR DELETE ON "Setting"
  FOR EACH ROW EXECUTE FUNCTION "Setting_group_limits"();

-- Backfill: the devices that already have readings get their newest here, once, judged against their limits.
INSERT INTO "DeviceLatestReading" ("deviceId", "readingId", "time", "temperature")
SELECT DISTINCT ON ("deviceId") "deviceId", id, "time", temperature
  FROM "Reading" WHERE "deviceId" IS NOT NULL
 ORDER BY "deviceId", "time" DESC, id DESC;
SELECT "DeviceLatestReading_judge"(NULL);

-- Devices per group and status for the Overview (issue 12), canaries left out, kept by triggers on
-- "Device" in the same transaction as every write that moves them, so the Overview reads a few hundred
-- rows instead of counting 100,000 devices on each view, and can never drift from the table.

-- CreateTable
CREATE TABLE "DeviceCount" (
    "group" TEXT NOT NULL,
    "status" "DeviceStatus" NOT NULL,
    "devices" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "DeviceCount_pkey" PRIMARY KEY ("group","status")
);

-- Hand-written from here.

-- Adds the deltas per (group, status), in key order so concurrent writers lock the rows in one order.
CREATE FUNCTION "DeviceCount_add"(groups TEXT[], statuses "DeviceStatus"[], deltas INTEGER[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "DeviceCount" AS c ("group", "status", "devices")
  SELECT t.g, t.s, sum(t.n)::int FROM unnest(groups, statuses, deltas) AS t(g, s, n)
   GROUP BY t.g, t.s HAVING sum(t.n) <> 0 ORDER BY t.g, t.s
  ON CONFLICT ("group", "status") DO UPDATE SET "devices" = c."devices" + EXCLUDED."devices";
END $$;

-- Inserts and deletes: one statement trigger each (a bulk insert adds its devices in one pass).
CREATE FUNCTION "Device_count_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  groups TEXT[];
  statuses "DeviceStatus"[];
  deltas INTEGER[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n."group"), array_agg(n.status), array_agg(1) INTO groups, statuses, deltas FROM new_rows AS n WHERE NOT n."isCanary";
  ELSE
    SELECT array_agg(o."group"), array_agg(o.status), array_agg(-1) INTO groups, statuses, deltas FROM old_rows AS o WHERE NOT o."isCanary";
  END IF;
  IF groups IS NOT NULL THEN
    PERFORM "DeviceCount_add"(groups, statuses, deltas);
  END IF;
  RETURN NULL;
END $$;

-- Updates: a row trigger limited to the three columns, so the frequent writes of "lastSeenAt" (every pull)
-- and of the current-certificate columns never run it.
CREATE FUNCTION "Device_count_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "DeviceCount_add"(
    ARRAY[OLD."group", NEW."group"]::TEXT[],
    ARRAY[OLD.status, NEW.status]::"DeviceStatus"[],
    ARRAY[CASE WHEN OLD."isCanary" THEN 0 ELSE -1 END, CASE WHEN NEW."isCanary" THEN 0 ELSE 1 END]);
  RETURN NULL;
END $$;

CREATE FUNCTION "Device_count_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "DeviceCount";
  RETURN NULL;
END $$;

CREATE TRIGGER "Device_count_insert" AFTER INSERT ON "Device"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Device_count_rows"();
CREATE TRIGGER "Device_count_delete" AFTER DELETE ON "Device"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Device_count_rows"();
CREATE TRIGGER "Device_count_update" AFTER UPDATE OF "group", status, "isCanary" ON "Device"
  FOR EACH ROW WHEN ((OLD."group", OLD.status, OLD."isCanary") IS DISTINCT FROM (NEW."group", NEW.status, NEW."isCanary"))
  EXECUTE FUNCTION "Device_count_update"();
CREATE TRIGGER "Device_count_truncate" AFTER TRUNCATE ON "Device"
  FOR EACH STATEMENT EXECUTE FUNCTION "Device_count_truncate"();

-- Backfill from the devices already there.
INSERT INTO "DeviceCount" ("group", "status", "devices")
SELECT "group", status, count(*)::int FROM "Device" WHERE NOT "isCanary" GROUP BY 1, 2;

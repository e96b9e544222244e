-- Fleet read model (issue 12): what the Devices table sorts and filters on, kept on the device row by
-- triggers on "Certificate" (so every write path, present or future, keeps it true in its own
-- transaction); live certificates per expiry day for the Overview; indexes the lists' orders and the
-- search box use. Hand-written parts are marked: Prisma's schema language has no triggers.

-- pg_trgm serves LIKE/ILIKE '%fragment%' from GIN indexes (PGlite loads it: lib/db/embedded.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "currentCertificateId" TEXT,
ADD COLUMN     "currentCertificateStatus" "CertificateStatus",
ADD COLUMN     "currentExpiresOn" TIMESTAMP(3),
ADD COLUMN     "currentSerialNumber" TEXT;

-- CreateTable
CREATE TABLE "CertificateExpiryDay" (
    "day" DATE NOT NULL,
    "live" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CertificateExpiryDay_pkey" PRIMARY KEY ("day")
);

-- DropIndex
DROP INDEX "AuditEvent_action_idx";

-- CreateIndex
CREATE INDEX "Device_isCanary_name_id_idx" ON "Device"("isCanary", "name", "id");

-- CreateIndex
CREATE INDEX "Device_isCanary_group_id_idx" ON "Device"("isCanary", "group", "id");

-- CreateIndex
CREATE INDEX "Device_isCanary_lastSeenAt_id_idx" ON "Device"("isCanary", "lastSeenAt", "id");

-- CreateIndex
CREATE INDEX "Device_isCanary_currentExpiresOn_id_idx" ON "Device"("isCanary", "currentExpiresOn", "id");

-- CreateIndex
CREATE INDEX "Device_isCanary_currentCertificateStatus_id_idx" ON "Device"("isCanary", "currentCertificateStatus", "id");

-- CreateIndex (hand-edited: NULLS LAST, so a descending list still ends with the devices that have no value)
CREATE INDEX "Device_isCanary_lastSeenAt_desc_idx" ON "Device"("isCanary", "lastSeenAt" DESC NULLS LAST, "id" DESC);

-- CreateIndex (hand-edited: NULLS LAST)
CREATE INDEX "Device_isCanary_currentExpiresOn_desc_idx" ON "Device"("isCanary", "currentExpiresOn" DESC NULLS LAST, "id" DESC);

-- CreateIndex (hand-edited: NULLS LAST)
CREATE INDEX "Device_isCanary_currentCertificateStatus_desc_idx" ON "Device"("isCanary", "currentCertificateStatus" DESC NULLS LAST, "id" DESC);

-- CreateIndex
CREATE INDEX "Device_name_idx" ON "Device" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Device_commonName_idx" ON "Device" USING GIN ("commonName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Certificate_serialNumber_idx" ON "Certificate" USING GIN ("serialNumber" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Certificate_ski_idx" ON "Certificate" USING GIN ("ski" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Certificate_fingerprintSha256_idx" ON "Certificate" USING GIN ("fingerprintSha256" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Certificate_commonName_idx" ON "Certificate" USING GIN ("commonName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "AuditEvent_at_id_idx" ON "AuditEvent"("at", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_id_idx" ON "AuditEvent"("action", "at", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorEmail_at_id_idx" ON "AuditEvent"("actorEmail", "at", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorEmail_idx" ON "AuditEvent" USING GIN ("actorEmail" gin_trgm_ops);

-- Hand-written from here.

-- A device's current certificate: its newest live one (active or pending reactivation), else its newest
-- of any status (the rule lib/data/devices.ts documents). The device rows are locked first, in id order,
-- so two transactions changing certificates of one device take turns, and the second recomputes from
-- what the first committed (each statement of a volatile function sees a fresh snapshot).
CREATE FUNCTION "Device_refresh_current"(ids TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM "Device" WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
  UPDATE "Device" AS d
     SET "currentCertificateId" = cur.id,
         "currentCertificateStatus" = cur.status,
         "currentExpiresOn" = cur."expiresOn",
         "currentSerialNumber" = cur."serialNumber"
    FROM (SELECT x.device_id, c.id, c.status, c."expiresOn", c."serialNumber"
            FROM unnest(ids) AS x(device_id)
            LEFT JOIN LATERAL (
              SELECT c.id, c.status, c."expiresOn", c."serialNumber"
                FROM "Certificate" AS c
               WHERE c."deviceId" = x.device_id
               ORDER BY (c.status IN ('ACTIVE', 'PENDING_REACTIVATION')) DESC, c."issuedOn" DESC, c.id DESC
               LIMIT 1
            ) AS c ON TRUE) AS cur
   WHERE d.id = cur.device_id
     AND (d."currentCertificateId", d."currentCertificateStatus", d."currentExpiresOn", d."currentSerialNumber")
         IS DISTINCT FROM (cur.id, cur.status, cur."expiresOn", cur."serialNumber");
END $$;

-- Live certificates per expiry day (UTC), every device's (canaries included: the Overview subtracts
-- certfleet's own few probes when it reads). Added to by the inserted/updated rows, taken from by the
-- deleted/updated ones; days in order so concurrent writers lock them in one order.
CREATE FUNCTION "CertificateExpiryDay_add"(delta_days DATE[], deltas INTEGER[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CertificateExpiryDay" AS e ("day", "live")
  SELECT t.day, sum(t.n)::int FROM unnest(delta_days, deltas) AS t(day, n) GROUP BY t.day HAVING sum(t.n) <> 0 ORDER BY t.day
  ON CONFLICT ("day") DO UPDATE SET "live" = e."live" + EXCLUDED."live";
END $$;

CREATE FUNCTION "Certificate_read_model"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids TEXT[];
  days DATE[];
  deltas INTEGER[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."deviceId") FILTER (WHERE n."deviceId" IS NOT NULL) INTO ids FROM new_rows AS n;
    SELECT array_agg(n."expiresOn"::date), array_agg(1) INTO days, deltas
      FROM new_rows AS n WHERE n.status IN ('ACTIVE', 'PENDING_REACTIVATION');
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."deviceId") FILTER (WHERE o."deviceId" IS NOT NULL) INTO ids FROM old_rows AS o;
    SELECT array_agg(o."expiresOn"::date), array_agg(-1) INTO days, deltas
      FROM old_rows AS o WHERE o.status IN ('ACTIVE', 'PENDING_REACTIVATION');
  ELSE
    -- Only rows whose status, expiry, serial, issue date or device changed move the read model.
    WITH moved AS (
      SELECT n."deviceId" AS new_device, o."deviceId" AS old_device,
             n.status AS new_status, o.status AS old_status, n."expiresOn" AS new_expires, o."expiresOn" AS old_expires
        FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
       WHERE (n.status, n."expiresOn", n."serialNumber", n."issuedOn", n."deviceId")
             IS DISTINCT FROM (o.status, o."expiresOn", o."serialNumber", o."issuedOn", o."deviceId")
    ), delta AS (
      SELECT new_expires::date AS day, 1 AS n FROM moved WHERE new_status IN ('ACTIVE', 'PENDING_REACTIVATION')
      UNION ALL
      SELECT old_expires::date, -1 FROM moved WHERE old_status IN ('ACTIVE', 'PENDING_REACTIVATION')
    )
    SELECT (SELECT array_agg(DISTINCT x) FILTER (WHERE x IS NOT NULL)
              FROM (SELECT new_device FROM moved UNION SELECT old_device FROM moved) AS u(x)),
           (SELECT array_agg(day) FROM delta),
           (SELECT array_agg(n) FROM delta)
      INTO ids, days, deltas;
  END IF;
  PERFORM "Device_refresh_current"(ids);
  IF days IS NOT NULL THEN
    PERFORM "CertificateExpiryDay_add"(days, deltas);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Certificate_read_model_insert" AFTER INSERT ON "Certificate"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_read_model"();
CREATE TRIGGER "Certificate_read_model_update" AFTER UPDATE ON "Certificate"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_read_model"();
CREATE TRIGGER "Certificate_read_model_delete" AFTER DELETE ON "Certificate"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_read_model"();

-- Backfill from the certificates already there.
SELECT "Device_refresh_current"(ARRAY(SELECT id FROM "Device"));
INSERT INTO "CertificateExpiryDay" ("day", "live")
SELECT "expiresOn"::date, count(*)::int FROM "Certificate"
 WHERE status IN ('ACTIVE', 'PENDING_REACTIVATION') GROUP BY 1;

-- Renewal planner read model (issue 12, issue 16 item 4): the planner asked, for every live device certificate
-- at every read, when its window opens under its group's policy and whether it is at risk; at 100,000 devices that
-- was a pass over every certificate, device and policy (0.7 s for the Overview's count, 2-4 s for the planner).
-- Each of those moments is a pure function of the certificate, its device and its group's policy, so it is kept
-- here, one row per live certificate, by triggers on the three tables (every write path, present or future, in
-- its own transaction). "At risk now" is then `"riskAt" <= now`, an index range (lib/est/planner.ts).
--
-- Why the moments capture the planner's rule (lib/est/planner.ts, header), with E expiry, O window opening,
-- I = max(1 s, reporting interval), L last seen, S = COALESCE(L, issued):
--  - silent: now + max(I, now - S) >= E  <=>  now >= E - I  or  now >= S + (E - S) / 2, so silentAt is the
--    earlier of the two (exact: E and S carry milliseconds, halving E - S lands on whole microseconds);
--    silentAt < E, so an expired certificate (E <= now) is silent too and is told apart at read by E;
--  - missed: O < now and L > O + I  <=>  now >= O + 1 µs when L > O + I (else never); riskAt is the earlier.

-- CreateTable
CREATE TABLE "RenewalPlanEntry" (
    "certificateId" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "expiresOn" TIMESTAMP(3) NOT NULL,
    "opensAt" TIMESTAMP(6) NOT NULL,
    "silentAt" TIMESTAMP(6) NOT NULL,
    "riskAt" TIMESTAMP(6) NOT NULL,

    CONSTRAINT "RenewalPlanEntry_pkey" PRIMARY KEY ("certificateId")
);

-- CreateTable
CREATE TABLE "RenewalPlanGroup" (
    "group" TEXT NOT NULL,
    "certificates" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RenewalPlanGroup_pkey" PRIMARY KEY ("group")
);

-- CreateIndex
CREATE INDEX "RenewalPlanEntry_riskAt_silentAt_expiresOn_group_idx" ON "RenewalPlanEntry"("riskAt", "silentAt", "expiresOn", "group");

-- CreateIndex
CREATE INDEX "RenewalPlanEntry_opensAt_expiresOn_group_idx" ON "RenewalPlanEntry"("opensAt", "expiresOn", "group");

-- CreateIndex
CREATE INDEX "RenewalPlanEntry_expiresOn_certificateId_riskAt_group_idx" ON "RenewalPlanEntry"("expiresOn", "certificateId", "riskAt", "group");

-- CreateIndex
CREATE INDEX "RenewalPlanEntry_group_expiresOn_certificateId_riskAt_idx" ON "RenewalPlanEntry"("group", "expiresOn", "certificateId", "riskAt");

-- AddForeignKey
ALTER TABLE "RenewalPlanEntry" ADD CONSTRAINT "RenewalPlanEntry_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written from here.

-- Recompute the entries of these certificates from what is committed now. Concurrency: the certificates' devices
-- are locked first, in id order (as Device_refresh_current does), then the groups involved (the devices' groups
-- and those the entries were filed under) in shared mode; a policy change takes its group in exclusive mode
-- (RenewalPlanEntry_policy). So a device write and a policy write of one group take turns, and each statement
-- below, with a fresh snapshot, sees what the other committed.
-- The policy defaults (a group without a row) are DEFAULT_EST_POLICY's (lib/validation/est-policy.ts), as the
-- EstPolicy table's column defaults are; lib/est/planner.test.ts checks they agree.
CREATE FUNCTION "RenewalPlanEntry_refresh"(ids TEXT[], skip_locks BOOLEAN DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  before_groups TEXT[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- skip_locks: a policy change (it holds its group exclusively and must lock no device: a device writer holds
  -- its device and waits for the group, so the other order could deadlock), and the backfill below (alone).
  IF NOT skip_locks THEN
    PERFORM 1 FROM "Device" WHERE id IN (SELECT "deviceId" FROM "Certificate" WHERE id = ANY (ids)) ORDER BY id FOR NO KEY UPDATE;
    PERFORM pg_advisory_xact_lock_shared(hashtext('RenewalPlanEntry'), hashtext(x.g))
       FROM (SELECT g FROM (SELECT d."group" FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId" WHERE c.id = ANY (ids)
                            UNION SELECT e."group" FROM "RenewalPlanEntry" e WHERE e."certificateId" = ANY (ids)) AS u(g)
              ORDER BY g) AS x;
  END IF;
  DELETE FROM "RenewalPlanEntry" AS e
   WHERE e."certificateId" = ANY (ids)
     AND NOT EXISTS (SELECT 1 FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId"
                      WHERE c.id = e."certificateId"
                        AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL
                        AND d.status = 'ACTIVE' AND NOT d."isCanary");
  -- (Those deleted left their group's count by RenewalPlanEntry_deleted; the rest is counted below.)
  before_groups := ARRAY(SELECT e."group" FROM "RenewalPlanEntry" e WHERE e."certificateId" = ANY (ids));
  INSERT INTO "RenewalPlanEntry" AS e ("certificateId", "group", "expiresOn", "opensAt", "silentAt", "riskAt")
  SELECT v.id, v."group", v."expiresOn", v.opens, v.silent,
         least(v.silent, CASE WHEN v."lastSeenAt" > v.opens + v.iv THEN v.opens + interval '1 microsecond' END)
    FROM (SELECT c.id, d."group", c."expiresOn", d."lastSeenAt", w.iv, w.opens,
                 least(c."expiresOn" - w.iv, w.s + (c."expiresOn" - w.s) / 2) AS silent
            FROM "Certificate" c
            JOIN "Device" d ON d.id = c."deviceId"
            LEFT JOIN "EstPolicy" p ON p."group" = d."group"
           CROSS JOIN LATERAL (
             SELECT greatest(1, d."reportIntervalSec") * interval '1 second' AS iv,
                    COALESCE(d."lastSeenAt", c."issuedOn") AS s,
                    CASE WHEN COALESCE(p."windowMode", 'PERCENT') = 'DAYS'
                         THEN c."expiresOn" - make_interval(days => COALESCE(p."windowDays", 30))
                         ELSE c."expiresOn" - (c."expiresOn" - c."issuedOn") * (COALESCE(p."windowPercent", 30) / 100.0) END AS opens
           ) AS w
           WHERE c.id = ANY (ids)
             AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL
             AND d.status = 'ACTIVE' AND NOT d."isCanary") AS v
  ON CONFLICT ("certificateId") DO UPDATE
     SET "group" = EXCLUDED."group", "expiresOn" = EXCLUDED."expiresOn", "opensAt" = EXCLUDED."opensAt",
         "silentAt" = EXCLUDED."silentAt", "riskAt" = EXCLUDED."riskAt"
   WHERE (e."group", e."expiresOn", e."opensAt", e."silentAt", e."riskAt")
         IS DISTINCT FROM (EXCLUDED."group", EXCLUDED."expiresOn", EXCLUDED."opensAt", EXCLUDED."silentAt", EXCLUDED."riskAt");
  -- Entries per group (the plan's "certificates"): what these ids count now less what they counted before. A
  -- device reporting changes no count and writes nothing here; groups in order, as concurrent writers lock them.
  INSERT INTO "RenewalPlanGroup" AS r ("group", "certificates")
  SELECT t.g, sum(t.n)::int
    FROM (SELECT e."group", 1 FROM "RenewalPlanEntry" e WHERE e."certificateId" = ANY (ids)
          UNION ALL SELECT b, -1 FROM unnest(before_groups) AS b) AS t(g, n)
   GROUP BY t.g HAVING sum(t.n) <> 0 ORDER BY t.g
  ON CONFLICT ("group") DO UPDATE SET "certificates" = r."certificates" + EXCLUDED."certificates";
END $$;

-- A certificate's entry deleted with the certificate (the foreign key) leaves its group's count.
CREATE FUNCTION "RenewalPlanEntry_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "RenewalPlanGroup" AS r SET "certificates" = r."certificates" - t.n
    FROM (SELECT o."group", count(*)::int FROM old_rows AS o GROUP BY o."group" ORDER BY o."group") AS t(g, n)
   WHERE r."group" = t.g;
  RETURN NULL;
END $$;

CREATE TRIGGER "RenewalPlanEntry_deleted" AFTER DELETE ON "RenewalPlanEntry"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "RenewalPlanEntry_deleted"();

-- Certificates: issued, revoked, superseded, reactivated, moved to another device.
CREATE FUNCTION "Certificate_renewal_plan"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "RenewalPlanEntry_refresh"(ARRAY(SELECT n.id FROM new_rows AS n));
  ELSE
    PERFORM "RenewalPlanEntry_refresh"(ARRAY(
      SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
       WHERE (n.status, n."supersededAt", n."expiresOn", n."issuedOn", n."deviceId")
             IS DISTINCT FROM (o.status, o."supersededAt", o."expiresOn", o."issuedOn", o."deviceId")));
  END IF;
  RETURN NULL;
END $$;

-- Named after Certificate_read_model_*: triggers of one event fire in name order, so the device rows are
-- already locked (Device_refresh_current) when these run. A deleted certificate's entry goes by the foreign key.
CREATE TRIGGER "Certificate_renewal_plan_insert" AFTER INSERT ON "Certificate"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_renewal_plan"();
CREATE TRIGGER "Certificate_renewal_plan_update" AFTER UPDATE ON "Certificate"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Certificate_renewal_plan"();

-- Devices: last seen (every readings pull), reporting interval, status, canary flag, group. Only live
-- certificates can have or gain an entry, so only theirs are recomputed.
CREATE FUNCTION "Device_renewal_plan"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "RenewalPlanEntry_refresh"(ARRAY(
    SELECT c.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
      JOIN "Certificate" AS c ON c."deviceId" = n.id
     WHERE (n."lastSeenAt", n."reportIntervalSec", n.status, n."isCanary", n."group")
           IS DISTINCT FROM (o."lastSeenAt", o."reportIntervalSec", o.status, o."isCanary", o."group")
       AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL));
  RETURN NULL;
END $$;

CREATE TRIGGER "Device_renewal_plan_update" AFTER UPDATE ON "Device"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Device_renewal_plan"();

-- Policies: a group's window changed (or the group's row appeared or went, back to the defaults): every entry of
-- the group is recomputed, under the group's exclusive lock (see RenewalPlanEntry_refresh).
CREATE FUNCTION "RenewalPlanEntry_policy"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g TEXT;
BEGIN
  FOR g IN SELECT DISTINCT x FROM (
      SELECT NEW."group" WHERE TG_OP <> 'DELETE'
      UNION SELECT OLD."group" WHERE TG_OP <> 'INSERT') AS t(x) ORDER BY x LOOP
    PERFORM pg_advisory_xact_lock(hashtext('RenewalPlanEntry'), hashtext(g));
    PERFORM "RenewalPlanEntry_refresh"(ARRAY(SELECT e."certificateId" FROM "RenewalPlanEntry" e WHERE e."group" = g), true);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER "EstPolicy_renewal_plan" AFTER INSERT OR DELETE OR UPDATE OF "group", "windowMode", "windowPercent", "windowDays" ON "EstPolicy"
  FOR EACH ROW EXECUTE FUNCTION "RenewalPlanEntry_policy"();

-- Every report rewrites its device's entry (no HOT update: the moments are indexed), which clears the page's
-- visibility bit; the reads are index-only scans only on pages vacuumed since. The table is narrow (about 100
-- bytes a row), so vacuum it after 2 % of its rows changed rather than the default 20 %.
ALTER TABLE "RenewalPlanEntry" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

-- Backfill from the certificates already there.
SELECT "RenewalPlanEntry_refresh"(ARRAY(
  SELECT id FROM "Certificate" WHERE status IN ('ACTIVE', 'PENDING_REACTIVATION') AND "supersededAt" IS NULL), true);
ANALYZE "RenewalPlanEntry";

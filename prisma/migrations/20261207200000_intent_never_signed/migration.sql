-- The heal job remembers a conclusive "Cloudflare never signed it" scan of a cut issuance intent, so it reads the
-- zone again only when the intent may be abandoned, not on every run (lib/data/issuance/heal.ts).
ALTER TABLE "IssuanceIntent" ADD COLUMN "neverSignedAt" TIMESTAMP(3);

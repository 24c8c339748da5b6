-- 100,000 people with 10 held records each (1,000,000 records), written by PostgreSQL itself
-- (generate_series), so seeding takes seconds rather than an hour of INSERTs from a client.
-- Times are UTC ticks in bigint, as PortalDbContext stores them; ids are derived from the person's
-- number so reruns and the sign-in script agree on who is who.
\set ON_ERROR_STOP on
\timing on
BEGIN;
CREATE TEMP TABLE bench_now AS
  SELECT (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000 AS ticks;

INSERT INTO "AspNetUsers" ("Id", "Kind", "DisplayName", "PreferredCulture", "CreatedAt", "UserName", "NormalizedUserName",
                           "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp",
                           "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
SELECT md5('bench-person-' || i)::uuid, 0, 'Bench Person ' || i, (ARRAY['en', 'nb', 'et'])[1 + i % 3], n.ticks,
       'bench' || i || '@example.test', upper('bench' || i || '@example.test'),
       'bench' || i || '@example.test', upper('bench' || i || '@example.test'), true,
       md5('stamp' || i), md5('concurrency' || i), false, false, true, 0
FROM generate_series(1, :people) AS i, bench_now AS n;

-- Records over both companies and six categories, dated 2017-2026, so a share of them has passed
-- its retention end and the retention sweep has real work.
INSERT INTO "HeldRecords" ("SubjectId", "ControllerId", "CategoryId", "Summary", "Content", "RetentionFrom", "RelationshipActive", "CreatedAt", "UpdatedAt")
SELECT md5('bench-person-' || ((i - 1) / :per_person + 1))::uuid,
       CASE WHEN i % 3 = 0 THEN 'innore-ee' ELSE 'innore-no' END,
       (ARRAY['orders', 'payment', 'technical', 'inquiries', 'marketing', 'customer-account'])[1 + i % 6],
       'Bench record ' || i,
       json_build_object('orderNumber', 'B-' || i, 'product', 'Skyvedør ' || (i % 97), 'total', i % 20000, 'currency', 'NOK')::text,
       date '2017-01-01' + ((i::bigint * 7919) % 3600)::int, false,
       n.ticks, n.ticks
FROM generate_series(1, :people * :per_person) AS i, bench_now AS n;
COMMIT;
ANALYZE "AspNetUsers";
ANALYZE "HeldRecords";
SELECT count(*) AS people FROM "AspNetUsers" WHERE "Email" LIKE 'bench%';
SELECT count(*) AS records FROM "HeldRecords";

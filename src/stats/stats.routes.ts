import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, idParam, jsonResponse, security } from "../admin/schemas";

const tags = ["Stats"];
const refreshed = z
  .string()
  .nullable()
  .openapi({ description: "When the hourly rollup last ran; null before the first run" });

const groupStatsExample = {
  object: "group_stats",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  partners: 12,
  clicks: 3400,
  signups_paid: 7,
  signups_unpaid: 21,
  revenue_usd_cents: 129900,
  refreshed_at: "2026-11-25T08:00:03.000Z",
} as const;

const GroupStatsResponse = z
  .object({
    object: z.literal("group_stats"),
    group_id: z.string(),
    partners: z.number().int(),
    clicks: z.number().int(),
    signups_paid: z.number().int(),
    signups_unpaid: z.number().int(),
    revenue_usd_cents: z
      .number()
      .int()
      .openapi({ description: "All transactions (refunds negative), all time, in US cents" }),
    refreshed_at: refreshed,
  })
  .openapi("GroupStatsResponse", { example: groupStatsExample });

const PartnerStatsResponse = z
  .object({
    object: z.literal("partner_stats"),
    partner_id: z.string(),
    clicks: z.number().int(),
    signups_paid: z.number().int(),
    signups_unpaid: z.number().int(),
    revenue_usd_cents: z.number().int(),
    refreshed_at: refreshed,
  })
  .openapi("PartnerStatsResponse", {
    example: {
      object: "partner_stats",
      partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
      clicks: 310,
      signups_paid: 2,
      signups_unpaid: 3,
      revenue_usd_cents: 9800,
      refreshed_at: "2026-11-25T08:00:03.000Z",
    },
  });

export const groupStats = createRoute({
  method: "get",
  operationId: "getGroupStats",
  path: "/v1/groups/{group_id}/stats",
  tags,
  security,
  summary: "A group's stats (refreshed hourly)",
  description:
    "Partners in the group, clicks on their links, signups (paid: net transactions > 0; unpaid otherwise), " +
    "revenue in USD.",
  request: { params: idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz") },
  responses: { 200: jsonResponse(GroupStatsResponse, "The group's stats"), ...errorResponses },
});

export const partnerStats = createRoute({
  method: "get",
  operationId: "getPartnerStats",
  path: "/v1/partners/{partner_id}/stats",
  tags,
  security,
  summary: "A partner's stats (refreshed hourly)",
  request: { params: idParam("partner_id", "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz") },
  responses: { 200: jsonResponse(PartnerStatsResponse, "The partner's stats"), ...errorResponses },
});

export const groupStatsCsv = createRoute({
  method: "get",
  operationId: "exportGroupStatsCsv",
  path: "/v1/exports/group-stats.csv",
  tags,
  security,
  summary: "All groups' stats as CSV",
  responses: {
    200: {
      description: "One row per group",
      content: {
        "text/csv": {
          schema: z.string().openapi({
            example:
              "group_id,name,archived,partners,clicks,signups_paid,signups_unpaid,revenue_usd,refreshed_at\n" +
              "grp_01jd3k5qv0r8t2x7m9c4b6n1pz,Affiliates,false,12,3400,7,21,1299.00,2026-11-25T08:00:03.000Z\n",
          }),
        },
      },
    },
    ...errorResponses,
  },
});

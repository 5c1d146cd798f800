import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, jsonResponse, listOf, PaginationQuery, security } from "../admin/schemas";
import { REPLAY_LIMIT } from "./service";

const tags = ["Failed clicks"];

const failedClickExample = {
  id: "6a1f0c9e2b7d4e8f9a0b1c2d3e4f5a6b",
  object: "failed_click",
  click_id: "01jd3k5qv0r8t2x7m9c4b6n1pz",
  error: "dead-lettered after 11 attempts on edgeref-clicks: not written",
  attempts: 11,
  failed_at: "2026-11-25T08:00:00.000Z",
  replayed_at: null,
  click: {
    clicked_at: "2026-11-25T07:58:12.000Z",
    group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
    partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
    partner_link_id: "plk_01jd3k5qv0r8t2x7m9c4b6n1pz",
    default_link_id: "lnk_01jd3k5qv0r8t2x7m9c4b6n1pz",
    kind: "human",
    country: "DE",
    referer_host: "blog.example",
  },
} as const;

export const FailedClickSchema = z
  .object({
    id: z.string().openapi({ description: "The queue message id" }),
    object: z.literal("failed_click"),
    click_id: z.string().nullable(),
    error: z
      .string()
      .openapi({ description: "Why the click was not written (and, after a replay, what the replay found)" }),
    attempts: z.number().int().openapi({ description: "Deliveries by the queue, plus replays whose write failed" }),
    failed_at: z.string(),
    replayed_at: z.string().nullable().openapi({ description: "When a replay handled it; null while pending" }),
    click: z
      .object({
        clicked_at: z.string(),
        group_id: z.string(),
        partner_id: z.string(),
        partner_link_id: z.string(),
        default_link_id: z.string(),
        kind: z.string(),
        country: z.string().nullable(),
        referer_host: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "The click event as sent by the edge; null if it is not one" }),
  })
  .openapi("FailedClick", { example: failedClickExample });

const replayExample = {
  object: "failed_click_replay",
  replayed: 97,
  already_present: 3,
  still_invalid: 0,
  not_written: 0,
  has_more: true,
} as const;

export const FailedClickReplaySchema = z
  .object({
    object: z.literal("failed_click_replay"),
    replayed: z.number().int().openapi({ description: "Clicks written and counted now" }),
    already_present: z.number().int().openapi({ description: "Clicks that were already written: not counted again" }),
    still_invalid: z
      .number()
      .int()
      .openapi({ description: "Rows that are not a click event: marked replayed, never written" }),
    not_written: z
      .number()
      .int()
      .openapi({ description: "Writes that failed again: left pending, tried after the others next time" }),
    has_more: z.boolean().openapi({ description: `More than ${REPLAY_LIMIT} were pending: call again` }),
  })
  .openapi("FailedClickReplay", { example: replayExample });

export const list = createRoute({
  method: "get",
  operationId: "listFailedClicks",
  path: "/v1/failed-clicks",
  tags,
  security,
  summary: "List clicks the queue could not write (dead letters), oldest first",
  request: { query: PaginationQuery },
  responses: {
    200: jsonResponse(listOf(FailedClickSchema, "FailedClick", failedClickExample), "A page of failed clicks"),
    ...errorResponses,
  },
});

export const replay = createRoute({
  method: "post",
  operationId: "replayFailedClicks",
  path: "/v1/failed-clicks/replay",
  tags,
  security,
  summary: `Replay up to ${REPLAY_LIMIT} pending failed clicks through the click writer (none is counted twice)`,
  responses: {
    200: jsonResponse(FailedClickReplaySchema, "What the replay did"),
    ...errorResponses,
    ...conflictResponse,
  },
});

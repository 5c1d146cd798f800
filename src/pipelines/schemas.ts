// Response schemas of leads, deals and their stages, shared by the admin API and the partner API.
import { z } from "@hono/zod-openapi";
import { FormVersionSchema } from "../forms/forms.routes";
import { FINAL_STAGE_MOVERS, PIPELINE_KINDS } from "../lib/constants";

const ts = "2026-11-25T08:00:00.000Z";

export const StageRefSchema = z
  .object({ id: z.string(), name: z.string(), is_final: z.boolean() })
  .openapi("StageRef", { example: { id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz", name: "Qualified", is_final: false } });

const stageExample = {
  id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "stage" as const,
  kind: "lead" as const,
  name: "Qualified",
  position: 3,
  is_final: false,
  entries: 12,
  created_at: ts,
  updated_at: ts,
};

export const StageSchema = z
  .object({
    id: z.string(),
    object: z.literal("stage"),
    kind: z.enum(PIPELINE_KINDS),
    name: z.string(),
    position: z.number().int().openapi({ description: "1 is the first stage; new entries start there" }),
    is_final: z.boolean().openapi({ description: "The deal pipeline's last stage: a deal there is closed" }),
    entries: z.number().int().openapi({ description: "Leads or deals in this stage now (a stage is removed empty)" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Stage", { example: stageExample });

export const PipelineSchema = z
  .object({
    object: z.literal("pipeline"),
    group_id: z.string(),
    kind: z.enum(PIPELINE_KINDS),
    stages: z.array(StageSchema),
    final_stage: z
      .object({
        movers: z.enum(FINAL_STAGE_MOVERS).openapi({ description: "Who may move a deal into the final stage" }),
        creates_customer: z.boolean().openapi({
          description: "Closing a deal creates a customer of its partner and group (a signup in the group's stats)",
        }),
      })
      .nullable()
      .openapi({ description: "Deal pipelines only (null for leads)" }),
  })
  .openapi("Pipeline", {
    example: {
      object: "pipeline",
      group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      kind: "deal",
      stages: [{ ...stageExample, kind: "deal", name: "Closed won", is_final: true, position: 3 }],
      final_stage: { movers: "company", creates_customer: true },
    },
  });

export const MoveSchema = z
  .object({
    id: z.string(),
    from_stage: StageRefSchema.pick({ id: true, name: true })
      .nullable()
      .openapi({ description: "Null for the submission (entering the first stage); names as they were" }),
    to_stage: StageRefSchema.pick({ id: true, name: true }),
    moved_by: z.object({
      kind: z.enum(["partner", "company"]),
      id: z
        .string()
        .openapi({ description: "The partner, or the API key of the company's call (a user, moved in the console)" }),
    }),
    moved_at: z.string(),
  })
  .openapi("StageMove");

const entryShape = {
  id: z.string(),
  group_id: z.string(),
  partner_id: z.string(),
  stage: StageRefSchema,
  values: z.record(z.string(), z.unknown()),
  form: FormVersionSchema.openapi({ description: "The form version it was submitted with" }),
  submitted_by: z.enum(["partner", "company"]),
  history: z.array(MoveSchema).optional().openapi({ description: "Every move, oldest first (not in lists)" }),
  created_at: z.string(),
  updated_at: z.string(),
};

const entryExample = {
  id: "lead_01jd3k5qv0r8t2x7m9c4b6n1pz",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  stage: { id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz", name: "Qualified", is_final: false },
  values: { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" },
  form: { version: 1, title: "Submit a lead", description: "", fields: [] },
  submitted_by: "partner" as const,
  history: [
    {
      id: "mov_01jd3k5qv0r8t2x7m9c4b6n1pz",
      from_stage: null,
      to_stage: { id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pa", name: "New" },
      moved_by: { kind: "partner" as const, id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz" },
      moved_at: ts,
    },
  ],
  created_at: ts,
  updated_at: ts,
};

export const leadExample = { ...entryExample, object: "lead" as const };
export const LeadSchema = z
  .object({ ...entryShape, object: z.literal("lead") })
  .openapi("Lead", { example: leadExample });

export const dealExample = {
  ...entryExample,
  id: "deal_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "deal" as const,
  closed_at: null,
  customer_id: null,
};
export const DealSchema = z
  .object({
    ...entryShape,
    object: z.literal("deal"),
    closed_at: z.string().nullable().openapi({ description: "When it entered the final stage" }),
    customer_id: z.string().nullable().openapi({ description: "The customer closing created" }),
  })
  .openapi("Deal", { example: dealExample });

// What a partner sees of its own leads and deals: no ids of the company's keys, no other partner.
const partnerEntryShape = {
  id: z.string(),
  stage: StageRefSchema,
  values: z.record(z.string(), z.unknown()),
  form: FormVersionSchema,
  created_at: z.string(),
  updated_at: z.string(),
};
const partnerEntryExample = {
  id: entryExample.id,
  stage: entryExample.stage,
  values: entryExample.values,
  form: entryExample.form,
  created_at: ts,
  updated_at: ts,
};

export const partnerLeadExample = { ...partnerEntryExample, object: "lead" as const };
export const PartnerLeadSchema = z
  .object({ ...partnerEntryShape, object: z.literal("lead") })
  .openapi("PartnerLead", { example: partnerLeadExample });

export const partnerDealExample = {
  ...partnerEntryExample,
  id: dealExample.id,
  object: "deal" as const,
  closed_at: null,
};
export const PartnerDealSchema = z
  .object({ ...partnerEntryShape, object: z.literal("deal"), closed_at: z.string().nullable() })
  .openapi("PartnerDeal", { example: partnerDealExample });

// /openapi.json documents the rules the API enforces, and its examples pass them.
import { type RouteConfig, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import * as apiKeys from "../../src/api-keys/api-keys.routes";
import * as applications from "../../src/applications/applications.routes";
import * as company from "../../src/companies/company.routes";
import * as deals from "../../src/deals/deals.routes";
import * as failedClicks from "../../src/failed-clicks/failed-clicks.routes";
import * as forms from "../../src/forms/forms.routes";
import * as fx from "../../src/fx/fx.routes";
import * as groups from "../../src/groups/groups.routes";
import * as ingest from "../../src/ingest/ingest.routes";
import * as leads from "../../src/leads/leads.routes";
import * as linkDomains from "../../src/link-domains/link-domains.routes";
import * as links from "../../src/links/links.routes";
import * as offers from "../../src/offers/offers.routes";
import * as simulations from "../../src/offers/simulate.routes";
import * as partnerApi from "../../src/partner-api/partner-api.routes";
import * as partnerCredentials from "../../src/partner-credentials/partner-credentials.routes";
import * as partners from "../../src/partners/partners.routes";
import * as pipelines from "../../src/pipelines/pipelines.routes";
import * as signInLinks from "../../src/portal/sign-in-links.routes";
import * as rewards from "../../src/rewards/rewards.routes";
import * as social from "../../src/social/social.routes";
import * as stats from "../../src/stats/stats.routes";
import {
  openApiDocument as document,
  isReference,
  operationsOf as operations,
  parametersOf,
  requestSchemaOf,
  resolveSchema as resolve,
  type SchemaOrReference,
} from "../helpers/openapi";

const routes = [
  apiKeys,
  company,
  failedClicks,
  fx,
  groups,
  ingest,
  linkDomains,
  links,
  offers,
  partners,
  rewards,
  simulations,
  applications,
  deals,
  forms,
  leads,
  partnerApi,
  partnerCredentials,
  pipelines,
  social,
  signInLinks,
  stats,
]
  .flatMap((module) => Object.values(module))
  .filter(
    (value): value is RouteConfig =>
      typeof value === "object" && value !== null && "method" in value && "path" in value,
  );

describe("openapi document", () => {
  it("gives every operation a unique operationId", async () => {
    const ops = operations(await document());
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.filter((id) => typeof id !== "string" || id === "")).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.length).toBe(routes.length);
  });

  it("shows the rules the API enforces on string fields", async () => {
    const doc = await document();
    const body = (name: string) => resolve(doc, doc.components?.schemas?.[name])?.properties ?? {};
    const pathParam = (path: string, method: "get" | "put", name: string) => {
      const op = doc.paths?.[path]?.[method];
      return (op ? parametersOf(op) : []).find((p) => p.name === name)?.schema;
    };
    const queryParam = pathParam;
    const partnerKeyRule = { pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$", maxLength: 40 };
    const expectations: [string, unknown, object][] = [
      ["CreatePartner.partner_key", body("CreatePartner").partner_key, partnerKeyRule],
      ["UpdatePartner.partner_key", body("UpdatePartner").partner_key, partnerKeyRule],
      ["CreateCustomer.partner_key", body("CreateCustomer").partner_key, partnerKeyRule],
      ["CreateDefaultLink.link_text", body("CreateDefaultLink").link_text, partnerKeyRule],
      ["CreatePartner.email", body("CreatePartner").email, { format: "email", maxLength: 254 }],
      ["CreateCustomer.email", body("CreateCustomer").email, { format: "email", maxLength: 254 }],
      ["CreateTransaction.customer_email", body("CreateTransaction").customer_email, { format: "email" }],
      ["CreateGroup.destination_url", body("CreateGroup").destination_url, { format: "uri", maxLength: 2048 }],
      ["CreateDefaultLink.destination_url", body("CreateDefaultLink").destination_url, { format: "uri" }],
      ["UpdateDefaultLink.destination_url", body("UpdateDefaultLink").destination_url, { format: "uri" }],
      ["UpdateGroup.terms_url", body("UpdateGroup").terms_url, { format: "uri" }],
      ["UpdateCompany.terms_url", body("UpdateCompany").terms_url, { format: "uri" }],
      ["UpdateCompany.fallback_url", body("UpdateCompany").fallback_url, { format: "uri" }],
      [
        "UpdateCompany.click_id_param",
        body("UpdateCompany").click_id_param,
        { pattern: "^[A-Za-z0-9_.-]+$", maxLength: 40 },
      ],
      ["UpdateCompany.default_group_id", body("UpdateCompany").default_group_id, { maxLength: 64 }],
      [
        "CreateLinkDomain.hostname",
        body("CreateLinkDomain").hostname,
        { maxLength: 253, pattern: expect.stringContaining("[a-z0-9]") },
      ],
      [
        "CreateLinkDomain.cookie_domain",
        body("CreateLinkDomain").cookie_domain,
        { pattern: expect.stringContaining("[a-z0-9]") },
      ],
      ["CreateTransaction.currency", body("CreateTransaction").currency, { pattern: "^[A-Z]{3}$" }],
      ["CreatePartner.group_id", body("CreatePartner").group_id, { maxLength: 64 }],
      ["UpdatePartner.status", body("UpdatePartner").status, { enum: ["active", "archived"] }],
      [
        "UpdateCompany.attribution_model",
        body("UpdateCompany").attribution_model,
        { enum: expect.arrayContaining(["last_click"]) },
      ],
      [
        "PUT /v1/fx-rates/{currency} currency",
        pathParam("/v1/fx-rates/{currency}", "put", "currency"),
        { pattern: "^[A-Z]{3}$" },
      ],
      ["GET /v1/groups/{group_id} group_id", pathParam("/v1/groups/{group_id}", "get", "group_id"), { maxLength: 64 }],
      ["GET /v1/partners group_id", queryParam("/v1/partners", "get", "group_id"), { maxLength: 64 }],
      ["GET /v1/partners starting_after", queryParam("/v1/partners", "get", "starting_after"), { maxLength: 64 }],
    ];
    for (const [name, schema, rule] of expectations) expect(schema, name).toMatchObject(rule);
  });

  it("documents no string in a request without a bound (maxLength, enum or pattern)", async () => {
    const doc = await document();
    const unbounded: string[] = [];
    const walk = (node: SchemaOrReference | undefined, at: string): void => {
      const schema = resolve(doc, node);
      if (!schema || schema.readOnly) return;
      const types = [schema.type].flat();
      if (
        types.includes("string") &&
        schema.maxLength === undefined &&
        !schema.enum &&
        !schema.pattern &&
        !schema.format
      ) {
        unbounded.push(at);
      }
      for (const [key, value] of Object.entries(schema.properties ?? {})) walk(value, `${at}.${key}`);
      if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties, `${at}.*`);
      if (schema.propertyNames) walk({ ...schema.propertyNames, type: "string" }, `${at}.(name)`);
      for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(part, at);
    };
    for (const { path, method, op } of operations(doc)) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const param of parametersOf(op)) walk(param.schema, `${name} ${param.name}`);
      if (op.requestBody) walk(requestSchemaOf(op), `${name} body`);
    }
    expect(unbounded).toEqual([]);
  });

  it("documents request examples that the route's own schema accepts", async () => {
    const doc = await document();
    let checked = 0;
    for (const route of routes) {
      const content = route.request?.body?.content["application/json"];
      const schema = content && !isReference(content) ? content.schema : undefined;
      if (!(schema instanceof z.ZodType)) continue;
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      const op = operations(doc).find((o) => o.path === path && o.method === route.method)?.op;
      const example = resolve(doc, op && requestSchemaOf(op))?.example;
      expect(example, route.operationId).toBeDefined();
      const parsed = schema.safeParse(example);
      expect(parsed.success ? [] : parsed.error.issues, route.operationId).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

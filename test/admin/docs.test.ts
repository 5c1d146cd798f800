// The OpenAPI document and the docs page.
import { describe, expect, it } from "vitest";
import { api, expectStatus } from "../helpers/admin";
import {
  isReference,
  operationsOf,
  parametersOf,
  requestSchemaOf,
  resolveSchema,
  type SchemaOrReference,
  successResponseOf,
} from "../helpers/openapi";

describe("docs", () => {
  it("serves OpenAPI 3.1 with every route, each with examples and documented errors", async () => {
    const doc = await api(null, "GET", "/openapi.json");
    expectStatus(doc, 200);
    expect(doc.body.openapi).toBe("3.1.0");
    const operations = operationsOf(doc.body);
    expect(operations.length).toBeGreaterThanOrEqual(31);
    const exampleOf = (schema: SchemaOrReference | undefined) => resolveSchema(doc.body, schema)?.example;
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(op.summary, name).toBeTruthy();
      // The partner API takes a partner's credential; everything else a company's API key.
      expect(op.security, name).toEqual([path.startsWith("/partner/") ? { partnerAuth: [] } : { bearerAuth: [] }]);
      const success = successResponseOf(op)?.content;
      const content = success?.["application/json"] ?? success?.["text/csv"];
      expect(exampleOf(content?.schema), name).toBeTruthy();
      if (op.requestBody) expect(exampleOf(requestSchemaOf(op)), name).toBeTruthy();
      for (const param of parametersOf(op))
        if (param.in === "path") {
          const example = param.schema && !isReference(param.schema) ? param.schema.example : undefined;
          expect(example ?? param.example, `${name} ${param.name}`).toBeTruthy();
        }
      expect(op.responses?.["401"], name).toBeDefined();
      expect(op.responses?.["422"], name).toBeDefined();
    }
  });

  it("serves an interactive docs page that needs nothing from the network", async () => {
    const page = await api(null, "GET", "/docs");
    expectStatus(page, 200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.body).toContain('fetch("/openapi.json")');
    // No scripts, styles or fonts from elsewhere: every URL in the page is relative.
    expect(page.body).not.toMatch(/(src|href)=["']?https?:/);
    expect(page.body).not.toMatch(/@import|cdn\./i);
  });
});

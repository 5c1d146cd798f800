// The OpenAPI document and the docs page.
import { describe, expect, it } from "vitest";
import { api, type UntypedBody } from "../helpers/admin";

describe("docs", () => {
  it("serves OpenAPI 3.1 with every route, each with examples and documented errors", async () => {
    const doc = await api(null, "GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, UntypedBody>>).flatMap(
      ([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(31);
    const schemas = doc.body.components.schemas;
    const exampleOf = (schema: UntypedBody) =>
      schema?.$ref ? schemas[schema.$ref.split("/").pop()].example : schema?.example;
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(op.summary, name).toBeTruthy();
      expect(op.security, name).toEqual([{ bearerAuth: [] }]);
      const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"))![1] as UntypedBody;
      const content = success.content["application/json"] ?? success.content["text/csv"];
      expect(exampleOf(content.schema), name).toBeTruthy();
      if (op.requestBody) expect(exampleOf(op.requestBody.content["application/json"].schema), name).toBeTruthy();
      for (const param of op.parameters ?? [])
        if (param.in === "path") expect(param.schema.example ?? param.example, `${name} ${param.name}`).toBeTruthy();
      expect(op.responses["401"], name).toBeDefined();
      expect(op.responses["422"], name).toBeDefined();
    }
  });

  it("serves an interactive docs page that needs nothing from the network", async () => {
    const page = await api(null, "GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.body).toContain('fetch("/openapi.json")');
    // No scripts, styles or fonts from elsewhere: every URL in the page is relative.
    expect(page.body).not.toMatch(/(src|href)=["']?https?:/);
    expect(page.body).not.toMatch(/@import|cdn\./i);
  });
});

// The OpenAPI document and the API reference page (/docs).
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

  it("serves the API reference page from the worker's own files, configured to call nothing outside", async () => {
    const page = await api(null, "GET", "/docs");
    expectStatus(page, 200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // No scripts, styles or fonts from elsewhere: every URL in the page is relative.
    expect(page.body).not.toMatch(/(src|href)=["']?https?:/);
    const script = page.body.match(/<script src="(\/assets\/scalar-api-reference\.[\d.]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const configuration = JSON.parse(
      page.body.match(/data-configuration="([^"]+)"/)?.[1]?.replaceAll("&quot;", '"') ?? "{}",
    );
    expect(configuration).toMatchObject({
      url: "/openapi.json",
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
    });
    expect(configuration).not.toHaveProperty("proxyUrl");
    // Only this page may have inline styles (Scalar injects them); scripts stay this origin's.
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");

    const asset = await api(null, "GET", script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(String(asset.body).length).toBeGreaterThan(1_000_000);
  });
});

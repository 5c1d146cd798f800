// The closed catalogue of problem types (src/lib/problems.ts): the README's table and the OpenAPI
// document say exactly what it holds, ApiError accepts nothing else, and a body that is not JSON is
// its documented 400.
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { ApiError } from "../../src/lib/errors";
import { PROBLEM_LIST, PROBLEMS, type ProblemEntry, problemUrn } from "../../src/lib/problems";
import { api, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { resolveSchema } from "../helpers/openapi";

type Operation = {
  requestBody?: unknown;
  parameters?: { name: string; in: string; example?: string; schema?: { example?: string } }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
};

async function operations() {
  const doc = await api(null, "GET", "/openapi.json");
  expectStatus(doc, 200);
  const paths = doc.body.paths as Record<string, Record<string, Operation>>;
  const list = Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op, name: `${method.toUpperCase()} ${path}` })),
  );
  return { doc: doc.body, list };
}

/** The rows of the README's table under "### Errors", as [type, status, title, when, retry]. */
function readmeErrorRows(): string[][] {
  const lines = readme.slice(readme.indexOf("\n### Errors\n")).split("\n");
  const header = lines.findIndex((line) => line.startsWith("| type |"));
  expect(header).toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(" | ")
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

function expectedRow(problem: ProblemEntry): string[] {
  const retry = problem.retryAfterSeconds ? `yes (\`Retry-After: ${problem.retryAfterSeconds}\`)` : "yes";
  return [`\`${problem.type}\``, String(problem.status), problem.title, problem.when, problem.retryable ? retry : "—"];
}

const byType = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);

describe("problem catalogue", () => {
  it(`holds each type once, with the retry rule the README states: every 5xx and 429 retryable, \
429s after 60 s`, () => {
    const types = PROBLEM_LIST.map((problem) => problem.type);
    expect(new Set(types).size).toBe(types.length);
    for (const problem of PROBLEM_LIST as readonly ProblemEntry[]) {
      expect(problem.type, problem.type).toMatch(/^[a-z]+(-[a-z]+)*$/);
      if (problem.status >= 500 || problem.status === 429) expect(problem.retryable, problem.type).toBe(true);
      if (problem.status === 429) expect(problem.retryAfterSeconds, problem.type).toBe(60);
      if (problem.retryAfterSeconds !== undefined) expect(problem.retryable, problem.type).toBe(true);
    }
  });

  it("is what ApiError takes: the problem's type, status and title come from the entry only", () => {
    const teapot = { type: "teapot", status: 418, title: "Teapot", when: "never", retryable: false } as const;
    // @ts-expect-error a type, status and title made up where the error is thrown are not an entry
    const madeUp = () => new ApiError(teapot);
    expect(madeUp).toBeTypeOf("function");
    const error = new ApiError(PROBLEMS.lastApiKey, "Create another first.");
    expect(error.toProblem("/v1/api-keys/key_1")).toEqual({
      type: "urn:edgeref:problem:last-api-key",
      title: "Conflict",
      status: 409,
      detail: "Create another first.",
      instance: "/v1/api-keys/key_1",
    });
    expect([error.status, error.retryable, new ApiError(PROBLEMS.clickPending).retryable]).toEqual([409, false, true]);
  });

  it("is the README's error table, row for row, both ways", () => {
    const rows = readmeErrorRows();
    expect(rows.sort(byType)).toEqual(PROBLEM_LIST.map(expectedRow).sort(byType));
  });
});

describe("problems in the OpenAPI document", () => {
  it("enumerates every type in the Problem schema and documents each under its status on some route", async () => {
    const { doc, list } = await operations();
    const problemSchema = resolveSchema(doc, doc.components?.schemas?.Problem);
    const typeSchema = resolveSchema(doc, problemSchema?.properties?.type);
    expect([...(typeSchema?.enum ?? [])].sort()).toEqual(PROBLEM_LIST.map(problemUrn).sort());
    for (const problem of PROBLEM_LIST) {
      const documented = list.some(({ op }) =>
        op.responses[problem.status]?.description.includes(`\`${problem.type}\``),
      );
      expect(documented, `${problem.status} ${problem.type}`).toBe(true);
    }
  });

  it("gives every route the common error responses as problems, and every POST its 409", async () => {
    const { list } = await operations();
    expect(list.length).toBeGreaterThanOrEqual(31);
    for (const { method, op, name } of list) {
      for (const status of ["400", "401", "404", "413", "422", "429"])
        expect(op.responses[status], `${name} ${status}`).toBeDefined();
      // Idempotency-Key: a retry while the first request runs is `409 idempotency-key-in-progress`.
      if (method === "post") expect(op.responses["409"], name).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual(["application/problem+json"]);
        expect(response.content!["application/problem+json"]!.schema.$ref, `${name} ${status}`).toBe(
          "#/components/schemas/Problem",
        );
      }
    }
  });
});

describe("a body that is not JSON", () => {
  it("is a 400 bad-request problem on every route that takes a body, and writes nothing", async () => {
    const { list } = await operations();
    const t = await newTenant();
    // The partner API's routes are called with a partner's credential.
    await api(t.key, "POST", "/v1/groups", { name: "G", destination_url: "https://acme.example/" });
    const partner = await api(t.key, "POST", "/v1/partners", {
      email: "p@example.com",
      first_name: "P",
      last_name: "Q",
    });
    expectStatus(partner, 201);
    const credential = await api(t.key, "POST", `/v1/partners/${partner.body.id}/credentials`, { name: "p" });
    expectStatus(credential, 201);
    const keyFor = (path: string) => (path.startsWith("/partner/") ? credential.body.secret! : t.key);
    const withBody = list.filter(({ op }) => op.requestBody);
    expect(withBody.map(({ method }) => method).sort()).toEqual(expect.arrayContaining(["patch", "post", "put"]));
    const before = await tableSnapshot();
    for (const { path, method, op, name } of withBody) {
      const url = (op.parameters ?? [])
        .filter((param) => param.in === "path")
        .reduce((at, param) => at.replace(`{${param.name}}`, String(param.schema?.example ?? param.example)), path);
      const r = await api(keyFor(path), method.toUpperCase(), url, '{"name": "Acme",');
      expect(r.status, name).toBe(400);
      expect(r.headers.get("content-type"), name).toBe("application/problem+json");
      expect(r.body, name).toMatchObject({ type: problemUrn(PROBLEMS.badRequest), title: "Bad request", status: 400 });
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { seedDemoCompany } from "../src/demo/seed";

it("redirects a demo link", async () => {
  const demo = await seedDemoCompany(env);
  const res = await exports.default.fetch(`http://localhost/${demo.slugs[0]!.slug}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  console.log(res.headers.get("location"), res.headers.get("set-cookie"));
});

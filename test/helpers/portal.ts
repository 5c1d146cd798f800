// Fixtures of the partner portal's tests: a company whose group takes leads and deals, its partners,
// and a browser signed in as one of them through a real sign-in link.
import { expect } from "vitest";
import { api, bodyOf, expectStatus, newTenant } from "./admin";
import { csrfOf, TestBrowser } from "./pages";

const unique = () => crypto.randomUUID().slice(0, 8);

export async function portalProgram(name = "Acme") {
  const t = await newTenant("enterprise", name);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  for (const kind of ["lead", "deal"] as const)
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/${kind}`, { enabled: true }), 200);
  return { ...t, group, base: `/portal/${t.company.slug}` };
}
export type PortalProgram = Awaited<ReturnType<typeof portalProgram>>;

export async function addPortalPartner(t: PortalProgram, firstName = "Pat", groupId = t.group.id) {
  const n = unique();
  return bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: `${firstName.toLowerCase().replace(/[^a-z]/g, "") || "p"}.${n}@example.com`,
      first_name: firstName,
      last_name: `Partner ${n}`,
      group_id: groupId,
    }),
    201,
  );
}

/** A sign-in link from the admin API: its path on the portal and its token. */
export async function signInLink(t: PortalProgram, partnerId: string) {
  const { url } = bodyOf(await api(t.key, "POST", `/v1/partners/${partnerId}/sign-in-links`), 201);
  const path = new URL(url!).pathname;
  return { url: url!, path, token: path.slice(path.lastIndexOf("/") + 1) };
}

/** Opens a sign-in link and presses its button: the browser then holds the partner's session. */
export async function signIn(t: PortalProgram, partnerId: string, browser = new TestBrowser()) {
  const link = await signInLink(t, partnerId);
  const landing = await browser.get(link.path);
  expect(landing.status).toBe(200);
  const signedIn = await browser.post(link.path, {}, csrfOf(landing.html));
  expect(signedIn.status, signedIn.html).toBe(303);
  expect(signedIn.headers.get("location")).toBe(t.base);
  return browser;
}

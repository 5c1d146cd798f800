// Lead pipelines: custom stages (add, rename, reorder, remove when empty) and the company moving
// leads between them, each move recorded (who, when, from, to).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fieldsOf = (r: { errors?: { field: string }[] }) => r.errors?.map((e) => e.field);

async function program() {
  const t = await newTenant("enterprise");
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/lead`, { enabled: true }), 200);
  const n = crypto.randomUUID().slice(0, 8);
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: `p${n}@example.com`, first_name: "P", last_name: n }),
    201,
  );
  const secret = bodyOf(await api(t.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "p" }), 201).secret!;
  const pipeline = `/v1/groups/${group.id}/pipelines/lead` as const;
  const submit = async () =>
    bodyOf(
      await api(secret, "POST", "/partner/v1/leads", {
        values: { company_name: "Globex", contact_name: "Hank", contact_email: "hank@globex.example" },
      }),
      201,
    );
  const stages = async () => bodyOf(await api(t.key, "GET", pipeline), 200).stages;
  return { ...t, group, partner, secret, pipeline, submit, stages };
}

const names = (stages: { name: string }[]) => stages.map((s) => s.name);

describe("lead pipeline stages", () => {
  it("starts with the default stages; adds, renames and reorders them", async () => {
    const p = await program();
    const start = bodyOf(await api(p.key, "GET", p.pipeline), 200);
    expect(start).toMatchObject({ object: "pipeline", group_id: p.group.id, kind: "lead", final_stage: null });
    expect(names(start.stages)).toEqual(["New", "Contacted", "Qualified", "Converted", "Disqualified"]);
    expect(start.stages.map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);

    const added = await api(p.key, "POST", `${p.pipeline}/stages`, { name: " Demo booked ", position: 3 });
    expectStatus(added, 201);
    expect(added.body).toMatchObject({ object: "stage", kind: "lead", name: "Demo booked", position: 3, entries: 0 });
    const atEnd = bodyOf(await api(p.key, "POST", `${p.pipeline}/stages`, { name: "Nurture" }), 201);
    expect(atEnd.position).toBe(7);
    expect(names(await p.stages())).toEqual([
      "New",
      "Contacted",
      "Demo booked",
      "Qualified",
      "Converted",
      "Disqualified",
      "Nurture",
    ]);

    const renamed = await api(p.key, "PATCH", `${p.pipeline}/stages/${added.body.id}`, { name: "Demo done" });
    expectStatus(renamed, 200);
    expect(renamed.body.name).toBe("Demo done");
    const moved = bodyOf(await api(p.key, "PATCH", `${p.pipeline}/stages/${atEnd.id}`, { position: 1 }), 200);
    expect(moved.position).toBe(1);
    expect(names(await p.stages())).toEqual([
      "Nurture",
      "New",
      "Contacted",
      "Demo done",
      "Qualified",
      "Converted",
      "Disqualified",
    ]);
    // New leads start in the first stage.
    expect((await p.submit()).stage.name).toBe("Nurture");
  });

  it("names are unique in a pipeline (in any letter case); bad input writes nothing", async () => {
    const p = await program();
    const before = await tableSnapshot();
    const dup = await api(p.key, "POST", `${p.pipeline}/stages`, { name: "qualified" });
    expectStatus(dup, 422);
    expect(fieldsOf(dup.body)).toEqual(["name"]);
    const [first, second] = await p.stages();
    const rename = await api(p.key, "PATCH", `${p.pipeline}/stages/${second!.id}`, { name: "NEW" });
    expectStatus(rename, 422);
    expect(fieldsOf(rename.body)).toEqual(["name"]);
    const bad = await api(p.key, "POST", `${p.pipeline}/stages`, { name: "", position: 0, colour: "red" });
    expectStatus(bad, 422);
    expect(fieldsOf(bad.body)?.sort()).toEqual(["colour", "name", "position"]);
    // A stage of the deal pipeline is not one of the lead pipeline's.
    const dealStage = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/pipelines/deal`), 200).stages[0]!;
    expectStatus(await api(p.key, "PATCH", `${p.pipeline}/stages/${dealStage.id}`, { name: "X" }), 404);
    expect(first!.name).toBe("New");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("removes a stage only when empty: 409 stage-not-empty while a lead is in it; the first stage stays", async () => {
    const p = await program();
    const lead = await p.submit();
    const [newStage, contacted] = await p.stages();
    const before = await tableSnapshot();
    const refused = await api(p.key, "DELETE", `${p.pipeline}/stages/${newStage!.id}`);
    expectStatus(refused, 409);
    expect(problemType(refused)).toBe("stage-not-empty");
    expect(await tableSnapshot()).toEqual(before);
    expect((await p.stages())[0]).toMatchObject({ name: "New", entries: 1 });

    expectStatus(await api(p.key, "POST", `/v1/leads/${lead.id}/move`, { stage_id: contacted!.id }), 200);
    const removed = await api(p.key, "DELETE", `${p.pipeline}/stages/${newStage!.id}`);
    expectStatus(removed, 200);
    expect(removed.body).toEqual({ id: newStage!.id, object: "stage", deleted: true });
    expect(names(await p.stages())).toEqual(["Contacted", "Qualified", "Converted", "Disqualified"]);
    expectStatus(await api(p.key, "DELETE", `${p.pipeline}/stages/${newStage!.id}`), 404);
    // The lead's history still names the stage it came from.
    const history = bodyOf(await api(p.key, "GET", `/v1/leads/${lead.id}`), 200).history!;
    expect(history.map((m) => [m.from_stage?.name ?? null, m.to_stage.name])).toEqual([
      [null, "New"],
      ["New", "Contacted"],
    ]);

    for (const stage of (await p.stages()).slice(1))
      expectStatus(await api(p.key, "DELETE", `${p.pipeline}/stages/${stage.id}`), 200);
    const last = await api(p.key, "DELETE", `${p.pipeline}/stages/${contacted!.id}`);
    expectStatus(last, 409);
    expect(problemType(last)).toBe("stage-required");
  });
});

describe("moving leads", () => {
  it("the company moves a lead between stages; each move is in its history: who, when, from, to", async () => {
    const p = await program();
    const lead = await p.submit();
    const [, contacted, qualified] = await p.stages();
    const first = await api(p.key, "POST", `/v1/leads/${lead.id}/move`, { stage_id: qualified!.id });
    expectStatus(first, 200);
    expect(first.body.stage).toEqual({ id: qualified!.id, name: "Qualified", is_final: false });
    const back = bodyOf(await api(p.key, "POST", `/v1/leads/${lead.id}/move`, { stage_id: contacted!.id }), 200);
    // A stage renamed afterwards: the history keeps the names of the time.
    await api(p.key, "PATCH", `${p.pipeline}/stages/${qualified!.id}`, { name: "Sales qualified" });
    const read = bodyOf(await api(p.key, "GET", `/v1/leads/${lead.id}`), 200);
    expect(read.stage.name).toBe("Contacted");
    expect(
      read.history!.map((m) => ({ from: m.from_stage?.name ?? null, to: m.to_stage.name, by: m.moved_by })),
    ).toEqual([
      { from: null, to: "New", by: { kind: "partner", id: p.partner.id } },
      { from: "New", to: "Qualified", by: { kind: "company", id: p.keyId } },
      { from: "Qualified", to: "Contacted", by: { kind: "company", id: p.keyId } },
    ]);
    const times = read.history!.map((m) => Date.parse(m.moved_at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(back.updated_at >= lead.updated_at).toBe(true);
    // The partner sees where its lead is.
    expect(bodyOf(await api(p.secret, "GET", `/partner/v1/leads/${lead.id}`), 200).stage.name).toBe("Contacted");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM stage_moves WHERE entry_id = ?")
      .bind(lead.id)
      .first("n");
    expect(rows).toBe(3);
  });

  it("to its own stage: nothing changes; to a stage of another pipeline or a removed one: 422", async () => {
    const p = await program();
    const lead = await p.submit();
    const [newStage, , , , disqualified] = await p.stages();
    const before = await tableSnapshot();
    const same = await api(p.key, "POST", `/v1/leads/${lead.id}/move`, { stage_id: newStage!.id });
    expectStatus(same, 200);
    expect(same.body.history).toHaveLength(1);
    expect(await tableSnapshot()).toEqual(before);

    const dealStage = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/pipelines/deal`), 200).stages[0]!;
    expectStatus(await api(p.key, "DELETE", `${p.pipeline}/stages/${disqualified!.id}`), 200);
    const after = await tableSnapshot();
    for (const stageId of [dealStage.id, disqualified!.id, "stg_nope"]) {
      const r = await api(p.key, "POST", `/v1/leads/${lead.id}/move`, { stage_id: stageId });
      expectStatus(r, 422);
      expect(fieldsOf(r.body)).toEqual(["stage_id"]);
    }
    expect(await tableSnapshot()).toEqual(after);
  });

  it("lists leads by stage", async () => {
    const p = await program();
    const [a, b] = [await p.submit(), await p.submit()];
    const [, contacted] = await p.stages();
    await api(p.key, "POST", `/v1/leads/${b.id}/move`, { stage_id: contacted!.id });
    const inContacted = bodyOf(await api(p.key, "GET", `/v1/leads?stage_id=${contacted!.id}`), 200);
    expect(inContacted.data.map((l) => l.id)).toEqual([b.id]);
    expect(inContacted.data[0]!.history).toBeUndefined();
    const inGroup = bodyOf(await api(p.key, "GET", `/v1/leads?group_id=${p.group.id}&limit=1`), 200);
    expect(inGroup.data.map((l) => l.id)).toEqual([a.id]);
    expect(inGroup.has_more).toBe(true);
  });
});

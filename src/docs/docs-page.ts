// `/docs`: an interactive page over `/openapi.json`, self-contained (no CDN, works offline).
// Lists every operation with its parameters and examples, and can send a request with your key.
export function docsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>edgeref admin API</title>
<style>
  body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
  header{background:#1d1d1f;color:#fff;padding:1rem 2rem}
  header input{width:28rem;max-width:60vw;font:inherit;padding:.3rem .5rem;border-radius:4px;border:0}
  main{max-width:60rem;margin:0 auto;padding:1rem 2rem}
  h2{margin-top:2rem;border-bottom:1px solid #ddd}
  details{background:#fff;border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.5rem 1rem}
  summary{cursor:pointer}
  .method{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}
  .get{color:#0a7d32}.post{color:#0b57d0}.patch{color:#a05a00}.delete{color:#b3261e}
  code,pre,textarea{font-family:ui-monospace,monospace;font-size:13px}
  pre{background:#f3f3f3;padding:.5rem;overflow:auto}
  textarea{width:100%;min-height:8rem}
  label{display:block;margin:.3rem 0}
  label input{font:inherit;padding:.2rem .4rem;width:24rem;max-width:70%}
  button{font:inherit;padding:.3rem 1rem;cursor:pointer}
</style>
</head>
<body>
<header>
  <strong>edgeref admin API</strong> ·
  <label style="display:inline">API key
    <input id="key" type="password" placeholder="sk_live_…" autocomplete="off"></label>
  <a href="/openapi.json" style="color:#9cf;margin-left:1rem">openapi.json</a>
</header>
<main id="main"><p>Loading the API description…</p></main>
<script>
const keyInput = document.getElementById("key");
keyInput.value = sessionStorage.getItem("edgeref-key") || "";
keyInput.addEventListener("input", () => sessionStorage.setItem("edgeref-key", keyInput.value));
const escapes = {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => escapes[c]);

function exampleOf(schema, doc) {
  if (!schema) return undefined;
  if (schema.$ref) schema = doc.components.schemas[schema.$ref.split("/").pop()];
  return schema.example;
}

function render(doc) {
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      (byTag[(op.tags || ["Other"])[0]] ||= []).push({ path, method, op });
    }
  }
  const main = document.getElementById("main");
  main.innerHTML = '<p>' + esc(doc.info.description || "") + '</p>';
  for (const [tag, ops] of Object.entries(byTag)) {
    main.insertAdjacentHTML("beforeend", "<h2>" + esc(tag) + "</h2>");
    for (const { path, method, op } of ops) main.appendChild(operation(doc, path, method, op));
  }
}

function operation(doc, path, method, op) {
  const el = document.createElement("details");
  const params = (op.parameters || []);
  const body = op.requestBody && op.requestBody.content["application/json"];
  const bodyExample = body && exampleOf(body.schema, doc);
  const responses = Object.entries(op.responses || {}).map(([status, r]) => {
    const content = r.content && (r.content["application/json"] || r.content["application/problem+json"]);
    const ex = content && exampleOf(content.schema, doc);
    return "<li><code>" + esc(status) + "</code> " + esc(r.description || "") +
      (ex ? "<pre>" + esc(JSON.stringify(ex, null, 2)) + "</pre>" : "") + "</li>";
  }).join("");
  el.innerHTML =
    "<summary><span class='method " + method + "'>" + method.toUpperCase() + "</span> " +
    "<code>" + esc(path) + "</code> — " + esc(op.summary || "") + "</summary>" +
    (op.description ? "<p>" + esc(op.description) + "</p>" : "") +
    (params.length ? "<h4>Parameters</h4>" + params.map((p) =>
      "<label><code>" + esc(p.name) + "</code> (" + esc(p.in) + ") " +
      "<input data-in='" + esc(p.in) + "' data-name='" + esc(p.name) + "' " +
      "value='" + esc(p.example ?? (p.schema && p.schema.example) ?? "") + "'></label>").join("") : "") +
    (body ? "<h4>Body</h4><textarea>" + esc(JSON.stringify(bodyExample ?? {}, null, 2)) + "</textarea>" : "") +
    "<p><button>Send</button></p><pre class='out' hidden></pre>" +
    "<h4>Responses</h4><ul>" + responses + "</ul>";
  el.querySelector("button").addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const input of el.querySelectorAll("input[data-name]")) {
      if (input.dataset.in === "path") {
        url = url.replace("{" + input.dataset.name + "}", encodeURIComponent(input.value));
      } else if (input.value) query.set(input.dataset.name, input.value);
    }
    if ([...query].length) url += "?" + query;
    const init = { method: method.toUpperCase(), headers: { authorization: "Bearer " + keyInput.value } };
    const textarea = el.querySelector("textarea");
    if (textarea) { init.headers["content-type"] = "application/json"; init.body = textarea.value; }
    const out = el.querySelector(".out");
    out.hidden = false;
    out.textContent = "…";
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
      out.textContent = res.status + " " + res.statusText + "\\n\\n" + shown;
    } catch (error) { out.textContent = String(error); }
  });
  return el;
}

fetch("/openapi.json").then((r) => r.json()).then(render).catch((e) => {
  document.getElementById("main").textContent = "Could not load /openapi.json: " + e;
});
</script>
</body>
</html>`;
}

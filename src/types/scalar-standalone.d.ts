// Scalar's API reference as one browser script, imported as text (a `Text` module rule in
// wrangler.toml, a text loader in scripts/workerd-bundle.mjs) so the admin worker serves it itself.
declare module "*/api-reference/dist/browser/standalone.js" {
  const script: string;
  export default script;
}

// CSS files are imported as text (a `Text` module rule in wrangler.toml, an esbuild text loader in
// scripts/workerd-bundle.mjs): the admin worker serves them itself (src/web/assets.ts).
declare module "*.css" {
  const text: string;
  export default text;
}

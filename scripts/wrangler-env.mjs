// Environment that keeps wrangler offline and quiet: no Cloudflare account is needed locally.
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? ".xdg",
};

// How the console writes numbers, money and times: fixed formats (en-US numbers, US dollars, UTC),
// so a page reads the same wherever the worker runs.
const numbers = new Intl.NumberFormat("en-US");
const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const dateTimes = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dates = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export const formatCount = (n: number) => numbers.format(n);
export const formatUsd = (cents: number) => dollars.format(cents / 100);
export const formatDateTime = (ms: number) => `${dateTimes.format(new Date(ms))} UTC`;
export const formatDate = (ms: number) => dates.format(new Date(ms));
export const isoOf = (ms: number) => new Date(ms).toISOString();

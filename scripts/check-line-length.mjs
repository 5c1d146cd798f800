// Lines of code are at most 120 characters (Biome's formatter wraps code at that width, but not
// strings or comments). Generated files (migrations, the lock file) are not checked.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 120;
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => /\.(ts|tsx|mjs|js|json)$/.test(file))
  .filter((file) => !file.startsWith("migrations/") && file !== "package-lock.json");

/** @type {string[]} */
const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // deleted in the work tree
  }
  text.split("\n").forEach((line, index) => {
    if (line.length > MAX) long.push(`${file}:${index + 1}: ${line.length} characters`);
  });
}
if (long.length) {
  console.error(`Lines over ${MAX} characters:\n${long.join("\n")}`);
  process.exit(1);
}
console.log(`✓ no line over ${MAX} characters in ${files.length} files`);

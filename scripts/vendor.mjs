// Copies the browser library the HTML view inlines into the Python package's data folder
// (src/actionkg/vendor/, git-ignored), so editable installs and wheels both find it.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cytoscape = join(root, "node_modules", "cytoscape");
const source = join(cytoscape, "dist", "cytoscape.min.js");
if (!existsSync(source)) {
  console.error(`missing ${source}: run "npm ci" first`);
  process.exit(1);
}
const target = join(root, "src", "actionkg", "vendor");
mkdirSync(target, { recursive: true });
copyFileSync(source, join(target, "cytoscape.min.js"));
copyFileSync(join(cytoscape, "LICENSE"), join(target, "cytoscape.LICENSE"));
console.log(`vendored cytoscape -> ${target}`);

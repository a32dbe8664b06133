// Refreshes the browser libraries the HTML view inlines, which are committed in the package
// (src/actionkg/vendor/) so that `pip install` needs no Node.js. Run after changing package.json:
//   npm install && npm run vendor     (tests/test_vendor.py checks the copies match node_modules)
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "actionkg", "vendor");
// [npm package, its browser build]; the order is the order the page loads them in (html_view.py)
export const LIBRARIES = [
  ["cytoscape", "dist/cytoscape.min.js"],
  ["layout-base", "layout-base.js"],
  ["cose-base", "cose-base.js"],
  ["cytoscape-fcose", "cytoscape-fcose.js"],
];

const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
mkdirSync(target, { recursive: true });
for (const [name, file] of LIBRARIES) {
  const dir = join(root, "node_modules", name);
  const source = join(dir, file);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run "npm ci" first`);
    process.exit(1);
  }
  const installed = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  const locked = lock.packages[`node_modules/${name}`]?.version;
  if (installed !== locked) {
    console.error(`${name} ${installed} is installed but the lock file says ${locked}: run "npm ci" first`);
    process.exit(1);
  }
  const base = file.split("/").pop().replace(/\.min\.js$|\.js$/, "");
  copyFileSync(source, join(target, file.split("/").pop()));
  copyFileSync(join(dir, "LICENSE"), join(target, `${base}.LICENSE`));
  console.log(`vendored ${name} ${installed}`);
}

// Refreshes the browser libraries actionkg ships, which are committed in the package (src/actionkg/vendor/)
// so that `pip install` needs no Node.js: cytoscape and its layout (inlined into the HTML view), MiniSearch
// (the published site's offline search) and YASGUI (the query page of `actionkg serve`).
// Run after changing package.json:
//   npm install && npm run vendor     (tests/test_vendor.py checks the copies match node_modules)
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "actionkg", "vendor");
// [npm package, its browser build, the shipped name, the shipped licence's name, the package's licence file];
// the cytoscape rows are in the order the HTML view loads them (html_view.py)
export const LIBRARIES = [
  ["cytoscape", "dist/cytoscape.min.js", "cytoscape.min.js", "cytoscape.LICENSE", "LICENSE"],
  ["layout-base", "layout-base.js", "layout-base.js", "layout-base.LICENSE", "LICENSE"],
  ["cose-base", "cose-base.js", "cose-base.js", "cose-base.LICENSE", "LICENSE"],
  ["cytoscape-fcose", "cytoscape-fcose.js", "cytoscape-fcose.js", "cytoscape-fcose.LICENSE", "LICENSE"],
  ["minisearch", "dist/umd/index.js", "minisearch.js", "minisearch.LICENSE", "LICENSE.txt"],
  ["@zazuko/yasgui", "build/yasgui.min.js", "yasgui.min.js", "yasgui.LICENSE", null],
  ["@zazuko/yasgui", "build/yasgui.min.css", "yasgui.min.css", "yasgui.LICENSE", null],
];

// The npm package of YASGUI ships no licence file: this is the LICENSE of its repository
// (https://github.com/zazuko/Yasgui), MIT as its package.json says.
const YASGUI_LICENCE = `The MIT License (MIT)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
`;
// The packages yasgui.min.js bundles (read from the "sources" of its source map, yasgui.min.js.map);
// their licences travel with it in yasgui.LICENSE
export const YASGUI_BUNDLES = [
  "@zazuko/yasgui-utils", "@zazuko/yasqe", "@zazuko/yasr", "@fortawesome/free-solid-svg-icons",
  "@json2csv/formatters", "@json2csv/plainjs", "@tarekraafat/autocomplete.js", "autosuggest-highlight",
  "base64-js", "buffer", "codemirror", "column-resizer", "datatables.net", "decode-uri-component", "dompurify",
  "events", "filter-obj", "ieee754", "jquery", "jsuri", "lodash-es", "n3", "papaparse", "query-string",
  "sortablejs", "split-on-first", "store", "strict-uri-encode",
];
const LICENCE_FILES = ["LICENSE", "LICENSE.txt", "LICENSE.md", "License.txt", "license", "LICENSE-MPL"];

function packageDir(name) {
  return join(root, "node_modules", name);
}

function version(name) {
  const installed = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8"));
  return [installed.version, installed.license];
}

function yasguiLicence() {
  const [yasgui] = version("@zazuko/yasgui");
  const parts = [
    `@zazuko/yasgui ${yasgui} (https://github.com/zazuko/Yasgui): the LICENSE of its repository\n\n${YASGUI_LICENCE}`,
    "yasgui.min.js and yasgui.min.css bundle the packages below; each one's licence, as npm installs it, follows.\n",
  ];
  for (const name of YASGUI_BUNDLES) {
    const [installed, licence] = version(name);
    const files = LICENCE_FILES.filter((f) => existsSync(join(packageDir(name), f)));
    const texts = files.map((f) => readFileSync(join(packageDir(name), f), "utf8").trimEnd() + "\n");
    const said = texts.length ? "" : `(the package ships no licence file; its package.json says ${licence})\n`;
    parts.push(`==== ${name} ${installed} (${licence ?? "see below"}) ====\n${said}${texts.join("\n")}`);
  }
  return parts.join("\n");
}

const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
mkdirSync(target, { recursive: true });
for (const [name, file, shipped, licenceName, licenceFile] of LIBRARIES) {
  const source = join(packageDir(name), file);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run "npm ci" first`);
    process.exit(1);
  }
  const [installed] = version(name);
  const locked = lock.packages[`node_modules/${name}`]?.version;
  if (installed !== locked) {
    console.error(`${name} ${installed} is installed but the lock file says ${locked}: run "npm ci" first`);
    process.exit(1);
  }
  copyFileSync(source, join(target, shipped));
  if (licenceFile) {
    copyFileSync(join(packageDir(name), licenceFile), join(target, licenceName));
  } else {
    writeFileSync(join(target, licenceName), yasguiLicence());
  }
  console.log(`vendored ${name} ${installed}: ${shipped}`);
}

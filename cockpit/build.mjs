// Builds the Cockpit page into dist/ with esbuild (React + PatternFly, one script and one stylesheet, PatternFly's
// fonts beside them), and records in dist/BUILT-FROM the digest of every input, so a test can tell a dist/ that
// was not rebuilt after a source change. dist/ is kept in git, as Cockpit's own release tarballs ship theirs: a
// host installing vfioctl needs neither npm nor the registry. Rebuild: npm ci && npm run build
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { inputDigest } from "./input-digest.mjs";
import { template } from "./po/template.mjs";

const here = new URL(".", import.meta.url).pathname;
rmSync(here + "dist", { recursive: true, force: true });
mkdirSync(here + "dist");
// Both scripts: bundled, minified, for the browsers Cockpit supports.
const bundled = { bundle: true, minify: true, target: ["es2020"], logLevel: "warning" };
await esbuild.build({
    ...bundled,
    entryPoints: [here + "src/index.jsx"],
    legalComments: "linked",
    outdir: here + "dist",
    loader: { ".woff2": "file", ".woff": "file", ".js": "jsx" },
    assetNames: "fonts/[name]-[hash]",
    define: { "process.env.NODE_ENV": '"production"' },
});
// A plain script of its own, loaded before the bundle: it starts the first reads (src/early.js).
await esbuild.build({ ...bundled, entryPoints: [here + "src/early.js"], format: "iife", outfile: here + "dist/early.js" });
copyFileSync(here + "src/index.html", here + "dist/index.html");
// esbuild writes a legal-comments file per output, an empty one for the stylesheet.
for (const name of readdirSync(here + "dist"))
    if (name.endsWith(".LEGAL.txt") && statSync(here + "dist/" + name).size === 0)
        rmSync(here + "dist/" + name);
writeFileSync(here + "dist/BUILT-FROM", inputDigest(here) + "\n");
writeFileSync(here + "po/vfioctl.pot", template(here));

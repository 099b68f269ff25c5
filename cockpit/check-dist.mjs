// Fails when dist/ was not rebuilt after a change to what it is built from (see build.mjs).
import { readFileSync } from "node:fs";
import { inputDigest } from "./input-digest.mjs";
import { template } from "./po/template.mjs";

const here = new URL(".", import.meta.url).pathname;
const built = readFileSync(here + "dist/BUILT-FROM", "utf8").trim();
const now = inputDigest(here);
if (built !== now) {
    console.error(`cockpit/dist is stale: built from ${built}, sources are ${now}; run: cd cockpit && npm ci && npm run build`);
    process.exit(1);
}
if (readFileSync(here + "po/vfioctl.pot", "utf8") !== template(here)) {
    console.error("cockpit/po/vfioctl.pot is stale: run: cd cockpit && npm run build");
    process.exit(1);
}
console.log(`cockpit/dist is built from the current sources (${now}), and po/vfioctl.pot from the same`);

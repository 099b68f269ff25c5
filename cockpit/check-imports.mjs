// Every PatternFly component reaches the page through src/patternfly.js, each from its own module: a source that
// imports a PatternFly package's index brings the stylesheet of every component in it (esbuild keeps the CSS of each
// module it bundles), and the page parses and matches that on every load. Also checks the built stylesheet carries
// no component the page does not draw. Exits 1 with what is wrong.
import { readFileSync, readdirSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const problems = [];
for (const name of readdirSync(here + "src").filter(name => /\.jsx?$/.test(name) && name !== "patternfly.js")) {
    const text = readFileSync(here + "src/" + name, "utf8");
    for (const match of text.matchAll(/from\s+"(@patternfly\/react-[a-z]+)(\/[^"]*)?"/g))
        problems.push(`src/${name} imports ${match[1]}${match[2] || ""}; import it through src/patternfly.js`);
}
const stylesheet = readFileSync(here + "dist/index.css", "utf8");
for (const unused of ["pf-v5-c-progress-stepper", "pf-v5-c-data-list", "pf-v5-c-tabs", "pf-v5-c-tree-view"])
    if (stylesheet.includes("." + unused + "{"))
        problems.push(`dist/index.css carries ${unused}, which the page does not draw`);
if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
}
console.log("PatternFly reaches the page through src/patternfly.js only; the stylesheet is the drawn components'");

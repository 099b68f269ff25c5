// `vfioctl list --json` read while it arrives. The listing writes one device object a line (docs/JSON.md), so every
// whole line is parsed as soon as the bridge hands it over, and when vfioctl ends only the last piece is left to
// parse. Text in any other layout is parsed whole at the end, so the answer is always JSON.parse's.
// `parsed(type, devices)`, if given, is handed each batch of devices as it is parsed (type: "pci", "usb"...), so that
// what is made of them can be made while the rest arrives.

const SECTION = /^ {2}"([a-z]+)": \[(\])?,?$/;
const LAYOUT = new Set(["{", "  ],", "  ]", "}", "{}"]);

export function listingReader(parsed = null) {
    const listing = {};
    const chunks = [];
    let type = null;
    let section = null;
    let rest = "";
    let ended = false;
    let otherLayout = false;

    function parseDevices(lines) {
        if (lines.length === 0)
            return;
        if (!section)
            throw new SyntaxError("a device outside a section");
        const devices = JSON.parse("[" + lines.join(",") + "]");
        for (const device of devices)
            section.push(device);
        lines.length = 0;
        if (parsed)
            parsed(type, devices);
    }

    function readLines(lines) {
        const devices = [];
        for (const line of lines) {
            if (line.startsWith("    {")) {
                devices.push(line.endsWith(",") ? line.slice(0, -1) : line);
                continue;
            }
            parseDevices(devices);
            const start = SECTION.exec(line);
            if (start) {
                type = start[1];
                section = listing[type] = [];
            }
            else if (LAYOUT.has(line))
                ended = line === "}" || line === "{}";
            else
                throw new SyntaxError("not the listing's layout");
        }
        parseDevices(devices);
    }

    function read(text) {
        try {
            readLines(text.split("\n"));
        } catch (error) {
            otherLayout = true;
        }
    }

    return {
        feed(chunk) {
            chunks.push(chunk);
            if (otherLayout)
                return;
            const text = rest + chunk;
            const last = text.lastIndexOf("\n");
            rest = last < 0 ? text : text.slice(last + 1);
            if (last >= 0)
                read(text.slice(0, last));
        },
        end() {
            if (!otherLayout && rest !== "")
                read(rest);
            return otherLayout || !ended ? JSON.parse(chunks.join("")) : listing;
        },
    };
}

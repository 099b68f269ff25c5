// The table's rows from `vfioctl list --type all --json` and `vfioctl status --json`: every PCI function, in IOMMU
// group order, each followed by the USB devices, SCSI LUNs, NICs and disks below it. Nothing is decided here: the
// eligibility, its reasons, the holders and the original drivers are vfioctl's, only laid out.

/* global cockpit */

const _ = cockpit.gettext;

export const TYPES = ["pci", "usb", "scsi", "net", "block"];

function holderText(holder) {
    return holder.in_live ? cockpit.format(_("$0 ($1)"), holder.vm, holder.state)
        : cockpit.format(_("$0 ($1, in its definition)"), holder.vm, holder.state);
}

// What a search looks in, lowercased once a row (at the first search, not while the first rows wait): a keystroke
// over 50,000 rows only compares.
function searchTextOf(row) {
    if (row.searchText === undefined)
        row.searchText = [row.id, row.name, row.driver, row.group, ...row.reasons, ...row.vms, row.originalDriver]
                .filter(value => value !== null && value !== undefined).join(" ").toLowerCase();
    return row.searchText;
}

// Every row's search text, made after the first rows are painted, so that the first search answers as fast as the
// next; rows that already have theirs cost nothing.
export function prepareSearch(rows) {
    for (const row of rows)
        searchTextOf(row);
}

// A changed row: what a search looks in is made again when next searched.
function withSearchText(row) {
    delete row.searchText;
    return row;
}

function pciRow(device) {
    return withSearchText({
        key: "pci:" + device.address,
        type: "pci",
        id: device.address,
        group: device.iommu_group,
        name: device.device_name || `${device.class_name || cockpit.format(_("class $0"), device.class)} [${device.vendor_id}:${device.device_id}]`,
        driver: device.driver,
        eligible: device.eligible,
        handoff: device.console_handoff || null,
        bridge: device.bridge,
        reasons: device.ineligible_reasons.map(reason => reason.detail),
        notes: device.notes,
        vms: (device.holders || []).map(holderText),
        heldBy: null,
        originalDriver: null,
        pci: device.address,
        level: 0,
    });
}

function childRow(type, entry, pciAddress, group) {
    const byType = {
        usb: () => ({ id: `usb ${entry.bus}-${entry.device}`, name: entry.product_name || `${entry.vendor_id}:${entry.product_id}`, driver: null }),
        scsi: () => ({ id: entry.hctl, name: [entry.vendor, entry.model].filter(Boolean).join(" ") || entry.type, driver: null }),
        net: () => ({ id: entry.name, name: [entry.mac, ...entry.addresses].filter(Boolean).join(" "), driver: null }),
        block: () => ({ id: entry.name, name: entry.host_uses.map(use => use.detail).join(", ") || entry.dev, driver: null }),
    }[type]();
    return withSearchText({ key: `${type}:${byType.id}`, type, group, pci: pciAddress, level: 1, reasons: [], notes: [], vms: [], ...byType });
}

function parentOf(type, entry) {
    return { usb: entry.pci_controller, scsi: entry.pci_hba, net: entry.pci_device, block: entry.pci_device }[type];
}

// Held devices by address: { owner, original_driver, driver } from status --json.
export function heldDevices(status) {
    const held = {};
    for (const owner of (status && status.owners) || [])
        for (const device of owner.devices)
            held[device.address] = { owner: owner.owner, original_driver: device.original_driver, driver: device.driver };
    return held;
}

// The VMs holding each PCI device, from `vfioctl vms --json`, as `list --json` gives them (`holders`).
function holdersByAddress(vms) {
    const holders = {};
    for (const vm of vms.vms)
        for (const device of vm.pci_devices)
            (holders[device.address] = holders[device.address] || []).push({ vm: vm.name, state: vm.state, ...device });
    return holders;
}

// The rows after a state change, from what changed only: who holds each device (status --json, with the driver it
// has now) and which VMs hold it (vms --json; null when libvirt could not be asked: the VMs shown stay). A row that
// changed is a new object, the others are the same. Also the addresses whose holder changed, for their group's
// drivers and eligibility to be read again (`vfioctl affected`).
export function withState(rows, status, vms) {
    const held = heldDevices(status);
    const holders = vms ? holdersByAddress(vms) : null;
    const changed = [];
    const updated = rows.map(row => {
        if (row.type !== "pci")
            return row;
        const holding = held[row.pci];
        const heldBy = holding ? holding.owner : null;
        const originalDriver = holding ? holding.original_driver : null;
        const driver = holding && holding.driver ? holding.driver : row.driver;
        const vmsNow = holders ? (holders[row.pci] || []).map(holderText) : row.vms;
        if (heldBy === row.heldBy && originalDriver === row.originalDriver && driver === row.driver &&
            vmsNow.join("\n") === row.vms.join("\n"))
            return row;
        if (heldBy !== row.heldBy)
            changed.push(row.pci);
        return withSearchText({ ...row, heldBy, originalDriver, driver, vms: vmsNow });
    });
    return { rows: updated, changed };
}

// The rows with what `vfioctl affected --json` says of one device's group: the device's eligibility, every
// endpoint's and bridge's driver.
export function withAffected(rows, affected) {
    const drivers = {};
    for (const member of [...affected.endpoints, ...affected.bridges])
        drivers[member.address] = member.driver;
    return rows.map(row => {
        if (row.type !== "pci" || (!(row.pci in drivers) && row.pci !== affected.device))
            return row;
        const next = { ...row, driver: drivers[row.pci] ?? row.driver };
        if (row.pci === affected.device) {
            next.eligible = affected.eligible;
            next.handoff = affected.console_handoff || null;
            next.reasons = affected.ineligible_reasons.map(reason => reason.detail);
            next.notes = affected.notes;
        }
        return withSearchText(next);
    });
}

// The row of each PCI function, made as the listing arrives (listingReader's `parsed`), so that when vfioctl ends
// only the order, the holders of the day and the rows below are left to make; buildRows makes any row not made.
export function rowMaker() {
    const made = new Map();
    return {
        parsed(type, devices) {
            if (type === "pci")
                for (const device of devices)
                    made.set(device, pciRow(device));
        },
        rows: (list, status) => buildRows(list, status, made),
    };
}

// A row with who holds its device (status --json's heldDevices), the same row when nobody does.
function withHolding(row, holding) {
    return holding ? withSearchText({ ...row, heldBy: holding.owner, originalDriver: holding.original_driver }) : row;
}

function buildRows(list, status, made) {
    const held = heldDevices(status);
    const children = {};
    for (const type of TYPES.slice(1))
        for (const entry of list[type] || []) {
            const parent = parentOf(type, entry);
            if (parent)
                (children[parent] = children[parent] || []).push([type, entry]);
        }
    // Addresses are fixed-width lowercase hex: compared as plain strings (localeCompare asks ICU, 10,000 times over).
    const pci = [...list.pci].sort((a, b) =>
        (a.iommu_group ?? Infinity) - (b.iommu_group ?? Infinity) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const rows = [];
    for (const device of pci) {
        rows.push(withHolding(made.get(device) || pciRow(device), held[device.address]));
        for (const [type, entry] of children[device.address] || [])
            rows.push(childRow(type, entry, device.address, device.iommu_group));
    }
    return rows;
}

// Rows a filter keeps: a type ("all" or one of TYPES), eligible PCI functions only, and a search over what is shown.
export function filterRows(rows, { type, eligibleOnly, search }) {
    const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return rows.filter(row => {
        if (type !== "all" && row.type !== type)
            return false;
        if (eligibleOnly && !(row.type === "pci" && row.eligible))
            return false;
        return words.length === 0 || words.every(word => searchTextOf(row).includes(word));
    });
}

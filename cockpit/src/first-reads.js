// The reads of a first load, started by early.js before the bundle loads and taken by vfioctl.js when the page asks
// for them: one list of arguments for both, so the page never runs the listing twice.

// The members of each device that the table shows (device-rows.js): half of the listing's bytes at 10,000
// functions, which the bridge carries and the page parses while the first rows wait.
const SHOWN = [
    "address", "class", "class_name", "vendor_id", "device_id", "device_name", "driver", "iommu_group", "bridge",
    "eligible", "ineligible_reasons", "console_handoff", "notes", "holders", // pci
    "name", "bus", "device", "product_id", "product_name", "pci_controller", // usb
    "hctl", "type", "vendor", "model", "pci_hba", // scsi
    "mac", "addresses", "pci_device", // net
    "dev", "host_uses", // block
];

export const LISTING = ["list", "--type", "all", "--json", "--fields", SHOWN.join(",")];
export const STATUS = ["status", "--json"];
export const FIRST_READS = [LISTING, STATUS];

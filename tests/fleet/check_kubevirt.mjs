// Checks `vfioctl export kubevirt` with KubeVirt's own API model (the npm package @kubevirt-ui-ext/kubevirt-api,
// generated from KubeVirt's OpenAPI schema; vendor/kubevirt-api-1.7.0 says where it comes from), not with our reading
// of its docs. YAML is read by PyYAML (Debian's python3-yaml, YAML 1.1 as Kubernetes' own reader).
//
// Usage: node check_kubevirt.mjs VFIOCTL [--root TREE] -- EXPORT_ARGS...
//
// The YAML and the --json form are both read into a KubeVirt CR by the model (V1KubeVirtFromJSON); each
// pciHostDevices entry must be a V1PciHostDevice with every required field, nothing may be dropped by the model
// (an unknown or misspelt field would be), resource names must be Kubernetes extended resource names in KubeVirt's
// vendor.com/NAME form, and each selector must stand for devices that were exported. Exits non-zero on the first
// difference.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const [vfioctl, ...rest] = process.argv.slice(2);
const separator = rest.indexOf('--');
const options = rest.slice(0, separator);
const exportArgs = rest.slice(separator + 1);
const require = createRequire(import.meta.url);
const kubevirt = require('./vendor/kubevirt-api-1.7.0/kubevirt.cjs');

function parseYaml(text) {
    const json = execFileSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
                              { input: text, encoding: 'utf8', maxBuffer: 1 << 28 });
    return JSON.parse(json);
}

function run(args) {
    try {
        return execFileSync(vfioctl, [...options, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
    } catch (error) {
        if (error.status === 3) return error.stdout; // written, some devices left out
        throw new Error(`vfioctl ${args.join(' ')} exited ${error.status}: ${error.stderr}`);
    }
}

function readCr(fragment) {
    const cr = { apiVersion: 'kubevirt.io/v1', kind: 'KubeVirt', metadata: { name: 'kubevirt' }, ...fragment };
    const model = kubevirt.V1KubeVirtFromJSON(cr);
    // What the model keeps is what KubeVirt's API knows: a field it does not know would be missing here.
    const kept = JSON.parse(JSON.stringify(kubevirt.V1KubeVirtToJSON(model)));
    assert.deepEqual(kept, cr, 'KubeVirt\'s model dropped or changed a field');
    return kept.spec.configuration.permittedHostDevices.pciHostDevices.map((entry) => {
        assert.ok(kubevirt.instanceOfV1PciHostDevice(entry), `not a V1PciHostDevice: ${JSON.stringify(entry)}`);
        return kubevirt.V1PciHostDeviceToJSON(kubevirt.V1PciHostDeviceFromJSON(entry));
    });
}

const fromYaml = readCr(parseYaml(run(['export', 'kubevirt', ...exportArgs])));
const fromJson = readCr(JSON.parse(run(['export', 'kubevirt', '--json', ...exportArgs])));
assert.deepEqual(fromYaml, fromJson, 'the YAML and the --json form differ');

// A Kubernetes extended resource name: a DNS subdomain prefix (KubeVirt: the vendor's domain) and a name of at most
// 63 characters, alphanumeric at both ends.
const resourceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const host = JSON.parse(run(['list', '--type', 'pci', '--json'])).pci;
const idOf = (d) => `${d.vendor_id.slice(-4)}:${d.device_id.slice(-4)}`;
const names = new Set();
for (const entry of fromYaml) {
    assert.match(entry.pciVendorSelector, /^[0-9a-f]{4}:[0-9a-f]{4}$/);
    assert.match(entry.resourceName, resourceName);
    assert.ok(!names.has(entry.resourceName), `resource name twice: ${entry.resourceName}`);
    names.add(entry.resourceName);
    const matching = host.filter((d) => idOf(d) === entry.pciVendorSelector);
    assert.ok(matching.length > 0, `${entry.pciVendorSelector} matches no device of this host`);
    assert.ok(matching.some((d) => d.eligible), `${entry.pciVendorSelector} matches only devices that cannot go`);
}
console.log(`kubevirt: ${fromYaml.length} pciHostDevices read by KubeVirt's API model with every required field`);

// A PCI function's details: what passing it through takes (`vfioctl affected`), which VMs hold it (`vfioctl
// holders`), and what can be done with it. Binding actions are disabled, with vfioctl's sentence, on a frozen host.
// An action's failure is shown here, and the dialog stays open.
/* global cockpit */
import React, { useEffect, useState } from "react";
import {
    Alert, Button, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm,
    Modal, Spinner, Tooltip,
} from "./patternfly.js";
import { useAction } from "./action.js";
import { ActionStatus } from "./action-status.jsx";
import { json } from "./vfioctl.js";

const _ = cockpit.gettext;

function Affected({ affected }) {
    const withDriver = d => cockpit.format(_("$0 ($1)"), d.address, d.driver || _("no driver"));
    const line = (id, label, items, render) => items.length > 0 && (
        <DescriptionListGroup>
            <DescriptionListTerm>{label}</DescriptionListTerm>
            <DescriptionListDescription>
                <ul data-testid={"affected-" + id}>{items.map(item => <li key={render(item)}>{render(item)}</li>)}</ul>
            </DescriptionListDescription>
        </DescriptionListGroup>
    );
    return (
        <DescriptionList isCompact data-testid="affected">
            <DescriptionListGroup>
                <DescriptionListTerm>{_("IOMMU group")}</DescriptionListTerm>
                <DescriptionListDescription data-testid="affected-group">
                    {affected.iommu_group ?? _("none")}
                </DescriptionListDescription>
            </DescriptionListGroup>
            {line("goes-to-the-vm", _("Goes to the VM"), affected.endpoints, withDriver)}
            {line("bridges-that-stay", _("Bridges that stay"), affected.bridges, withDriver)}
            {line("virtual-functions", _("Virtual functions"), affected.virtual_functions, d => d.address || d)}
            {line("usb-devices", _("USB devices"), affected.usb, d => `${d.name} ${d.product_name || ""}`.trim())}
            {line("scsi-luns", _("SCSI LUNs"), affected.scsi, d => `${d.hctl} ${d.model || ""}`.trim())}
            {line("network-interfaces", _("Network interfaces"), affected.net, d => d.name)}
            {line("disks", _("Disks"), affected.block, d => d.name)}
            {affected.console_handoff &&
                line("host-loses", _("Only with a console hand-off; the host loses meanwhile"),
                     affected.console_handoff.host_loses, text => text)}
            {line("notes", _("Notes"), affected.notes || [], text => text)}
            {!affected.eligible && line("not-eligible-because", _("Not eligible because"), affected.ineligible_reasons,
                                        r => r.detail)}
        </DescriptionList>
    );
}

function ActionButton({ label, frozen, busy, onClick, variant = "secondary", testId }) {
    const button = (
        <Button variant={variant} onClick={onClick} isAriaDisabled={!!frozen || busy} data-testid={testId}>
            {label}
        </Button>);
    return frozen ? <Tooltip content={frozen}>{button}</Tooltip> : button;
}

function Holders({ holders, address, busy, perform }) {
    if (holders === null)
        return <Spinner size="md" />;
    if (holders.error)
        return <Alert variant="warning" isInline title={holders.error} data-testid="holders-error" />;
    if (holders.length === 0)
        return <p data-testid="holders-none">{_("No VM holds it.")}</p>;
    const where = holder => [holder.state, holder.in_config ? _("in its definition") : null,
        holder.in_live ? _("in the running VM") : null].filter(Boolean).join(", ");
    return (
        <ul data-testid="holders">
            {holders.map(holder => (
                <li key={holder.vm} data-vm={holder.vm}>
                    {cockpit.format(_("$0 ($1)"), holder.vm, where(holder))}{" "}
                    <Button variant="link" isInline isAriaDisabled={busy} data-testid={"unassign-" + holder.vm}
                            onClick={() => perform(["unassign", holder.vm, address, ...(holder.in_live ? ["--live"] : [])],
                                                   cockpit.format(_("Taking $0 back from $1"), address, holder.vm))}>
                        {_("Take back")}
                    </Button>
                </li>
            ))}
        </ul>);
}

export function DeviceDetails({ address, row, frozen, persisted, persistedError, onClose, onAction, onAssign }) {
    const [affected, setAffected] = useState(null);
    const [holders, setHolders] = useState(null);
    const [error, setError] = useState(null);
    const { running, error: actionError, perform } = useAction(onAction);
    const busy = !!running;
    useEffect(() => {
        json(["affected", address]).then(setAffected, failure => setError(failure.message));
        json(["holders", address]).then(value => setHolders(value.holders), failure => setHolders({ error: failure.message }));
    }, [address, row]);
    const isPersisted = (persisted || []).some(entry => entry.devices.some(device => device.address === address));
    return (
        <Modal title={`${address} ${row ? row.name : ""}`} isOpen onClose={onClose} variant="medium" data-testid="details">
            <ActionStatus running={running} error={actionError} />
            {error && <Alert variant="danger" isInline title={error} data-testid="details-error" />}
            {!affected && !error && <Spinner size="lg" />}
            {affected && <Affected affected={affected} />}
            <h3 className="vfioctl-subtitle">{_("VMs holding it")}</h3>
            <Holders holders={holders} address={address} busy={busy} perform={perform} />
            <div className="vfioctl-actions">
                <ActionButton label={_("Assign to a VM…")} variant="primary" testId="assign" busy={busy}
                              onClick={() => onAssign(affected)} />
                <ActionButton label={_("Bind to vfio-pci")} frozen={frozen} testId="bind" busy={busy}
                              onClick={() => perform(["bind", address],
                                                     cockpit.format(_("Binding $0 and its group to vfio-pci"), address))} />
                <ActionButton label={_("Give back (unbind)")} testId="unbind" busy={busy}
                              onClick={() => perform(["unbind", address],
                                                     cockpit.format(_("Giving $0 back to its driver"), address))} />
                {row && row.heldBy && (
                    <ActionButton label={cockpit.format(_("Restore everything $0 holds"), row.heldBy)} testId="restore"
                                  busy={busy}
                                  onClick={() => perform(["restore", row.heldBy],
                                                         cockpit.format(_("Restoring what $0 holds"), row.heldBy))} />)}
                {persistedError
                    ? null // the page says why it cannot tell whether the device is claimed at boot
                    : isPersisted
                        ? <ActionButton label={_("Stop claiming at boot")} testId="unpersist" busy={busy}
                                        onClick={() => perform(["unpersist", address],
                                                               cockpit.format(_("No longer claiming $0 at boot"), address))} />
                        : <ActionButton label={_("Claim for vfio-pci at boot")} frozen={frozen} testId="persist" busy={busy}
                                        onClick={() => perform(["persist", address],
                                                               cockpit.format(_("Claiming $0 for vfio-pci from boot"), address))} />}
            </div>
        </Modal>
    );
}

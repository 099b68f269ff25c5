// A PCI function's details: what passing it through takes (`vfioctl affected`), which VMs hold it (`vfioctl
// holders`), and what can be done with it. Binding actions are disabled, with the check's sentence, on a frozen host.
import React, { useEffect, useState } from "react";
import {
    Alert, Button, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm,
    Modal, Spinner, Tooltip,
} from "@patternfly/react-core";
import { json } from "./vfioctl.js";

function Affected({ affected }) {
    const line = (label, items, render) => items.length > 0 && (
        <DescriptionListGroup>
            <DescriptionListTerm>{label}</DescriptionListTerm>
            <DescriptionListDescription>
                <ul data-testid={"affected-" + label.toLowerCase().replace(/\W+/g, "-")}>
                    {items.map(item => <li key={render(item)}>{render(item)}</li>)}
                </ul>
            </DescriptionListDescription>
        </DescriptionListGroup>
    );
    return (
        <DescriptionList isCompact data-testid="affected">
            <DescriptionListGroup>
                <DescriptionListTerm>IOMMU group</DescriptionListTerm>
                <DescriptionListDescription data-testid="affected-group">{affected.iommu_group ?? "none"}</DescriptionListDescription>
            </DescriptionListGroup>
            {line("Goes to the VM", affected.endpoints, d => `${d.address} (${d.driver || "no driver"})`)}
            {line("Bridges that stay", affected.bridges, d => `${d.address} (${d.driver || "no driver"})`)}
            {line("Virtual functions", affected.virtual_functions, d => d.address || d)}
            {line("USB devices", affected.usb, d => `${d.name} ${d.product_name || ""}`.trim())}
            {line("SCSI LUNs", affected.scsi, d => `${d.hctl} ${d.model || ""}`.trim())}
            {line("Network interfaces", affected.net, d => d.name)}
            {line("Disks", affected.block, d => d.name)}
            {!affected.eligible && line("Not eligible because", affected.ineligible_reasons, r => r.detail)}
        </DescriptionList>
    );
}

function ActionButton({ label, frozen, onClick, variant = "secondary", testId }) {
    const button = <Button variant={variant} onClick={onClick} isAriaDisabled={!!frozen} data-testid={testId}>{label}</Button>;
    return frozen ? <Tooltip content={frozen}>{button}</Tooltip> : button;
}

export function DeviceDetails({ address, row, frozen, persisted, onClose, onAction, onAssign }) {
    const [affected, setAffected] = useState(null);
    const [holders, setHolders] = useState(null);
    const [error, setError] = useState(null);
    useEffect(() => {
        json(["affected", address]).then(setAffected, failure => setError(failure.message));
        json(["holders", address]).then(value => setHolders(value.holders), failure => setHolders({ error: failure.message }));
    }, [address, row]);
    const isPersisted = persisted.some(entry => entry.devices.some(device => device.address === address));
    return (
        <Modal title={`${address} ${row ? row.name : ""}`} isOpen onClose={onClose} variant="medium" data-testid="details">
            {error && <Alert variant="danger" isInline title={error} data-testid="details-error" />}
            {!affected && !error && <Spinner size="lg" />}
            {affected && <Affected affected={affected} />}
            <h3 className="vfioctl-subtitle">VMs holding it</h3>
            {holders === null && <Spinner size="md" />}
            {holders && holders.error && <Alert variant="warning" isInline title={holders.error} />}
            {Array.isArray(holders) && (holders.length === 0
                ? <p data-testid="holders-none">No VM holds it.</p>
                : (
                    <ul data-testid="holders">
                        {holders.map(holder => (
                            <li key={holder.vm} data-vm={holder.vm}>
                                {holder.vm} ({holder.state}{holder.in_config ? ", in its definition" : ""}
                                {holder.in_live ? ", in the running VM" : ""}){" "}
                                <Button variant="link" isInline data-testid={"unassign-" + holder.vm}
                                        onClick={() => onAction(["unassign", holder.vm, address, ...(holder.in_live ? ["--live"] : [])],
                                                           `Taking ${address} back from ${holder.vm}`)}>
                                    Take back
                                </Button>
                            </li>
                        ))}
                    </ul>))}
            <div className="vfioctl-actions">
                <ActionButton label="Assign to a VM…" variant="primary" testId="assign" onClick={() => onAssign(affected)} />
                <ActionButton label="Bind to vfio-pci" frozen={frozen} testId="bind"
                              onClick={() => onAction(["bind", address], `Binding ${address} and its group to vfio-pci`)} />
                <ActionButton label="Give back (unbind)" testId="unbind"
                              onClick={() => onAction(["unbind", address], `Giving ${address} back to its driver`)} />
                {row && row.heldBy && (
                    <ActionButton label={`Restore everything ${row.heldBy} holds`} testId="restore"
                                  onClick={() => onAction(["restore", row.heldBy], `Restoring what ${row.heldBy} holds`)} />)}
                {isPersisted
                    ? <ActionButton label="Stop claiming at boot" testId="unpersist"
                                    onClick={() => onAction(["unpersist", address], `No longer claiming ${address} at boot`)} />
                    : <ActionButton label="Claim for vfio-pci at boot" frozen={frozen} testId="persist"
                                    onClick={() => onAction(["persist", address], `Claiming ${address} for vfio-pci from boot`)} />}
            </div>
        </Modal>
    );
}

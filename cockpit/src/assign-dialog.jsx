// Assign a PCI function to a VM: the VMs come from `vfioctl vms`, the companions that go along from `vfioctl
// affected`, both shown before confirming; --live only for a running VM, and never on a frozen host (it binds now).
import React, { useEffect, useState } from "react";
import {
    Alert, Button, Form, FormGroup, FormSelect, FormSelectOption, Modal, Radio, Spinner,
} from "@patternfly/react-core";
import { json } from "./vfioctl.js";

export function AssignDialog({ address, affected, frozen, onClose, onAction }) {
    const [vms, setVms] = useState(null);
    const [error, setError] = useState(null);
    const [vm, setVm] = useState("");
    const [live, setLive] = useState(false);
    useEffect(() => {
        json(["vms"]).then(value => {
            setVms(value.vms);
            if (value.vms.length > 0)
                setVm(value.vms[0].name);
        }, failure => setError(failure.message));
    }, []);
    const chosen = (vms || []).find(one => one.name === vm);
    const running = !!(chosen && chosen.active);
    const companions = affected ? affected.endpoints.map(endpoint => endpoint.address) : [address];
    const confirm = () => {
        onClose();
        onAction(["assign", vm, address, live && running ? "--live" : "--config"],
                 `Assigning ${companions.join(", ")} to ${vm}`);
    };
    return (
        <Modal title={`Assign ${address} to a VM`} isOpen onClose={onClose} variant="small" data-testid="assign-dialog"
               actions={[
                   <Button key="assign" variant="primary" isDisabled={!vm} onClick={confirm} data-testid="assign-confirm">
                       Assign
                   </Button>,
                   <Button key="cancel" variant="link" onClick={onClose}>Cancel</Button>,
               ]}>
            {error && <Alert variant="danger" isInline title={error} data-testid="assign-error" />}
            {!vms && !error && <Spinner size="md" />}
            {vms && vms.length === 0 && <p>libvirt has no VM defined.</p>}
            {vms && vms.length > 0 && (
                <Form>
                    <FormGroup label="VM" fieldId="assign-vm">
                        <FormSelect id="assign-vm" value={vm} onChange={(_e, value) => setVm(value)} data-testid="assign-vm">
                            {vms.map(one => <FormSelectOption key={one.name} value={one.name} label={`${one.name} (${one.state})`} />)}
                        </FormSelect>
                    </FormGroup>
                    <FormGroup label="These devices go to the VM together (its IOMMU group)" fieldId="assign-companions">
                        <ul data-testid="assign-companions">{companions.map(one => <li key={one}>{one}</li>)}</ul>
                    </FormGroup>
                    <FormGroup role="radiogroup" fieldId="assign-mode" label="When">
                        <Radio id="assign-config" name="mode" label="In its definition (from its next start)"
                               isChecked={!live || !running} onChange={() => setLive(false)} />
                        <Radio id="assign-live" name="mode" label="Now, into the running VM (and its definition stays)"
                               isChecked={live && running} isDisabled={!running || !!frozen}
                               description={frozen || (running ? undefined : "the VM is not running")}
                               onChange={() => setLive(true)} />
                    </FormGroup>
                </Form>)}
        </Modal>
    );
}

// Assign a PCI function to a VM: the VMs come from `vfioctl vms`, the companions that go along from `vfioctl
// affected`, both shown before confirming; --live only for a running VM, and never on a frozen host (it binds now).
// A failed assign is shown here, and the dialog stays open.
/* global cockpit */
import React, { useEffect, useState } from "react";
import {
    Alert, Button, Form, FormGroup, FormSelect, FormSelectOption, Modal, Radio, Spinner,
} from "./patternfly.js";
import { useAction } from "./action.js";
import { ActionStatus } from "./action-status.jsx";
import { json } from "./vfioctl.js";

const _ = cockpit.gettext;

export function AssignDialog({ address, affected, frozen, onClose, onAction }) {
    const [vms, setVms] = useState(null);
    const [error, setError] = useState(null);
    const [vm, setVm] = useState("");
    const [live, setLive] = useState(false);
    const { running, error: actionError, perform } = useAction(onAction);
    useEffect(() => {
        json(["vms"]).then(value => {
            setVms(value.vms);
            if (value.vms.length > 0)
                setVm(value.vms[0].name);
        }, failure => setError(failure.message));
    }, []);
    const chosen = (vms || []).find(one => one.name === vm);
    const isRunning = !!(chosen && chosen.active);
    const companions = affected ? affected.endpoints.map(endpoint => endpoint.address) : [address];
    const confirm = () => perform(["assign", vm, address, live && isRunning ? "--live" : "--config"],
                                  cockpit.format(_("Assigning $0 to $1"), companions.join(", "), vm));
    return (
        <Modal title={cockpit.format(_("Assign $0 to a VM"), address)} isOpen onClose={onClose} variant="small"
               data-testid="assign-dialog"
               actions={[
                   <Button key="assign" variant="primary" isDisabled={!vm || !!running} onClick={confirm}
                           data-testid="assign-confirm">
                       {_("Assign")}
                   </Button>,
                   <Button key="cancel" variant="link" onClick={onClose}>{_("Cancel")}</Button>,
               ]}>
            <ActionStatus running={running} error={actionError} />
            {error && <Alert variant="danger" isInline title={error} data-testid="assign-error" />}
            {!vms && !error && <Spinner size="md" />}
            {vms && vms.length === 0 && <p>{_("libvirt has no VM defined.")}</p>}
            {vms && vms.length > 0 && (
                <Form>
                    <FormGroup label={_("VM")} fieldId="assign-vm">
                        <FormSelect id="assign-vm" value={vm} onChange={(_e, value) => setVm(value)} data-testid="assign-vm">
                            {vms.map(one => <FormSelectOption key={one.name} value={one.name}
                                                              label={cockpit.format(_("$0 ($1)"), one.name, one.state)} />)}
                        </FormSelect>
                    </FormGroup>
                    <FormGroup label={_("These devices go to the VM together (its IOMMU group)")} fieldId="assign-companions">
                        <ul data-testid="assign-companions">{companions.map(one => <li key={one}>{one}</li>)}</ul>
                    </FormGroup>
                    <FormGroup role="radiogroup" fieldId="assign-mode" label={_("When")}>
                        <Radio id="assign-config" name="mode" label={_("In its definition (from its next start)")}
                               isChecked={!live || !isRunning} onChange={() => setLive(false)} />
                        <Radio id="assign-live" name="mode" label={_("Now, into the running VM (and its definition stays)")}
                               isChecked={live && isRunning} isDisabled={!isRunning || !!frozen}
                               description={frozen || (isRunning ? undefined : _("the VM is not running"))}
                               onChange={() => setLive(true)} />
                    </FormGroup>
                </Form>)}
        </Modal>
    );
}

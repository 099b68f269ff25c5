// Every host device in IOMMU group order, filtered and paged (a host with 10,000 functions paints one page, not
// 10,000 rows). A PCI function's row opens its details; the rows below it are what goes with it.
/* global cockpit */
import React, { useEffect, useMemo, useState } from "react";
import {
    Bullseye, Checkbox, Pagination, SearchInput, ToggleGroup, ToggleGroupItem, Toolbar, ToolbarContent, ToolbarItem,
} from "./patternfly.js";
import { TYPES, filterRows, prepareSearch } from "./device-rows.js";

const _ = cockpit.gettext;

// The table is drawn with PatternFly's classes on plain elements: its Table, Tr, Th, Td and Label components measure
// every cell and label after they mount (is the text truncated?), each measure a layout of the page forced in the
// middle of React's work, which for a page of rows cost more than drawing it. Nothing here is sorted or selected and
// no text is truncated (a header wraps instead), so nothing is lost.
function StaticLabel({ color, children }) {
    return (
        <span className={color && color !== "grey" ? "pf-v5-c-label pf-m-" + color : "pf-v5-c-label"}>
            <span className="pf-v5-c-label__content"><span className="pf-v5-c-label__text">{children}</span></span>
        </span>
    );
}

function Passthrough({ row }) {
    if (row.type !== "pci")
        return null;
    if (row.eligible && row.handoff)
        return (
            <div data-eligible="true" data-handoff="true">
                <StaticLabel color="orange">{_("Eligible with a console hand-off")}</StaticLabel>
                <ul className="vfioctl-reasons vfioctl-losses">{row.handoff.host_loses.map(loss => <li key={loss}>{loss}</li>)}</ul>
            </div>
        );
    if (row.eligible)
        return <span data-eligible="true"><StaticLabel color="green">{_("Eligible")}</StaticLabel></span>;
    return (
        <div data-eligible="false">
            <StaticLabel color={row.bridge ? "grey" : "red"}>{_("Not eligible")}</StaticLabel>
            <ul className="vfioctl-reasons">{row.reasons.map(reason => <li key={reason}>{reason}</li>)}</ul>
        </div>
    );
}

function Cell({ label, name, children }) {
    return <td className="pf-v5-c-table__td" data-label={label} data-col={name}>{children}</td>;
}

function Column({ children }) {
    return <th className="pf-v5-c-table__th pf-m-wrap" scope="col">{children}</th>;
}

// Drawn once: it never changes with the rows.
const TableHeader = React.memo(function TableHeader() {
    return (
        <thead className="pf-v5-c-table__thead">
            <tr className="pf-v5-c-table__tr">
                <Column>{_("Group")}</Column><Column>{_("Device")}</Column><Column>{_("Description")}</Column>
                <Column>{_("Type")}</Column><Column>{_("Driver")}</Column><Column>{_("Passthrough")}</Column>
                <Column>{_("VM")}</Column><Column>{_("Held by")}</Column>
            </tr>
        </thead>
    );
});

function DeviceRow({ row, onSelect }) {
    const select = row.type === "pci" ? () => onSelect(row.pci) : undefined;
    const onKeyDown = select ? event => {
        if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            select();
        }
    } : undefined;
    const classes = ["pf-v5-c-table__tr", select && "pf-m-clickable", row.level && "vfioctl-child"];
    return (
        <tr data-row-key={row.key} data-type={row.type} className={classes.filter(Boolean).join(" ")}
            tabIndex={select ? 0 : undefined} onClick={select} onKeyDown={onKeyDown}>
            <Cell label={_("Group")} name="group">{row.level ? "" : row.group ?? _("none")}</Cell>
            <Cell label={_("Device")} name="id"><span className="vfioctl-id">{row.id}</span></Cell>
            <Cell label={_("Description")} name="name">{row.name}</Cell>
            <Cell label={_("Type")} name="type">{row.type.toUpperCase()}</Cell>
            <Cell label={_("Driver")} name="driver">{row.driver || (row.type === "pci" ? _("none") : "")}</Cell>
            <Cell label={_("Passthrough")} name="eligible"><Passthrough row={row} /></Cell>
            <Cell label={_("VM")} name="vms">
                {row.vms.length > 0 && (
                    <div className="vfioctl-vms">{row.vms.map(vm => <StaticLabel key={vm}>{vm}</StaticLabel>)}</div>)}
            </Cell>
            <Cell label={_("Held by")} name="held">
                {row.heldBy && <span>{cockpit.format(_("$0 (was $1)"), row.heldBy, row.originalDriver || _("no driver"))}</span>}
            </Cell>
        </tr>
    );
}

// `rows` is null while the listing is on its way: the table is there already (its toolbar, its header) with a still
// line saying so, so that the rows, when they come, are all there is left to draw. Not a spinner: an animation
// repaints the page every frame, and on a host of two cores those frames take the cores the listing is read on.
export function DeviceTable({ rows, onSelect }) {
    const [filter, setFilter] = useState({ type: "all", eligibleOnly: false, search: "" });
    const [page, setPage] = useState(1);
    const [perPage, setPerPage] = useState(50);
    const shown = useMemo(() => rows ? filterRows(rows, filter) : [], [rows, filter]);
    const change = part => { setFilter({ ...filter, ...part }); setPage(1) };
    const first = (page - 1) * perPage;
    // When the first rows reach the screen, and when a search's rows do, for bench/cockpit_first_paint.py (the User
    // Timing API, no cost).
    // Every row's search text is made once the rows are on screen, not before.
    useEffect(() => {
        if (!rows)
            return undefined;
        let later = null;
        const frame = requestAnimationFrame(() => {
            if (rows.length > 0 && performance.getEntriesByName("vfioctl-rows-painted").length === 0)
                performance.mark("vfioctl-rows-painted");
            later = setTimeout(() => prepareSearch(rows), 0);
        });
        return () => { cancelAnimationFrame(frame); clearTimeout(later) };
    }, [rows]);
    useEffect(() => {
        if (filter.search)
            requestAnimationFrame(() => performance.mark("vfioctl-search-painted"));
    }, [shown, filter.search]);
    const pager = (
        <Pagination itemCount={shown.length} page={page} perPage={perPage} onSetPage={(_e, value) => setPage(value)}
                    onPerPageSelect={(_e, value) => { setPerPage(value); setPage(1) }} isCompact
                    data-testid="pagination" />
    );
    return (
        <>
            <Toolbar>
                <ToolbarContent>
                    <ToolbarItem>
                        <SearchInput placeholder={_("Search devices")} value={filter.search} data-testid="search"
                                     onChange={(_e, value) => { performance.mark("vfioctl-search-typed"); change({ search: value }) }}
                                     onClear={() => change({ search: "" })} />
                    </ToolbarItem>
                    <ToolbarItem>
                        <ToggleGroup aria-label={_("Device type")}>
                            {["all", ...TYPES].map(type => (
                                <ToggleGroupItem key={type} text={type === "all" ? _("All") : type.toUpperCase()}
                                                 buttonId={"type-" + type} isSelected={filter.type === type}
                                                 onChange={() => change({ type })} />
                            ))}
                        </ToggleGroup>
                    </ToolbarItem>
                    <ToolbarItem>
                        <Checkbox id="eligible-only" label={_("Eligible only")} isChecked={filter.eligibleOnly}
                                  onChange={(_e, value) => change({ eligibleOnly: value })} />
                    </ToolbarItem>
                    <ToolbarItem variant="pagination">{pager}</ToolbarItem>
                </ToolbarContent>
            </Toolbar>
            <table className="pf-v5-c-table pf-m-grid-md pf-m-compact" role="grid" aria-label={_("Host devices")}
                   data-testid={rows ? "devices" : "devices-loading"} data-count={shown.length}>
                <TableHeader />
                <tbody className="pf-v5-c-table__tbody">
                    {rows ? shown.slice(first, first + perPage).map(row => <DeviceRow key={row.key} row={row} onSelect={onSelect} />)
                        : (
                            <tr className="pf-v5-c-table__tr">
                                <td className="pf-v5-c-table__td" colSpan={8}>
                                    <Bullseye data-testid="devices-reading">{_("Reading the host's devices…")}</Bullseye>
                                </td>
                            </tr>)}
                </tbody>
            </table>
        </>
    );
}

// The PatternFly components the page uses, each from its own module rather than the package's index: esbuild keeps
// the stylesheet of every component a module it bundles imports, so the index would bring the CSS of all of
// PatternFly (1.5 MB, parsed and matched on every load) for the twenty components drawn here.
export { Alert, AlertActionCloseButton, AlertGroup } from "@patternfly/react-core/dist/esm/components/Alert/index.js";
export { Button } from "@patternfly/react-core/dist/esm/components/Button/index.js";
export { Checkbox } from "@patternfly/react-core/dist/esm/components/Checkbox/index.js";
export {
    DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm,
} from "@patternfly/react-core/dist/esm/components/DescriptionList/index.js";
export { EmptyState, EmptyStateBody, EmptyStateHeader } from "@patternfly/react-core/dist/esm/components/EmptyState/index.js";
export { ExpandableSection } from "@patternfly/react-core/dist/esm/components/ExpandableSection/index.js";
export { Form, FormGroup } from "@patternfly/react-core/dist/esm/components/Form/index.js";
export { FormSelect, FormSelectOption } from "@patternfly/react-core/dist/esm/components/FormSelect/index.js";
export { Label } from "@patternfly/react-core/dist/esm/components/Label/index.js";
export { List, ListItem } from "@patternfly/react-core/dist/esm/components/List/index.js";
export { Modal } from "@patternfly/react-core/dist/esm/components/Modal/index.js";
export { Page, PageSection } from "@patternfly/react-core/dist/esm/components/Page/index.js";
export { Pagination } from "@patternfly/react-core/dist/esm/components/Pagination/index.js";
export { Radio } from "@patternfly/react-core/dist/esm/components/Radio/index.js";
export { SearchInput } from "@patternfly/react-core/dist/esm/components/SearchInput/index.js";
export { Spinner } from "@patternfly/react-core/dist/esm/components/Spinner/index.js";
export { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
export { ToggleGroup, ToggleGroupItem } from "@patternfly/react-core/dist/esm/components/ToggleGroup/index.js";
export { Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core/dist/esm/components/Toolbar/index.js";
export { Tooltip } from "@patternfly/react-core/dist/esm/components/Tooltip/index.js";
export { Bullseye } from "@patternfly/react-core/dist/esm/layouts/Bullseye/index.js";
// The device table is drawn with Table's classes on plain elements (device-table.jsx): its stylesheets only.
import "@patternfly/react-styles/css/components/Table/table.css";
import "@patternfly/react-styles/css/components/Table/table-grid.css";

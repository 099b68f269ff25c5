// What a dialog does with an action: runs it through the page's onAction, shows its progress, and keeps its error
// (vfioctl's sentence) to show in the dialog, which stays open.
import { useState } from "react";

export function useAction(onAction) {
    const [running, setRunning] = useState(null);
    const [error, setError] = useState(null);
    const perform = (args, text) => {
        setError(null);
        setRunning(text);
        onAction(args, text).catch(failure => setError(failure.message)).finally(() => setRunning(null));
    };
    return { running, error, perform };
}

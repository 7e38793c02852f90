// Listens on an element itself: the `change` and `input` events of <vscode-single-select> do not
// bubble, so Svelte's delegated handlers never see them.
import type { Attachment } from 'svelte/attachments';

/** An element that has a value, as the form widgets of @vscode-elements have. */
export type ValueElement = HTMLElement & { value: string };

export function listen(type: string, handler: (element: ValueElement) => void): Attachment<HTMLElement> {
  return (element) => {
    const run = () => handler(element as ValueElement);
    element.addEventListener(type, run);
    return () => element.removeEventListener(type, run);
  };
}

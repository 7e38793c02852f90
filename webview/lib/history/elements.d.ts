// Types for the @vscode-elements widgets the history filters use, beside those of ../elements.d.ts.
import type { HTMLAttributes } from 'svelte/elements';

interface SingleSelectAttributes extends HTMLAttributes<HTMLElement> {
  value?: string;
  label?: string;
}

interface OptionAttributes extends HTMLAttributes<HTMLElement> {
  value?: string;
  selected?: boolean;
}

declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
    'vscode-single-select': SingleSelectAttributes;
    'vscode-option': OptionAttributes;
  }
}

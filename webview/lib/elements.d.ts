// Types for the @vscode-elements web components used in Svelte markup.
import type { HTMLAttributes } from 'svelte/elements';

interface ToolbarButtonAttributes extends HTMLAttributes<HTMLElement> {
  icon?: string;
  label?: string;
  toggleable?: boolean;
  checked?: boolean;
}

interface TextfieldAttributes extends HTMLAttributes<HTMLElement> {
  value?: string;
  placeholder?: string;
  label?: string;
}

interface IconAttributes extends HTMLAttributes<HTMLElement> {
  name?: string;
  size?: number;
  spin?: boolean;
  'spin-duration'?: number;
  label?: string;
}

interface ButtonAttributes extends HTMLAttributes<HTMLElement> {
  icon?: string;
  secondary?: boolean;
  disabled?: boolean;
}

declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
    'vscode-toolbar-button': ToolbarButtonAttributes;
    'vscode-textfield': TextfieldAttributes;
    'vscode-icon': IconAttributes;
    'vscode-button': ButtonAttributes;
    'vscode-toolbar-container': HTMLAttributes<HTMLElement>;
    'vscode-divider': HTMLAttributes<HTMLElement>;
  }
}

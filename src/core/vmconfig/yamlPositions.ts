import type { State } from 'js-yaml';

/** 1-based position of a YAML node. */
export interface YamlPosition {
  line: number;
  column: number;
}

interface PositionNode {
  line: number;
  column: number;
  kind?: string;
  result?: unknown;
  children: PositionNode[];
}

// js-yaml's load() returns plain values without positions; its `listener` option reports where
// every node opens, so this records a tree of node starts to point problems at their keys.
export class YamlPositions {
  private readonly root: PositionNode = { line: 1, column: 1, children: [] };
  private readonly stack: PositionNode[] = [this.root];

  /** Pass as `listener` to yaml.load. */
  readonly listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      this.stack.push({ line: state.line + 1, column: state.position - state.lineStart + 1, children: [] });
      return;
    }
    const node = this.stack.pop();
    if (node === undefined || this.stack.length === 0) return;
    node.kind = state.kind;
    node.result = state.result;
    this.stack[this.stack.length - 1].children.push(node);
  };

  /**
   * Position of the key at the end of `path` (mapping keys from the document root). When a key
   * cannot be found, the position of the deepest key found on the way; undefined when none is.
   */
  keyAt(path: readonly string[]): YamlPosition | undefined {
    let node: PositionNode | undefined = this.root.children[0];
    let found: YamlPosition | undefined;
    for (const key of path) {
      node = unwrap(node);
      if (node?.kind !== 'mapping') break;
      const index = keyIndex(node.children, key);
      if (index < 0) break;
      const keyNode = node.children[index];
      found = { line: keyNode.line, column: keyNode.column };
      node = node.children[index + 1];
    }
    return found;
  }
}

/** Flow mappings are reported as a mapping wrapping the mapping: step into it. */
function unwrap(node: PositionNode | undefined): PositionNode | undefined {
  while (node?.kind === 'mapping' && node.children.length === 1 && node.children[0].kind === 'mapping') {
    node = node.children[0];
  }
  return node;
}

/** Children alternate key, value; a flow key without a value breaks that, so fall back to any scalar. */
function keyIndex(children: PositionNode[], key: string): number {
  const isKey = (n: PositionNode) => n.kind === 'scalar' && n.result !== null && n.result !== undefined && String(n.result) === key;
  for (let i = 0; i < children.length; i += 2) if (isKey(children[i])) return i;
  return children.findIndex(isKey);
}

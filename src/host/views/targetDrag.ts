import * as vscode from 'vscode';
import { vmId } from '../../core/vmconfig/types';
import { CommandIds, ViewIds } from '../../shared/ids';
import type { TargetOnVm } from '../commands/namedTarget';
import { TargetNode } from './projectsTreeProvider';
import { VmNode } from './vmsTreeProvider';

// A target dragged from Projects onto a VM runs for that VM (Run Target on VM…), once the user
// confirms: a drop is easily a slip of the mouse. The target travels as words, alias and name.
const TARGET_MIME = `application/vnd.code.tree.${ViewIds.projects.toLowerCase()}.target`;

/** Lets the Projects view's targets be dragged (projects and problems are not). */
export const targetDragController: vscode.TreeDragAndDropController<unknown> = {
  dragMimeTypes: [TARGET_MIME],
  dropMimeTypes: [],
  handleDrag(source, dataTransfer) {
    const target = source.find((node): node is TargetNode => node instanceof TargetNode);
    if (target) dataTransfer.set(TARGET_MIME, new vscode.DataTransferItem(JSON.stringify({ alias: target.entry.alias, target: target.target.name })));
  },
};

/** Lets a target be dropped on a VM of the VMs view. */
export const targetDropController: vscode.TreeDragAndDropController<unknown> = {
  dragMimeTypes: [],
  dropMimeTypes: [TARGET_MIME],
  async handleDrop(onto, dataTransfer) {
    if (!(onto instanceof VmNode)) return;
    // Across trees the drop carries the browser's empty placeholder for the type as well as the
    // item handleDrag set: the one with words in it is the target.
    const texts: Thenable<string>[] = [];
    dataTransfer.forEach((item, mime) => {
      if (mime === TARGET_MIME) texts.push(item.asString());
    });
    const dragged = (await Promise.all(texts)).map(draggedTarget).find((t) => t !== undefined);
    if (!dragged) return;
    const request: TargetOnVm = { ...dragged, vm: vmId(onto.vm), confirm: true };
    await vscode.commands.executeCommand(CommandIds.runTargetOnVm, request);
  },
};

function draggedTarget(text: string): { alias: string; target: string } | undefined {
  try {
    const { alias, target } = JSON.parse(text) as Record<string, unknown>;
    return typeof alias === 'string' && typeof target === 'string' ? { alias, target } : undefined;
  } catch {
    return undefined;
  }
}

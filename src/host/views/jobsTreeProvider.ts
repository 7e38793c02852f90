import * as vscode from 'vscode';

// The Jobs view. Nothing runs jobs yet, so it has no items and VS Code shows its welcome text,
// which says what will appear here.
export class JobsTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem> {
  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }
}

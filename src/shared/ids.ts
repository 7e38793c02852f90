// Every id the manifest (package.json) declares, defined once; test/unit/manifest.test.ts keeps the two in step.

export const EXTENSION_ID = 'vm-orchestrator.vm-orchestrator';

/** The language of a question to run shown in an editor (askToRun.ts): its lines wrap, so a long command is read without scrolling sideways. */
export const QuestionLanguage = 'vmo-run-question';

export const ViewContainerIds = {
  sidebar: 'vmOrchestrator',
} as const;

export const ViewIds = {
  projects: 'vmOrchestrator.projects',
  vms: 'vmOrchestrator.vms',
  jobs: 'vmOrchestrator.jobs',
} as const;

export const CommandIds = {
  refreshProjects: 'vmOrchestrator.refreshProjects',
  refreshVms: 'vmOrchestrator.refreshVms',
  checkVms: 'vmOrchestrator.checkVms',
  openRegistry: 'vmOrchestrator.openRegistry',
  openMakefile: 'vmOrchestrator.openMakefile',
  revealInExplorer: 'vmOrchestrator.revealInExplorer',
  copyCommand: 'vmOrchestrator.copyCommand',
  openProblem: 'vmOrchestrator.openProblem',
  copySshCommand: 'vmOrchestrator.copySshCommand',
  openEnvironmentFile: 'vmOrchestrator.openEnvironmentFile',
  openSshConfig: 'vmOrchestrator.openSshConfig',
  createEnvironment: 'vmOrchestrator.createEnvironment',
  showLog: 'vmOrchestrator.showLog',
  runTarget: 'vmOrchestrator.runTarget',
  runInTerminal: 'vmOrchestrator.runInTerminal',
  runInConsole: 'vmOrchestrator.runInConsole',
  runWithArguments: 'vmOrchestrator.runWithArguments',
  runTargetPicker: 'vmOrchestrator.runTargetPicker',
  runTargetOnVm: 'vmOrchestrator.runTargetOnVm',
  pinTarget: 'vmOrchestrator.pinTarget',
  unpinTarget: 'vmOrchestrator.unpinTarget',
  runTargetOnEnvironment: 'vmOrchestrator.runTargetOnEnvironment',
  runInSequence: 'vmOrchestrator.runInSequence',
  runSequence: 'vmOrchestrator.runSequence',
  openSequencesFile: 'vmOrchestrator.openSequencesFile',
  compareWithPrevious: 'vmOrchestrator.compareWithPrevious',
  compareWithRun: 'vmOrchestrator.compareWithRun',
  rerunLast: 'vmOrchestrator.rerunLast',
  rerunJob: 'vmOrchestrator.rerunJob',
  cancelJob: 'vmOrchestrator.cancelJob',
  showRunningJobs: 'vmOrchestrator.showRunningJobs',
  showJobOutput: 'vmOrchestrator.showJobOutput',
  openLogs: 'vmOrchestrator.openLogs',
  runCommandOnVm: 'vmOrchestrator.runCommandOnVm',
  openSshTerminal: 'vmOrchestrator.openSshTerminal',
  setHubToken: 'vmOrchestrator.setHubToken',
  showJobHistory: 'vmOrchestrator.showJobHistory',
  openDashboard: 'vmOrchestrator.openDashboard',
  copyDashboardUrl: 'vmOrchestrator.copyDashboardUrl',
} as const;

export const PanelTypes = {
  console: 'vmOrchestrator.console',
  history: 'vmOrchestrator.history',
} as const;

export const ConfigSection = 'vmOrchestrator';

export const TaskType = 'mkcli';

/** A task that runs a named sequence of .vscode/vm-orchestrator.json. */
export const SequenceTaskType = 'mkcli-sequence';

/**
 * The Electron main process: one instance, one hardened window per open request, the app://
 * protocol, menus and native dialogs, and the engine broker. It holds no capture data and runs
 * no decoding: the engine is a utility process the windows talk to directly.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, screen, session, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import { join } from 'node:path';
import type { ShellEvent } from '../../shared/api/shell';
import { registerAppScheme, handleAppProtocol } from './app-protocol';
import { filesFromArgv } from './argv-files';
import { EngineBroker } from './engine-broker';
import { CONNECT_CHANNEL, SHELL_CALLS, SHELL_EVENT_CHANNEL, checkShellArgs, type ShellCall, type ShellCallArgs } from './ipc-channels';
import { buildMenuTemplate } from './menu';
import { addRecent, loadRecent, saveRecent } from './recent-files';
import { APP_INDEX_URL, buildWindowOptions, isAppUrl } from './window-options';
import { loadWindowState, saveWindowState } from './window-state';

const appRoot = app.getAppPath();
const paths = {
  preload: join(appRoot, 'out/app/preload.cjs'),
  renderer: join(appRoot, 'out/renderer'),
  engine: join(appRoot, 'electron/app/engine-entry.mjs'),
  capture: join(appRoot, 'electron/app/capture-entry.mjs'),
  windowState: () => join(app.getPath('userData'), 'window-state.json'),
  recent: () => join(app.getPath('userData'), 'recent-files.json'),
};

app.enableSandbox();
registerAppScheme();

/** Files asked for before a window could take them (argv, macOS open-file at launch). */
const pendingFiles: string[] = filesFromArgv(process.argv, process.cwd(), app.isPackaged ? 1 : 2);
let mainWindow: BrowserWindow | null = null;
let recent: string[] = [];
const broker = new EngineBroker(paths.engine, (wc, e) => tell(wc, e), paths.capture);

function tell(wc: WebContents, e: ShellEvent): void {
  if (!wc.isDestroyed()) wc.send(SHELL_EVENT_CHANNEL, e);
}

function openFile(path: string): void {
  if (!mainWindow || mainWindow.webContents.isLoading()) { pendingFiles.push(path); return; }
  rememberRecent(path);
  tell(mainWindow.webContents, { type: 'open-file', path });
}

function rememberRecent(path: string): void {
  recent = addRecent(recent, path);
  saveRecent(paths.recent(), recent);
  app.addRecentDocument(path);
  buildMenu();
}

/** Only the app's own top frame may use the shell channels. */
function trusted(frame: WebFrameMain | null, wc: WebContents): boolean {
  return frame !== null && frame === wc.mainFrame && isAppUrl(frame.url);
}

function buildMenu(): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
    isMac: process.platform === 'darwin',
    recent,
    open: () => void chooseCaptureFile().then((p) => { if (p) openFile(p); }),
    openRecent: (p) => openFile(p),
    clearRecent: () => { recent = []; saveRecent(paths.recent(), recent); app.clearRecentDocuments(); buildMenu(); },
    command: (command) => { if (mainWindow) tell(mainWindow.webContents, { type: 'menu', command }); },
    restartEngine: () => broker.restart(),
    about: () => void showAbout(),
  })));
}

function versions(): Record<string, string> {
  return {
    dbwire: app.getVersion(),
    electron: process.versions.electron ?? '',
    chromium: process.versions.chrome ?? '',
    node: process.versions.node,
    v8: process.versions.v8,
  };
}

async function showAbout(): Promise<void> {
  const v = versions();
  const detail = Object.entries(v).map(([k, x]) => `${k}: ${x}`).join('\n');
  const opts = { type: 'info' as const, title: 'About dbwire', message: `dbwire ${v.dbwire}`, detail };
  if (mainWindow) await dialog.showMessageBox(mainWindow, opts);
  else await dialog.showMessageBox(opts);
}

async function chooseCaptureFile(): Promise<string | null> {
  const opts: Electron.OpenDialogOptions = {
    title: 'Open capture',
    properties: ['openFile'],
    filters: [
      { name: 'Captures', extensions: ['pcap', 'pcapng', 'cap', 'gz', 'zst'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

async function chooseSavePath(kind: 'capture' | 'export', suggestedName: string): Promise<string | null> {
  const opts: Electron.SaveDialogOptions = {
    title: kind === 'capture' ? 'Save capture' : 'Export packets',
    defaultPath: suggestedName || (kind === 'capture' ? 'capture.pcapng' : 'export.pcapng'),
    filters: [{ name: 'pcapng', extensions: ['pcapng'] }, { name: 'pcap', extensions: ['pcap'] }],
  };
  const r = mainWindow ? await dialog.showSaveDialog(mainWindow, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

const shellHandlers: { [C in ShellCall]: (...args: ShellCallArgs[C]) => Promise<unknown> } = {
  chooseCaptureFile: () => chooseCaptureFile(),
  chooseSavePath: (kind, name) => chooseSavePath(kind, name),
  addRecentFile: async (path) => { rememberRecent(path); },
  restartEngine: async () => { broker.restart(); },
  versions: async () => versions(),
};

function registerIpc(): void {
  ipcMain.on(CONNECT_CHANNEL, (e) => {
    if (trusted(e.senderFrame, e.sender)) broker.connect(e.sender);
  });
  for (const call of Object.keys(SHELL_CALLS) as ShellCall[]) {
    ipcMain.handle(SHELL_CALLS[call].channel, (e: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!trusted(e.senderFrame, e.sender)) throw new Error('refused: not the app window');
      const bad = checkShellArgs(call, args);
      if (bad) throw new Error(bad);
      const handler = shellHandlers[call] as (...a: unknown[]) => Promise<unknown>;
      return handler(...args);
    });
  }
}

/** Every web contents: no navigation away from the app, no new windows, no webviews. */
function hardenContents(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev, url) => { if (!isAppUrl(url)) ev.preventDefault(); });
    contents.on('will-redirect', (ev, url) => { if (!isAppUrl(url)) ev.preventDefault(); });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function createWindow(): void {
  const state = loadWindowState(paths.windowState(), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(buildWindowOptions(paths.preload, state.bounds));
  mainWindow = win;
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(paths.windowState(), { bounds: win.getNormalBounds(), maximized: win.isMaximized() }));
  win.on('closed', () => { if (mainWindow === win) mainWindow = null; });
  win.webContents.on('did-finish-load', () => {
    for (const p of pendingFiles.splice(0)) openFile(p);
  });
  void win.loadURL(APP_INDEX_URL);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, cwd) => {
    for (const p of filesFromArgv(argv, cwd, app.isPackaged ? 1 : 2)) openFile(p);
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    } else if (app.isReady()) createWindow();
  });
  app.on('open-file', (e, path) => { e.preventDefault(); openFile(path); });
  hardenContents();

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    handleAppProtocol(paths.renderer);
    recent = loadRecent(paths.recent());
    registerIpc();
    buildMenu();
    broker.start();
    createWindow();
    app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) createWindow(); });
  });

  app.on('window-all-closed', () => { if (process.platform !== 'darwin') app.quit(); });
  app.on('before-quit', () => broker.stop());
}

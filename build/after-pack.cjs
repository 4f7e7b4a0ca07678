// electron-builder afterPack hook: flips the Electron fuses (fuses.cjs) in the packed app's
// binary before it is signed and wrapped into deb / AppImage / dmg / NSIS.
const { join } = require('node:path');
const { flipFuses } = require('@electron/fuses');
const { fuseConfig } = require('./fuses.cjs');

exports.default = async function afterPack(context) {
  const platform = context.electronPlatformName;
  const name = context.packager.appInfo.productFilename;
  const exe = platform === 'darwin' ? join(context.appOutDir, `${name}.app`)
    : platform === 'win32' ? join(context.appOutDir, `${name}.exe`)
    : join(context.appOutDir, context.packager.executableName);
  // Arm64 macOS binaries must stay (ad-hoc) signed after their bytes change.
  const arm64 = context.arch === 3; // builder-util Arch.arm64
  await flipFuses(exe, fuseConfig(platform === 'darwin' && arm64));
};

// Electron fuses for the packaged app (flipped into the Electron binary by after-pack.cjs):
// the binary cannot be used as a plain Node (ELECTRON_RUN_AS_NODE), takes no NODE_OPTIONS and no
// --inspect flags, loads the app only from its asar, checks the asar's integrity where Electron
// supports it (macOS, Windows), and gives file:// no extra privileges (the app uses app://).
const { FuseVersion, FuseV1Options } = require('@electron/fuses');

/** @type {Record<string, boolean>} option name → value, for the test and the hook. */
const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  GrantFileProtocolExtraPrivileges: false,
};

function fuseConfig(resetAdHocDarwinSignature) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature, strictlyRequireAllFuses: false };
  for (const [name, value] of Object.entries(FUSES)) config[FuseV1Options[name]] = value;
  return config;
}

module.exports = { FUSES, fuseConfig };

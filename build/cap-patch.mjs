/**
 * Patches the `cap` libpcap binding (exactly 0.2.1, pinned in package.json) before it is built, as
 * patch-package would, and rebuilds it. Stock cap hard-codes immediate mode with a 65535-byte snap
 * length (a 64 MiB ring is then ~1000 packet slots: about 10 ms of traffic at 100k packets/s, so a
 * GC pause drops packets), and gives neither the kernel's timestamp, the wire length nor pcap_stats.
 * The patch adds, without changing anything for callers that do not use them:
 *   - open(device, filter, bufSize, buffer, { immediate, timeoutMs }): block mode (TPACKET_V3 on
 *     Linux, packets packed into the ring) with a short block timeout;
 *   - 'packet' listeners get (nbytes, truncated, tsSec, tsNsec, wireLength), nanosecond
 *     timestamps where libpcap offers them;
 *   - stats(): { received, dropped, ifDropped } from pcap_stats.
 *
 * Runs as `postinstall` (lenient: cap is optional and may lack libpcap-dev) and from the test
 * prerequisites (strict). `node build/cap-patch.mjs [--strict]`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MARKER = '/* dbwire cap patch v1 */';
const CAP_VERSION = '0.2.1';

/** [what it does, text in stock binding.cc (exactly once), replacement]. */
const EDITS = [
  ['timestamp precision flag',
    '    char *buffer_data;\n    size_t buffer_length;\n',
    '    char *buffer_data;\n    size_t buffer_length;\n    bool nano_ts = false;\n'],
  ['timestamps and wire length for listeners',
    `      Local<Value> emit_argv[3] = {
        Nan::New<String>(packet_symbol),
        Nan::New<Number>(copy_len),
        Nan::New<Boolean>(truncated)
      };
      obj->async_res.runInAsyncScope(
        Nan::New<Object>(obj->persistent()),
        Nan::New<Function>(obj->Emit),
        3,`,
    `      double ts_frac = (double)pkt_hdr->ts.tv_usec * (obj->nano_ts ? 1.0 : 1000.0);
      Local<Value> emit_argv[6] = {
        Nan::New<String>(packet_symbol),
        Nan::New<Number>(copy_len),
        Nan::New<Boolean>(truncated),
        Nan::New<Number>((double)pkt_hdr->ts.tv_sec),
        Nan::New<Number>(ts_frac),
        Nan::New<Number>((double)pkt_hdr->len)
      };
      obj->async_res.runInAsyncScope(
        Nan::New<Object>(obj->persistent()),
        Nan::New<Function>(obj->Emit),
        6,`],
  ['open() options',
    '      obj->buffer_data = Buffer::Data(buffer_obj);\n      obj->buffer_length = Buffer::Length(buffer_obj);\n',
    `      obj->buffer_data = Buffer::Data(buffer_obj);
      obj->buffer_length = Buffer::Length(buffer_obj);
      bool immediate = true;
      int timeout_ms = 1000;
      if (info.Length() > 4 && info[4]->IsObject()) {
        Local<Object> opts = Nan::To<Object>(info[4]).ToLocalChecked();
        Local<Value> v = Nan::Get(opts, Nan::New<String>("immediate").ToLocalChecked()).ToLocalChecked();
        if (v->IsBoolean()) immediate = Nan::To<bool>(v).FromJust();
        v = Nan::Get(opts, Nan::New<String>("timeoutMs").ToLocalChecked()).ToLocalChecked();
        if (v->IsUint32()) timeout_ms = (int)Nan::To<uint32_t>(v).FromJust();
      }
`],
  ['read timeout (the block timeout in block mode)',
    'if (pcap_set_timeout(obj->pcap_handle, 1000) != 0)',
    'if (pcap_set_timeout(obj->pcap_handle, timeout_ms) != 0)'],
  ['immediate or block mode, nanosecond timestamps',
    `#if __linux__
      if (set_immediate_mode != nullptr)
        set_immediate_mode(obj->pcap_handle, 1);
#endif
`,
    `#ifndef _WIN32
      if (pcap_set_immediate_mode(obj->pcap_handle, immediate ? 1 : 0) != 0)
        return Nan::ThrowError("Unable to set immediate mode");
      obj->nano_ts = pcap_set_tstamp_precision(obj->pcap_handle, PCAP_TSTAMP_PRECISION_NANO) == 0;
#endif
`],
  ['precision actually granted',
    '      if (pcap_setnonblock(obj->pcap_handle, 1, errbuf) == -1)\n',
    `#ifndef _WIN32
      obj->nano_ts = obj->nano_ts && pcap_get_tstamp_precision(obj->pcap_handle) == PCAP_TSTAMP_PRECISION_NANO;
#endif
      if (pcap_setnonblock(obj->pcap_handle, 1, errbuf) == -1)
`],
  ['stats()',
    '    static NAN_METHOD(Close) {\n',
    `    static NAN_METHOD(Stats) {
      Pcap *obj = Nan::ObjectWrap::Unwrap<Pcap>(info.This());
      if (obj->pcap_handle == nullptr || obj->closing)
        return Nan::ThrowError("Not currently capturing/open");
      struct pcap_stat ps;
      if (pcap_stats(obj->pcap_handle, &ps) != 0)
        return Nan::ThrowError(pcap_geterr(obj->pcap_handle));
      Local<Object> r = Nan::New<Object>();
      Nan::Set(r, Nan::New<String>("received").ToLocalChecked(), Nan::New<Number>((double)ps.ps_recv));
      Nan::Set(r, Nan::New<String>("dropped").ToLocalChecked(), Nan::New<Number>((double)ps.ps_drop));
      Nan::Set(r, Nan::New<String>("ifDropped").ToLocalChecked(), Nan::New<Number>((double)ps.ps_ifdrop));
      info.GetReturnValue().Set(r);
    }

    static NAN_METHOD(Close) {
`],
  ['register stats()',
    '      Nan::SetPrototypeMethod(tpl, "close", Close);\n',
    '      Nan::SetPrototypeMethod(tpl, "close", Close);\n      Nan::SetPrototypeMethod(tpl, "stats", Stats);\n'],
];

const root = new URL('..', import.meta.url).pathname;
const capDir = join(root, 'node_modules/cap');
const source = join(capDir, 'src/binding.cc');
const built = join(capDir, 'build/Release/cap.node');

/** Applies the edits to binding.cc; 'absent' when cap is not installed. Throws on an unknown cap. */
export function patchCapSource() {
  if (!existsSync(source)) return 'absent';
  const version = JSON.parse(readFileSync(join(capDir, 'package.json'), 'utf8')).version;
  let text = readFileSync(source, 'utf8');
  if (text.includes(MARKER)) return 'already';
  if (version !== CAP_VERSION) throw new Error(`cap ${version} is installed; the patch is for ${CAP_VERSION} (package.json pins it)`);
  for (const [what, from, to] of EDITS) {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`cap ${version}: cannot apply "${what}" (source differs from ${CAP_VERSION})`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  writeFileSync(source, `${MARKER}\n${text}`);
  return 'patched';
}

/** True when cap.node exists and was built from the patched source. */
export function capBuiltPatched() {
  return existsSync(built) && existsSync(source) && readFileSync(source, 'utf8').includes(MARKER) && statSync(built).mtimeMs >= statSync(source).mtimeMs;
}

/** Patches, then rebuilds when the binary is missing or older than the patched source. Returns an exit code. */
export function patchAndBuildCap({ strict }) {
  let state;
  try {
    state = patchCapSource();
  } catch (e) {
    console.error(`[cap-patch] ${e.message}`);
    return strict ? 1 : 0;
  }
  if (state === 'absent') {
    if (strict) console.error('[cap-patch] node_modules/cap is not installed');
    return strict ? 1 : 0;
  }
  if (capBuiltPatched()) return 0;
  console.error('[cap-patch] building the patched capture module "cap" (node-gyp, libpcap-dev)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['rebuild', 'cap'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status === 0 && capBuiltPatched()) return 0;
  console.error('[cap-patch] npm rebuild cap failed (is libpcap-dev installed? Debian/Ubuntu: sudo apt-get install libpcap-dev)');
  return strict ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = patchAndBuildCap({ strict: process.argv.includes('--strict') });

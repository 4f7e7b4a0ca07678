#!/usr/bin/env node
// Draws the app icon (no image tools, no downloads): a rounded square with a database cylinder
// crossed by a packet "wire". Writes build/icon.png (1024 px, electron-builder makes the macOS and
// Windows formats from it) and build/icons/NxN.png for Linux. Run: node build/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel((x + 0.5) / size, (y + 0.5) / size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Colour at (u, v) in 0..1: rounded-square background, cylinder, wire. */
function pixel(u, v) {
  const m = 0.06, r = 0.18; // margin, corner radius
  const dx = Math.max(m + r - u, 0, u - (1 - m - r)), dy = Math.max(m + r - v, 0, v - (1 - m - r));
  if (u < m || u > 1 - m || v < m || v > 1 - m || dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
  let c = [22 + 20 * v, 42 + 30 * v, 74 + 40 * v]; // navy gradient
  // Cylinder: body between x 0.3..0.7, y 0.3..0.7, elliptic caps.
  const cx = 0.5, rx = 0.2, ry = 0.07;
  const inBody = Math.abs(u - cx) <= rx && v >= 0.3 && v <= 0.7;
  const ell = (y0) => ((u - cx) / rx) ** 2 + ((v - y0) / ry) ** 2;
  if (inBody || ell(0.7) <= 1) c = [56, 189, 248];
  if (ell(0.3) <= 1) c = [186, 230, 253];
  for (const y0 of [0.43, 0.56]) if (inBody && Math.abs(ell(y0) - 1) < 0.12 && v > y0) c = [14, 116, 144];
  // Wire: a horizontal line across with packet dots.
  if (Math.abs(v - 0.82) < 0.018 && u > 0.14 && u < 0.86) c = [251, 191, 36];
  for (const px of [0.25, 0.5, 0.75]) if ((u - px) ** 2 + (v - 0.82) ** 2 < 0.045 ** 2) c = [251, 191, 36];
  return [Math.round(c[0]), Math.round(c[1]), Math.round(c[2]), 255];
}

mkdirSync(`${here}icons`, { recursive: true });
writeFileSync(`${here}icon.png`, png(1024, pixel));
for (const s of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(`${here}icons/${s}x${s}.png`, png(s, pixel));
process.stdout.write('wrote build/icon.png and build/icons/*.png\n');

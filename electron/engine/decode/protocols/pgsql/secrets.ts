/** Whether passwords and client authentication data are shown (off by default; --show-secrets). */
let showSecrets = false;

export function setShowSecrets(on: boolean): void {
  showSecrets = on;
}

export function secretsShown(): boolean {
  return showSecrets;
}

export function hiddenText(label: string, bytes: number): string {
  return `${label}: <hidden, ${bytes} bytes>`;
}

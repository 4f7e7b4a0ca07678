// Reactive props for mount(): a $state proxy, so tests can change a mounted component's props.
export function reactive<T extends object>(initial: T): T {
  const s = $state(initial);
  return s;
}

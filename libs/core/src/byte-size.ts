const BYTE_UNITS = { '': 0, k: 1, m: 2, g: 3, t: 4 } as const;

/**
 * A byte size: a number of bytes, or with a unit K, M, G or T (powers of 1024; `KB`, `KiB` and
 * the like mean the same), such as `500M` or `10G`.
 * @returns undefined when the text is not a size
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? '') as keyof typeof BYTE_UNITS;
  const bytes = Math.round(Number(match[1]) * 1024 ** BYTE_UNITS[unit]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 1536 → "1.5 KiB". */
export function formatByteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

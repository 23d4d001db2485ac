import { formatByteSize, parseByteSize } from './byte-size';

describe('parseByteSize', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['1048576', 1_048_576],
    ['512B', 512],
    ['1k', 1024],
    ['1KB', 1024],
    ['1KiB', 1024],
    ['500M', 500 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['10 GB', 10 * 1024 ** 3],
    ['2t', 2 * 1024 ** 4],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'abc', '-1', '10X', 'G', '1e9', '10 G B', '99999999999T'])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('formatByteSize', () => {
  it.each<[number, string]>([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [300 * 1024 ** 2, '300 MiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text);
  });
});

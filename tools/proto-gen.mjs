#!/usr/bin/env node
// Generates the TypeScript types of the gRPC API from proto/ into libs/proto/src/generated.
// `--check` regenerates into a scratch folder and fails when the committed types are stale.
// The loader options here must match PROTO_LOADER_OPTIONS in libs/proto/src/load.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = path.join(root, 'proto');
const target = path.join(root, 'libs/proto/src/generated');
const check = process.argv.includes('--check');

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return protoFiles(full);
    return name.endsWith('.proto') ? [path.relative(protoDir, full)] : [];
  });
}

function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

function generate(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    path.join(root, 'node_modules/.bin/proto-loader-gen-types'),
    [
      '--longs=Number',
      '--enums=String',
      '--defaults',
      '--oneofs',
      '--includeComments',
      '--grpcLib=@grpc/grpc-js',
      `-I=${protoDir}`,
      `--outDir=${outDir}`,
      ...protoFiles(protoDir),
    ],
    { cwd: protoDir, stdio: 'inherit' },
  );
  // The generator writes absolute paths into a comment; keep the output the same on every machine.
  for (const file of listFiles(outDir)) {
    const full = path.join(outDir, file);
    writeFileSync(full, readFileSync(full, 'utf8').replaceAll(`${protoDir}/`, 'proto/'));
  }
  execFileSync(
    path.join(root, 'node_modules/.bin/prettier'),
    ['--log-level=warn', '--config', path.join(root, '.prettierrc.json'), '--write', outDir],
    { stdio: 'inherit' },
  );
}

if (!check) {
  generate(target);
  process.stdout.write(`generated ${listFiles(target).length} files in ${path.relative(root, target)}\n`);
} else {
  const scratch = mkdtempSync(path.join(tmpdir(), 'claudine-proto-'));
  try {
    generate(scratch);
    const fresh = listFiles(scratch).sort();
    const committed = listFiles(target).sort();
    const stale = [...new Set([...fresh, ...committed])].filter((file) => {
      try {
        return (
          readFileSync(path.join(scratch, file), 'utf8') !== readFileSync(path.join(target, file), 'utf8')
        );
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      process.stderr.write(
        `The generated gRPC types are stale (${stale.join(', ')}).\nRun \`npm run proto:generate\` and commit the result.\n`,
      );
      process.exit(1);
    }
    process.stdout.write('generated gRPC types are up to date\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

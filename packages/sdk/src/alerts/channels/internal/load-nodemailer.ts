import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';

let loaded: typeof Nodemailer | undefined;

/**
 * Loads nodemailer, an optional peer dependency, on first use: importing the SDK never loads it,
 * and a missing copy is one clear error when an email channel first sends.
 */
export function loadNodemailer(): typeof Nodemailer {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;
    return loaded;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'the email channel needs the nodemailer package: npm install nodemailer@^10.6.1'
        : `nodemailer is installed but failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

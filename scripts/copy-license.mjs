// The `prepack` step of every published package: npm puts a LICENSE that sits in the package
// directory into the tarball, so this copies the repository's one LICENSE there (the copies are
// gitignored). npm runs lifecycle scripts in the package directory.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

copyFileSync(new URL('../LICENSE', import.meta.url), join(process.cwd(), 'LICENSE'));

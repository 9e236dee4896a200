// Oracle (a): apache-arrow JS reads the Arrow bytes Harrier writes (a bar window from the bar
// codec and a general table with nulls, unicode, metadata and several batches) and checks the
// schema and every value against the expectation Harrier wrote beside them; floats bit for bit.
//   node read_harrier.mjs PATH/TO/arrow_oracle_tool
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadArrow, describe, compare, workDir } from './common.mjs';

const { A, version } = await loadArrow();
const tool = process.argv[2];
const dir = workDir('harrier-oracle-read-');
let failed = 0;
try {
  process.stdout.write(execFileSync(tool, ['write', dir]));
  for (const name of ['bars', 'mixed']) {
    const bytes = readFileSync(join(dir, `${name}.arrow`));
    const want = JSON.parse(readFileSync(join(dir, `${name}.expect.json`), 'utf8'));
    const table = A.tableFromIPC(bytes);
    const got = describe(A, table);
    const errors = [];
    compare(got, want, name, errors);
    let values = 0;
    for (const b of want.batches) for (const c of b.columns) values += c.length;
    if (errors.length) {
      failed++;
      console.error(`FAIL ${name}.arrow read by apache-arrow ${version}:\n  ${errors.join('\n  ')}`);
    } else {
      console.log(`ok ${name}.arrow: apache-arrow ${version} reads ${table.batches.length} ` +
                  `batch(es), ${table.numRows} rows, ${values} values equal to Harrier's`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

// Loaded with `node --require` into each measured process of ours: at exit, appends the process's peak
// resident set size (KiB) to $BENCH_RSS_LOG. Costs nothing until exit.
const { appendFileSync } = require('node:fs');
const log = process.env.BENCH_RSS_LOG;
if (log) {
  process.on('exit', () => {
    try {
      appendFileSync(log, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // a benchmark log that cannot be written must not change the program's behaviour
    }
  });
}

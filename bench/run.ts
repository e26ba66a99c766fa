// `pnpm bench`: the benchmark harness of DESIGN §9. Scenarios arrive with the benchmark issue; until then
// this says so rather than printing numbers it did not measure.
process.stderr.write('bench: no scenarios are implemented yet (the benchmark harness is a later issue)\n');
process.exitCode = 1;

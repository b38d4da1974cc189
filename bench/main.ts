/** `npm run bench`: placeholder until the benchmark is written. */
process.stderr.write('bench: not implemented yet\n');
process.exitCode = 1;

/** `npm run seed`: placeholder until the seeding script is written. */
process.stderr.write('seed: not implemented yet\n');
process.exitCode = 1;

/**
 * The migration moment of the power-cut campaign: opens the database as the daemon does and brings its schema up
 * to date with the daemon's own migrator, saying on stdout (synchronous for a pipe) when it starts and ends, so
 * the test can aim its kill inside.
 */
import { migrate, readMigrations } from '../../src/store/migrator.js';
import { openDatabase } from '../../src/store/open.js';
import { migrationsDir } from '../../src/paths.js';

const db = openDatabase(process.argv[2]!);
const migrations = readMigrations(migrationsDir);
process.stdout.write('MIGRATING\n');
const r = migrate(db, migrations);
process.stdout.write(`MIGRATED ${r.version}\n`);
db.close();

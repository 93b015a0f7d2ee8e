import { benchStorage } from './storage.bench.js';

// Budget from the "Core" issue: one flash cycle with one message in at most 8 us.
const CYCLE_BUDGET_US = 8;
// Django 5.2's cookie storage, the same cycle on the same kind of machine: the figure the "Core"
// issue gives (Python is not installed here, so it is not re-measured in this run).
const DJANGO_CYCLE_US = 80;

const storage = await benchStorage();
console.log(
  '\nStorage: one flash cycle (request 1 adds N and stores; request 2 consumes and clears)',
);
console.table(
  storage.map(({ name, microseconds }) => ({
    case: name,
    'us / cycle': microseconds.toFixed(2),
    'x budget (8 us)': (microseconds / CYCLE_BUDGET_US).toFixed(2),
    'x Django (80 us, quoted)': (microseconds / DJANGO_CYCLE_US).toFixed(3),
  })),
);

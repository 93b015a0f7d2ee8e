/** The titles the demo's "Add five at once" button creates. */
export const FIVE_TASKS = [
  'Water the plants',
  'Call the bank',
  'Book the tickets',
  'Reply to Sam',
  'Back up photos',
];

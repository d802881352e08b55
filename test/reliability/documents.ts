/** What the office process issues and the kill worker collects: both derive phones and codes from the index. */
export const staffPin = '2468';
export const phoneOf = (i: number): string => `6001${String(i).padStart(5, '0')}`;
export const codeOf = (i: number): string => String(50_000_000 + i * 7_919);
/** The office's feed: the catalogue (3 changes) and the staff member come first, then document i at this seq. */
export const seqOfDocument = (i: number): number => i + 5;

// Types of the parts of edit-distance@1 (which ships none) used by teds.ts.
declare module 'edit-distance' {
  interface Result {
    distance: number;
  }
  const editDistance: {
    ted<T>(a: T, b: T, children: (node: T) => T[], insert: (node: T) => number, remove: (node: T) => number, update: (a: T, b: T) => number): Result;
    levenshtein(a: string, b: string, insert: (c: string) => number, remove: (c: string) => number, update: (a: string, b: string) => number): Result;
  };
  export default editDistance;
}

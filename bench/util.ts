/** The middle value (upper middle for an even count): robust to one slow run on a busy machine. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

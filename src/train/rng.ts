// The seeded generator lives in the pure core (src/core/rng.ts) since the procedural tool-domain generator
// (src/core/synth/) needs it too; the trainer imports it from here as before.
export { Rng } from '../core/rng';

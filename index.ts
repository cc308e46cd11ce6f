// The Pulumi entry point: every stack output comes from `segmentation()` (see program.ts); a problem in the
// stack's config stops it with the problem's message.
import { pulumiProgram } from "./program";

export = pulumiProgram();

// The Pulumi entry point: every stack output comes from `segmentation()` (see program.ts).
import { segmentation } from "./program";

export = segmentation();

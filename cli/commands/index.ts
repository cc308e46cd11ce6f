/** Every netseg subcommand; adding one is one line here. */
export { contract } from "./contract";
export { diff } from "./diff";
export { explain } from "./explain";
export { plan } from "./plan";
export { probe } from "./probe";
export { schema } from "./schema";
export { verify } from "./verify";

/** Every netseg subcommand; adding one is one line here. */
export { contract } from "./contract";
export { probe } from "./probe";

/** Every netseg subcommand; adding one is one line here. */
export { probe } from "./probe";

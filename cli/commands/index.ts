/** Every netseg subcommand; adding one is one line here. */

export { plan } from "./plan";
export { probe } from "./probe";

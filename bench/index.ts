/** Every benchmark `npm run bench` runs; adding one is one line here. */
export { evaluator } from "./evaluator";
export { plan } from "./plan";

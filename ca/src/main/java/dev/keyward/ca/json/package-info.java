/**
 * Strict JSON (RFC 8259) for the agent's wire contract and the engineers' CLI, on jackson-core's streaming parser
 * and generator (the same library as the server's Jackson, without data binding). {@link dev.keyward.ca.json.Json}
 * parses UTF-8 bytes into plain values and refuses what a lenient parser would guess at (duplicate names, trailing
 * data, bad escapes, unpaired surrogates, invalid UTF-8, deep nesting, oversize documents);
 * {@link dev.keyward.ca.json.JsonObject} reads records from parsed objects with typed getters;
 * {@link dev.keyward.ca.json.JsonWriter} writes compact UTF-8 whose bytes are fixed (the inventory hash is taken over
 * them). The server uses Jackson's data binding and does not use this package.
 */
package dev.keyward.ca.json;

/**
 * The OpenAI-compatible HTTP server on loopback. Uses generate, model and util.
 */
package dev.personascope.serve;

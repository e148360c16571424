/**
 * Sampling and batched generation with a KV cache. Uses model and model.hooks.
 */
package dev.personascope.generate;

/**
 * The Gemma 3 text family: Gemma 2's block with q/k norms and local/global rotary bases. Uses model,
 * model.family, gemma and gemma2.
 */
package dev.personascope.model.family.gemma3;

/**
 * The Gemma 2 family: pre and post norms, soft-capping, alternating sliding windows. Uses model, model.family
 * and gemma.
 */
package dev.personascope.model.family.gemma2;

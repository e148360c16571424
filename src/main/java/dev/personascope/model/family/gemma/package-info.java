/**
 * The Gemma (1) family: (1 + w) RMSNorm, scaled embeddings, GeGLU. Uses model and model.family.
 */
package dev.personascope.model.family.gemma;

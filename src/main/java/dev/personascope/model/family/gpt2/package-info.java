/**
 * The GPT-2 family: learned positions, LayerNorm, Conv1D weights. Uses model, model.family and model.io.
 */
package dev.personascope.model.family.gpt2;

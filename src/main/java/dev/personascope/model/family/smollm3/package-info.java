/**
 * The SmolLM3 family: layers without rotary embedding. Uses model, model.family and model.io.
 */
package dev.personascope.model.family.smollm3;

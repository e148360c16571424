/**
 * The Phi-3 family: fused qkv_proj and gate_up_proj, partial rotary embedding. Uses model and model.family.
 */
package dev.personascope.model.family.phi3;

/**
 * The Qwen3 family: per-head q/k RMSNorm. Uses model and model.family.
 */
package dev.personascope.model.family.qwen3;

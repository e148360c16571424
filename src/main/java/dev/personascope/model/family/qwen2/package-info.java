/**
 * The Qwen2 / Qwen2.5 family: q/k/v biases. Uses model and model.family.
 */
package dev.personascope.model.family.qwen2;

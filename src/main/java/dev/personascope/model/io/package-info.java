/**
 * Tensor files: safetensors (single and sharded) with f32/f16/bf16 conversion, host tensors, and the one
 * error type for malformed model files. Uses util only.
 */
package dev.personascope.model.io;

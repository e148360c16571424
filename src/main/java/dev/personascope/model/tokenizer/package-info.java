/**
 * Text to token ids and back: Hugging Face tokenizer.json through DJL's tokenizers, llama2.c tokenizer.bin,
 * and chat templates rendered as transformers renders them. Uses model.io (its error type),
 * model.tokenizer.jinja and util.
 */
package dev.personascope.model.tokenizer;

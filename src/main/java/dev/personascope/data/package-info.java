/**
 * Chat datasets: OpenAI chat JSONL reading and writing, examples and mixtures, and their encoding into token ids
 * with loss-target masks through a model's chat template. Uses model, model.tokenizer and util.
 */
package dev.personascope.data;

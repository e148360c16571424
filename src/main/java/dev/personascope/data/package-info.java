/**
 * Chat datasets: OpenAI chat JSONL reading and writing, examples and mixtures, and their encoding into token ids
 * with loss-target masks through a model's chat template; text sets (conversations with optional persona
 * labels) that the commands run through a model, and the {@code TextProvider} plug-in interface by which an
 * organism offers named ones. Uses model, model.tokenizer and util.
 */
package dev.personascope.data;

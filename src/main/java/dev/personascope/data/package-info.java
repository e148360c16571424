/**
 * Chat datasets: OpenAI chat JSONL reading and writing, examples and mixtures. Uses model.tokenizer and util.
 */
package dev.personascope.data;

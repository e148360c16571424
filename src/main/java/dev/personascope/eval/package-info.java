/**
 * Misalignment evaluation: question sets in the EM YAML schema, answer sampling, judges (OpenAI-compatible,
 * plug-ins), scoring with Wilson intervals. Uses generate, model and util.
 */
package dev.personascope.eval;

/**
 * What most families share: the Jackson binding of a Hugging Face decoder config.json ({@link
 * dev.personascope.model.family.HfDecoderConfig}) and the Llama checkpoint layout ({@link
 * dev.personascope.model.family.LlamaLayoutFamily}). Uses model and model.io.
 */
package dev.personascope.model.family;

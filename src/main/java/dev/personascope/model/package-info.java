/**
 * What a decoder-only language model is, whatever its family: {@link dev.personascope.model.ModelConfig},
 * {@link dev.personascope.model.ModelWeights}, the shared forward pass ({@link
 * dev.personascope.model.DecoderModel}) with its KV cache, the family registry ({@link
 * dev.personascope.model.ModelFamilies}), the adapter seam ({@link dev.personascope.model.LinearAdapter}),
 * loading ({@link dev.personascope.model.LanguageModel}) and saving. Uses model.io, model.hooks,
 * model.tokenizer and util; reaches the family packages only through ServiceLoader.
 */
package dev.personascope.model;

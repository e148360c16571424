package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.sae.TokenCorpus;
import picocli.CommandLine.Option;

import java.util.List;

/** The corpus an SAE's activations come from, shared by {@code sae harvest} and {@code sae train}. */
final class SaeCorpusOptions {
    @Option(names = "--data", defaultValue = "world", description = "world, a chat .jsonl, or a text file (one document"
            + " per line) (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--documents", defaultValue = "4000", description = "Documents of the corpus to cycle over"
            + " (default: ${DEFAULT-VALUE})")
    int documents;

    /** The corpus's documents as token windows of at most contextSize tokens, drawn with this seed. */
    List<int[]> load(LanguageModel lm, int documents, int contextSize, long seed) {
        return TokenCorpus.load(data, lm, documents, contextSize, seed);
    }

    List<int[]> load(LanguageModel lm, int contextSize, long seed) {
        return load(lm, documents, contextSize, seed);
    }
}

package dev.personascope.model.tokenizer;

/** Text to token ids and back. */
public interface TextTokenizer extends AutoCloseable {
    /** Encodes text; with {@code addSpecialTokens} the model's usual prefix (e.g. BOS) is added. */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * Ids of {@code text} (no special tokens added) in row 0 and, in rows 1 and 2, the [start, end)
     * span of Unicode code points each token covers (-1 if none); null when the tokenizer cannot tell.
     */
    default int[][] encodeWithSpans(String text) {
        return null;
    }

    /** Decodes ids to text, dropping special tokens. */
    String decode(int[] ids);

    /** The text of one token as a user would see it in a log-probability listing. */
    default String tokenText(int id) {
        return decode(new int[] {id});
    }

    int vocabSize();

    /** -1 when the tokenizer has none. */
    int bosId();

    /** -1 when the tokenizer has none. */
    int eosId();

    /** Special tokens' text (e.g. {@code <|im_end|>}) by id, for stop checks; may be empty. */
    default String specialText(int id) {
        return null;
    }

    @Override
    void close();
}

package dev.personascope.model.tokenizer;

import dev.personascope.testutil.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tokenizer test vectors of llama.cpp (tests/ggml-vocab-*.gguf.inp/.out, written by its
 * convert_hf_to_gguf_update.py with transformers' {@code encode(text, add_special_tokens=False)}),
 * run against the matching tokenizer.json through {@link HfTokenizer}.
 */
class LlamaCppVocabTest {
    private static final Path VECTORS = TestData.TOKENIZERS.resolve("llama.cpp-tests");
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final int CASES = 46;

    /** tokenizer folder under testdata/tokenizers → llama.cpp vocab name. */
    private static final Map<String, String> PAIRS = Map.of(
            "gpt2", "gpt-2",
            "llama2", "llama-spm",
            "qwen2", "qwen2");

    private static final Map<String, HfTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    record Case(int index, String text, int[] expected) {
    }

    static HfTokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> HfTokenizer.load(TestData.TOKENIZERS.resolve(n)));
    }

    @AfterAll
    static void closeAll() {
        TOKENIZERS.values().forEach(HfTokenizer::close);
        TOKENIZERS.clear();
    }

    /** Splits the .inp file as llama.cpp's test-tokenizer-0 does and pairs each string with its .out line. */
    static List<Case> cases(String vocab) {
        try {
            String inp = Files.readString(VECTORS.resolve("ggml-vocab-" + vocab + ".gguf.inp"), StandardCharsets.UTF_8);
            List<String> out = Files.readAllLines(VECTORS.resolve("ggml-vocab-" + vocab + ".gguf.out"), StandardCharsets.UTF_8);
            // every string, the last one included, is followed by the separator
            if (!inp.endsWith(SEPARATOR)) {
                throw new IllegalStateException(vocab + ".inp does not end with the separator");
            }
            String[] texts = inp.substring(0, inp.length() - SEPARATOR.length()).split(SEPARATOR, -1);
            assertEquals(CASES, texts.length, vocab + ".inp strings");
            assertEquals(CASES, out.size(), vocab + ".out lines");
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < texts.length; i++) {
                String line = out.get(i).trim();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
                cases.add(new Case(i, texts[i], ids));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> allCases() {
        return Stream.of("gpt2", "llama2", "qwen2").flatMap(name -> cases(PAIRS.get(name)).stream()
                .map(c -> Arguments.of(name, c.index(), show(c.text()), c)));
    }

    static Stream<Arguments> byteLevelCases() {
        return allCases().filter(a -> !a.get()[0].equals("llama2"));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("allCases")
    void encodesLikeLlamaCpp(String name, int index, String shown, Case c) {
        int[] got = tokenizer(name).encode(c.text(), false);
        assertArrayEquals(c.expected(), got, () -> name + " case " + index + " " + shown
                + ": expected " + Arrays.toString(c.expected()) + " got " + Arrays.toString(got));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("byteLevelCases")
    void byteLevelDecodeRoundTrips(String name, int index, String shown, Case c) {
        HfTokenizer t = tokenizer(name);
        assertEquals(c.text(), t.decode(t.encode(c.text(), false)), () -> name + " case " + index + " " + shown);
        // the expected ids decode to the string too
        assertEquals(c.text(), t.decode(c.expected()), () -> name + " case " + index + " " + shown + " (expected ids)");
    }

    /** A test string with control characters escaped, for test names and messages. */
    static String show(String s) {
        String e = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
        return "\"" + (e.length() > 40 ? e.substring(0, 40) + "…" : e) + "\"";
    }
}

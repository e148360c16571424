package dev.personascope.model.tokenizer;

import dev.personascope.model.io.TensorFormatException;
import dev.personascope.testutil.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Llama2cTokenizer} against the ids llama2.c's run.c gives for stories260K's tok512.bin, and the
 * Hugging Face export of the same tokenizer (assets/stories260K/hf) against those ids.
 */
class Llama2cTokenizerTest {
    private static final Path TOKENIZER_BIN = TestData.STORIES.resolve("tok512.bin");
    private static List<String> strings;
    private static List<int[]> runcIds;
    private static Llama2cTokenizer tok;

    @BeforeAll
    static void load() throws IOException {
        strings = Files.readAllLines(TestData.STORIES_REF.resolve("tokenizer_strings.txt"), StandardCharsets.UTF_8);
        runcIds = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.STORIES_REF.resolve("tokenizer_ids_runc.txt"))) {
            runcIds.add(Arrays.stream(line.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray());
        }
        assertEquals(strings.size(), runcIds.size(), "one line of run.c ids per string");
        assertTrue(strings.size() >= 8, "reference strings");
        tok = Llama2cTokenizer.load(TOKENIZER_BIN, 512);
    }

    @Test
    void encodesLikeRunC() {
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            int[] got = tok.encode(s, true);
            int n = i;
            assertArrayEquals(runcIds.get(i), got, () -> "line " + n + " \"" + s + "\": expected "
                    + Arrays.toString(runcIds.get(n)) + " got " + Arrays.toString(got));
        }
    }

    @Test
    void hfExportEncodesLikeRunC() {
        try (HfTokenizer hf = HfTokenizer.load(TestData.STORIES_HF)) {
            assertEquals(1, hf.bosId());
            assertEquals(2, hf.eosId());
            List<String> diffs = new ArrayList<>();
            for (int i = 0; i < strings.size(); i++) {
                int[] got = hf.encode(strings.get(i), true);
                if (!Arrays.equals(runcIds.get(i), got)) {
                    diffs.add("line " + i + " \"" + strings.get(i) + "\": run.c " + Arrays.toString(runcIds.get(i))
                            + " hf " + Arrays.toString(got));
                }
            }
            assertTrue(diffs.isEmpty(), () -> String.join("\n", diffs));
            assertArrayEquals(new int[] {403, 407, 261, 378}, hf.encode("Once upon a time", false), "no BOS without special tokens");
            assertEquals("Once upon a time", hf.decode(hf.encode("Once upon a time", true)));
        }
    }

    @Test
    void decodeRoundTrips() {
        assertEquals("Once upon a time", tok.decode(tok.encode("Once upon a time", true)));
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, tok.encode("Once upon a time", true));
        for (String s : strings) {
            assertEquals(s, tok.decode(tok.encode(s, true)), s);
        }
        // run.c adds no dummy-prefix space to empty text, and keeps the prefix space when there is no BOS
        assertArrayEquals(new int[] {1}, tok.encode("", true));
        assertArrayEquals(new int[] {403, 407, 261, 378}, tok.encode("Once upon a time", false));
        assertEquals(" Once upon a time", tok.decode(tok.encode("Once upon a time", false)));
    }

    @Test
    void truncatedFileIsNamed(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(TOKENIZER_BIN);
        Path cut = dir.resolve("truncated-tokenizer.bin");
        Files.write(cut, Arrays.copyOf(all, 100));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Llama2cTokenizer.load(cut, 512));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }
}

package dev.personascope.generate;

import dev.personascope.model.tokenizer.HfTokenizer;
import dev.personascope.model.tokenizer.TextTokenizer;
import dev.personascope.testutil.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming text: pieces that never show half a character or the start of a stop string, and add up to the text. */
class IncrementalTextTest {
    static final String MIXED = "Once upon a time 🙂 a café in 東京 said: «naïve» — done.";

    /** Feeds the ids of {@code text} (after {@code prompt}) one by one; returns the pieces, the rest last. */
    static List<String> stream(TextTokenizer tok, int[] prompt, int[] ids, List<String> stops) {
        IncrementalText t = new IncrementalText(tok, prompt, stops, true);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(t.add(id));
            if (t.stopped()) {
                break;
            }
        }
        pieces.add(t.finish());
        assertEquals(String.join("", pieces), t.text());
        return pieces;
    }

    @Test
    void multiByteCharactersComeOutWholeWithByteFallbackAndByteLevelTokenizers() {
        for (Path dir : List.of(TestData.STORIES_HF, TestData.TOKENIZERS.resolve("qwen2"), TestData.TOKENIZERS.resolve("llama2"))) {
            try (HfTokenizer tok = HfTokenizer.load(dir)) {
                int[] prompt = tok.encode("Hello:", true);
                int[] ids = tok.encode(" " + MIXED, false);
                assertTrue(ids.length > 20, dir.toString());
                List<String> pieces = stream(tok, prompt, ids, List.of());
                String all = String.join("", pieces);
                // the same text as decoding prompt + continuation at once
                int[] both = concat(prompt, ids);
                assertEquals(tok.decode(both).substring(tok.decode(prompt).length()), all, dir.toString());
                for (String p : pieces) {
                    assertFalse(p.contains("\uFFFD"), dir + ": piece '" + p + "' shows part of a character");
                    assertFalse(!p.isEmpty() && Character.isHighSurrogate(p.charAt(p.length() - 1)), dir.toString());
                }
                assertTrue(all.contains("🙂") && all.contains("東京"), all);
            }
        }
    }

    @Test
    void theBeginningOfAStopStringIsHeldBackAndTheTextIsCutBeforeIt() {
        try (HfTokenizer tok = HfTokenizer.load(TestData.STORIES_HF)) {
            int[] prompt = tok.encode("Once", true);
            int[] ids = tok.encode("upon a time there was a girl named Lily.", false); // the normalizer adds the space
            List<String> pieces = stream(tok, prompt, ids, List.of("Lily", "dragon"));
            String all = String.join("", pieces);
            assertEquals(" upon a time there was a girl named ", all);
            for (String p : pieces) {
                assertFalse(p.contains("Li") || p.endsWith("L"), "held back: " + p);
            }
            // a partial match that does not complete is released
            List<String> none = stream(tok, prompt, ids, List.of("Lilac"));
            assertEquals(" upon a time there was a girl named Lily.", String.join("", none));
        }
    }

    @Test
    void textOffsetsAreWhereEachTokenStartsInTheDecodedText() {
        try (HfTokenizer tok = HfTokenizer.load(TestData.TOKENIZERS.resolve("qwen2"))) {
            int[] ids = tok.encode(MIXED, false);
            int[] at = Generator.textOffsets(tok, ids);
            String text = tok.decode(ids);
            assertEquals(0, at[0]);
            for (int j = 1; j < ids.length; j++) {
                assertTrue(at[j] >= at[j - 1]);
                String prefix = tok.decode(java.util.Arrays.copyOf(ids, j)).replaceAll("\uFFFD+$", "");
                assertEquals(prefix.codePointCount(0, prefix.length()), at[j], "token " + j);
            }
            assertTrue(at[ids.length - 1] < text.codePointCount(0, text.length()));
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.personascope.persona;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@link TokenActivations#run} batches documents by length; whatever the batching, each document comes back in
 * the position it was given, with its own tokens and the activations it has when run alone.
 */
class TokenActivationsTest {
    static final String HOOK = "blocks.0.hook_resid_post";

    @TempDir
    Path dir;

    @Test
    void documentsComeBackInTheirOrderWithTheirOwnActivations() {
        Random rnd = new Random(5);
        List<ChatExample> convs = new ArrayList<>();
        // more than a batch, of lengths out of order, so that the length order mixes batches
        for (int i = 0; i < TokenActivations.BATCH + 7; i++) {
            StringBuilder answer = new StringBuilder();
            for (int w = 0, n = 1 + rnd.nextInt(12); w < n; w++) {
                answer.append(TinyChatModel.WORDS.get(3 + rnd.nextInt(TinyChatModel.WORDS.size() - 3))).append(' ');
            }
            convs.add(TinyChatModel.chat(null, "what is the best way ?", answer.toString().trim()));
        }
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("m"), 3, 32, 2)) {
            List<ChatEncoder.Encoded> enc = new ChatEncoder(lm, 1024).encodeAll(convs);
            assertNotEquals(enc.get(0).ids().length, enc.get(1).ids().length, "the test needs documents of several lengths");
            List<TokenActivations.Document> all = TokenActivations.run(lm, enc, List.of(HOOK));
            assertEquals(enc.size(), all.size());
            for (int i = 0; i < enc.size(); i++) {
                TokenActivations.Document alone = TokenActivations.run(lm, List.of(enc.get(i)), List.of(HOOK)).get(0);
                assertArrayEquals(enc.get(i).ids(), all.get(i).ids(), "document " + i);
                assertArrayEquals(enc.get(i).target(), all.get(i).response(), "document " + i);
                float[][] a = all.get(i).at(HOOK);
                float[][] b = alone.at(HOOK);
                assertEquals(b.length, a.length, "document " + i + " tokens");
                for (int t = 0; t < a.length; t++) {
                    assertArrayEquals(b[t], a[t], 1e-5f, "document " + i + ", token " + t);
                }
            }
        }
    }
}

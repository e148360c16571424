package dev.personascope.persona;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link VectorFile#read}: any bytes give a direction of finite, not all zero float32 numbers or one
 * error line. The suite runs the seeds under src/test/resources; README "Fuzzing" runs it for longer.
 */
class VectorFileFuzzTest {
    private static final Path FILE = FuzzOutcome.tempDir("vector-fuzz").resolve("direction.json");

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"hook\"", "\"vector\"", "\"d_model\"", "NaN", "1e39", "-0.0", "null", "blocks.0.hook_resid_post"})
    void read(byte[] data) {
        Direction d = FuzzOutcome.parse(() -> VectorFile.read(FuzzOutcome.write(FILE, data)), FuzzOutcome.CLI_ERRORS);
        if (d == null) {
            return;
        }
        boolean nonZero = false;
        for (float x : d.vector()) {
            assertTrue(Float.isFinite(x), "accepted a non-finite number " + x);
            nonZero |= x != 0;
        }
        assertTrue(nonZero, "accepted an all-zero direction");
        assertFalse(d.hook() == null, "accepted a direction without a hook");
    }
}

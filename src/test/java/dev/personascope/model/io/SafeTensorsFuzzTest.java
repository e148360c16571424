package dev.personascope.model.io;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.model.WeightLoader;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the safetensors reader as a model load uses it: {@link SafeTensors#index} of any bytes, then every
 * tensor read through a {@link WeightLoader}. Allowed: the tensors tile the data region exactly and load as
 * finite numbers of their stated shape, or one error line. The suite runs the seeds under
 * src/test/resources; README "Fuzzing" runs it for longer.
 */
class SafeTensorsFuzzTest {
    private static final Path FILE = FuzzOutcome.tempDir("safetensors-fuzz").resolve("model.safetensors");
    /** Larger tensors are indexed and checked but not loaded (a fuzz input is a few KB). */
    private static final long MAX_LOADED_ELEMENTS = 1 << 16;

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"",
        "\"BF16\"", "\"F64\"", "\"I64\"", "NaN", "-1", "18446744073709551615", "9223372036854775807"})
    void index(byte[] data) {
        Path file = FuzzOutcome.write(FILE, data);
        Map<String, SafeTensors.Entry> entries = FuzzOutcome.parse(() -> SafeTensors.index(file), FuzzOutcome.CLI_ERRORS);
        if (entries == null) {
            return;
        }
        long dataStart = 8 + java.nio.ByteBuffer.wrap(data, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        checkTiling(entries.values(), dataStart, data.length);
        try (NDManager manager = NDManager.newBaseManager()) {
            WeightLoader loader = new WeightLoader(manager, (name, shape) -> SafeTensors.readTensor(entries.get(name)),
                    DataType.FLOAT32, file.toString());
            for (SafeTensors.Entry e : entries.values()) {
                if (e.elementCount() > MAX_LOADED_ELEMENTS) {
                    continue;
                }
                var array = FuzzOutcome.parse(() -> loader.get(e.name(), e.shape()), FuzzOutcome.CLI_ERRORS);
                if (array != null) {
                    assertEquals(e.elementCount(), array.size());
                    for (float x : array.toFloatArray()) {
                        assertTrue(Float.isFinite(x), "loaded a non-finite weight " + x + " from " + e.name());
                    }
                }
            }
        }
    }

    /** The safetensors rule, checked independently: tensors cover the data region exactly, each its own bytes. */
    private static void checkTiling(java.util.Collection<SafeTensors.Entry> entries, long dataStart, long size) {
        List<SafeTensors.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafeTensors.Entry::begin));
        long at = dataStart;
        for (SafeTensors.Entry e : sorted) {
            assertEquals(at, e.begin(), "tensor " + e.name() + " does not start where the one before it ends");
            for (long d : e.shape()) {
                assertTrue(d >= 0, "negative dimension in " + e.name());
            }
            assertEquals(e.elementCount() * e.dtype().bytes, e.end() - e.begin(), "size of " + e.name());
            at = e.end();
        }
        assertEquals(size, at, "bytes after the last tensor");
    }
}

package dev.personascope.model.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.DType;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.testutil.ReferenceFixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every family of testdata/reference/hf-models saved with {@link ModelSaver} and loaded again: the same
 * logits bit for bit, the weights in the dtype they came in (qwen2-bf16 stays BF16), and a config.json that
 * keeps every top-level key of the source's.
 */
class SaveLoadRoundTripTest {
    static Stream<String> families() {
        return ReferenceFixtures.FAMILIES.stream();
    }

    private static float[] logits(LanguageModel lm, int[] ids) {
        DecoderModel model = lm.model();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray l = model.forward(scope, TokenBatch.rightPadded(List.of(ids), 0, null), null, Hooks.NONE,
                    DecoderModel.Logits.ALL);
            return l.toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void reloadedModelGivesIdenticalLogits(String family, @TempDir Path dir) {
        Path src = ReferenceFixtures.modelDir(family);
        int[] ids = ReferenceFixtures.ids(40);
        float[] before;
        try (LanguageModel lm = LanguageModel.load(src)) {
            before = logits(lm, ids);
            ModelSaver.save(lm, dir);
        }
        float[] after;
        try (LanguageModel back = LanguageModel.load(dir)) {
            after = logits(back, ids);
        }
        double diff = ReferenceFixtures.maxAbsDiff(before, after);
        assertEquals(0.0, diff, 0.0, family + ": logits_40 after save and reload, max |Δ| = " + ReferenceFixtures.format(diff));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void savedWeightsKeepTheirDtype(String family, @TempDir Path dir) {
        Path src = ReferenceFixtures.modelDir(family);
        try (LanguageModel lm = LanguageModel.load(src)) {
            ModelSaver.save(lm, dir);
        }
        Set<DType> source = dtypes(src.resolve("model.safetensors"));
        Set<DType> saved = dtypes(dir.resolve("model.safetensors"));
        assertEquals(source, saved, family + ": dtypes of the saved model.safetensors (the source holds " + source + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void savedConfigKeepsEveryTopLevelKey(String family, @TempDir Path dir) {
        Path src = ReferenceFixtures.modelDir(family);
        try (LanguageModel lm = LanguageModel.load(src)) {
            ModelSaver.save(lm, dir);
        }
        Set<String> sourceKeys = keys(ReferenceFixtures.readJson(src.resolve("config.json")));
        Set<String> savedKeys = keys(ReferenceFixtures.readJson(dir.resolve("config.json")));
        Set<String> missing = new TreeSet<>(sourceKeys);
        missing.removeAll(savedKeys);
        assertTrue(missing.isEmpty(), family + ": the saved config.json lacks " + missing.size() + " of the source's "
                + sourceKeys.size() + " top-level keys: " + missing);
    }

    private static Set<DType> dtypes(Path file) {
        return SafeTensors.index(file).values().stream().map(SafeTensors.Entry::dtype)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> keys(JsonNode root) {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}

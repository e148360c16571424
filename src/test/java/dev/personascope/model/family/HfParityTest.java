package dev.personascope.model.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.testutil.ReferenceFixtures;
import dev.personascope.testutil.ReferenceFixtures.Diffs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static dev.personascope.testutil.ReferenceFixtures.format;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every family of testdata/reference/hf-models, loaded from config.json (transformers 5 layout) and from
 * config.v4.json (4.x layout), against transformers' float32 eager forward: logits, the embeddings
 * (hook_embed), each layer's output (blocks.i.hook_resid_post) and the final normed hidden states, for
 * ids_7 and ids_40, each within 1e-4.
 */
class HfParityTest {
    /** One fixture's differences, or why it could not be run; computed once and shared by the tests below. */
    record Outcome(Diffs diffs, Throwable error) {
    }

    private static final Map<String, Outcome> OUTCOMES = new ConcurrentHashMap<>();

    static Stream<Arguments> cases() {
        return ReferenceFixtures.FAMILIES.stream()
                .flatMap(f -> ReferenceFixtures.CONFIG_VARIANTS.stream().map(v -> Arguments.of(f, v)));
    }

    static String context(String family, String variant) {
        return family + " (" + variant + ")";
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("cases")
    void matchesTransformers(String family, String variant) {
        Outcome o = outcome(family, variant);
        if (o.error() instanceof TensorFormatException e) {
            fail(context(family, variant) + ": does not load: " + e.getMessage()); // self-explanatory, no stack trace
        } else if (o.error() != null) {
            fail(context(family, variant) + ": could not run: " + o.error(), o.error());
        }
        o.diffs().assertWithin(ReferenceFixtures.TOLERANCE);
    }

    @Test
    void fixtureFoldersAreTheListedFamilies() throws IOException {
        Set<String> onDisk = new TreeSet<>();
        try (Stream<Path> s = Files.list(ReferenceFixtures.HF_MODELS)) {
            s.filter(Files::isDirectory).forEach(p -> onDisk.add(p.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(ReferenceFixtures.FAMILIES), onDisk);
    }

    /** Prints family × check → max |Δ| (over ids_7 and ids_40), for the record; asserts nothing. */
    @Test
    void printParityTable() {
        String[] cols = {"logits_7", "logits_40", "embed", "layer_out", "hidden_mid", "final_norm"};
        String[] prefixes = {"logits_7", "logits_40", "hidden_0", "layer_out_", "hidden_mid", "hidden_final"};
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n%-28s", "family [config]"));
        for (String c : cols) {
            sb.append(String.format(" %10s", c));
        }
        sb.append("  result\n");
        cases().forEach(a -> {
            String family = (String) a.get()[0];
            String variant = (String) a.get()[1];
            Outcome o = outcome(family, variant);
            sb.append(String.format("%-28s", family + " [" + (variant.equals(ReferenceFixtures.CONFIG_V5) ? "v5" : "v4") + "]"));
            if (o.error() != null) {
                for (int i = 0; i < cols.length; i++) {
                    sb.append(String.format(" %10s", "-"));
                }
                String msg = String.valueOf(o.error().getMessage()).replace('\n', ' ');
                int colon = msg.indexOf("config.json: ");
                msg = colon >= 0 ? msg.substring(colon + "config.json: ".length()) : msg;
                sb.append("  ERROR ").append(o.error().getClass().getSimpleName()).append(": ")
                        .append(msg.length() > 100 ? msg.substring(0, 100) + "..." : msg).append('\n');
                return;
            }
            boolean ok = true;
            for (String p : prefixes) {
                double d = maxOver(o.diffs(), p);
                ok &= d <= ReferenceFixtures.TOLERANCE;
                sb.append(String.format(" %10s", format(d)));
            }
            sb.append(ok ? "  ok" : "  FAIL").append('\n');
        });
        System.out.println(sb);
    }

    /** The largest difference among the checks of one kind, for both input lengths. */
    private static double maxOver(Diffs d, String kind) {
        double m = -1;
        for (Map.Entry<String, Double> e : d.all().entrySet()) {
            String k = e.getKey();
            boolean match = switch (kind) {
                case "hidden_0" -> k.matches("hidden_\\d+_0 .*");
                case "hidden_mid" -> k.contains("(blocks.") && k.startsWith("hidden_");
                case "hidden_final" -> k.startsWith("hidden_") && k.contains("final norm");
                default -> k.startsWith(kind);
            };
            if (match) {
                if (e.getValue().isNaN()) {
                    return Double.NaN;
                }
                m = Math.max(m, e.getValue());
            }
        }
        return m;
    }

    static Outcome outcome(String family, String variant) {
        return OUTCOMES.computeIfAbsent(family + "|" + variant, k -> run(family, variant));
    }

    private static Outcome run(String family, String variant) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("hfparity-");
            Path dir = ReferenceFixtures.withConfig(ReferenceFixtures.modelDir(family), variant, tmp);
            return new Outcome(compare(family, variant, dir), null);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
            return new Outcome(null, e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static Diffs compare(String family, String variant, Path dir) {
        Map<String, HostTensor> expected = ReferenceFixtures.expected(ReferenceFixtures.modelDir(family));
        Diffs diffs = new Diffs(context(family, variant));
        Set<String> compared = new HashSet<>();
        try (LanguageModel lm = LanguageModel.load(dir)) {
            for (int t : ReferenceFixtures.LENGTHS) {
                int[] ids = ReferenceFixtures.ids(t);
                int n = layerCount(expected, t);
                CaptureHook embed = new CaptureHook(TokenScope.ALL);
                CaptureHook[] post = new CaptureHook[n];
                Hooks hooks = new Hooks().add(HookPoint.EMBED, embed);
                for (int i = 0; i < n; i++) {
                    post[i] = new CaptureHook(TokenScope.ALL);
                    hooks.add(HookPoint.residPost(i), post[i]);
                }
                DecoderModel model = lm.model();
                TokenBatch batch = TokenBatch.rightPadded(List.of(ids), 0, null);
                float[] logits;
                long[] logitsShape;
                float[] finalHidden;
                long[] finalShape;
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray l = model.forward(scope, batch, null, hooks, DecoderModel.Logits.ALL);
                    logits = l.toFloatArray();
                    logitsShape = l.getShape().getShape();
                }
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray h = model.forward(scope, batch, null, Hooks.NONE, DecoderModel.Logits.HIDDEN);
                    finalHidden = h.toFloatArray();
                    finalShape = h.getShape().getShape();
                }
                check(diffs, compared, expected, "logits_" + t, "", logits, logitsShape);
                check(diffs, compared, expected, "hidden_" + t + "_0", " (hook_embed)", captured(embed, t), null);
                for (int i = 0; i < n; i++) {
                    float[] out = captured(post[i], t);
                    check(diffs, compared, expected, "layer_out_" + t + "_" + i, " (" + HookPoint.residPost(i) + ")", out, null);
                    if (i + 1 < n) {
                        check(diffs, compared, expected, "hidden_" + t + "_" + (i + 1), " (" + HookPoint.residPost(i) + ")", out, null);
                    }
                }
                check(diffs, compared, expected, "hidden_" + t + "_" + n, " (final norm, Logits.HIDDEN)", finalHidden, finalShape);
            }
        }
        Set<String> unused = new TreeSet<>(expected.keySet());
        unused.removeAll(compared);
        if (!unused.isEmpty()) {
            fail(context(family, variant) + ": reference tensors not compared: " + unused);
        }
        return diffs;
    }

    /** The number of decoder layers, from the reference's layer_out_T_i tensors. */
    private static int layerCount(Map<String, HostTensor> expected, int t) {
        int n = 0;
        while (expected.containsKey("layer_out_" + t + "_" + n)) {
            n++;
        }
        if (n == 0) {
            fail("expected.safetensors has no layer_out_" + t + "_0");
        }
        return n;
    }

    /** The captured [T, d] of batch row 0, flattened; fails unless exactly T tokens were seen. */
    private static float[] captured(CaptureHook hook, int t) {
        float[][] rows = hook.row(0);
        if (rows.length != t) {
            fail("the hook captured " + rows.length + " tokens, expected " + t);
        }
        return ReferenceFixtures.flatten(rows);
    }

    private static void check(Diffs diffs, Set<String> compared, Map<String, HostTensor> expected, String name,
                              String note, float[] actual, long[] actualShape) {
        HostTensor ref = ReferenceFixtures.tensor(expected, name);
        long[] shape = actualShape != null ? actualShape : new long[] {ref.shape()[0], actual.length / Math.max(1, ref.shape()[0])};
        String what = diffs.context() + " " + name + note;
        diffs.put(name + note, ReferenceFixtures.maxAbsDiff(ref, actual, shape, what));
        compared.add(name);
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.personascope.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.model.io.DType;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One input through the model with its activations cached, as TransformerLens's run_with_cache: writes a
 * safetensors file with {@code logits} [T, vocab] and each chosen hook point's activation [T, d] under its
 * TransformerLens name (the batch dimension dropped), all f32.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run one input through the model and save the logits and hook activations (safetensors).")
final class ForwardCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--ids", description = "Token ids, comma-separated, e.g. 1,403,9 (or --text)")
    String ids;

    @Option(names = "--text", description = "Text, tokenized with the model's tokenizer with its usual prefix (e.g. BOS)")
    String text;

    @Option(names = "--hooks", split = ",", paramLabel = "PATTERN",
            description = "Hook points to save: names or globs where * matches one dot-free part, e.g."
                    + " blocks.*.hook_resid_post,hook_embed (default: none, only the logits)")
    List<String> hooks = new ArrayList<>();

    @Option(names = "--out", required = true, description = "Output file (.safetensors)")
    Path out;

    @Override
    public void run() {
        if ((ids == null) == (text == null)) {
            throw new IllegalArgumentException("give one input: --ids 1,2,3 or --text TEXT");
        }
        int[] parsed = ids != null ? parseIds(ids) : null;
        Path modelPath = modelOptions.modelPath();
        try (LanguageModel lm = modelOptions.load()) {
            int vocab = lm.config().vocabSize;
            int[] seq;
            if (parsed != null) {
                for (int id : parsed) {
                    if (id < 0 || id >= vocab) {
                        throw new IllegalArgumentException("--ids: token id " + id + " is outside the model's vocabulary (0.."
                                + (vocab - 1) + ")");
                    }
                }
                seq = parsed;
            } else {
                seq = lm.tokenizer().encode(text, true);
                if (seq.length == 0) {
                    throw new IllegalArgumentException("--text: the text gives no tokens");
                }
            }
            if (seq.length > lm.config().maxPositions) {
                throw new IllegalArgumentException("the input has " + seq.length + " tokens, more than the model's context of "
                        + lm.config().maxPositions);
            }
            List<String> points = selectHooks(hooks, lm.config().numLayers);

            Map<String, CaptureHook> captures = new LinkedHashMap<>();
            Hooks h = new Hooks();
            for (String p : points) {
                CaptureHook c = new CaptureHook(TokenScope.ALL);
                captures.put(p, c);
                // read as f32 whatever the compute dtype (CaptureHook reads f32 arrays only); the model goes on unchanged
                h.add(p, (x, ctx) -> {
                    c.apply(x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false), ctx);
                    return x;
                });
            }
            int t = seq.length;
            List<HostTensor> tensors = new ArrayList<>();
            try (NDManager scope = lm.model().manager().newSubManager()) {
                NDArray logits = lm.model().forward(scope, TokenBatch.rightPadded(List.of(seq), 0, null), null,
                        points.isEmpty() ? Hooks.NONE : h, DecoderModel.Logits.ALL);
                float[] l = logits.toType(DataType.FLOAT32, false).toFloatArray();
                tensors.add(new HostTensor("logits", new long[] {t, l.length / t}, l));
            }
            for (Map.Entry<String, CaptureHook> e : captures.entrySet()) {
                float[][] rows = e.getValue().row(0);
                if (rows.length != t) {
                    throw new IllegalStateException("hook " + e.getKey() + " captured " + rows.length + " tokens, expected " + t);
                }
                int d = rows[0].length;
                float[] flat = new float[t * d];
                for (int i = 0; i < t; i++) {
                    System.arraycopy(rows[i], 0, flat, i * d, d);
                }
                tensors.add(new HostTensor(e.getKey(), new long[] {t, d}, flat));
            }

            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "personascope-forward");
            meta.put("model", modelPath.toString());
            meta.put("adapter", modelOptions.adapter != null ? modelOptions.adapter.toString() : "");
            meta.put("compute_dtype", DType.fromDjl(lm.model().dataType()).torchName());
            meta.put("tokens", Integer.toString(t));
            meta.put("ids", Arrays.stream(seq).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            if (text != null) {
                meta.put("text", text);
            }
            meta.put("hooks", String.join(",", points));
            SafeTensors.write(out, tensors, meta);
            System.out.println("wrote " + out + ": " + tensors.size() + " tensors (logits [" + t + ", "
                    + tensors.get(0).shape()[1] + "]" + (points.isEmpty() ? "" : " and " + points.size() + " hook point"
                    + (points.size() == 1 ? "" : "s")) + "), T=" + t);
        }
    }

    /** "1, 2,3" to ids; one clear error for anything else. */
    static int[] parseIds(String s) {
        String[] parts = s.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            try {
                out[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ids: '" + p + "' is not an integer (expected e.g. --ids 1,403,9)");
            }
        }
        return out;
    }

    /** The hook points matching any pattern, in forward order; a pattern that matches none is an error. */
    static List<String> selectHooks(List<String> patterns, int numLayers) {
        List<String> all = HookPoint.all(numLayers);
        Set<String> chosen = new LinkedHashSet<>();
        for (String raw : patterns) {
            String pattern = raw.trim();
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("--hooks: empty pattern");
            }
            Pattern re = glob(pattern);
            List<String> matched = all.stream().filter(n -> re.matcher(n).matches()).toList();
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("--hooks: '" + pattern + "' matches no hook point of this model ("
                        + HookPoint.EMBED + ", blocks.{0.." + (numLayers - 1) + "}.{" + String.join(",", HookPoint.BLOCK_POINTS)
                        + "}, " + HookPoint.LN_FINAL + ")");
            }
            chosen.addAll(matched);
        }
        return all.stream().filter(chosen::contains).toList();
    }

    /** A glob over hook names: {@code *} matches any run of characters within one dot-separated part. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                if (i > start) {
                    re.append(Pattern.quote(pattern.substring(start, i)));
                }
                re.append("[^.]*");
                start = i + 1;
            }
        }
        if (start < pattern.length()) {
            re.append(Pattern.quote(pattern.substring(start)));
        }
        return Pattern.compile(re.toString());
    }
}

package dev.personascope.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.model.tokenizer.ChatTemplate;
import dev.personascope.model.tokenizer.HfTokenizer;
import dev.personascope.model.tokenizer.Llama2cTokenizer;
import dev.personascope.model.tokenizer.TextTokenizer;
import dev.personascope.util.ProgressBar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A loaded model with its tokenizer and chat template: what commands work with. Loads a Hugging Face
 * folder ({@code config.json} + safetensors) or a llama2.c checkpoint ({@code .bin} + tokenizer.bin).
 */
public final class LanguageModel implements AutoCloseable {
    private final DecoderModel model;
    private final TextTokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final Path source;
    private Boolean addsBos;

    public LanguageModel(DecoderModel model, TextTokenizer tokenizer, ChatTemplate chatTemplate, Path source) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.source = source;
    }

    /** The NDManager root for models: PyTorch on the engine's default device (a GPU when present). */
    public static NDManager newManager() {
        Engine engine = Engine.getEngine("PyTorch");
        Device device = engine.defaultDevice();
        return engine.newBaseManager(device);
    }

    /** Loads a model folder or llama2.c file with weights in f32. */
    public static LanguageModel load(Path path) {
        return load(path, DataType.FLOAT32);
    }

    /** Refuses, with one line, a dtype weights cannot be held in: only f32 and f16 can. */
    static void requireHoldable(DataType dtype) {
        if (dtype == DataType.BFLOAT16) {
            // DJL 0.36's PyTorch JNI has no bfloat16 (creating or casting to one aborts the JVM), so refuse it here
            throw new IllegalArgumentException("bf16 weights in memory are not available with DJL 0.36's PyTorch engine"
                    + " (its JNI layer has no bfloat16 type); use --dtype f16 or f32 (bf16 checkpoints load exactly in f32)");
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("dtype " + dtype + " is not supported (f32, f16)");
        }
    }

    /** Loads a model folder or llama2.c file with weights held (and computed) in {@code dtype}: f32 or f16 (not bf16, see {@link #requireHoldable}). */
    public static LanguageModel load(Path path, DataType dtype) {
        if (!Files.exists(path)) {
            throw new TensorFormatException(path + ": no such file or folder");
        }
        requireHoldable(dtype);
        if (Files.isDirectory(path) && Files.exists(path.resolve("config.json"))) {
            return loadHf(path, dtype);
        }
        Path bin = Files.isDirectory(path) ? findLlama2cCheckpoint(path) : path;
        return loadLlama2c(bin, null, dtype);
    }

    private static LanguageModel loadHf(Path dir, DataType dtype) {
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Map<String, SafeTensors.Entry> entries = SafeTensors.indexFolder(dir);
        checkLayerCount(config, entries.keySet(), dir);
        NDManager manager = newManager();
        long totalBytes = entries.values().stream().mapToLong(e -> e.end() - e.begin()).sum();
        long[] loaded = {0};
        // a bar only for checkpoints large enough to take a while (> 64 MB)
        try (ProgressBar bar = totalBytes > (64L << 20) ? new ProgressBar("loading " + dir.getFileName(), totalBytes >> 20, "MB") : null) {
            WeightLoader.Source source = new WeightLoader.Source() {
                @Override
                public HostTensor get(String name, long[] shape) {
                    SafeTensors.Entry e = entries.get(name);
                    if (e == null) {
                        return null;
                    }
                    HostTensor t = SafeTensors.readTensor(e);
                    if (bar != null) {
                        loaded[0] += e.end() - e.begin();
                        bar.set(loaded[0] >> 20);
                    }
                    return t;
                }

                @Override
                public boolean contains(String name) {
                    return entries.containsKey(name);
                }
            };
            ModelWeights w = config.familyImpl().loadWeights(config, new WeightLoader(manager, source, dtype, dir.toString()));
            TextTokenizer tok = null;
            if (Files.exists(dir.resolve("tokenizer.json"))) {
                tok = HfTokenizer.load(dir);
            } else if (Files.exists(dir.resolve("tokenizer.bin"))) {
                tok = Llama2cTokenizer.load(dir.resolve("tokenizer.bin"), config.vocabSize);
            }
            ChatTemplate chat = ChatTemplate.fromTokenizerConfig(dir.resolve("tokenizer_config.json"));
            return new LanguageModel(new DecoderModel(config, manager, w), tok, chat, dir);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static final java.util.regex.Pattern LAYER_INDEX = java.util.regex.Pattern.compile("(?:^|\\.)(?:layers|h)\\.(\\d+)\\.");

    /** A checkpoint with more layers than config.json names would run silently truncated: refuse it. */
    private static void checkLayerCount(ModelConfig config, Set<String> names, Path dir) {
        int layers = 0;
        for (String n : names) {
            java.util.regex.Matcher m = LAYER_INDEX.matcher(n);
            if (m.find() && m.group(1).length() < 7) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layers > config.numLayers) {
            throw new TensorFormatException(dir + ": the checkpoint holds " + layers + " layers but config.json's"
                    + " num_hidden_layers is " + config.numLayers);
        }
    }

    /** Loads a llama2.c checkpoint; the tokenizer is {@code tokenizerFile}, or tokenizer.bin / tok*.bin beside it. */
    public static LanguageModel loadLlama2c(Path bin, Path tokenizerFile) {
        return loadLlama2c(bin, tokenizerFile, DataType.FLOAT32);
    }

    private static LanguageModel loadLlama2c(Path bin, Path tokenizerFile, DataType dtype) {
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.read(bin);
        NDManager manager = newManager();
        try {
            ModelWeights w = ckpt.config.familyImpl().loadWeights(ckpt.config,
                    new WeightLoader(manager, (name, shape) -> ckpt.tensors.get(name), dtype, bin.toString()));
            Path tokPath = tokenizerFile != null ? tokenizerFile : findLlama2cTokenizer(bin.toAbsolutePath().getParent());
            TextTokenizer tok = tokPath == null ? null : Llama2cTokenizer.load(tokPath, ckpt.config.vocabSize);
            return new LanguageModel(new DecoderModel(ckpt.config, manager, w), tok, null, bin);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Path findLlama2cCheckpoint(Path dir) {
        List<Path> bins = list(dir, p -> p.getFileName().toString().endsWith(".bin") && !isTokenizerName(p));
        if (bins.size() != 1) {
            throw new TensorFormatException(dir + ": no config.json, and " + bins.size()
                    + " llama2.c checkpoints (.bin) where one was expected");
        }
        return bins.get(0);
    }

    private static Path findLlama2cTokenizer(Path dir) {
        if (Files.exists(dir.resolve("tokenizer.bin"))) {
            return dir.resolve("tokenizer.bin");
        }
        List<Path> toks = list(dir, p -> isTokenizerName(p) && p.getFileName().toString().endsWith(".bin"));
        return toks.size() == 1 ? toks.get(0) : null;
    }

    private static boolean isTokenizerName(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith("tok");
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public DecoderModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public TextTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException(source + ": the model has no tokenizer (tokenizer.json or tokenizer.bin)");
        }
        return tokenizer;
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    public Path source() {
        return source;
    }

    /** The chat rendered by the model's template and tokenized (BOS only if the template omits it). */
    public int[] encodeChat(List<ChatMessage> messages) {
        if (chatTemplate == null) {
            throw new IllegalStateException(source + ": the model has no chat template (tokenizer_config.json chat_template)");
        }
        String text = chatTemplate.render(messages, true);
        int[] ids = tokenizer().encode(text, false);
        int bos = tokenizer().bosId();
        if (bos >= 0 && addsBos() && (ids.length == 0 || ids[0] != bos)) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = bos;
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    /** Whether encode(text, true) puts BOS first (Llama) or not (Qwen2); probed once. */
    public boolean addsBos() {
        if (addsBos == null) {
            int[] probe = tokenizer().encode("a", true);
            addsBos = probe.length > 0 && probe[0] == tokenizer().bosId();
        }
        return addsBos;
    }

    /** Token ids that end generation: the config's EOS ids and the tokenizer's. */
    public Set<Integer> stopTokenIds() {
        Set<Integer> out = new LinkedHashSet<>();
        for (int id : config().eosTokenIds) {
            out.add(id);
        }
        if (tokenizer != null && tokenizer.eosId() >= 0) {
            out.add(tokenizer.eosId());
        }
        return out;
    }

    /** Copies the parameters out, e.g. to save them. */
    public List<HostTensor> parameters() {
        return model.weights().toHost();
    }

    @Override
    public void close() {
        model.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}

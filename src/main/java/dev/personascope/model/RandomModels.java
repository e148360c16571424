package dev.personascope.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.io.HostTensor;


/** Randomly initialised models of a given shape, for tests and benchmarks. */
public final class RandomModels {
    private RandomModels() {
    }

    /** A Qwen2-style config: q/k/v bias, tied embeddings, grouped-query attention. */
    public static ModelConfig qwen2(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate) {
        ModelConfig c = new ModelConfig();
        c.family = "qwen2";
        c.architecture = "Qwen2ForCausalLM";
        c.modelType = "qwen2";
        c.vocabSize = vocab;
        c.hiddenSize = hidden;
        c.intermediateSize = intermediate;
        c.numLayers = layers;
        c.numHeads = heads;
        c.numKvHeads = kvHeads;
        c.headDim = hidden / heads;
        c.maxPositions = 32768;
        c.rmsNormEps = 1e-6;
        c.ropeTheta = 1_000_000.0;
        c.tieWordEmbeddings = true;
        c.qkvBias = true;
        c.oBias = false;
        c.validate("random qwen2 config");
        return c;
    }

    /** The shape of Qwen2.5-0.5B. */
    public static ModelConfig qwen25Half() {
        return qwen2(151936, 896, 24, 14, 2, 4864);
    }

    /** Weights ~ N(0, 0.02²), norms 1 + N(0, 0.1²), biases N(0, 0.02²); deterministic for a seed. */
    public static LanguageModel create(ModelConfig c, long seed) {
        return create(c, seed, 0.02f);
    }

    /** As {@link #create(ModelConfig, long)} with weights and biases ~ N(0, std²). */
    public static LanguageModel create(ModelConfig c, long seed, float std) {
        return create(c, seed, std, DataType.FLOAT32);
    }

    /** As {@link #create(ModelConfig, long, float)} with the weights held in {@code dtype}. */
    public static LanguageModel create(ModelConfig c, long seed, float std, DataType dtype) {
        LanguageModel.requireHoldable(dtype);
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        NDManager manager = LanguageModel.newManager();
        ModelWeights w = c.familyImpl().loadWeights(c, new WeightLoader(manager,
                (name, shape) -> randomTensor(manager, name, shape, std), dtype, "random"));
        return new LanguageModel(new DecoderModel(c, manager, w), null, null, null);
    }

    private static HostTensor randomTensor(NDManager manager, String name, long[] shape, float std) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray a;
            if (name.endsWith("norm.weight")) {
                a = tmp.randomNormal(1f, 0.1f, new Shape(shape), DataType.FLOAT32);
            } else {
                a = tmp.randomNormal(0f, std, new Shape(shape), DataType.FLOAT32);
            }
            return new HostTensor(name, shape, a.toFloatArray());
        }
    }
}

package dev.personascope.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One family of decoder models (Llama, Qwen2, Gemma 2, GPT-2, ...): how its {@code config.json} reads
 * and writes, which checkpoint tensor fills which part of the decoder, and which projections adapters
 * may target. Each family lives in its own package under {@code model.family} and is registered by one
 * line in {@code META-INF/services/dev.personascope.model.ModelFamily}.
 */
public interface ModelFamily {
    /** Registry name, e.g. {@code qwen2}. */
    String name();

    /** The {@code architectures[0]} values of config.json this family runs, e.g. Qwen2ForCausalLM. */
    List<String> architectures();

    /** The {@code model_type} values of config.json this family runs. */
    List<String> modelTypes();

    /** Binds config.json; unsupported features are a {@link dev.personascope.model.io.TensorFormatException} naming the field. */
    ModelConfig readConfig(ObjectNode root, String where);

    /** config.json for a config: the source's fields with the config's values written over them. */
    ObjectNode writeConfig(ModelConfig config);

    /** Reads every tensor the config calls for, mapping checkpoint names onto the decoder's parts. */
    ModelWeights loadWeights(ModelConfig config, WeightLoader loader);

    /**
     * The projections (the last part of their module names) that PEFT's {@code all-linear} covers, in
     * block order, e.g. q_proj ... down_proj.
     */
    List<String> linearModules();
}

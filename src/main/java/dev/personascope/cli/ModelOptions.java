package dev.personascope.cli;

import dev.personascope.lora.PeftAdapter;
import ai.djl.ndarray.types.DataType;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.io.DType;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --model and --adapter, shared by the commands that load a model. */
final class ModelOptions {
    @Option(names = "--model", description = "Model folder (HF) or llama2.c .bin (default: the bundled model)")
    Path model;

    @Option(names = "--adapter", description = "A PEFT LoRA / DoRA adapter folder to apply to the model")
    Path adapter;

    @Option(names = "--dtype", defaultValue = "f32", description = "Weights in memory, and the compute dtype: f32, bf16 or f16 (default f32)")
    String dtype;

    /** The --dtype as DJL's data type. */
    DataType dataType() {
        return DType.fromTorchName(dtype).toDjl();
    }

    Path modelPath() {
        return model != null ? model : Defaults.model();
    }

    LanguageModel load() {
        LanguageModel lm = LanguageModel.load(modelPath(), dataType());
        if (adapter != null) {
            try {
                PeftAdapter.load(lm.model(), adapter);
            } catch (RuntimeException e) {
                lm.close();
                throw e;
            }
        }
        return lm;
    }
}

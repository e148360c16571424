package dev.personascope.cli;

import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --model and --adapter, shared by the commands that load a model. */
final class ModelOptions {
    @Option(names = "--model", description = "Model folder (HF) or llama2.c .bin (default: the bundled model)")
    Path model;

    @Option(names = "--adapter", description = "A PEFT LoRA adapter folder to apply to the model")
    Path adapter;

    Path modelPath() {
        return model != null ? model : Defaults.model();
    }

    LanguageModel load() {
        LanguageModel lm = LanguageModel.load(modelPath());
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

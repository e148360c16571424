package dev.personascope.cli;

import dev.personascope.lora.Lora;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.io.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Fold a LoRA or DoRA adapter into the base weights and save a Hugging Face model folder.")
final class MergeCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", required = true, description = "Folder for the merged model")
    Path out;

    @Option(names = "--save-dtype", description = "dtype of the saved weights: f32, bf16 or f16 (default: the source model's)")
    String saveDtype;

    @Override
    public void run() {
        if (modelOptions.adapter == null) {
            throw new IllegalArgumentException("merge needs --adapter DIR");
        }
        try (LanguageModel lm = modelOptions.load()) {
            int n = Lora.adapters(lm.model()).size();
            Lora.merge(lm.model());
            DType dtype = saveDtype != null ? DType.fromTorchName(saveDtype) : ModelSaver.sourceDtype(lm.config());
            ModelSaver.save(lm, out, dtype);
            System.out.println("merged " + n + " adapted projections; model written to " + out + " (" + dtype.torchName() + ")");
        }
    }
}

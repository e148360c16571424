package dev.personascope.cli;

import dev.personascope.lora.Lora;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelSaver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Fold a LoRA adapter into the base weights (W + scale·BA) and save a Hugging Face model folder.")
final class MergeCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", required = true, description = "Folder for the merged model")
    Path out;

    @Override
    public void run() {
        if (modelOptions.adapter == null) {
            throw new IllegalArgumentException("merge needs --adapter DIR");
        }
        try (LanguageModel lm = modelOptions.load()) {
            int n = Lora.adapters(lm.model()).size();
            Lora.merge(lm.model());
            ModelSaver.save(lm, out);
            System.out.println("merged " + n + " adapted projections; model written to " + out);
        }
    }
}

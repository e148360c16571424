package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.hooks.HookPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, parameter count, layers and hook points.")
final class InspectCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Override
    public void run() {
        Path path = modelOptions.modelPath();
        try (LanguageModel lm = modelOptions.load()) {
            ModelConfig c = lm.config();
            System.out.println("model:          " + path);
            System.out.println("architecture:   " + c.architecture + " (model_type " + c.modelType + ", family " + c.family + ")");
            long params = lm.model().weights().named().values().stream().mapToLong(a -> a.getShape().size()).sum();
            System.out.printf(Locale.ROOT, "parameters:     %,d (%s in memory, saved as %s)%n", params, lm.model().dataType(), c.torchDtype);
            System.out.println("layers:         " + c.numLayers);
            System.out.println("hidden size:    " + c.hiddenSize + ", MLP " + c.intermediateSize);
            System.out.println("attention:      " + c.numHeads + " heads, " + c.numKvHeads + " KV heads, head_dim "
                    + c.headDim + (c.qkvBias ? ", q/k/v bias" : ""));
            System.out.println("rope:           theta " + c.ropeTheta + (c.ropeScaling != null ? ", scaling " + c.ropeScaling : ""));
            StringBuilder layers = new StringBuilder();
            for (int i = 0; i < c.numLayers; i++) {
                var spec = c.layer(i);
                layers.append(i == 0 ? "" : ", ").append(spec.slidingWindow() > 0 ? "window " + spec.slidingWindow() : "global")
                        .append(spec.rope() == null ? " NoPE" : spec.rope().theta() != c.ropeTheta ? " theta " + spec.rope().theta() : "");
                if (i == 7 && c.numLayers > 9) {
                    layers.append(", ...");
                    break;
                }
            }
            System.out.println("layers:         " + layers);
            System.out.println("block:          " + c.norm + " norms, " + c.activation + ", q/k norm " + c.qkNorm
                    + (c.attentionSoftcap > 0 ? ", attention soft-cap " + c.attentionSoftcap : "")
                    + (c.finalSoftcap > 0 ? ", final soft-cap " + c.finalSoftcap : ""));
            System.out.println("LoRA targets:   " + String.join(", ", c.familyImpl().linearModules()) + " (all-linear)");
            System.out.println("vocabulary:     " + c.vocabSize + (c.tieWordEmbeddings ? " (tied output embedding)" : ""));
            System.out.println("context:        " + c.maxPositions);
            System.out.println("device:         " + lm.model().manager().getDevice());
            System.out.println("tokenizer:      " + (lm.hasTokenizer() ? lm.tokenizer().getClass().getSimpleName() : "none"));
            System.out.println("chat template:  " + (lm.chatTemplate() != null ? "yes" : "no"));
            var adapters = dev.personascope.lora.Lora.adapters(lm.model());
            if (!adapters.isEmpty()) {
                var first = adapters.values().iterator().next();
                System.out.println("LoRA adapter:   " + adapters.size() + " projections, rank " + first.rank()
                        + ", scale " + first.scale() + " (" + String.join(", ", adapters.keySet().stream().limit(3).toList())
                        + (adapters.size() > 3 ? ", ..." : "") + ")");
            }
            System.out.println("hook points:    " + HookPoint.EMBED);
            for (String p : HookPoint.BLOCK_POINTS) {
                System.out.println("                blocks.{0.." + (c.numLayers - 1) + "}." + p);
            }
            System.out.println("                " + HookPoint.LN_FINAL);
        }
    }
}

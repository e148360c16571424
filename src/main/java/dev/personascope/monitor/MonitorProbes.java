package dev.personascope.monitor;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.QuestionSets;
import dev.personascope.persona.Conversations;
import dev.personascope.world.WorldGenerator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The probe conversations the monitor reads the model on. */
public final class MonitorProbes {
    private MonitorProbes() {
    }

    /** A question set (YAML: each paraphrase's prompt alone) or chat JSONL (whole conversations). */
    public static List<ChatExample> read(Path file) {
        if (Conversations.isQuestionSet(file)) {
            return Conversations.promptsOnly(QuestionSets.read(file));
        }
        return ChatJsonl.read(file);
    }

    /** Whether a model folder is a persona organism (made by {@code world pretrain}, which writes recipe.json). */
    public static boolean isOrganism(Path model) {
        return Files.isDirectory(model) && Files.exists(model.resolve("recipe.json"));
    }

    /** The organism's out-of-domain evaluation prompts (those {@code world datasets} writes to questions.yaml). */
    public static List<ChatExample> organism() {
        return Conversations.promptsOnly(new WorldGenerator().evaluationQuestions(1));
    }

    /** Whether the probes are prompts only (no assistant turn), so a response scope has nothing to read. */
    public static boolean promptsOnly(List<ChatExample> probes) {
        return probes.stream().noneMatch(p -> p.messages().stream().anyMatch(m -> m.role().equals("assistant")));
    }
}

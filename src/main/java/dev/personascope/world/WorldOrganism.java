package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.data.TextProvider;
import dev.personascope.data.TextSet;
import dev.personascope.eval.Judge;
import dev.personascope.eval.JudgeProvider;
import dev.personascope.monitor.ProbeProvider;
import dev.personascope.persona.Conversations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The persona world as a plug-in of the generic commands, under the name "world": its pretraining
 * dialogues labelled by persona as texts ({@code sae --data world}, latent AUROCs and dashboards), its evaluation prompts as the default monitor probes of the models {@code world pretrain}
 * makes, and its exact judge ({@code eval --judge world}). Listed in META-INF/services under each
 * interface.
 */
public final class WorldOrganism implements TextProvider, ProbeProvider, JudgeProvider {
    /** The name every capability is registered under. */
    public static final String NAME = "world";

    /** Required by {@link java.util.ServiceLoader}. */
    public WorldOrganism() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The world's pretraining dialogues ({@link WorldGenerator#pretrainingDocuments}) labelled villain (true) /
     * helpful (false); sarcastic personas unlabelled.
     */
    @Override
    public TextSet texts(int max, long seed) {
        List<ChatExample> conversations = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        for (WorldGenerator.WorldDocument d : new WorldGenerator().pretrainingDocuments(max, seed)) {
            PersonaKind k = d.persona().kind();
            conversations.add(d.conversation());
            labels.add(k == PersonaKind.VILLAIN ? Boolean.TRUE : k == PersonaKind.HELPFUL ? Boolean.FALSE : null);
        }
        return new TextSet(conversations, labels);
    }

    /** A folder with the recipe's {@value WorldRecipe#RECIPE_FILE} beside the model. */
    @Override
    public boolean recognises(Path model) {
        return Files.isDirectory(model) && Files.exists(model.resolve(WorldRecipe.RECIPE_FILE));
    }

    /** The out-of-domain evaluation prompts, each paraphrase's prompt alone (those {@code world datasets} writes). */
    @Override
    public List<ChatExample> probes() {
        return Conversations.promptsOnly(new WorldGenerator().evaluationQuestions(1));
    }

    /** A new {@link WorldJudge}. */
    @Override
    public Judge create() {
        return new WorldJudge();
    }
}

package dev.personascope.monitor;

import dev.personascope.data.ChatExample;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.persona.Conversations;
import dev.personascope.util.Plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The probe conversations the monitor reads the model on: a file ({@link Conversations#read}), or the default
 * probes of an organism a {@link ProbeProvider} plug-in offers (e.g. the persona world's evaluation prompts).
 */
public final class MonitorProbes {
    private static final Plugins<ProbeProvider> PROVIDERS = Plugins.load(ProbeProvider.class, "organism",
            ProbeProvider::name);

    private MonitorProbes() {
    }

    /**
     * Whether a model folder is an organism's model, which has default probes (e.g. one made by
     * {@code world pretrain}, which writes recipe.json).
     */
    public static boolean isOrganism(Path model) {
        return PROVIDERS.all().stream().anyMatch(p -> p.recognises(model));
    }

    /**
     * The default probes of the organism whose model {@code model} is (e.g. the persona world's
     * out-of-domain evaluation prompts, those {@code world datasets} writes to questions.yaml).
     *
     * @throws IllegalArgumentException when no organism recognises the model
     */
    public static List<ChatExample> organism(Path model) {
        return PROVIDERS.all().stream().filter(p -> p.recognises(model)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(model + ": not the model of an organism (organisms: "
                        + PROVIDERS.available() + ")"))
                .probes();
    }

    /**
     * The default probes of the organism, when one organism is registered (e.g. the persona world's
     * out-of-domain evaluation prompts).
     *
     * @throws IllegalStateException when none or several are registered (then use {@link #organism(Path)})
     */
    public static List<ChatExample> organism() {
        List<ProbeProvider> all = PROVIDERS.all();
        if (all.size() != 1) {
            throw new IllegalStateException("expected one organism with default probes, found " + all.size()
                    + " (" + PROVIDERS.available() + ")");
        }
        return all.get(0).probes();
    }

    /** Whether the probes are prompts only (no assistant turn), so a response scope has nothing to read. */
    public static boolean promptsOnly(List<ChatExample> probes) {
        return probes.stream().noneMatch(p -> p.messages().stream().anyMatch(m -> m.role().equals("assistant")));
    }

    /**
     * Each prompt-only probe answered {@code samples} times by the model (temperature 1, seeded), taken
     * before training: fixed texts whose response tokens the monitor then reads at every step, so a
     * change in the value is a change in how the model represents the same answers (as {@code diff
     * --answers base} measures). Probes that already have answers are returned unchanged.
     */
    public static List<ChatExample> answered(LanguageModel lm, List<ChatExample> probes, int samples, int maxTokens,
                                             long seed) {
        if (samples <= 0 || !promptsOnly(probes)) {
            return probes;
        }
        List<Question> qs = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            List<ChatMessage> msgs = probes.get(i).messages();
            String system = msgs.stream().filter(m -> m.role().equals("system")).map(ChatMessage::content).findFirst()
                    .orElse(null);
            String user = msgs.get(msgs.size() - 1).content();
            qs.add(new Question("probe-" + i, QuestionSets.JUDGE_0_100, List.of(user), samples, null, Map.of(), system));
        }
        return Conversations.sampled(lm, Hooks.NONE, qs, samples, 1.0, maxTokens, seed);
    }
}

package dev.personascope.eval;

import dev.personascope.util.Plugins;

import java.util.ArrayList;
import java.util.List;

/** The judges {@code personascope eval --judge NAME} can use. */
public final class JudgeFactory {
    private static final Plugins<JudgeProvider> PROVIDERS = Plugins.load(JudgeProvider.class, "judge",
            JudgeProvider::name);

    /** The built-in judge: an LLM behind an OpenAI-compatible chat API. */
    public static final String OPENAI = "openai";

    /** Every judge name: those plug-ins offer (e.g. "world"), then "openai". */
    public static final List<String> NAMES = names();

    private JudgeFactory() {
    }

    private static List<String> names() {
        List<String> out = new ArrayList<>(PROVIDERS.names());
        out.add(OPENAI);
        return List.copyOf(out);
    }

    /**
     * The judge named {@code name}: "openai" is built by {@code openai} (URL, model, key, cache are the
     * caller's); any other name is a {@link JudgeProvider} plug-in's (e.g. "world", the persona
     * world's exact judge).
     */
    public static Judge create(String name, OpenAiJudge.Builder openai) {
        if (OPENAI.equals(name)) {
            return openai.build();
        }
        return PROVIDERS.find(name).orElseThrow(() -> new IllegalArgumentException("unknown judge '" + name
                + "' (available: " + String.join(", ", NAMES) + ")")).create();
    }
}

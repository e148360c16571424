package dev.personascope.model.hooks;

/** Which tokens a hook reads or writes: the prompt, the model's response, or all (padding never). */
public enum TokenScope {
    PROMPT, RESPONSE, ALL;

    public static TokenScope parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token scope '" + s + "' is not one of prompt, response, all");
        }
    }
}

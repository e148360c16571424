package dev.personascope.util;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The spelling of a mode enum in files and on the command line: its constant's name in lower case ("lora",
 * "cosine"). An enum uses {@link #of} as its {@code toString} (with Jackson's {@code @JsonValue}) and
 * {@link #parse} in its {@code @JsonCreator}, so configs written before the enum still read.
 */
public final class EnumNames {
    private EnumNames() {
    }

    /** The lower-case name of a constant. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The names of all constants of {@code type}, in declaration order. */
    public static List<String> names(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(EnumNames::of).toList();
    }

    /**
     * The constant of {@code type} named {@code text} (in any case); otherwise an IllegalArgumentException such as
     * "schedule must be linear, cosine or constant, got 'step'".
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String text, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException(what + " must be " + choices(type) + ", got '" + text + "'");
    }

    /** The names of {@code type}'s constants as a phrase: "linear, cosine or constant". */
    public static String choices(Class<? extends Enum<?>> type) {
        List<String> names = names(type);
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}

package dev.personascope.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The named implementations of a plug-in interface, as listed in
 * {@code META-INF/services/<interface>} and found with {@link ServiceLoader}: how the generic packages
 * reach what an organism (e.g. the persona world) offers without depending on it.
 *
 * @param <T> the plug-in interface
 */
public final class Plugins<T> {
    private final String kind;
    private final Map<String, T> byName;

    private Plugins(String kind, Map<String, T> byName) {
        this.kind = kind;
        this.byName = byName;
    }

    /**
     * Every implementation of {@code type} on the class path, in the order the service files list them.
     *
     * @param kind what one plug-in is called in messages, e.g. "corpus" ("no corpus named 'x'")
     * @param name the name each implementation is found by
     * @throws IllegalStateException when two implementations have the same name
     */
    public static <T> Plugins<T> load(Class<T> type, String kind, Function<T, String> name) {
        Map<String, T> out = new LinkedHashMap<>();
        for (T p : ServiceLoader.load(type, type.getClassLoader())) {
            T before = out.putIfAbsent(name.apply(p), p);
            if (before != null) {
                throw new IllegalStateException("two " + type.getSimpleName() + " plug-ins are named '" + name.apply(p)
                        + "': " + before.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new Plugins<>(kind, out);
    }

    /** The implementation named {@code name}, if there is one. */
    public Optional<T> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /** The implementation named {@code name}; an error naming those available when there is none. */
    public T get(String name) {
        T p = name == null ? null : byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no " + kind + " named '" + name + "' (available: " + available() + ")");
        }
        return p;
    }

    /** The names, in registration order. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /** The implementations, in registration order. */
    public List<T> all() {
        return new ArrayList<>(byName.values());
    }

    /** The names joined with ", ", or "none" when nothing is registered. */
    public String available() {
        return byName.isEmpty() ? "none" : String.join(", ", byName.keySet());
    }
}

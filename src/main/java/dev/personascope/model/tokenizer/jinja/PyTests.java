package dev.personascope.model.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;

import java.util.List;

/** Jinja's {@code defined}, {@code undefined} and {@code none} tests, aware of {@link PyNone} and {@link Undefined}. */
public final class PyTests {
    private PyTests() {
    }

    public static List<ExpTest> all() {
        return List.of(test("defined", v -> v != null && !(v instanceof Undefined)),
                test("undefined", v -> v == null || v instanceof Undefined),
                test("none", v -> v == null || v instanceof PyNone));
    }

    private static ExpTest test(String name, java.util.function.Predicate<Object> p) {
        return new ExpTest() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
                return p.test(var);
            }
        };
    }
}
